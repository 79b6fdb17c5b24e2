"""Listings page by number near the top and by cursor deeper down, with no count (articles.pagination)."""

import datetime as dt
import html
import re

import pytest
from django.test import override_settings
from django.utils import timezone

from articles import pagination
from tests.factories import make_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shallow_numbers")]

NEXT = re.compile(r'<a rel="next" href="\?([^"]+)">')
PREV = re.compile(r'<a rel="prev" href="\?([^"]+)">')


@pytest.fixture
def shallow_numbers(monkeypatch):
    # Two numbered pages of 20, then cursors: the deep path on a small archive.
    monkeypatch.setattr(pagination, "OFFSET_PAGES", 2)


def titles(page):
    return re.findall(r'<h2 class="card-title"[^>]*><a href="[^"]+">([^<]+)</a></h2>', page)


def archive(count, *, same_time_every=1):
    """``count`` articles, newest last; with ``same_time_every`` > 1, runs of that many share a date."""
    start = timezone.make_aware(dt.datetime(2020, 1, 1))
    return [make_article(f"Article {n:03d}", published=start + dt.timedelta(days=n // same_time_every))
            for n in range(count)]


def walk(client, path, link):
    """The titles of every page from ``path``, following ``link`` (NEXT or PREV), and the queries visited."""
    seen, queries, query = [], [], ""
    while True:
        response = client.get(path + (f"?{query}" if query else ""))
        assert response.status_code == 200, (query, response.status_code)
        page = response.content.decode()
        seen.append(titles(page))
        found = link.search(page)
        if not found:
            return seen, queries
        query = html.unescape(found.group(1))
        queries.append(query)


@override_settings(ARCHIVE_PAGE_CACHE=False)
def test_older_links_go_by_number_then_by_cursor_and_reach_every_article_once_in_order(client):
    articles = archive(65, same_time_every=3)  # ties in the date: the id orders them
    pages, queries = walk(client, "/", NEXT)
    assert [len(p) for p in pages] == [20, 20, 20, 5]
    assert queries[:1] == ["page=2"]
    assert all(q.startswith("before=") for q in queries[1:])
    expected = [a.title for a in sorted(articles, key=lambda a: (a.published_at, a.pk), reverse=True)]
    assert sum(pages, []) == expected


@override_settings(ARCHIVE_PAGE_CACHE=False)
def test_newer_links_from_the_oldest_page_go_back_the_same_way_to_page_one(client):
    archive(65)
    pages, queries = walk(client, "/", NEXT)
    query, back = queries[-1], []  # the oldest page, a cursor page
    while True:
        response = client.get(f"/?{query}")
        if response.status_code == 302:
            break
        page = response.content.decode()
        back.append(titles(page))
        query = html.unescape(PREV.search(page).group(1))
        assert query.startswith("after=")
    # The pages come back in reverse; the last step, with a page or less above it, is page 1 itself.
    assert response["Location"] == "/"
    assert back == pages[:0:-1]
    # From page 2 (a numbered page), Newer is page 1 by number.
    assert PREV.search(client.get("/?page=2").content.decode()).group(1) == "page=1"


@override_settings(ARCHIVE_PAGE_CACHE=False)
def test_an_old_deep_page_number_redirects_to_the_cursor_its_older_link_gives(client):
    archive(65)
    page2 = client.get("/?page=2").content.decode()
    cursor_of_page3 = html.unescape(NEXT.search(page2).group(1))
    response = client.get("/?page=3")
    assert (response.status_code, response["Location"]) == (302, f"/?{cursor_of_page3}")
    assert client.get("/?page=5").status_code == 404  # past the end


@override_settings(ARCHIVE_PAGE_CACHE=False)
@pytest.mark.parametrize("query", ["before=2020", "before=abc-1", "after=99999999999999999999-1", "page=0",
                                   "page=1.5", "page=99999999999999999999", "before=20201301000000000000-5"])
def test_a_malformed_page_address_is_not_found(client, query):
    archive(3)
    assert client.get(f"/?{query}").status_code == 404


@override_settings(ARCHIVE_PAGE_CACHE=False)
def test_a_tag_listing_pages_by_cursor_over_its_own_articles_only(client):
    start = timezone.make_aware(dt.datetime(2020, 1, 1))
    tagged = [make_article(f"Tagged {n:03d}", tags=["water"], published=start + dt.timedelta(days=2 * n))
              for n in range(45)]
    for n in range(30):
        make_article(f"Other {n:03d}", published=start + dt.timedelta(days=2 * n + 1))
    pages, queries = walk(client, "/tags/water/", NEXT)
    assert [len(p) for p in pages] == [20, 20, 5]
    assert sum(pages, []) == [a.title for a in reversed(tagged)]
    assert queries[1].startswith("before=")
