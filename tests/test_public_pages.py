"""The public pages: each answers with the right articles, hides drafts, and 404s on nonsense."""

import datetime as dt
import io
import json
import re
import sys
import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.wsgi import get_wsgi_application
from django.db import connection, connections
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleRendering
from articles.pages import rendering
from articles.seo import source_citation
from articles.views.errors import server_error
from tests.factories import make_article, make_author, make_category, make_source
from tests.public_site import build_archive

pytestmark = pytest.mark.django_db

SEED_TITLE = "The recent Taliban-Russia contacts and its impacts on Kabul-Moscow ties"


def html_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def card_titles(html):
    return re.findall(r'<h2 class="card-title"[^>]*><a href="[^"]+">([^<]+)</a></h2>', html)


def test_home_lists_the_seed_with_category_path_date_and_summary(client, seed_article):
    html = html_of(client.get(reverse("articles:home")))
    assert card_titles(html) == [SEED_TITLE]
    assert '<a href="/category/afghanistan/politics/">Afghanistan » Politics</a>' in html
    assert '<time datetime="2016-01-02">January 2, 2016</time>' in html
    assert "This issue came after Zameer Kabulov" in html


def test_home_shows_newest_first_and_never_a_draft(client):
    old = make_article("Older piece")
    # Ten years on by adding days: replace(year=...) fails on a 29 February.
    new = make_article("Newer piece", published=old.published_at + dt.timedelta(days=3650))
    make_article("Hidden draft", status="draft")
    assert card_titles(html_of(client.get("/"))) == [new.title, old.title]


def test_home_shows_category_tree_and_recent_tags_beside_the_list(client):
    data = build_archive(3)
    html = html_of(client.get("/"))
    sidebar = html[html.index('<aside class="sidebar"'):html.index("</aside>")]
    assert re.search(r'<a href="/category/region/">Region</a><ul>\s*<li><a href="/category/region/politics/">Politics'
                     r"</a></li>\s*</ul>", sidebar)
    assert '<li><a href="/tags/elections/">elections</a></li>' in sidebar
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
    assert '<h1 dir="auto">From Point Zero to ‘New Warmth’: Russian-Afghan relations since 1989</h1>' in html
    assert '<dd dir="auto">Afghanistan Analysts Network</dd>' in html
    assert f'href="{seed_article.get_absolute_url()}#fn-4"><bdi lang="en">{SEED_TITLE}</bdi>, note 4</a>' in html
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


def test_year_and_month_pages_link_the_nearest_periods_with_articles_as_writes_change_them(client, seed_article):
    when = seed_article.published_at  # January 2016
    make_article("In 2013", published=when.replace(year=2013, month=5))
    later = make_article("In 2019", published=when.replace(year=2019, month=7))
    make_article("In March 2016", published=when.replace(month=3))
    year = html_of(client.get("/archive/2016/"))
    assert '<a rel="prev" href="/archive/2013/">2013</a>' in year
    assert '<a rel="next" href="/archive/2019/">2019</a>' in year
    january = html_of(client.get("/archive/2016/01/"))
    assert '<a rel="prev" href="/archive/2013/05/">May 2013</a>' in january
    assert '<a rel="next" href="/archive/2016/03/">March 2016</a>' in january
    march = html_of(client.get("/archive/2016/03/"))
    assert '<a rel="prev" href="/archive/2016/01/">January 2016</a>' in march
    assert '<a rel="next" href="/archive/2019/07/">July 2019</a>' in march
    later.status = "draft"
    later.save()
    assert 'rel="next"' not in html_of(client.get("/archive/2016/"))
    assert 'rel="next"' not in html_of(client.get("/archive/2016/03/"))


def test_a_year_page_shows_a_month_as_soon_as_an_article_is_published_in_it(client, seed_article):
    assert '<a href="/archive/2016/03/">' not in html_of(client.get("/archive/2016/"))
    march = make_article("In March", status="draft", published=seed_article.published_at.replace(month=3))
    assert '<a href="/archive/2016/03/">' not in html_of(client.get("/archive/2016/"))
    march.status = "published"
    march.save()
    assert '<a href="/archive/2016/03/">March</a>' in html_of(client.get("/archive/2016/"))
    march.delete()
    assert '<a href="/archive/2016/03/">' not in html_of(client.get("/archive/2016/"))


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().splitlines() == [
        "User-agent: *", "Disallow: /search/", "", "Sitemap: http://testserver/sitemap.xml", "",
        "# Libraries and aggregators: every published article's metadata by OAI-PMH 2.0 at",
        "# http://testserver/oai/?verb=Identify"]


