"""The public pages: each answers with the right articles, hides drafts, and 404s on nonsense."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_article, make_author, make_category, make_source
from tests.public_site import build_archive

pytestmark = pytest.mark.django_db

SEED_TITLE = "The recent Taliban-Russia contacts and its impacts on Kabul-Moscow ties"


def html_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def card_titles(html):
    return re.findall(r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a></h2>', html)


def test_home_lists_the_seed_with_category_path_date_and_summary(client, seed_article):
    html = html_of(client.get(reverse("articles:home")))
    assert card_titles(html) == [SEED_TITLE]
    assert '<a href="/category/afghanistan/politics/">Afghanistan » Politics</a>' in html
    assert '<time datetime="2016-01-02">January 2, 2016</time>' in html
    assert "This issue came after Zameer Kabulov" in html


def test_home_shows_newest_first_and_never_a_draft(client):
    old = make_article("Older piece")
    new = make_article("Newer piece", published=old.published_at.replace(year=2030))
    make_article("Hidden draft", status="draft")
    assert card_titles(html_of(client.get("/"))) == [new.title, old.title]


def test_home_shows_category_tree_and_recent_tags_beside_the_list(client):
    data = build_archive(3)
    html = html_of(client.get("/"))
    sidebar = html[html.index('<aside class="sidebar"'):html.index("</aside>")]
    assert re.search(r'<a href="/category/region/">Region</a><ul>\s*<li><a href="/category/region/politics/">Politics'
                     r"</a></li>\s*</ul>", sidebar)
    assert '<a href="/tags/elections/">elections</a> <span class="count">(3)</span>' in sidebar
    assert data["draft"].title not in html


def test_home_is_paginated_and_bad_page_numbers_are_404(client, settings):
    build_archive(23)  # page size 20
    assert len(card_titles(html_of(client.get("/")))) == 20
    page2 = html_of(client.get("/?page=2"))
    assert len(card_titles(page2)) == 3
    assert '<a rel="prev" href="?page=1">' in page2
    assert client.get("/?page=3").status_code == 404
    assert client.get("/?page=abc").status_code == 404
    assert client.get("/?page=-1").status_code == 404
    assert client.get("/?page=99999999999999999999").status_code == 404


def test_category_page_lists_its_subtree_with_breadcrumb_and_subcategories(client):
    data = build_archive(4)
    html = html_of(client.get(data["region"].get_absolute_url()))
    assert sorted(card_titles(html)) == sorted(a.title for a in data["articles"])
    assert '<nav class="subcategories"' in html and '<a href="/category/region/politics/">Politics</a>' in html
    sub = html_of(client.get(data["topic"].get_absolute_url()))
    assert sorted(card_titles(sub)) == ["Archive article 1", "Archive article 3"]
    assert '<li><a href="/category/region/">Region</a></li>' in sub
    assert '<span aria-current="page">Politics</span>' in sub
    assert 'href="/feeds/category/region/politics/rss/"' in sub


def test_seed_category_pages_show_the_seed(client, seed_article):
    for path in ("/category/afghanistan/", "/category/afghanistan/politics/"):
        assert card_titles(html_of(client.get(path))) == [SEED_TITLE]


def test_tag_page_lists_published_articles_with_that_tag(client):
    tagged = make_article("Tagged one", tags=["water"])
    make_article("Untagged")
    make_article("Tagged draft", status="draft", tags=["water"])
    html = html_of(client.get(reverse("articles:tag", kwargs={"slug": "water"})))
    assert card_titles(html) == [tagged.title]
    assert "<h1>Tagged “water”</h1>" in html


def test_author_page_shows_bio_and_their_articles(client):
    ada, ben = make_author("Ada Analyst", bio="Writes on water."), make_author("Ben Writer")
    make_article("Ada's piece", authors=[ada])
    make_article("Ben's piece", authors=[ben])
    make_article("Ada's draft", authors=[ada], status="draft")
    html = html_of(client.get(ada.get_absolute_url()))
    assert "<h1>Ada Analyst</h1>" in html and "<p>Writes on water.</p>" in html
    assert card_titles(html) == ["Ada&#x27;s piece"]


def test_source_page_shows_the_record_and_every_citing_note_and_article(client, seed_article):
    note = seed_article.footnotes.get(number=4)
    html = html_of(client.get(note.source.get_absolute_url()))
    assert "<h1>From Point Zero to ‘New Warmth’: Russian-Afghan relations since 1989</h1>" in html
    assert "<dd>Afghanistan Analysts Network</dd>" in html
    assert f'href="{seed_article.get_absolute_url()}#fn-4">{SEED_TITLE}, note 4</a>' in html
    assert card_titles(html) == [SEED_TITLE]


def test_source_page_hides_drafts_and_lists_each_article_once(client):
    data = build_archive(2)
    html = html_of(client.get(data["sources"][0].get_absolute_url()))
    assert sorted(card_titles(html)) == ["Archive article 0", "Archive article 1"]
    assert "Secret draft" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/articles/no-such-article/", "/category/no-such/", "/category/afghanistan/nope/", "/tags/nope/",
        "/authors/nobody/", "/sources/nothing/", "/archive/1999/", "/archive/2016/02/", "/archive/2016/13/",
        "/archive/99999/", "/archive/0000/", "/feeds/tags/nope/rss/", "/feeds/category/nope/atom/",
    ],
)
def test_unknown_addresses_are_404_in_the_site_look(client, seed_article, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode() or "feeds" in url


def test_drafts_are_404_for_readers_and_previewed_by_staff_with_a_banner(client, staff_client):
    draft = make_article("Unpublished thoughts", status="draft", tags=["t"])
    assert client.get(draft.get_absolute_url()).status_code == 404
    html = html_of(staff_client.get(draft.get_absolute_url()))
    assert 'class="draft-banner"' in html and "Only staff can see this preview" in html


def test_archive_index_counts_years_and_months_and_draws_linked_bars(client):
    build_archive(6)  # years 2014, 2015, 2016 with 2 articles each
    make_article("Lone 2019", published=timezone.make_aware(dt.datetime(2019, 5, 3)))
    html = html_of(client.get(reverse("articles:archive")))
    assert '<h2><a href="/archive/2014/">2014</a> <span class="count">(2 articles)</span></h2>' in html
    assert '<a href="/archive/2019/05/">May</a> <span class="count">(1)</span>' in html
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert re.findall(r'<a href="(/archive/\d+/)"', svg) == [
        "/archive/2014/", "/archive/2015/", "/archive/2016/", "/archive/2019/"]
    # Years without articles keep their place on the axis but are not links.
    assert ">2017</text>" in svg and 'href="/archive/2017/"' not in svg
    # Each link is named by its <title> ("2014: 2 articles") and holds its bar.
    heights = dict(re.findall(r'<title>(\d+): \d+ articles?</title>\s*'
                              r'<rect class="bar" x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"', svg))
    assert sorted(heights) == ["2014", "2015", "2016", "2019"]
    assert float(heights["2014"]) == 2 * float(heights["2019"])
    assert "<script" not in html


def test_year_and_month_pages_list_that_period_only(client, seed_article):
    other = make_article("In 2017", published=seed_article.published_at.replace(year=2017))
    year = html_of(client.get("/archive/2016/"))
    assert card_titles(year) == [SEED_TITLE]
    assert '<a href="/archive/2016/01/">January</a>' in year
    assert '<a rel="next" href="/archive/2017/">2017</a>' in year
    month = html_of(client.get("/archive/2016/01/"))
    assert card_titles(month) == [SEED_TITLE]
    assert "<h1>Articles of January 2016</h1>" in month
    assert card_titles(html_of(client.get("/archive/2017/"))) == [other.title]


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "User-agent: *", "Disallow: /search/", "", "Sitemap: http://testserver/sitemap.xml"]


# --- On every page --------------------------------------------------------------------------------

PUBLIC_PAGES = ["/", "/archive/", "/archive/2016/", "/archive/2016/01/", "/search/?q=Kabulov", "/search/",
                "/category/afghanistan/", "/sources/ruttig-from-point-zero-to-new-warmth-russian-afghan-relations-"
                "since-1989-2014/", "ARTICLE"]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_page_has_skip_link_landmarks_canonical_description_and_opengraph(client, seed_article, url):
    url = seed_article.get_absolute_url() if url == "ARTICLE" else url
    html = html_of(client.get(url))
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    for landmark in ('<header class="site-header">', '<main id="main"', '<footer class="site-footer">',
                     '<nav class="site-nav" aria-label="Site">', 'role="search"'):
        assert landmark in html
    assert html.count("<h1") == 1
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)
    assert canonical.startswith("http://testserver/")
    assert re.search(r'<meta name="description" content="[^"]{10,}">', html)
    for prop in ("og:title", "og:description", "og:url", "og:type", "og:site_name"):
        assert f'<meta property="{prop}" content="' in html
    assert "<script>" not in html and " style=" not in html  # the CSP forbids inline script and style


def test_canonical_url_drops_tracking_parameters_and_page_one(client, seed_article):
    html = html_of(client.get("/?utm_source=x&page=1"))
    assert '<link rel="canonical" href="http://testserver/">' in html


def test_article_page_has_scholarly_article_json_ld_with_citations(client, seed_article):
    ada = make_author("Ada Analyst")
    seed_article.set_authors([ada])
    seed_article.tags.add("Russia", "Taliban")
    html = html_of(client.get(seed_article.get_absolute_url()))
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block)
    assert data["@type"] == "ScholarlyArticle"
    assert data["headline"] == SEED_TITLE
    assert data["datePublished"] == "2016-01-02T00:00:00+00:00"
    assert data["author"] == [{"@type": "Person", "name": "Ada Analyst", "url": "http://testserver/authors/ada-analyst/"}]
    assert sorted(data["keywords"]) == ["Russia", "Taliban"]
    assert data["about"] == [{"@type": "Thing", "name": "Afghanistan"}, {"@type": "Thing", "name": "Politics"}]
    assert [c["name"] for c in data["citation"]] == [
        "Afghanistan: in the five year of the Taliban government",
        "From Point Zero to ‘New Warmth’: Russian-Afghan relations since 1989",
    ]
    assert '<a href="/tags/russia/">Russia</a>' in html


def test_json_ld_cannot_close_its_script_element(client):
    article = make_article("</script><script>alert(1)</script>", summary="a <!-- b & c")
    html = html_of(client.get(article.get_absolute_url()))
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and json.loads(block)["headline"] == "</script><script>alert(1)</script>"


def test_source_citation_in_json_ld_carries_authors_year_and_url():
    from articles.seo import source_citation

    source = make_source(kind="book", title="A Book", authors=["Doe, Jane"], year=1999, url="https://example.org/b")
    assert source_citation(source) == {
        "@type": "Book", "name": "A Book", "author": [{"@type": "Person", "name": "Doe, Jane"}],
        "datePublished": "1999", "url": "https://example.org/b"}


def test_category_page_announces_its_feeds(client):
    category = make_category("Water")
    make_article("Dams", category=category)
    html = html_of(client.get(category.get_absolute_url()))
    assert ('<link rel="alternate" type="application/rss+xml" title="Water (RSS)" '
            'href="/feeds/category/water/rss/">') in html
    assert ('<link rel="alternate" type="application/atom+xml" title="Water (Atom)" '
            'href="/feeds/category/water/atom/">') in html


def test_server_error_page_is_in_the_site_look_and_needs_no_database(django_assert_num_queries):
    from django.test import RequestFactory

    from articles.views.errors import server_error

    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong</h1>" in html and 'href="/static/css/site.css"' in html
