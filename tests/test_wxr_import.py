"""The WXR load path end to end: files through the pipeline and the command into the database."""

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.contrib.redirects.models import Redirect
from django.core.management import CommandError, call_command
from django.db.models import Count
from taggit.models import Tag

from articles.importers import pipeline
from articles.importers.pipeline import import_path
from articles.models import Article, Author, Category, Comment, Footnote, ImportRecord, Source
from tests.factories import make_article

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "wxr"
THEME = FIXTURES / "themeunittestdata.wordpress.xml"
FOOTNOTES = FIXTURES / "footnotes-wp63.xml"
SITE = "https://wpthemetestdata.wordpress.com"


def theme_article(post_id):
    return Article.objects.get(import_key=f"wxr:{SITE}#{post_id}")


def table_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Article, Author, Category, Comment, Footnote, ImportRecord, Source, Tag, Redirect)
    }


@pytest.fixture
def theme_result(db):
    result = import_path(THEME)
    assert not result.error, result.error
    return result


# --- the theme unit test corpus ----------------------------------------------------------------


def test_theme_corpus_articles_by_status_and_report(theme_result):
    assert theme_result.format == "wxr"
    assert (theme_result.count("created"), theme_result.count("failed")) == (58, 0)
    assert theme_result.skipped == {"attachment": 37, "nav_menu_item": 70, "page": 21}
    assert theme_result.summary() == (
        "58 created, 0 updated, 0 unchanged, 0 failed; skipped 37 attachment, 70 nav_menu_item, 21 page"
    )
    by_status = dict(Article.objects.values_list("status").annotate(n=Count("id")).order_by())
    assert by_status == {"published": 55, "scheduled": 1, "draft": 2}
    protected = theme_article(1168)
    assert protected.status == "draft"
    [item] = [i for i in theme_result.items if i.article_id == protected.pk]
    assert item.warnings == ["The post is password-protected in WordPress; imported as a draft."]
    assert ImportRecord.objects.get(article=protected).warnings == item.warnings


def test_theme_corpus_comments_by_status_threading_and_kind(theme_result):
    assert Comment.objects.count() == 28
    assert dict(Comment.objects.values_list("status").annotate(n=Count("id")).order_by()) == {
        "approved": 27,
        "pending": 1,
    }
    assert Comment.objects.filter(parent__isnull=False).count() == 9
    assert dict(Comment.objects.values_list("kind").annotate(n=Count("id")).order_by()) == {
        "comment": 24,
        "pingback": 2,
        "trackback": 2,
    }
    # Every reply hangs under a comment of the same article.
    for reply in Comment.objects.filter(parent__isnull=False).select_related("parent"):
        assert reply.parent.article_id == reply.article_id


def test_theme_corpus_taxonomy_authors_and_edge_cases(theme_result):
    assert Category.objects.count() == 68
    assert Category.objects.filter(parent__isnull=False).count() == 10
    assert Author.objects.count() == 2
    assert set(Author.objects.values_list("login", flat=True)) == {"themedemos", "themereviewteam"}
    # The export declares 110 tags; posts use 3 more it never declares (WordPress keeps them).
    # "tags" on a post is the declared "Tags" (WordPress compares names case-insensitively).
    assert Tag.objects.count() == 113
    assert set(Tag.objects.exclude(name__in=_declared_tags()).values_list("name", flat=True)) == {
        "Sample",
        "test tag",
        "Columns",
    }
    many = Article.objects.get(title="Edge Case: Many Categories")
    assert many.categories.count() == 63
    assert theme_article(1151).tags.count() == 45
    untitled = theme_article(1169)
    assert (untitled.title, untitled.slug, untitled.status) == ("Untitled post 1169", "edge-case-no-title", "published")


def _declared_tags():
    channel = ET.parse(THEME).getroot().find("channel")
    names = [t.findtext("{https://wordpress.org/export/1.2/}tag_name") for t in channel]
    return [n for n in names if n]


def test_theme_corpus_article_fields(theme_result):
    post = theme_article(1177)  # Markup: Image Alignment, written late on the 10th local time
    assert post.slug == "markup-image-alignment"
    assert post.published_at == dt.datetime(2013, 1, 11, 3, 15, 40, tzinfo=dt.UTC)  # the GMT date
    assert post.original_url == f"{SITE}/2013/01/10/markup-image-alignment/"
    assert post.authors.get().login == "themedemos"
    assert theme_article(1241).sticky is True
    assert Article.objects.filter(sticky=True).count() == 1
    assert theme_article(1150).comments_open is False
    assert theme_article(993).summary.startswith("This is a user-defined post excerpt.")
    scheduled = theme_article(1153)
    assert (scheduled.status, scheduled.published_at.year) == ("scheduled", 2030)
    draft = theme_article(1164)
    assert draft.status == "draft" and draft.slug == "draft"


