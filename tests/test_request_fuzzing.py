"""Odd, long and malformed URLs get a page (200), a redirect (301) or a 404; never a 500."""

from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import make_author
from tests.fuzz import FUZZ, HUNT
from tests.public_urls import public_urls

pytestmark = pytest.mark.django_db

ANSWERS = {200, 301, 404}

ODD_SEGMENTS = [
    "x" * 3000, "%00", "a%00b", "%2e%2e", "%2F", "%ff%fe", "%zz", "ü-ñ-中文😀", "<script>alert(1)</script>",
    "'\"", "-", "99999999999999999999", "a%20b", "%0d%0a", "wp-admin", "%3F", ";x=1", "a/b/c/d/e/f/g/h",
]
ODD_QUERIES = [
    "page=0", "page=-1", "page=abc", "page=1.5", "page=99999999999999999999", "page=last", "page=2", "page=",
    "page=%00", "page=١", "page=1&page=2", "page[]=1", "&&&", "%zz=%ff", "q=" + "a" * 10000, "q=%00",
]


@pytest.fixture
def urls(seed_article):
    seed_article.tags.add("kabul")
    seed_article.set_authors([make_author("Fuzz Author")])
    return [url for _, url in public_urls(seed_article)]


def assert_answers(client, url):
    response = client.get(url)
    assert response.status_code in ANSWERS, (url[:200], response.status_code)
    return response


def with_segment(url, segment):
    """The URL with its last path segment replaced (or, for the home page, one added)."""
    parts = url.rstrip("/").split("/")
    return "/".join(parts[:-1] + [segment]) + "/" if len(parts) > 1 and parts[-1] else f"/{segment}/"


def test_every_public_url_answers_odd_segments_and_queries(client, urls):
    assert len(urls) >= 5
    for url in urls:
        assert assert_answers(client, url).status_code == 200, url
        assert assert_answers(client, url.rstrip("/")).status_code in (200, 301)
        for segment in ODD_SEGMENTS:
            assert_answers(client, with_segment(url, segment))
        for query in ODD_QUERIES:
            assert_answers(client, f"{url}?{query}")


def test_a_nul_byte_in_the_path_gets_the_404_page_with_its_headers(client, urls):
    response = client.get(with_segment(urls[2], "a%00b"))
    assert response.status_code == 404
    assert "Content-Security-Policy" in response and response["X-Frame-Options"] == "DENY"


def test_nul_bytes_in_the_query_are_dropped(client, urls):
    for url in (f"{urls[0]}?q=%00", f"{urls[0]}?%00=1", "/search/?q=Kabulov%00"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Content-Security-Policy" in response


@settings(FUZZ, max_examples=HUNT or 25)
@given(data=st.data(), segment=st.text(max_size=200), value=st.text(max_size=100))
def test_random_segments_and_page_numbers_never_fail(client, urls, data, segment, value):
    url = data.draw(st.sampled_from(urls))
    assert_answers(client, with_segment(url, quote(segment, safe="")))
    assert_answers(client, f"{url}?page={quote(value, safe='')}")


@settings(FUZZ, max_examples=HUNT or 25)
@given(data=st.data(), raw=st.binary(max_size=120))
def test_raw_bytes_in_the_query_string_never_fail(client, urls, data, raw):
    assert_answers(client, f"{data.draw(st.sampled_from(urls))}?{quote(raw, safe='=&')}")
