"""Every public page type judged by the web's own tools: the Nu Html Checker (vnu) and axe-core; feeds by feedparser.

The pages are rendered once for the module: Chromium loads each (axe runs in that tab), the served HTML is
saved under ``artifacts/browser/pages/`` and vnu checks all of them in one run. Each test then reads its
page type's verdict, so a failure names the page type and the exact messages.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import feedparser
import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.browser import tools
from tests.browser.conftest import new_page

# The module's data is committed once (the server thread must see it) and flushed by its fixture, so each test
# only reads verdicts: a plain database test (no per-test flush), which conftest.py runs after all other tests.
pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.shared_live_data]

PAGES_DIR = tools.ARTIFACTS / "pages"
# A page with known faults goes through the same runs: if vnu or axe stopped reporting, these tests would fail.
CONTROL_HTML = """<!DOCTYPE html>
<html><head><title>control</title></head>
<body><main><img src="data:,"><p><div>block in a paragraph</div></p></main></body></html>
"""
PAGE_TYPES = ["home", "article", "category", "tag", "author", "source", "year", "month", "search", "404",
              "authors", "sources", "tags",
              # Right to left: a Dari article (tests/fixtures/seedtext/dari_article.txt) and its pages.
              "dari_article", "dari_category", "dari_author", "dari_source", "dari_search",
              # The interface in Dari and Pashto (/fa/, /ps/): translated chrome, Persian digits.
              "dari_home", "dari_404", "pashto_month", "pashto_search"]
SEED_TITLE = "The recent Taliban-Russia contacts and its impacts on Kabul-Moscow ties"
DARI_TITLE = "روابط طالبان و روسیه و تأثیر آن بر مناسبات کابل و مسکو"
FEED_TYPES = re.compile(r"application/(rss|atom)\+xml")


@dataclass
class CheckedPage:
    kind: str
    path: str | None
    missing: str = ""
    status: int = 0
    axe: list = field(default_factory=list)
    vnu: list | None = None
    feeds: list = field(default_factory=list)


def public_paths(seed, author, tag, source, dari):
    """Page type -> (path, or None with the reason it is not in this build yet)."""
    search = tools.search_path()
    dari_source = dari.footnotes.exclude(source=None).select_related("source").first().source
    return {
        "dari_article": (dari.get_absolute_url(), ""),
        "dari_category": (dari.primary_category.get_absolute_url(), ""),
        "dari_author": (dari.authors.first().get_absolute_url(), ""),
        "dari_source": (dari_source.get_absolute_url(), ""),
        "dari_search": (search and f"{search}?q=كابل", "the search page (site branch)"),
        "dari_home": ("/fa/", ""),
        "dari_404": ("/fa/no-such-page-here/", ""),
        "pashto_month": ("/ps/archive/2016/01/", ""),
        "pashto_search": ("/ps/search/?q=Kabulov", ""),
        "home": (reverse("articles:home"), ""),
        "article": (seed.get_absolute_url(), ""),
        "category": (seed.primary_category.get_absolute_url(), ""),
        "tag": (reverse("articles:tag", kwargs={"slug": tag.slug}), ""),
        "author": (author.get_absolute_url(), ""),
        "source": (source.get_absolute_url(), ""),
        "year": (tools.year_archive_path(2016), "the year archive (site branch)"),
        "month": (tools.month_archive_path(2016, 1), "the month archive (site branch)"),
        "search": (search and f"{search}?q=Kabulov", "the search page (site branch)"),
        "404": ("/no-such-page-here/", ""),
        "authors": (reverse("articles:authors"), ""),
        "sources": (reverse("articles:sources"), ""),
        "tags": (reverse("articles:tags"), ""),
    }


@pytest.fixture(scope="module")
def checked_pages(browser, site_server, django_db_blocker):
    """Seed data, one visit per page type (axe on each), then one vnu run over every saved page."""
    from django.core.cache import cache

    from articles.importers.pipeline import import_path
    from articles.models import Article
    from tests.factories import FIXTURES, import_seed, make_author

    PAGES_DIR.mkdir(parents=True, exist_ok=True)
    for old in PAGES_DIR.glob("*.html"):
        old.unlink()
    with django_db_blocker.unblock():
        cache.clear()
        try:
            seed = import_seed()
            author = make_author("Nadia Analyst", bio="Writes on Afghanistan's neighbours.")
            seed.set_authors([author])
            seed.tags.add("Russia policy")
            tag = seed.tags.get()
            source = seed.footnotes.exclude(source=None).select_related("source").first().source
            import_path(FIXTURES / "seedtext" / "dari_article.txt")
            dari = Article.objects.get(language="fa")
            results = visit_all(browser, site_server, public_paths(seed, author, tag, source, dari))
        finally:
            cache.clear()
            call_command("flush", interactive=False, verbosity=0)
    return results


@pytest.fixture(scope="module")
def fetched_feeds(checked_pages):
    """Every feed a page advertised: url -> (status, bytes), fetched while the module's data existed."""
    return checked_pages["feeds"]