def test_pages_are_imported_only_with_include_pages(db):
    result = import_path(THEME, include_pages=True)
    assert result.count("created") == 79
    assert result.skipped == {"attachment": 37, "nav_menu_item": 70}
    assert Comment.objects.count() == 33
    assert Category.objects.count() == 68


def test_slugs_respect_post_name_and_stay_unique(db):
    make_article("Taken", slug="notes-on-the-archive")
    import_path(FOOTNOTES)
    article = Article.objects.get(import_key="wxr:https://notes.example.org#101")
    assert article.slug == "notes-on-the-archive-2"


# --- footnotes ---------------------------------------------------------------------------------


def test_wp63_footnotes_become_footnote_rows_and_references(db):
    result = import_path(FOOTNOTES)
    assert result.count("created") == 1
    article = Article.objects.get()
    notes = list(article.footnotes.order_by("number"))
    assert [(n.number, n.text, n.kind) for n in notes] == [
        (1, "Parish register of St Mary, 1841, folio 12.", "note"),
        (2, "Ibid.", "ibid"),
        (3, "See the online catalogue.", "link"),
    ]
    assert notes[1].refers_to == notes[0]
    assert notes[2].url == "https://catalogue.example.org/item/42"
    assert 'id="fnref-1"' in article.body and 'id="fnref-1-2"' in article.body and "data-fn" not in article.body
    assert article.primary_category.full_name == "History & Memory » Archives"
    assert list(article.tags.names()) == ["sources"]
    assert article.authors.get().name == "Ed Itor"
    [comment] = Comment.objects.all()
    assert (comment.import_id, comment.status, comment.website) == ("7", "spam", "")


# --- idempotency -------------------------------------------------------------------------------


def test_reimport_of_unchanged_export_creates_nothing_and_reports_unchanged(theme_result):
    before = table_counts()
    again = import_path(THEME)
    assert (again.count("unchanged"), again.count("created"), again.count("updated")) == (58, 0, 0)
    assert table_counts() == before


def test_newer_export_updates_the_article_in_place(db, tmp_path):
    import_path(FOOTNOTES)
    article = Article.objects.get()
    counts = table_counts()
    newer = tmp_path / "newer.xml"
    text = FOOTNOTES.read_text(encoding="utf-8")
    newer.write_text(
        text.replace("The first claim rests", "The revised claim rests").replace(
            "</wp:comment>",
            "</wp:comment><wp:comment><wp:comment_id>8</wp:comment_id>"
            "<wp:comment_author>Second Reader</wp:comment_author>"
            "<wp:comment_date_gmt>2023-09-17 08:00:00</wp:comment_date_gmt>"
            "<wp:comment_content>A reply.</wp:comment_content><wp:comment_approved>1</wp:comment_approved>"
            "<wp:comment_type>comment</wp:comment_type><wp:comment_parent>7</wp:comment_parent></wp:comment>",
        ),
        encoding="utf-8",
    )
    result = import_path(newer)
    assert [(i.outcome, i.article_id) for i in result.items] == [("updated", article.pk)]
    article.refresh_from_db()
    assert "The revised claim rests" in article.body
    assert Article.objects.count() == 1 and Footnote.objects.count() == counts["Footnote"]
    reply = Comment.objects.get(import_id="8")
    assert (reply.parent.import_id, reply.status, Comment.objects.count()) == ("7", "approved", 2)
    assert list(ImportRecord.objects.order_by("id").values_list("outcome", flat=True)) == ["created", "updated"]
    assert Redirect.objects.count() == counts["Redirect"]


def test_reimport_keeps_the_moderation_done_here(db):
    import_path(FOOTNOTES)
    Comment.objects.update(status="approved")
    Article.objects.update(import_hash="")  # as if the export had changed
    assert import_path(FOOTNOTES).items[0].outcome == "updated"
    assert list(Comment.objects.values_list("status", flat=True)) == ["approved"]


# --- hostile and broken files ------------------------------------------------------------------


def _truncated(tmp_path):
    data = THEME.read_bytes()
    path = tmp_path / "truncated.xml"
    path.write_bytes(data[: len(data) * 2 // 3])  # cut in the middle of the items
    return path


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("billion-laughs.xml", "DTD or entity declarations"),
        ("xxe.xml", "DTD or entity declarations"),
        ("truncated.xml", "ends early or is malformed"),
        ("empty.xml", "the file is empty"),
    ],
)
def test_hostile_or_broken_files_are_refused_and_write_nothing(db, tmp_path, name, message):
    path = _truncated(tmp_path) if name == "truncated.xml" else FIXTURES / name
    before = table_counts()
    result = import_path(path, format_name=None if name == "empty.xml" else "wxr")
    assert message in result.error
    assert result.items == []
    assert table_counts() == before
    with pytest.raises(CommandError, match="^1 file\\(s\\), 1 not read \\(nothing of them written\\)"):
        call_command("import_articles", str(path), stdout=_Sink())
    assert table_counts() == before


