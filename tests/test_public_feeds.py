"""Feeds (RSS and Atom for the site, each category, each tag) and sitemap.xml."""

import datetime as dt
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import feedparser
import pytest
from django.contrib.sites.models import Site
from django.db import connection
from django.http import HttpResponse
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from articles.feeds import LatestArticlesAtomFeed, LatestArticlesFeed
from articles.models import Article
from articles.models.article import FEED_BODY_HEAD
from tests.factories import make_article, make_author, make_category
from tests.public_site import build_archive

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return response, feed


@pytest.mark.parametrize(("url", "version", "content_type"), [
    ("/feeds/rss/", "rss20", "application/rss+xml; charset=utf-8"),
    ("/feeds/atom/", "atom10", "application/atom+xml; charset=utf-8"),
])
def test_site_feeds_list_published_articles_newest_first(client, url, version, content_type):
    ada = make_author("Ada Analyst")
    old = make_article("Old news", summary="Old summary.", authors=[ada], tags=["water"])
    new = make_article("New news", published=old.published_at.replace(year=2031))
    make_article("Draft news", status="draft")
    response, feed = parse(client, url)
    assert response["Content-Type"] == content_type
    assert feed.version == version
    assert feed.feed.title == "The Archive"
    assert [e.title for e in feed.entries] == [new.title, old.title]
    entry = feed.entries[1]
    # Feeds and the sitemap name the domain of django.contrib.sites' current Site (set it in the admin).
    assert entry.link == f"http://example.com{old.get_absolute_url()}"
    assert entry.summary == "Old summary."
    assert entry.author == "Ada Analyst"
    assert [t.term for t in entry.tags] == ["water"]
    assert entry.published_parsed[:3] == old.published_at.timetuple()[:3]


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/", "/feeds/tags/water/rss/"])
def test_each_entry_names_its_own_authors_in_byline_order_and_its_own_tags_by_name(client, url):
    ada, zed, bo = make_author("Ada Analyst"), make_author("Zed Zimmer"), make_author("Bo <b>Bold</b>")
    day = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    make_article("First", authors=[zed, ada], tags=["water", "dams"], published=day)
    make_article("Second", authors=[bo], tags=["water", "<i>rivers</i>"], published=day + dt.timedelta(days=1))
    make_article("Third", tags=["water"], published=day + dt.timedelta(days=2))
    _, feed = parse(client, url)
    assert [(e.title, e.get("author"), [t.term for t in e.tags]) for e in feed.entries] == [
        ("Third", None, ["water"]),
        ("Second", "Bo Bold", ["rivers", "water"]),
        ("First", "Zed Zimmer, Ada Analyst", ["dams", "water"]),
    ]


@pytest.mark.parametrize(("url", "feed", "generator"), [
    ("/feeds/rss/", LatestArticlesFeed, Rss201rev2Feed), ("/feeds/atom/", LatestArticlesAtomFeed, Atom1Feed),
])
def test_a_feed_is_byte_for_byte_what_djangos_generator_writes_to_a_response(client, rf, url, feed, generator):
    make_article("آب و آینده زراعت", summary="R&D <b>and</b> “quotes” — ok", language="fa", tags=["آب"])
    make_article("Plain", summary="Plain.", authors=[make_author("Ada Analyst")])
    response = client.get(url)
    written = HttpResponse(content_type=response["Content-Type"])
    generator.write(feed().get_feed(None, rf.get(url)), written, "utf-8")
    assert response.content == written.content
    assert "آب و آینده زراعت".encode() in response.content


def test_entry_without_summary_is_described_by_the_start_of_its_text(client):
    make_article("No summary", body="<p>First <em>words</em> of the text.</p>")
    _, feed = parse(client, "/feeds/atom/")
    assert feed.entries[0].summary == "First words of the text."


def test_each_entry_is_described_by_its_summary_or_else_by_its_own_text(client):
    day = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    make_article("Summed", summary="The <b>summary</b>.", body="<p>Unread text.</p>", published=day)
    make_article("Bare", body="<p>Its own &amp; only text.</p>", published=day + dt.timedelta(days=1))
    make_article("Blank", summary=" ", body="<p>Not read either.</p>", published=day + dt.timedelta(days=2))
    _, feed = parse(client, "/feeds/rss/")
    assert [(e.title, e.summary) for e in feed.entries] == [
        ("Blank", ""), ("Bare", "Its own &amp; only text."), ("Summed", "The &lt;b&gt;summary&lt;/b&gt;."),
    ]


def queries_of_a_feed_of_one_short_entry(client):
    """The queries of the RSS feed with one entry whose body is its head (the site's domain read before)."""
    make_article("First", body="<p>One.</p>")
    parse(client, "/feeds/rss/")  # what a process reads once (the site's domain)
    with CaptureQueriesContext(connection) as one:
        parse(client, "/feeds/rss/")
    return len(one)


@override_settings(ARCHIVE_PAGE_CACHE=False)
def test_entries_without_summary_cost_no_query_each(client):
    one = queries_of_a_feed_of_one_short_entry(client)
    for n in range(5):
        make_article(f"More {n}", body=f"<p>Text {n}.</p>", tags=["water", f"tag {n}"])
    with CaptureQueriesContext(connection) as six:
        _, feed = parse(client, "/feeds/rss/")
    assert len(feed.entries) == 6
    assert len(six) == one


