"""A tag's or an author's page lists exactly their published articles, newest first, whatever wrote
them (and so do the tag's feed and the tags' and authors' sitemaps).

The pages read their rows in the order of the taggings' and bylines' copy of each article's status
and date (``models.listing_keys``; ``ArticleQuerySet.listed_under``, ``listed_by``); every path that
changes an article's status, trash state or date, or tags or signs it, keeps that copy: here each is
followed by every page compared with the plain query (``Article.objects.published().tagged(tag)``,
``.by_author(author)``) newest first.
"""

import datetime as dt
import io
import re
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.feeds import TagFeed
from articles.importers.pipeline import import_path
from articles.models import Article, ArticleAuthor, Author, TaggedArticle
from articles.models.article import BYLINE_LISTING_KEY, LISTED_BY, TAGGED_LISTING_KEY
from articles.models.listing_keys import refresh_listing_keys
from articles.pagination import cursor, listing_page
from articles.revisions import record_related, restore_revision
from articles.sitemaps import AuthorSitemap, TagSitemap
from articles.tasks import publish_due
from tests.adminform import article_form
from tests.backup import round_trip
from tests.benchmarks.datasets import write_wxr
from tests.factories import make_article, make_author

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


@pytest.fixture
def no_page_cache():
    with override_settings(ARCHIVE_PAGE_CACHE=False):
        yield


def when(day, hour=0):
    return timezone.make_aware(dt.datetime(2021, 1, day, hour))


def plain(owner):
    """The tag's or author's published articles newest first, from the articles themselves."""
    articles = Article.objects.published()
    articles = articles.by_author(owner) if isinstance(owner, Author) else articles.tagged(owner)
    return list(articles.order_by("-published_at", "-pk").values_list("pk", flat=True))


def list_page(client, owner):
    """Every article the tag's or author's pages list, page after page, as a reader follows "Older"."""
    by_author = isinstance(owner, Author)
    url = owner.get_absolute_url() if by_author else reverse("articles:tag", kwargs={"slug": owner.slug})
    query, listed = None, []
    while True:
        response = client.get(f"{url}?{query}" if query else url)
        assert response.status_code == 200
        page = response.context["page_obj"]
        listed += [article.pk for article in page]
        query = page.older_query
        if query is None:
            return listed


def assert_every_list_matches(client):
    for tag in Tag.objects.order_by("pk"):
        assert list_page(client, tag) == plain(tag), tag.name
        assert [a.pk for a in TagFeed().items(tag)] == plain(tag)[: settings.ARCHIVE_FEED_SIZE], tag.name
    for author in Author.objects.order_by("pk"):
        assert list_page(client, author) == plain(author), author.name
    assert TagSitemap().listed() == sorted(t.slug for t in Tag.objects.all() if plain(t))
    assert AuthorSitemap().listed() == sorted(a.slug for a in Author.objects.all() if plain(a))
    for rows, article in ((TaggedArticle.objects, "content_object"), (ArticleAuthor.objects, "article")):
        keys = rows.order_by("pk")
        assert list(keys.values_list("pk", "status", "published_at")) == list(
            keys.values_list("pk", f"{article}__status", f"{article}__published_at")
        )


@pytest.fixture
def tagged(db):
    """Five articles under "water" (one a draft), three of them also under "dams"; by two authors."""
    water, dams = Tag.objects.create(name="water"), Tag.objects.create(name="dams")
    amina, bashir = make_author("Amina Rahimi"), make_author("Bashir Noori")
    articles = [
        make_article("Kajaki", published=when(3), tags=[water, dams], authors=[amina]),
        make_article("Helmand", published=when(5), tags=[water], authors=[bashir]),
        # The same date as Helmand: the id breaks the tie.
        make_article("Kunar", published=when(5), tags=[water, dams], authors=[bashir, amina]),
        make_article("Salma", status=Article.Status.DRAFT, published=when(9), tags=[water, dams], authors=[amina]),
        make_article("Amu", published=when(1), tags=[water], authors=[bashir]),
    ]
    return water, dams, {a.title: a for a in articles}


def titles(owner):
    """The titles of the tag's or author's list, as its page orders them."""
    if isinstance(owner, Author):
        listed, key = Article.objects.listed_by(owner), BYLINE_LISTING_KEY
    else:
        listed, key = Article.objects.listed_under(owner), TAGGED_LISTING_KEY
    return list(listed.order_by(*(f"-{n}" for n in key)).values_list("title", flat=True))


