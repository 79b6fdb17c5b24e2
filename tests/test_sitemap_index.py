"""The sitemap is an index of sitemaps of at most 10,000 addresses a page, each kept by the page
cache like any listing (Last-Modified, ETag, 304), and robots.txt names the index."""

import datetime as dt
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.contrib.sitemaps import Sitemap
from django.contrib.sites.models import Site
from django.utils.http import http_date

from articles import sitemaps
from articles.models import Article, TranslationGroup
from articles.pages.cache import LISTINGS, SITE, current_versions, page_cache
from tests.factories import make_article
from tests.public_site import build_archive

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def _path(url):
    address = urlsplit(url)
    return address.path + (f"?{address.query}" if address.query else "")


def index_entries(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    return [_path(loc.text) for loc in ET.fromstring(response.content).findall("s:sitemap/s:loc", NS)]


def addresses(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return [_path(loc.text) for loc in ET.fromstring(response.content).findall("s:url/s:loc", NS)]


def test_every_section_holds_at_most_a_thousand_addresses_a_page():
    assert sitemaps.PAGE_URLS == 1_000
    assert all(section().limit == 1_000 for section in sitemaps.SITEMAPS.values())


def test_the_index_lists_each_page_of_each_section(client, monkeypatch):
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 2)
    articles = [make_article(f"Article {n}") for n in range(5)]
    assert index_entries(client) == [
        "/sitemap-archive.xml",
        "/sitemap-articles.xml", "/sitemap-articles.xml?p=2", "/sitemap-articles.xml?p=3",
        "/sitemap-categories.xml", "/sitemap-tags.xml", "/sitemap-authors.xml", "/sitemap-sources.xml",
    ]
    pages = [addresses(client, f"/sitemap-articles.xml{query}") for query in ("", "?p=2", "?p=3")]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert sorted(sum(pages, [])) == sorted(a.get_absolute_url() for a in articles)
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_a_run_of_unpublished_articles_leaves_no_empty_page_of_articles(client, monkeypatch):
    """Pages are runs of ids: a run of drafts, a bulk-deleted import or a trashed batch as long as a
    page would leave a page with no address, which the protocol forbids (a urlset holds at least one)."""
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 2)
    statuses = ["published", "published", "draft", "draft", "trashed", "draft", "draft", "published"]
    articles = [make_article(f"Article {n}", status=status) for n, status in enumerate(statuses)]
    assert [a.pk - articles[0].pk for a in articles] == list(range(8))
    assert [entry for entry in index_entries(client) if "articles" in entry] == [
        "/sitemap-articles.xml", "/sitemap-articles.xml?p=2",
    ]
    assert addresses(client, "/sitemap-articles.xml") == ["/articles/article-0/", "/articles/article-1/"]
    assert addresses(client, "/sitemap-articles.xml?p=2") == ["/articles/article-7/"]
    assert client.get("/sitemap-articles.xml?p=3").status_code == 404

    Article.objects.filter(pk=articles[5].pk).set_status(Article.Status.PUBLISHED)
    assert [entry for entry in index_entries(client) if "articles" in entry] == [
        "/sitemap-articles.xml", "/sitemap-articles.xml?p=2", "/sitemap-articles.xml?p=3",
    ]
    assert addresses(client, "/sitemap-articles.xml?p=2") == ["/articles/article-5/"]
    assert addresses(client, "/sitemap-articles.xml?p=3") == ["/articles/article-7/"]


def test_the_kept_items_of_the_release_before_are_not_read_after_a_deploy(client):
    """Derived values live in the shared cache under their versions: a deploy that changes a value's
    shape must not read what the old code kept (here, without the article sitemap's runs of ids)."""
    make_article("First")
    versions = ".".join(str(v) for v in current_versions((SITE, LISTINGS)))
    page_cache().set(f"derived:sitemap-items:{versions}", {"years": [2020]}, 60)
    assert "/sitemap-articles.xml" in index_entries(client)
    assert addresses(client, "/sitemap-articles.xml") == ["/articles/first/"]