def test_xxe_file_does_not_leak_the_local_file(db, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    hostile = tmp_path / "xxe.xml"
    hostile.write_text((FIXTURES / "xxe.xml").read_text().replace("/etc/passwd", str(secret)))
    result = import_path(hostile, format_name="wxr")
    assert result.error and "TOP-SECRET" not in result.error
    assert not Article.objects.exists()


class _Sink:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


# --- old URLs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old_url",
    [
        "/2023/09/notes-on-the-archive/",  # the exact old permalink
        "/2023/09/notes-on-the-archive",  # ... without its slash
        "/?p=101",
        "/2023/09/15/notes-on-the-archive/",
        "/notes-on-the-archive/",
    ],
)
def test_old_urls_answer_301_to_the_new_permalink(client, old_url):
    import_path(FOOTNOTES)
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == "/articles/notes-on-the-archive/"
    assert client.get(response["Location"]).status_code == 200


def test_theme_permalinks_redirect_using_the_local_date_of_the_old_permalink(client, theme_result):
    response = client.get("/2013/01/10/markup-image-alignment/")
    assert (response.status_code, response["Location"]) == (301, "/articles/markup-image-alignment/")
    # A draft's old addresses answer as unknown ones (tests/test_unpublished_old_urls.py).
    assert client.get("/?p=1164").status_code == 404


def test_unknown_old_urls_still_404(client, theme_result):
    assert client.get("/2001/01/01/never-existed/").status_code == 404
    assert client.get("/?p=999999").status_code == 404


def test_redirects_are_created_once_per_old_path(db):
    import_path(FOOTNOTES)
    assert set(Redirect.objects.values_list("old_path", flat=True)) == {
        "/2023/09/notes-on-the-archive/",
        "/?p=101",
        "/2023/09/15/notes-on-the-archive/",
        "/notes-on-the-archive/",
    }
    Article.objects.update(import_hash="")
    import_path(FOOTNOTES)
    assert Redirect.objects.count() == 4


def _wxr(*items, site="https://old.example.org"):
    body = "".join(
        f"<item><title>{title}</title><link>{site}{path}</link><wp:post_id>{post_id}</wp:post_id>"
        f"<wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt><wp:post_name>{slug}</wp:post_name>"
        f"<wp:status>publish</wp:status><wp:post_type>{kind}</wp:post_type>"
        "<content:encoded><![CDATA[<p>Text.</p>]]></content:encoded></item>"
        for post_id, title, slug, path, kind in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Old</title>'
        f"<link>{site}</link><wp:wxr_version>1.2</wp:wxr_version>{body}</channel></rss>"
    ).encode()


POST_FOO = (1, "A post", "foo", "/2020/01/01/foo/", "post")
PAGE_FOO = (2, "A page", "foo-page", "/foo/", "page")


def _target(path):
    return Redirect.objects.get(old_path=path).new_path


@pytest.mark.parametrize("order", [(POST_FOO, PAGE_FOO), (PAGE_FOO, POST_FOO)])
def test_an_exact_old_permalink_wins_over_a_guessed_one_in_the_same_file(db, tmp_path, order):
    path = tmp_path / "old.xml"
    path.write_bytes(_wxr(*order))
    import_path(path, include_pages=True)
    assert _target("/foo/") == "/articles/foo-page/"
    assert _target("/2020/01/01/foo/") == "/articles/foo/"


def test_an_exact_old_permalink_takes_over_a_guess_from_an_earlier_import(db, tmp_path):
    first, second = tmp_path / "posts.xml", tmp_path / "pages.xml"
    first.write_bytes(_wxr(POST_FOO))
    second.write_bytes(_wxr(PAGE_FOO))
    import_path(first)
    assert _target("/foo/") == "/articles/foo/"
    import_path(second, include_pages=True)
    assert _target("/foo/") == "/articles/foo-page/"
    import_path(first)  # unchanged: nothing moves back
    assert _target("/foo/") == "/articles/foo-page/"


def test_redirects_written_in_batches_are_the_same_as_written_at_once(db, monkeypatch):
    monkeypatch.setattr(pipeline, "FLUSH_EVERY", 7)
    import_path(THEME)
    in_batches = set(Redirect.objects.values_list("old_path", "new_path"))
    Redirect.objects.all().delete()
    monkeypatch.setattr(pipeline, "FLUSH_EVERY", 10_000)
    Article.objects.update(import_hash="")
    import_path(THEME)
    assert set(Redirect.objects.values_list("old_path", "new_path")) == in_batches
    # /?p=ID, the dated form and /slug/ per post (the exact permalink is the dated form), one more
    # for the 11 posts renamed since their permalink, one only for the draft without a slug.
    assert len(in_batches) == 46 * 3 + 11 * 4 + 1


def test_a_dry_run_writes_no_redirects(db):
    result = import_path(FOOTNOTES, dry_run=True)
    assert result.count("created") == 1
    assert not Redirect.objects.exists() and not Article.objects.exists()
