"""Stored article renderings (articles.pages.rendering): read in one query, identical to a live render,
and never stale: every write that changes what they show invalidates exactly the articles showing it."""

import datetime as dt
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core import signing
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.utils import timezone
from django.utils.safestring import mark_safe
from taggit.models import Tag

from articles.comments.forms import TOKEN_SALT
from articles.importers.pipeline import import_path
from articles.models import Article, ArticleRendering, Comment, Footnote, RelatedArticle
from articles.pages import cards, rendering
from articles.related.lists import related_lists_changed
from tests.factories import SEED_FILE, make_article, make_author, make_category, make_comment, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    # What is measured here is the page as the view makes it, not the shared page cache in front.
    settings.ARCHIVE_PAGE_CACHE = False


def stored(article):
    row = ArticleRendering.objects.filter(article=article).first()
    return row if row is not None and row.is_current(rendering.digest(), row.comments_open) else None


def render_now(*articles):
    """What the commit of each write does (tests run inside one transaction, so it has not run)."""
    rendering.refresh([a.pk for a in articles])


def page(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def cited():
    source = make_source("ruttig-2014", title="From Point Zero", authors=["Thomas Ruttig"], year=2014)
    article = make_article(
        "Cited article", category=make_category("Afghanistan", "Politics"), authors=[make_author("Ann Author")],
        tags=["water"],
    )
    Footnote.objects.create(article=article, number=1, text="Ruttig, From Point Zero.", source=source)
    render_now(article)
    return article, source


def test_a_stored_article_page_is_read_in_one_query(client, cited, django_assert_num_queries):
    article, _ = cited
    client.get(article.get_absolute_url())  # process-wide caches (content types, site)
    with django_assert_num_queries(1):
        html = page(client, article)
    assert "Ruttig 2014" in html
    assert "Ann Author" in html


def test_the_stored_page_is_the_page_rendered_live(client, cited):
    article, _ = cited
    make_comment(article, body="An approved reply.")
    render_now(article)
    from_storage = page(client, article)
    rendering.invalidate([article.pk])
    assert stored(article) is None
    live = page(client, article)
    assert _without_tokens(live) == _without_tokens(from_storage)
    assert "An approved reply." in live
    assert stored(article) is not None  # the live render was stored for the next reader


def _without_tokens(html):
    return re.sub(r'(name="(?:csrfmiddlewaretoken|token)" value=")[^"]*', r"\1", html)


def test_structured_data_names_the_host_the_page_was_asked_for(client, cited, settings):
    settings.ALLOWED_HOSTS = ["archive.example.org"]
    article, _ = cited
    html = client.get(article.get_absolute_url(), HTTP_HOST="archive.example.org").content.decode()
    assert f'"url": "http://archive.example.org{article.get_absolute_url()}"' in html
    assert rendering.ORIGIN not in html


def test_editing_the_article_or_its_notes_invalidates_its_rendering(cited):
    article, _ = cited
    article.title = "Renamed"
    article.save()
    assert stored(article) is None
    render_now(article)
    Footnote.objects.create(article=article, number=2, text="A second note.")
    assert stored(article) is None
    render_now(article)
    article.tags.add("energy")
    assert stored(article) is None


@pytest.mark.parametrize("rename", ["source", "author", "tag", "category"])
def test_renaming_what_a_page_shows_invalidates_the_articles_showing_it(client, cited, rename):
    article, source = cited
    bystander = make_article("Unrelated")
    render_now(article, bystander)
    if rename == "source":
        source.authors = ["Kate Clark"]
        source.save()
        expected = "Clark 2014"
    elif rename == "author":
        author = article.authors.get()
        author.name = "Ann Renamed"
        author.save()
        expected = "Ann Renamed"
    elif rename == "tag":
        tag = Tag.objects.get(name="water")
        tag.name = "rivers"
        tag.save()
        expected = "rivers"
    else:
        category = article.primary_category
        category.name = "Government"
        category.save()
        expected = "Government"
    assert stored(article) is None
    assert stored(bystander) is not None
    assert expected in page(client, article)


def test_an_article_edited_refreshes_the_renderings_listing_it_as_related(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # written and committed, tasks done
        first, second = make_article("First"), make_article("Second")
    RelatedArticle.objects.update_or_create(article=second, related=first, defaults={"rank": 1, "score": 1.0})
    render_now(first, second)
    first.title = "First, renamed"
    with django_capture_on_commit_callbacks(execute=True):  # the related posts' task, after the commit
        first.save()
    assert stored(second) is None
    assert "First, renamed" in page(client, second)


def test_recomputed_related_lists_invalidate_exactly_those_renderings():
    first, second = make_article("First"), make_article("Second")
    render_now(first, second)
    related_lists_changed.send(sender=None, article_ids=[second.pk])
    assert stored(second) is None
    assert stored(first) is not None


def test_a_rebuild_of_every_related_list_renders_every_published_page_again_in_tasks(
    django_capture_on_commit_callbacks,
):
    first, second = make_article("First"), make_article("Second")
    render_now(first, second)
    with django_capture_on_commit_callbacks(execute=True):
        related_lists_changed.send(sender=None, article_ids=None)  # what rebuild_related sends
        assert stored(first) is None and stored(second) is None  # stale in the rebuild's transaction
    # Once it commits, the pages are rendered in tasks, not left to each page's first reader.
    assert stored(first) is not None and stored(second) is not None


def test_approving_and_removing_a_comment_refreshes_the_stored_thread(client, cited):
    article, _ = cited
    pending = make_comment(article, status=Comment.Status.PENDING, body="Waiting for a moderator.")
    assert stored(article) is not None  # a pending comment shows nowhere
    pending.status = Comment.Status.APPROVED
    pending.save()
    assert stored(article) is None
    assert "Waiting for a moderator." in page(client, article)
    Comment.objects.filter(pk=pending.pk).set_status(Comment.Status.REMOVED)
    assert stored(article) is None
    assert "Waiting for a moderator." not in page(client, article)


def test_a_rendering_begun_before_an_invalidation_is_not_stored(cited):
    article, _ = cited
    generation = ArticleRendering.objects.get(article=article).generation
    old = rendering.render(Article.objects.for_page().get(pk=article.pk))
    article.title = "Changed meanwhile"
    article.save()  # a writer commits while the reader renders
    assert rendering.store(article.pk, generation, old) is False
    assert stored(article) is None


def test_a_reader_without_a_row_cannot_store_over_an_invalidation(cited):
    article, _ = cited
    ArticleRendering.objects.filter(article=article).delete()  # as after a bulk load
    old = rendering.render(Article.objects.for_page().get(pk=article.pk))
    rendering.invalidate([article.pk])  # a writer, before the reader stores
    assert rendering.store(article.pk, None, old) is False
    assert stored(article) is None


def test_a_rendering_made_while_comments_were_open_is_not_used_once_they_close(client):
    article = make_article("Old debate", published=timezone.now() - dt.timedelta(days=40))
    render_now(article)
    assert "Leave a Reply" in page(client, article)
    with override_settings(ARCHIVE_COMMENTS_CLOSE_AFTER_DAYS=30):
        html = page(client, article)
    assert "Comments on this article are closed." in html
    assert "No comments yet." not in html
    assert ArticleRendering.objects.get(article=article).comments_open is False


def test_a_template_change_makes_every_rendering_stale(cited, monkeypatch):
    article, _ = cited
    assert stored(article) is not None
    monkeypatch.setattr(rendering, "FORMAT_VERSION", "changed")
    rendering.digest.cache_clear()
    try:
        assert stored(article) is None
        assert list(rendering.stale_ids()) == [article.pk]
    finally:
        monkeypatch.undo()
        rendering.digest.cache_clear()


@pytest.mark.parametrize("digest", [rendering.digest, cards.digest], ids=["page", "cards"])
def test_stored_pages_follow_the_compiled_catalogues_not_their_sources(settings, tmp_path, digest):
    """What renders a page is the compiled catalogue: a ``.po`` edited and not yet compiled changes no
    page (rendering then would store the old translations as current), and a compiled change does."""
    compiled = {code: (Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES" / "django.mo").read_bytes()
                for code in ("fa", "ps")}  # two real catalogues (compiled for the session), as two versions
    folder = tmp_path / "fa" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text('msgid "Search"\nmsgstr "جستجو"\n', encoding="utf-8")
    (folder / "django.mo").write_bytes(compiled["fa"])
    settings.LOCALE_PATHS = [str(tmp_path)]
    digest.cache_clear()
    try:
        before = digest()
        (folder / "django.po").write_text('# a comment\nmsgid "Search"\nmsgstr "پالنه"\n', encoding="utf-8")
        digest.cache_clear()
        assert digest() == before
        (folder / "django.mo").write_bytes(compiled["ps"])
        digest.cache_clear()
        assert digest() != before
    finally:
        digest.cache_clear()


def test_deleting_an_article_with_notes_authors_and_comments_leaves_no_rendering(cited):
    article, _ = cited
    make_comment(article)
    article.delete()
    assert not ArticleRendering.objects.exists()


def test_render_articles_renders_only_what_is_missing_or_stale(cited):
    article, _ = cited
    fresh = make_article("Never rendered")
    ArticleRendering.objects.filter(article=fresh).delete()
    err = StringIO()
    call_command("render_articles", stderr=err)
    assert err.getvalue().strip() == "Rendered 1 article page(s); 1 were already current."
    assert stored(fresh) is not None


@pytest.mark.parametrize("row", ["stale", "missing"])
def test_a_page_rendered_live_stays_within_nine_queries(client, cited, row, django_assert_num_queries):
    article, _ = cited
    make_comment(article)
    client.get(article.get_absolute_url())  # process-wide caches (content types, site)
    if row == "stale":
        rendering.invalidate([article.pk])
    else:
        ArticleRendering.objects.filter(article=article).delete()
    # The article with its rendering; the article again with authors, tags, notes and what the
    # notes show of their links; related posts; comments; the store (a savepoint around it here, as
    # tests run in a transaction).
    expected = 9 if row == "stale" else 11
    with django_assert_num_queries(expected):
        page(client, article)
    assert stored(article) is not None


def test_an_import_invalidates_the_renderings_it_changes_and_those_listing_them(
    tmp_path, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # written and committed, tasks done
        first = import_path(SEED_FILE)
        imported = Article.objects.get(pk=first.items[0].article_id)
        neighbour, bystander = make_article("Neighbour"), make_article("Bystander")
    RelatedArticle.objects.filter(article__in=[neighbour, bystander]).delete()
    RelatedArticle.objects.create(article=neighbour, related=imported, rank=1, score=1.0)
    render_now(imported, neighbour, bystander)

    changed = tmp_path / SEED_FILE.name
    changed.write_text(SEED_FILE.read_text(encoding="utf-8").replace(imported.title, "A retitled seed", 1),
                       encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = import_path(changed)
        assert result.items[0].outcome == "updated"
        assert stored(imported) is None  # in the import's transaction
        assert stored(neighbour) is not None and stored(bystander) is not None
    # Then the tasks its commit enqueued: the lists showing its title are out of date, its own page
    # was rendered again ahead of its first reader.
    assert callbacks
    assert "A retitled seed" in stored(imported).page_html
    assert stored(neighbour) is None
    # Its list was recomputed with the import (the seed no longer relates to it): no old title either way.
    assert imported.title not in page(client, neighbour)


def _tokens_masked(html):
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="*"', html)
    return re.sub(r'name="token" value="[^"]+"', 'name="token" value="*"', html)


def test_the_stored_comments_section_is_the_one_rendered_live_with_a_fresh_form_token(client, cited):
    article, _ = cited
    make_comment(article, name="Early Reader", body="A first reply.")
    render_now(article)
    html = page(client, article)
    start, end = html.index('<section class="comments"'), html.rindex("</article>")  # comments are articles too
    served = html[start:end].rstrip()
    request = RequestFactory().get(article.get_absolute_url())
    row = ArticleRendering.objects.get(article=article)
    live = render_to_string(
        "includes/comments.html",
        {"article": Article.objects.for_reading().get(pk=article.pk), "article_comments": mark_safe(row.comments_html)},
        request=request,
    ).strip()
    assert "Early Reader" in served and 'name="csrfmiddlewaretoken"' not in served
    assert _tokens_masked(served) == _tokens_masked(live)
    # The form's token is signed just now (a fresh form carries no CSRF token: the page is shared).
    token = __import__("re").search(r'name="token" value="([^"]+)"', served).group(1)
    shown = signing.loads(token, salt=TOKEN_SALT)
    assert shown["a"] == article.pk and abs(shown["t"] - timezone.now().timestamp()) < 5
    assert rendering.FORM_TOKEN_HOLE not in html


def test_a_reply_link_gets_the_reply_form_rendered_for_that_reader(client, cited):
    article, _ = cited
    comment = make_comment(article, name="Early Reader", body="A first reply.")
    render_now(article)
    html = client.get(f"{article.get_absolute_url()}?replyto={comment.pk}").content.decode()
    heading = '<h3 id="respond-label">Reply to Early Reader</h3>'
    assert heading in html
    assert heading not in page(client, article)
    assert '<h3 id="respond-label">Leave a Reply</h3>' in page(client, article)


def test_render_articles_before_collectstatic_says_to_collect_first(cited, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path  # nothing collected: no manifest of hashed names
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    rendering.digest.cache_clear()
    try:
        with pytest.raises(CommandError, match="Run `manage.py collectstatic` first"):
            call_command("render_articles")
    finally:
        rendering.digest.cache_clear()