def authors():
    return Author.objects.get(name="Amina Rahimi"), Author.objects.get(name="Bashir Noori")


def test_the_tag_and_author_pages_list_the_published_articles_by_date_then_id(client, tagged):
    water, dams, _ = tagged
    amina, bashir = authors()
    assert titles(water) == ["Kunar", "Helmand", "Kajaki", "Amu"]
    assert titles(dams) == ["Kunar", "Kajaki"]
    assert titles(amina) == ["Kunar", "Kajaki"]
    assert titles(bashir) == ["Kunar", "Helmand", "Amu"]
    assert_every_list_matches(client)


def test_publishing_and_unpublishing_many_move_the_articles_on_and_off_the_tag_and_author_pages(client, tagged):
    water, _, articles = tagged
    Article.objects.filter(title="Salma").set_status(Article.Status.PUBLISHED)
    assert titles(water) == ["Salma", "Kunar", "Helmand", "Kajaki", "Amu"]
    assert_every_list_matches(client)
    assert titles(authors()[0]) == ["Salma", "Kunar", "Kajaki"]
    Article.objects.filter(title__in=["Kunar", "Amu"]).set_status(Article.Status.DRAFT)
    assert titles(water) == ["Salma", "Helmand", "Kajaki"]
    assert titles(authors()[1]) == ["Helmand"]
    assert_every_list_matches(client)


def test_a_saved_change_of_status_or_date_moves_the_article(client, tagged):
    water, _, articles = tagged
    amu = articles["Amu"]
    amu.published_at = when(20)
    amu.save()
    assert titles(water) == ["Amu", "Kunar", "Helmand", "Kajaki"]
    kunar = articles["Kunar"]
    kunar.status = Article.Status.PENDING
    kunar.save(update_fields=["status"])
    assert titles(water) == ["Amu", "Helmand", "Kajaki"]
    assert titles(authors()[1]) == ["Amu", "Helmand"]
    assert_every_list_matches(client)


def test_trash_and_restore_take_the_article_off_and_put_it_back(client, tagged):
    water, dams, articles = tagged
    articles["Kajaki"].move_to_trash()
    Article.objects.filter(title="Kunar").move_to_trash()
    assert titles(water) == ["Helmand", "Amu"]
    assert titles(dams) == titles(authors()[0]) == []
    assert_every_list_matches(client)
    Article.objects.in_trash().restore_from_trash()
    assert titles(water) == ["Kunar", "Helmand", "Kajaki", "Amu"]
    assert_every_list_matches(client)


def test_a_tag_or_author_added_later_lists_the_article_at_its_date(client, tagged):
    water, dams, articles = tagged
    amina, bashir = authors()
    articles["Amu"].tags.add(dams)
    articles["Helmand"].tags.set(["dams", "rivers"])
    assert titles(dams) == ["Kunar", "Helmand", "Kajaki", "Amu"]
    assert titles(water) == ["Kunar", "Kajaki", "Amu"]
    articles["Amu"].set_authors([amina, bashir])
    assert titles(amina) == ["Kunar", "Kajaki", "Amu"]
    assert_every_list_matches(client)


def test_the_admin_form_and_actions_keep_the_tag_and_author_pages(client, staff_client, tagged):
    water, _, articles = tagged
    amina, bashir = authors()
    url, data = article_form(staff_client, articles["Salma"])
    data["status"] = Article.Status.PUBLISHED
    data["published_at_0"], data["published_at_1"] = "2021-01-02", "00:00:00"
    # A second byline added in the inline as the article is published.
    data["articleauthor_set-TOTAL_FORMS"] = "2"
    data["articleauthor_set-1-author"], data["articleauthor_set-1-position"] = str(bashir.pk), "1"
    assert staff_client.post(url, data).status_code == 302
    assert titles(water) == ["Kunar", "Helmand", "Kajaki", "Salma", "Amu"]
    assert titles(bashir) == ["Kunar", "Helmand", "Salma", "Amu"]
    changelist = reverse("admin:articles_article_changelist")
    staff_client.post(changelist, {"action": "unpublish", "_selected_action": [articles["Helmand"].pk]})
    assert titles(water) == ["Kunar", "Kajaki", "Salma", "Amu"]
    assert_every_list_matches(client)