# --- On every page --------------------------------------------------------------------------------

PUBLIC_PAGES = ["/", "/archive/", "/archive/2016/", "/archive/2016/01/", "/search/?q=Kabulov", "/search/",
                "/category/afghanistan/", "/sources/ruttig-from-point-zero-to-new-warmth-russian-afghan-relations-"
                "since-1989-2014/", "ARTICLE"]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_page_has_skip_link_landmarks_canonical_description_and_opengraph(client, seed_article, url):
    url = seed_article.get_absolute_url() if url == "ARTICLE" else url
    html = html_of(client.get(url))
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">")
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
    assert '"headline": "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E"' in block
    assert '"description": "a \\u003C!-- b \\u0026 c"' in block


def test_source_citation_in_json_ld_carries_authors_year_and_url():
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
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong</h1>" in html and 'href="/static/css/site.css"' in html


# --- The article page's read (Article.objects.get_for_reading, the view's one query) ---------------

# The language: the page is under its prefix (a Dari article read at an unprefixed address moves there).
READ_FIELDS = ("id", "slug", "title", "language", "status", "published_at", "comments_open")
# Every other column of the article waits until asked for: the page needs only its stored rendering.
UNREAD_FIELDS = {
    "summary", "body", "primary_category_id", "sticky", "original_url", "import_key", "import_hash",
    "search_vector", "search_head", "created_at", "updated_at", "translation_group_id",
    "trashed_at", "status_before_trash", "import_guid", "edited_at",
}
RENDERING_FIELDS = (
    "article_id", "page_html", "comments_html", "section_html", "comments_open", "digest", "generation",
)


def _staff(username="reader-staff", *, permission="view_article", **fields):
    user = get_user_model().objects.create_user(username, password="x" * 12, is_staff=True, **fields)
    if permission:
        user.user_permissions.add(Permission.objects.get(codename=permission))
    return get_user_model().objects.get(pk=user.pk)  # no permissions cached yet


def test_the_article_page_read_gives_the_article_and_its_stored_page_as_get_does(client):
    article = make_article("Water rights in Helmand", published=timezone.make_aware(dt.datetime(2015, 3, 4)))
    rendering.refresh([article.pk])
    read = Article.objects.get_for_reading("water-rights-in-helmand", AnonymousUser())

    assert [getattr(read, name) for name in READ_FIELDS] == [
        article.pk, "water-rights-in-helmand", "Water rights in Helmand", "en", "published",
        timezone.make_aware(dt.datetime(2015, 3, 4)), True,
    ]
    whole = Article.objects.get(slug="water-rights-in-helmand")
    assert [getattr(read, name) for name in READ_FIELDS] == [getattr(whole, name) for name in READ_FIELDS]
    assert read.get_deferred_fields() == UNREAD_FIELDS
    assert read._state.db == "default" and read._state.adding is False
    assert read == whole  # the same row: equal instances, and a deferred field loads as get()'s has it
    assert read.body == whole.body == "<p>Body text.</p>"

    stored = ArticleRendering.objects.get(article_id=article.pk)
    assert [getattr(read.rendering, name) for name in RENDERING_FIELDS] == [
        getattr(stored, name) for name in RENDERING_FIELDS
    ]
    assert read.rendering.article_id == article.pk
    assert read.rendering.page_html.startswith("<!DOCTYPE html>")
    assert read.rendering.get_deferred_fields() == {"rendered_at", "cards", "cards_digest"}  # the lists' cards

    html = html_of(client.get("/articles/water-rights-in-helmand/"))
    assert "<h1>Water rights in Helmand</h1>" in html
    assert html.startswith("<!DOCTYPE html>")


def test_the_article_page_read_of_an_article_without_a_stored_page_has_none_and_the_page_renders_it(
    client, django_assert_num_queries
):
    article = make_article("Not yet rendered")
    ArticleRendering.objects.filter(article=article).delete()
    with django_assert_num_queries(1):
        read = Article.objects.get_for_reading("not-yet-rendered")
    assert not hasattr(read, "rendering")
    assert (read.pk, read.title) == (article.pk, "Not yet rendered")

    html = html_of(client.get("/articles/not-yet-rendered/"))
    assert "<h1>Not yet rendered</h1>" in html
    assert ArticleRendering.objects.get(article_id=article.pk).page_html.startswith("<!DOCTYPE html>")


def test_each_article_page_read_is_one_query_with_that_reader_s_slug(django_assert_num_queries):
    first, second = make_article("First of two"), make_article("Second of two")
    with django_assert_num_queries(2) as queries:
        assert Article.objects.get_for_reading("second-of-two").pk == second.pk
        assert Article.objects.get_for_reading("first-of-two").pk == first.pk
    assert [query["sql"].count("first-of-two") for query in queries.captured_queries] == [0, 1]
    assert [query["sql"].count("second-of-two") for query in queries.captured_queries] == [1, 0]


