"""The home page's sidebar: recently used tags, worked out from the newest articles, and the whole sidebar
rendered once per version of the lists and language."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Max, Q
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from articles import navigation
from articles.models import Article
from tests.factories import make_article, make_category

pytestmark = pytest.mark.django_db


def every_tagging(limit=navigation.RECENT_TAGS):
    """The reference: every tagging of the archive grouped, as the sidebar was first written."""
    published = Q(article__status=Article.Status.PUBLISHED)
    rows = (
        Tag.objects.filter(published)
        .annotate(latest=Max("article__published_at", filter=published), n=Count("article", filter=published))
        .order_by("-latest", "name")[:limit]
    )
    return [(t.name, t.latest) for t in rows]


def shown(limit=navigation.RECENT_TAGS):
    return [(t.name, t.latest) for t in navigation._recent_tags(limit)]


@pytest.mark.parametrize("scan", [1, 3, 10, 40, 1000])
def test_recent_tags_from_the_newest_articles_are_the_first_of_every_tagging(monkeypatch, scan):
    call_command("generate_articles", "120", "--seed", "3", stdout=StringIO(), stderr=StringIO())
    Article.objects.filter(pk__in=Article.objects.order_by("pk").values("pk")[:10]).update(status="draft")
    monkeypatch.setattr(navigation, "RECENT_SCAN", scan)
    expected = every_tagging()
    assert len(expected) == navigation.RECENT_TAGS
    # The newest few articles carry fewer tags than the sidebar holds: those shown are the first.
    assert shown() == expected[: len(shown())]
    if scan >= 40:  # enough tags among them to fill the sidebar
        assert len(shown()) == navigation.RECENT_TAGS
    assert shown(5) == every_tagging(5)[: len(shown(5))]


def test_a_newly_published_tag_shows_at_once(client):
    call_command("generate_articles", "30", "--seed", "3", stdout=StringIO(), stderr=StringIO())
    assert "glacier-melt" not in client.get("/").content.decode()
    make_article("Ice", tags=["glacier-melt"])
    html = client.get("/").content.decode()
    assert '<li><a href="/tags/glacier-melt/">glacier-melt</a></li>' in html


def sidebar_of(client, path="/"):
    html = client.get(path).content.decode()
    return html[html.index('<aside class="sidebar"'):html.index("</aside>")]


def category_queries(queries):
    return [q["sql"] for q in queries.captured_queries if 'FROM "articles_category"' in q["sql"]]


@override_settings(ARCHIVE_PAGE_CACHE=False)
def test_home_sidebar_is_rendered_once_per_version_of_the_lists(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # its card stored: the list reads no category
        make_article(category=make_category("Region", "Politics"))
    sidebar_of(client)
    with CaptureQueriesContext(connection) as again:
        sidebar = sidebar_of(client)
    assert category_queries(again) == []
    assert '<a href="/category/region/politics/">Politics</a>' in sidebar


@override_settings(ARCHIVE_PAGE_CACHE=False)
def test_a_new_or_renamed_category_is_in_the_home_sidebar_at_once(client):
    make_article(category=make_category("Region"))
    assert "Economy" not in sidebar_of(client)
    economy = make_category("Economy")
    assert '<li><a href="/category/economy/">Economy</a></li>' in sidebar_of(client)
    economy.name = "Trade"
    economy.save()
    sidebar = sidebar_of(client)
    assert '<a href="/category/economy/">Trade</a>' in sidebar
    assert ">Economy<" not in sidebar


@override_settings(ARCHIVE_PAGE_CACHE=False)
def test_home_sidebar_is_kept_per_interface_language(client):
    make_article(category=make_category("Region"), tags=["elections"])
    assert '<h2 id="categories-label">Categories</h2>' in sidebar_of(client, "/")
    dari = sidebar_of(client, "/fa/")
    assert '<h2 id="categories-label">بخش‌ها</h2>' in dari
    assert '<h2 id="recent-tags-label">برچسب‌های تازه</h2>' in dari
    assert '<a href="/fa/category/region/">Region</a>' in dari
    assert '<h2 id="categories-label">برخې</h2>' in sidebar_of(client, "/ps/")
    assert '<h2 id="categories-label">Categories</h2>' in sidebar_of(client, "/")
