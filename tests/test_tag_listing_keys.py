"""A tag's page lists exactly the tag's published articles, newest first, whatever wrote them (and so
do its feed and the tags' sitemap).

The page reads its rows in the order of the taggings' copy of each article's status and date
(``TaggedArticle``, ``ArticleQuerySet.listed_under``); every path that changes an article's status,
trash state or date, or tags it, keeps that copy: here each is followed by the page compared with
the plain query, ``Article.objects.published().tagged(tag)`` newest first.
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
from articles.models import Article, TaggedArticle
from articles.models.article import TAGGED_LISTING_KEY
from articles.pagination import cursor, listing_page
from articles.sitemaps import TagSitemap
from articles.tasks import publish_due
from tests.adminform import article_form
from tests.backup import round_trip
from tests.benchmarks.datasets import write_wxr
from tests.factories import make_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


@pytest.fixture
def no_page_cache():
    with override_settings(ARCHIVE_PAGE_CACHE=False):
        yield


def when(day, hour=0):
    return timezone.make_aware(dt.datetime(2021, 1, day, hour))


def plain(tag):
    """The tag's published articles newest first, from the articles themselves."""
    return list(Article.objects.published().tagged(tag).order_by("-published_at", "-pk").values_list("pk", flat=True))


def tag_page(client, tag):
    """Every article the tag's pages list, page after page, as a reader follows "Older"."""
    url, query, listed = reverse("articles:tag", kwargs={"slug": tag.slug}), None, []
    while True:
        response = client.get(f"{url}?{query}" if query else url)
        assert response.status_code == 200
        page = response.context["page_obj"]
        listed += [article.pk for article in page]
        query = page.older_query
        if query is None:
            return listed


def assert_every_tag_page_matches(client):
    for tag in Tag.objects.order_by("pk"):
        assert tag_page(client, tag) == plain(tag), tag.name
        assert [a.pk for a in TagFeed().items(tag)] == plain(tag)[: settings.ARCHIVE_FEED_SIZE], tag.name
    assert TagSitemap().listed() == sorted(t.slug for t in Tag.objects.all() if plain(t))
    keys = TaggedArticle.objects.order_by("pk")
    assert list(keys.values_list("pk", "status", "published_at")) == list(
        keys.values_list("pk", "content_object__status", "content_object__published_at")
    )


@pytest.fixture
def tagged(db):
    """Five articles under "water" (one a draft), three of them also under "dams"."""
    water, dams = Tag.objects.create(name="water"), Tag.objects.create(name="dams")
    articles = [
        make_article("Kajaki", published=when(3), tags=[water, dams]),
        make_article("Helmand", published=when(5), tags=[water]),
        make_article("Kunar", published=when(5), tags=[water, dams]),  # the same date: the id breaks the tie
        make_article("Salma", status=Article.Status.DRAFT, published=when(9), tags=[water, dams]),
        make_article("Amu", published=when(1), tags=[water]),
    ]
    return water, dams, {a.title: a for a in articles}


def titles(tag):
    return list(Article.objects.listed_under(tag).order_by(*(f"-{n}" for n in TAGGED_LISTING_KEY))
                .values_list("title", flat=True))


def test_the_tag_page_lists_the_published_articles_by_date_then_id(client, tagged):
    water, dams, _ = tagged
    assert titles(water) == ["Kunar", "Helmand", "Kajaki", "Amu"]
    assert titles(dams) == ["Kunar", "Kajaki"]
    assert_every_tag_page_matches(client)


def test_publishing_and_unpublishing_many_move_the_articles_on_and_off_the_tag_page(client, tagged):
    water, _, articles = tagged
    Article.objects.filter(title="Salma").set_status(Article.Status.PUBLISHED)
    assert titles(water) == ["Salma", "Kunar", "Helmand", "Kajaki", "Amu"]
    assert_every_tag_page_matches(client)
    Article.objects.filter(title__in=["Kunar", "Amu"]).set_status(Article.Status.DRAFT)
    assert titles(water) == ["Salma", "Helmand", "Kajaki"]
    assert_every_tag_page_matches(client)


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
    assert_every_tag_page_matches(client)


def test_trash_and_restore_take_the_article_off_and_put_it_back(client, tagged):
    water, dams, articles = tagged
    articles["Kajaki"].move_to_trash()
    Article.objects.filter(title="Kunar").move_to_trash()
    assert titles(water) == ["Helmand", "Amu"]
    assert titles(dams) == []
    assert_every_tag_page_matches(client)
    Article.objects.in_trash().restore_from_trash()
    assert titles(water) == ["Kunar", "Helmand", "Kajaki", "Amu"]
    assert_every_tag_page_matches(client)