@override_settings(ARCHIVE_PAGE_CACHE=False)
def test_a_body_of_markup_as_long_as_the_head_read_is_described_whole_with_no_more_query(client):
    one = queries_of_a_feed_of_one_short_entry(client)
    Article.objects.all().delete()
    markup = "<p>Few words in a lot of markup.</p>"
    body = markup + f"<div>{' ' * (FEED_BODY_HEAD - len(markup) - 21)}</div><p>end</p>"
    assert len(body) == FEED_BODY_HEAD
    make_article("Markup", body=body)
    with CaptureQueriesContext(connection) as read:
        _, feed = parse(client, "/feeds/rss/")
    assert feed.entries[0].summary == "Few words in a lot of markup. end"
    assert len(read) == one


def test_a_long_body_is_described_by_its_first_sixty_words(client):
    words = [f"word{n}" for n in range(3000)]
    make_article("Long", body="".join(f"<p><a href='/x'>{w}</a> <em>{w}</em></p>" for w in words[:1500]))
    _, feed = parse(client, "/feeds/atom/")
    assert feed.entries[0].summary == " ".join(f"{w} {w}" for w in words[:30]) + "…"


def test_site_feed_holds_the_seed(client, seed_article):
    _, feed = parse(client, "/feeds/atom/")
    assert [e.title for e in feed.entries] == [seed_article.title]


@override_settings(ARCHIVE_FEED_SIZE=5)
def test_site_feed_is_capped(client):
    build_archive(8)
    _, feed = parse(client, "/feeds/rss/")
    assert len(feed.entries) == 5


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_category_feed_lists_its_subtree_only(client, kind):
    data = build_archive(4)
    make_article("Elsewhere", category=make_category("Other"))
    _, feed = parse(client, f"/feeds/category/region/{kind}/")
    assert sorted(e.title for e in feed.entries) == sorted(a.title for a in data["articles"])
    assert feed.feed.title == "Region · The Archive"
    _, sub = parse(client, f"/feeds/category/region/politics/{kind}/")
    assert sorted(e.title for e in sub.entries) == ["Archive article 1", "Archive article 3"]
    assert sub.feed.link == "http://example.com/category/region/politics/"


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_tag_feed_lists_articles_with_the_tag(client, kind):
    build_archive(6)
    _, feed = parse(client, f"/feeds/tags/topic-1/{kind}/")
    assert sorted(e.title for e in feed.entries) == ["Archive article 1", "Archive article 4"]
    assert feed.feed.title == "Tagged “topic-1” · The Archive"


def test_pages_announce_the_site_feeds(client):
    html = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/rss+xml" title="The Archive (RSS)" href="/feeds/rss/">' in html
    assert '<link rel="alternate" type="application/atom+xml" title="The Archive (Atom)" href="/feeds/atom/">' in html


def sitemap_locations(client):
    """Every address of every page of every sitemap the index at /sitemap.xml lists."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    assert index["Content-Type"] == "application/xml"
    locations = []
    for sitemap in ET.fromstring(index.content).findall("s:sitemap/s:loc", SITEMAP_NS):
        address = urlsplit(sitemap.text)
        response = client.get(address.path + (f"?{address.query}" if address.query else ""))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/xml"
        locations += [loc.text for loc in ET.fromstring(response.content).findall("s:url/s:loc", SITEMAP_NS)]
    return locations


def test_sitemap_lists_every_published_article_and_no_draft(client, seed_article):
    data = build_archive(5)
    domain = "http://" + Site.objects.get_current().domain
    locations = sitemap_locations(client)
    expected = [a.get_absolute_url() for a in [seed_article, *data["articles"]]]
    assert sorted(loc for loc in locations if "/articles/" in loc) == sorted(domain + url for url in expected)
    assert all(data["draft"].slug not in loc for loc in locations)
    for path in ("/", "/archive/", "/archive/2016/", "/category/afghanistan/politics/", "/category/region/",
                 "/tags/elections/", "/authors/ada-analyst/", data["sources"][0].get_absolute_url()):
        assert domain + path in locations, path


def test_sitemap_lists_a_year_as_soon_as_an_article_is_published_in_it(client, seed_article):
    domain = "http://" + Site.objects.get_current().domain
    assert domain + "/archive/2031/" not in sitemap_locations(client)
    later = make_article("Later", published=seed_article.published_at.replace(year=2031))
    assert domain + "/archive/2031/" in sitemap_locations(client)
    later.delete()
    assert domain + "/archive/2031/" not in sitemap_locations(client)


def test_sitemap_lists_a_tag_author_and_source_as_soon_as_a_published_article_has_them(client):
    domain = "http://" + Site.objects.get_current().domain
    draft = make_article("Draft", status="draft", tags=["irrigation"], authors=[make_author("Bo Writer")])
    assert not any("irrigation" in loc or "bo-writer" in loc for loc in sitemap_locations(client))
    draft.status = "published"
    draft.save()
    locations = sitemap_locations(client)
    assert domain + "/tags/irrigation/" in locations and domain + "/authors/bo-writer/" in locations


def test_sitemap_leaves_out_what_only_drafts_use(client):
    hidden = make_category("Hidden")
    make_article("Draft only", status="draft", category=hidden, tags=["secret"], authors=[make_author("Ghost")])
    locations = sitemap_locations(client)
    assert not any("hidden" in loc or "secret" in loc or "ghost" in loc for loc in locations)