def test_a_due_scheduled_article_is_published_onto_the_tag_and_author_pages(client, tagged):
    water, _, articles = tagged
    salma = articles["Salma"]
    salma.status, salma.published_at = Article.Status.SCHEDULED, timezone.now() - dt.timedelta(minutes=1)
    salma.save()
    assert publish_due() == 1
    assert titles(water)[0] == titles(authors()[0])[0] == "Salma"
    assert_every_list_matches(client)


@pytest.mark.parametrize("by_author", [False, True], ids=["tag", "author"])
def test_pages_by_cursor_read_the_same_order_both_ways(tagged, by_author):
    water, _, articles = tagged
    if by_author:
        listed, key = Article.objects.listed_by(authors()[1]), BYLINE_LISTING_KEY
        articles["Kajaki"].set_authors(authors())
    else:
        listed, key = Article.objects.listed_under(water), TAGGED_LISTING_KEY
    assert [a.title for a in listing_page(listed, {}, 2, key)] == ["Kunar", "Helmand"]
    older = listing_page(listed, {"before": cursor(articles["Helmand"])}, 2, key)
    assert [a.title for a in older] == ["Kajaki", "Amu"]
    assert older.newer_query == urlencode({"after": cursor(articles["Kajaki"])})
    newer = listing_page(listed, {"after": cursor(articles["Amu"])}, 1, key)
    assert [a.title for a in newer] == ["Kajaki"]
    assert newer.older_query == urlencode({"before": cursor(articles["Kajaki"])})


def test_an_import_and_its_update_keep_every_tag_and_author_page(client, tmp_path):
    path = write_wxr(tmp_path / "posts.xml", 30, seed=5)
    assert not import_path(path).error
    assert TaggedArticle.objects.count() > 30 and ArticleAuthor.objects.count() == 30
    assert_every_list_matches(client)
    text = path.read_text()
    statuses = text.split("<wp:status>publish</wp:status>")
    text = statuses[0] + "<wp:status>draft</wp:status>" + "<wp:status>publish</wp:status>".join(statuses[1:])
    dates = re.findall(r"<wp:post_date_gmt>([^<]+)</wp:post_date_gmt>", text)
    text = text.replace(dates[4], "2031-06-01 10:00:00")
    path.write_text(text)
    result = import_path(path)
    assert sorted(item.outcome for item in result.items if item.outcome != "unchanged") == ["updated", "updated"]
    assert_every_list_matches(client)


def test_a_restored_backup_keeps_every_tag_and_author_page(client, tmp_path, tagged):
    round_trip(tmp_path)
    assert Tag.objects.count() == 2 and Article.objects.count() == 5
    assert [a.title for a in Article.objects.listed_under(Tag.objects.get(name="water")).order_by(
        *(f"-{n}" for n in TAGGED_LISTING_KEY))] == ["Kunar", "Helmand", "Kajaki", "Amu"]
    assert_every_list_matches(client)


def test_generated_articles_keep_every_tag_and_author_page(client):
    call_command("generate_articles", "150", "--seed", "3", stdout=io.StringIO(), stderr=io.StringIO())
    assert Article.objects.exclude(status=Article.Status.PUBLISHED).exists()
    assert_every_list_matches(client)


def test_refresh_listing_keys_mends_keys_written_behind_its_back(tagged):
    water, _, _ = tagged
    # A raw UPDATE (a data repair) bypasses every writer; refreshing those articles mends their key.
    Article.objects.filter(title="Amu").update(published_at=when(30))
    assert titles(water)[0] == titles(authors()[1])[0] == "Kunar"
    refresh_listing_keys(Article.objects.filter(title="Amu").values("pk"), LISTED_BY)
    assert titles(water) == ["Amu", "Kunar", "Helmand", "Kajaki"]
    assert titles(authors()[1]) == ["Amu", "Kunar", "Helmand"]


def test_a_restored_revision_puts_the_article_back_at_its_old_date_with_its_old_tags_and_authors(client, tagged):
    water, dams, articles = tagged
    amu = articles["Amu"]
    record_related(amu)  # the revision as it stands: under "water", by Bashir, dated the 1st
    old = amu.history.order_by("-history_date", "-history_id").first()
    amu.published_at = when(25)
    amu.save()
    amu.tags.set([dams])
    amu.set_authors([authors()[0]])
    assert titles(dams)[0] == titles(authors()[0])[0] == "Amu"
    restore_revision(old)
    assert titles(water) == ["Kunar", "Helmand", "Kajaki", "Amu"]
    assert titles(authors()[1]) == ["Kunar", "Helmand", "Amu"]
    assert_every_list_matches(client)