def test_an_archive_without_published_articles_has_one_empty_page_of_articles(client):
    make_article("Draft", status="draft")
    assert [entry for entry in index_entries(client) if "articles" in entry] == ["/sitemap-articles.xml"]
    assert addresses(client, "/sitemap-articles.xml") == []


@pytest.mark.parametrize("path", ["/sitemap.xml", "/sitemap-articles.xml"])
def test_each_sitemap_page_is_cached_with_validators_until_an_article_is_published(client, path):
    make_article("First")
    first = client.get(path)
    assert first["X-Archive-Cache"] == "miss"
    again = client.get(path)
    assert again["X-Archive-Cache"] == "hit"
    assert again.content == first.content
    assert again["Last-Modified"] and again["ETag"]
    assert client.get(path, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=again["Last-Modified"]).status_code == 304
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=http_date(0)).status_code == 200

    draft = make_article("Second", status=Article.Status.DRAFT)
    Article.objects.filter(pk=draft.pk).set_status(Article.Status.PUBLISHED)
    fresh = client.get(path)
    assert fresh["X-Archive-Cache"] == "miss"
    if path == "/sitemap-articles.xml":
        assert "/articles/second/" in fresh.content.decode()


def test_robots_txt_names_the_index(client):
    assert "Sitemap: http://testserver/sitemap.xml" in client.get("/robots.txt").content.decode().splitlines()


def test_a_sitemap_page_is_the_protocols_urlset_with_the_day_each_article_last_changed(client, settings):
    settings.TIME_ZONE = "Asia/Kabul"
    first = make_article("First")
    second = make_article("Second")
    # 21:00 UTC is the next day in Kabul (UTC+4:30): the day is the site's, as a reader there sees it.
    Article.objects.filter(pk=second.pk).update(updated_at=dt.datetime(2024, 3, 1, 21, 0, tzinfo=dt.UTC))
    Article.objects.filter(pk=first.pk).update(updated_at=dt.datetime(2024, 2, 1, 8, 0, tzinfo=dt.UTC))
    response = client.get("/sitemap-articles.xml")
    assert response["Content-Type"] == "application/xml"
    assert response.content.decode() == (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">'
        "<url><loc>http://example.com/articles/first/</loc><lastmod>2024-02-01</lastmod>"
        "<changefreq>yearly</changefreq><priority>0.8</priority></url>"
        "<url><loc>http://example.com/articles/second/</loc><lastmod>2024-03-02</lastmod>"
        "<changefreq>yearly</changefreq><priority>0.8</priority></url>"
        "</urlset>"
    )
    assert client.get("/sitemap-articles.xml?p=2").status_code == 404


def test_a_section_of_every_language_lists_each_address_with_its_alternates_and_x_default(client):
    make_article("First", tags=["water & land"])
    urls = {code: f"http://example.com{prefix}/tags/water-land/" for code, prefix in
            (("en", ""), ("fa", "/fa"), ("ps", "/ps"))}
    links = "".join(f'<xhtml:link href="{urls[code]}" hreflang="{code}" rel="alternate"/>' for code in urls)
    links += f'<xhtml:link href="{urls["en"]}" hreflang="x-default" rel="alternate"/>'
    assert client.get("/sitemap-tags.xml").content.decode() == (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">'
        + "".join(f"<url><loc>{url}</loc><changefreq>weekly</changefreq><priority>0.3</priority>{links}</url>"
                  for url in urls.values())
        + "</urlset>"
    )


def test_x_default_is_the_default_languages_address_even_with_en_in_its_path(client):
    """Django's Sitemap makes x-default by removing the first "/en/" anywhere in the English address,
    for a site whose English pages are prefixed: here they are not, and a tag "en" lost its own slug."""
    make_article("First", tags=["en"])
    xml = client.get("/sitemap-tags.xml").content.decode()
    assert '<xhtml:link href="http://example.com/tags/en/" hreflang="x-default" rel="alternate"/>' in xml
    assert 'href="http://example.com/tags/"' not in xml