def test_a_draft_is_read_for_active_staff_only(client, staff_client):
    draft = make_article("Unfinished draft", status=Article.Status.DRAFT)
    reader = get_user_model().objects.create_user("plain-reader", password="x" * 12)
    for user in (None, AnonymousUser(), reader, _staff("former-staff", is_active=False)):
        with pytest.raises(Article.DoesNotExist):
            Article.objects.get_for_reading("unfinished-draft", user)
    read = Article.objects.get_for_reading("unfinished-draft", _staff())
    assert (read.pk, read.status) == (draft.pk, "draft")

    assert client.get("/articles/unfinished-draft/").status_code == 404
    assert "<h1>Unfinished draft</h1>" in html_of(staff_client.get("/articles/unfinished-draft/"))


@pytest.mark.parametrize("permission", ["view_article", "change_article"])
def test_staff_preview_drafts_with_the_permission_to_view_or_change_articles(client, permission):
    make_article("Unfinished draft", status=Article.Status.DRAFT)
    _staff("previewer", permission=permission)
    client.login(username="previewer", password="x" * 12)
    response = client.get("/articles/unfinished-draft/")
    assert response.status_code == 200
    assert "<h1>Unfinished draft</h1>" in html_of(response)


@pytest.mark.parametrize("permission", [None, "view_comment", "change_comment"])
def test_staff_without_the_permission_get_the_readers_404_for_a_draft(client, permission):
    make_article("Unfinished draft", status=Article.Status.DRAFT)
    published = make_article("Public article")
    _staff("no-articles", permission=permission)
    client.login(username="no-articles", password="x" * 12)
    assert client.get("/admin/articles/article/").status_code == 403
    response = client.get("/articles/unfinished-draft/")
    assert response.status_code == 404
    assert b"Unfinished draft" not in response.content
    assert client.get(published.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("slug", ["no-such-article", "\x1farchive-compiled:slug\x1f", "' OR 1=1 --", "", "%"])
def test_an_unknown_or_odd_slug_is_missing(slug):
    make_article("Only article")
    with pytest.raises(Article.DoesNotExist):
        Article.objects.get_for_reading(slug)
    with pytest.raises(Article.DoesNotExist):
        Article.objects.get_for_reading(slug, _staff())


@pytest.mark.parametrize(
    "path", ["/articles/no-such-article/", "/articles/%1Farchive-compiled:slug%1F/", "/articles/'%20OR%201=1%20--/",
             "/articles/only-article-/", "/articles/ONLY-ARTICLE/"],
)
def test_the_article_page_of_an_unknown_or_odd_slug_is_404_in_the_site_look(client, path):
    make_article("Only article")
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert client.get("/articles/only-article/").status_code == 200


def _serve(app, path):
    """One GET through Django's WSGI handler, as the server calls it: request_started and
    request_finished fire, so a reused connection gets Django's health check (the test client skips it)."""
    status = []
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "HTTP_HOST": "testserver", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http", "wsgi.version": (1, 0),
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    response = app(environ, lambda line, headers, exc_info=None: status.append(line))
    try:
        body = b"".join(response)
    finally:
        response.close()
    return status[0], body.decode()


def _backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate(pid):
    """pg_terminate_backend from another connection (another thread's), waiting until it is gone."""
    answers = []

    def run():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
                answers.append(cursor.fetchone()[0])
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert answers == [True]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates a PostgreSQL server process")
@pytest.mark.django_db(transaction=True)  # outside a test transaction: a request starts with its connection idle
def test_a_connection_the_server_terminated_is_replaced_before_the_next_request_reads_the_article():
    assert connection.settings_dict["CONN_MAX_AGE"] > 0 and connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    make_article("Read after a restart")
    app = get_wsgi_application()
    status, html = _serve(app, "/articles/read-after-a-restart/")
    assert status == "200 OK" and "<h1>Read after a restart</h1>" in html
    pid = _backend_pid()
    assert _serve(app, "/articles/read-after-a-restart/")[0] == "200 OK"
    assert _backend_pid() == pid  # persistent: the next request reused it

    _terminate(pid)  # a server restart, an idle timeout, an operator's pg_terminate_backend
    status, html = _serve(app, "/articles/read-after-a-restart/")
    assert status == "200 OK" and "<h1>Read after a restart</h1>" in html
    assert _backend_pid() != pid