def visit_all(browser, site_server, paths):
    tab = new_page(browser, site_server)
    results, files = {}, {}
    try:
        for kind, (path, feature) in paths.items():
            if path is None:
                results[kind] = CheckedPage(kind, None, missing=feature)
                continue
            response = tab.goto(path)
            checked = results[kind] = CheckedPage(kind, path, status=response.status)
            files[kind] = PAGES_DIR / f"{kind}.html"
            files[kind].write_bytes(response.body())
            tab.screenshot(path=PAGES_DIR / f"{kind}.png")
            checked.feeds = [
                link.get_attribute("href")
                for link in tab.locator("head link[rel='alternate']").all()
                if FEED_TYPES.fullmatch(link.get_attribute("type") or "")
            ]
            if tools.axe_problem() is None:
                checked.axe = tools.run_axe(tab)
        control = results["control"] = CheckedPage("control", "control.html")
        files["control"] = PAGES_DIR / "control.html"
        files["control"].write_text(CONTROL_HTML, encoding="utf-8")
        if tools.axe_problem() is None:
            tab.set_content(CONTROL_HTML)
            control.axe = tools.run_axe(tab)
        advertised = {urljoin(site_server.url + "/", url) for page in results.values() for url in page.feeds}
        feed_urls = sorted(advertised | {site_server.url + path for path in tools.site_feed_paths()})
        results["feeds"] = {}
        for url in feed_urls:
            response = tab.context.request.get(url)
            results["feeds"][url] = (response.status, response.body())
        if files and tools.java_problem() is None:
            verdicts = tools.run_vnu(list(files.values()))
            for kind, path in files.items():
                results[kind].vnu = verdicts[path.resolve()]
    finally:
        tab.context.close()
    return results


def checked(checked_pages, kind):
    page = checked_pages[kind]
    if page.path is None:
        pytest.skip(f"{tools.FEATURE_SKIP} {page.missing}")
    expected = 404 if kind in ("404", "dari_404") else 200
    assert page.status == expected, f"{kind} page {page.path} answered {page.status}"
    return page


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_type_has_no_nu_html_checker_errors(checked_pages, kind):
    tools.need_tool(tools.java_problem())
    page = checked(checked_pages, kind)
    assert page.vnu == [], f"vnu errors on the {kind} page ({page.path}):\n" + "\n".join(page.vnu)


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_type_has_no_axe_wcag21_aa_violations(checked_pages, kind):
    tools.need_tool(tools.axe_problem())
    page = checked(checked_pages, kind)
    assert page.axe == [], f"axe violations on the {kind} page ({page.path}):\n" + "\n".join(page.axe)


def test_the_validators_do_report_a_faulty_page(checked_pages):
    tools.need_tool(tools.java_problem())
    tools.need_tool(tools.axe_problem())
    control = checked_pages["control"]
    assert any("“img” element must have an “alt” attribute" in message for message in control.vnu), control.vnu
    assert {message.split(" ")[0] for message in control.axe} >= {"image-alt", "html-has-lang"}, control.axe


def test_advertised_feeds_parse_without_error_and_list_the_seed(checked_pages, fetched_feeds):
    if not fetched_feeds:
        pytest.skip(f"{tools.FEATURE_SKIP} feeds (site branch): no page advertises an RSS or Atom feed")
    problems = []
    for url, (status, body) in sorted(fetched_feeds.items()):
        parsed = feedparser.parse(body)
        titles = [entry.get("title") for entry in parsed.entries]
        # The Dari article's category feed lists it alone; every other feed lists the seed.
        if status != 200 or parsed.bozo or not {SEED_TITLE, DARI_TITLE} & set(titles):
            problems.append(f"{url}: status {status}, error {parsed.get('bozo_exception')!r}, titles {titles}")
    assert problems == []
