"""Query strings cannot fill the page cache: a page's entry is keyed on the parameters it reads
(articles/pages/parameters.py), so tracking tags and junk find the bare page's entry."""

import pytest
from django.core.cache import caches

from articles.pages.cache import PAGE_PREFIX
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db


def stored_pages():
    return [key for key in caches["default"]._cache if PAGE_PREFIX in key]


def test_two_hundred_tracking_tags_store_one_page(client):
    make_article("Only article")
    assert client.get("/")["X-Archive-Cache"] == "miss"
    bare = client.get("/").content
    for n in range(1, 201):
        response = client.get(f"/?utm={n}&utm_source=mail&fbclid=x{n}")
        assert response["X-Archive-Cache"] == "hit"
        assert response.content == bare
    assert len(stored_pages()) == 1


@pytest.mark.parametrize("variant", [
    "/search/?q=water&utm_source=x",
    "/search/?utm_source=y&q=water",
    "/search/?q=%20water%20%20",
    "/search/?q=other&q=water",  # a page reads the last value
    "/search/?q=water&page=1",
    "/search/?q=water&page=",
])
def test_spellings_a_page_reads_alike_share_one_entry(client, variant):
    make_article("Water rights")
    first = client.get("/search/?q=water")
    assert first["X-Archive-Cache"] == "miss"
    response = client.get(variant)
    assert response["X-Archive-Cache"] == "hit"
    assert response.content == first.content
    assert len(stored_pages()) == 1


def test_parameters_a_page_reads_keep_their_own_entries(client):
    make_article("Water rights")
    make_article("Dry land")
    answers = [client.get(url) for url in ("/search/?q=water", "/search/?q=dry", "/search/?q=water")]
    assert [a["X-Archive-Cache"] for a in answers] == ["miss", "miss", "hit"]
    assert b'name="q" value="water"' in answers[0].content and b'name="q" value="dry"' in answers[1].content
    assert len(stored_pages()) == 2


def test_junk_on_an_article_page_and_a_reply_link(client):
    article = make_article("Commented")
    comment = make_comment(article, name="Early Reader")
    url = article.get_absolute_url()
    client.get(url)
    assert client.get(f"{url}?ref=abc&replyto=abc")["X-Archive-Cache"] == "hit"
    reply = client.get(f"{url}?replyto={comment.pk}&utm=1")
    assert b"Reply to Early Reader" in reply.content
    assert len(stored_pages()) == 2


def test_an_old_post_id_is_never_answered_from_the_home_page_entry(client):
    make_article("Only article")
    client.get("/")
    assert client.get("/?p=12345").status_code == 404
    assert client.get("/?p=abc")["X-Archive-Cache"] == "hit"  # not an id: nothing reads it


def test_the_canonical_address_keeps_only_what_the_page_reads(client):
    make_article("Water rights")
    assert '<link rel="canonical" href="http://testserver/">' in client.get("/?q=water").content.decode()
    search = client.get("/search/?q=water&utm=1&page=1").content.decode()
    assert '<link rel="canonical" href="http://testserver/search/?q=water">' in search


@pytest.mark.parametrize("page", ["abc", "0", "2"])
def test_a_sitemap_page_that_does_not_exist_is_a_404_whether_or_not_page_one_is_kept(client, page):
    make_article("Only article")
    cold = client.get(f"/sitemap-articles.xml?p={page}").status_code
    assert client.get("/sitemap-articles.xml")["X-Archive-Cache"] == "miss"
    assert (cold, client.get(f"/sitemap-articles.xml?p={page}").status_code) == (404, 404)
    assert client.get("/sitemap-articles.xml?p=1")["X-Archive-Cache"] == "hit"  # page 1 spelled out