def test_a_tag_added_later_lists_the_article_at_its_date(client, tagged):
    water, dams, articles = tagged
    articles["Amu"].tags.add(dams)
    articles["Helmand"].tags.set(["dams", "rivers"])
    assert titles(dams) == ["Kunar", "Helmand", "Kajaki", "Amu"]
    assert titles(water) == ["Kunar", "Kajaki", "Amu"]
    assert_every_tag_page_matches(client)


def test_the_admin_form_and_actions_keep_the_tag_page(client, staff_client, tagged):
    water, _, articles = tagged
    url, data = article_form(staff_client, articles["Salma"])
    data["status"] = Article.Status.PUBLISHED
    data["published_at_0"], data["published_at_1"] = "2021-01-02", "00:00:00"
    assert staff_client.post(url, data).status_code == 302
    assert titles(water) == ["Kunar", "Helmand", "Kajaki", "Salma", "Amu"]
    changelist = reverse("admin:articles_article_changelist")
    staff_client.post(changelist, {"action": "unpublish", "_selected_action": [articles["Helmand"].pk]})
    assert titles(water) == ["Kunar", "Kajaki", "Salma", "Amu"]
    assert_every_tag_page_matches(client)


def test_a_due_scheduled_article_is_published_onto_the_tag_page(client, tagged):
    water, _, articles = tagged
    salma = articles["Salma"]
    salma.status, salma.published_at = Article.Status.SCHEDULED, timezone.now() - dt.timedelta(minutes=1)
    salma.save()
    assert publish_due() == 1
    assert titles(water)[0] == "Salma"
    assert_every_tag_page_matches(client)


def test_pages_by_cursor_read_the_same_order_both_ways(tagged):
    water, _, articles = tagged
    listed = Article.objects.listed_under(water)
    assert [a.title for a in listing_page(listed, {}, 2, TAGGED_LISTING_KEY)] == ["Kunar", "Helmand"]
    older = listing_page(listed, {"before": cursor(articles["Helmand"])}, 2, TAGGED_LISTING_KEY)
    assert [a.title for a in older] == ["Kajaki", "Amu"]
    assert older.newer_query == urlencode({"after": cursor(articles["Kajaki"])})
    newer = listing_page(listed, {"after": cursor(articles["Amu"])}, 1, TAGGED_LISTING_KEY)
    assert [a.title for a in newer] == ["Kajaki"]
    assert newer.older_query == urlencode({"before": cursor(articles["Kajaki"])})


def test_an_import_and_its_update_keep_every_tag_page(client, tmp_path):
    path = write_wxr(tmp_path / "posts.xml", 30, seed=5)
    assert not import_path(path).error
    assert TaggedArticle.objects.count() > 30
    assert_every_tag_page_matches(client)
    text = path.read_text()
    statuses = text.split("<wp:status>publish</wp:status>")
    text = statuses[0] + "<wp:status>draft</wp:status>" + "<wp:status>publish</wp:status>".join(statuses[1:])
    dates = re.findall(r"<wp:post_date_gmt>([^<]+)</wp:post_date_gmt>", text)
    text = text.replace(dates[4], "2031-06-01 10:00:00")
    path.write_text(text)
    result = import_path(path)
    assert sorted(item.outcome for item in result.items if item.outcome != "unchanged") == ["updated", "updated"]
    assert_every_tag_page_matches(client)


def test_a_restored_backup_keeps_every_tag_page(client, tmp_path, tagged):
    round_trip(tmp_path)
    assert Tag.objects.count() == 2 and Article.objects.count() == 5
    assert [a.title for a in Article.objects.listed_under(Tag.objects.get(name="water")).order_by(
        *(f"-{n}" for n in TAGGED_LISTING_KEY))] == ["Kunar", "Helmand", "Kajaki", "Amu"]
    assert_every_tag_page_matches(client)


def test_generated_articles_keep_every_tag_page(client):
    call_command("generate_articles", "150", "--seed", "3", stdout=io.StringIO(), stderr=io.StringIO())
    assert Article.objects.exclude(status=Article.Status.PUBLISHED).exists()
    assert_every_tag_page_matches(client)


def test_refresh_keys_mends_keys_written_behind_its_back(tagged):
    water, _, _ = tagged
    # A raw UPDATE (a data repair) bypasses every writer; refreshing those articles mends their key.
    Article.objects.filter(title="Amu").update(published_at=when(30))
    assert titles(water)[0] == "Kunar"
    assert TaggedArticle.objects.refresh_keys(Article.objects.filter(title="Amu").values("pk")) == 1
    assert titles(water) == ["Amu", "Kunar", "Helmand", "Kajaki"]