def test_the_index_is_written_exactly_as_the_sitemap_protocol_and_django_write_it(client, monkeypatch, settings):
    settings.TIME_ZONE = "Asia/Kabul"  # lastmod in the site's zone, with its offset (+04:30)
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 1)
    make_article("First")
    make_article("Second & <third>")
    Article.objects.update(updated_at=dt.datetime(2024, 3, 5, 10, 0, 0, 250000, tzinfo=dt.UTC))
    lastmod = "<lastmod>2024-03-05T14:30:00.250000+04:30</lastmod>"
    assert client.get("/sitemap.xml").content.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        "<sitemap><loc>http://example.com/sitemap-archive.xml</loc></sitemap>"
        f"<sitemap><loc>http://example.com/sitemap-articles.xml</loc>{lastmod}</sitemap>"
        f"<sitemap><loc>http://example.com/sitemap-articles.xml?p=2</loc>{lastmod}</sitemap>"
        "<sitemap><loc>http://example.com/sitemap-categories.xml</loc></sitemap>"
        "<sitemap><loc>http://example.com/sitemap-tags.xml</loc></sitemap>"
        "<sitemap><loc>http://example.com/sitemap-authors.xml</loc></sitemap>"
        "<sitemap><loc>http://example.com/sitemap-sources.xml</loc></sitemap>"
        "\n</sitemapindex>\n"
    )


def test_every_sections_pages_list_what_djangos_sitemap_lists_them_with(monkeypatch):
    # Pages of 4: an item's three languages (/, /fa/, /ps/) run over from one page to the next.
    monkeypatch.setattr(sitemaps.PagedSitemap, "limit", 4)
    build_archive(5)
    group = TranslationGroup.objects.create(key="water")
    make_article("Water", language="en", translation_group=group, tags=["water"])
    make_article("آب", language="fa", translation_group=group)
    site = Site.objects.get_current()
    pages, versions = 0, []
    for name, section in sitemaps.SITEMAPS.items():
        ours, djangos = section(), section()
        pages_of_djangos = Sitemap.paginator.fget(djangos)
        assert ours.paginator.num_pages == pages_of_djangos.num_pages
        for page in ours.paginator.page_range:
            assert list(ours.paginator.page(page)) == list(pages_of_djangos.page(page)), (name, page)
            urls = ours.get_urls(page, site, "https")
            if name == "articles":  # the language versions of an article: Django's has none
                versions += [len(url["alternates"]) for url in urls if url["item"].translation_group_id]
                urls = [{**url, "alternates": []} for url in urls]
            assert urls == Sitemap.get_urls(djangos, page, site, "https"), (name, page)
            assert getattr(ours, "latest_lastmod", None) == getattr(djangos, "latest_lastmod", None)
            pages += 1
    assert (pages, versions) == (19, [2, 2])


def test_the_pairs_of_items_and_languages_read_as_a_list_of_them():
    pairs = sitemaps.EveryLanguage(["a", "b"], ["en", "fa", "ps"])
    expected = [("a", "en"), ("a", "fa"), ("a", "ps"), ("b", "en"), ("b", "fa"), ("b", "ps")]
    assert (len(pairs), list(pairs), pairs[2:5], pairs[-1]) == (6, expected, expected[2:5], ("b", "ps"))
    with pytest.raises(IndexError):
        pairs[6]


@pytest.mark.parametrize("moment", [
    dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC),
    dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC),
    dt.datetime(2100, 1, 1, 0, 0, 0, 1, tzinfo=dt.UTC),
    dt.datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=dt.UTC),
])
def test_the_article_sitemaps_rows_carry_each_articles_last_change_to_the_microsecond(moment):
    article = make_article("Changed")
    Article.objects.filter(pk=article.pk).update(updated_at=moment)
    (row,) = Article.objects.for_sitemap()
    assert (row.slug, row.language, row.updated, row.translation_group_id) == (article.slug, "en", moment, None)
    assert row.updated.utcoffset() == dt.timedelta(0)
