"""HTTP caching a front cache (a CDN, nginx, Varnish) can use: Cache-Control, validators and Vary on
public pages, private answers for staff, messages and POSTs (articles/pages/http.py)."""

import re

import pytest
from django.test import Client

from tests.factories import comment_form_data, make_article
from tests.public_urls import public_urls

pytestmark = pytest.mark.django_db

SHARED = "public, max-age=0, s-maxage=60, stale-while-revalidate=30"
PERSONAL = "private, no-store"


@pytest.fixture
def closed_article(seed_article):
    """The seed article, its comments closed: its page is alike for every reader."""
    seed_article.comments_open = False
    seed_article.save()
    seed_article.tags.add("kabul")
    return seed_article


def test_every_public_page_type_is_shared_with_max_age_s_maxage_and_stale_while_revalidate(client, closed_article):
    urls = public_urls(closed_article)
    names = {name for name, _ in urls}
    assert {"articles:home", "articles:article", "articles:tag", "articles:feed_rss", "articles:sitemap"} <= names
    checked = set()
    for name, url in urls:
        response = client.get(url)
        if not name.startswith("articles:") or response.status_code != 200:
            continue  # robots.txt, the health check, OAI-PMH: outside the page cache; a page with nothing
        checked.add(name)
        assert response.get("Cache-Control") == SHARED, (name, url, response.get("X-Archive-Cache"))
        assert response["ETag"].startswith('"') and response.has_header("Last-Modified"), name
        assert "Vary" not in response, name  # no Cookie, Accept-Language or Accept-Encoding
        assert "site" in response["Surrogate-Key"].split(" "), name
        assert response["Cache-Tag"] == response["Surrogate-Key"].replace(" ", ","), name
        assert not response.cookies, name
    assert len(checked) >= 15, sorted(checked)


def test_the_purge_keys_are_the_page_caches_scopes(client, closed_article):
    assert client.get("/")["Surrogate-Key"] == "site listings"
    page = client.get(closed_article.get_absolute_url())
    assert page["Surrogate-Key"] == f"site article:{closed_article.slug}"
    assert page["Cache-Tag"] == f"site,article:{closed_article.slug}"


def test_settings_set_the_lifetimes(client, settings, closed_article):
    settings.ARCHIVE_HTTP_MAX_AGE, settings.ARCHIVE_HTTP_S_MAXAGE = 30, 600
    settings.ARCHIVE_HTTP_STALE_WHILE_REVALIDATE = 90
    assert client.get("/")["Cache-Control"] == "public, max-age=30, s-maxage=600, stale-while-revalidate=90"


def test_a_hit_and_a_miss_send_the_same_headers(client, closed_article):
    url = closed_article.get_absolute_url()
    miss, hit = client.get(url), client.get(url)
    assert (miss["X-Archive-Cache"], hit["X-Archive-Cache"]) == ("miss", "hit")
    for header in ("Cache-Control", "ETag", "Last-Modified", "Surrogate-Key", "Cache-Tag"):
        assert miss[header] == hit[header], header
    assert "Vary" not in hit


def test_an_article_with_its_open_comment_form_is_shared(client, seed_article):
    """A fresh form carries no CSRF token: the page is alike for every reader but the form's signed time."""
    for response in (client.get(seed_article.get_absolute_url()), Client().get(seed_article.get_absolute_url())):
        assert 'name="token"' in response.content.decode()
        assert 'name="csrfmiddlewaretoken"' not in response.content.decode()
        assert response["Cache-Control"] == SHARED
        assert "Vary" not in response and not response.cookies


def test_a_comment_sent_from_the_shared_page_is_confirmed_once_then_sent(seed_article, settings):
    settings.ARCHIVE_COMMENTS_MIN_SECONDS = 0
    reader = Client(enforce_csrf_checks=True)
    html = reader.get(seed_article.get_absolute_url()).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    data = {**comment_form_data(seed_article, body="Sent from a cached page."), "token": token}
    confirm = reader.post(f"{seed_article.get_absolute_url()}comment/", data)
    assert confirm.status_code == 200
    assert confirm["Cache-Control"] == PERSONAL
    assert "Please check your comment below, then press Post Comment to send it." in confirm.content.decode()
    assert not seed_article.comments.exists()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', confirm.content.decode()).group(1)
    sent = reader.post(f"{seed_article.get_absolute_url()}comment/", {**data, "csrfmiddlewaretoken": csrf})
    assert sent.status_code == 302
    assert seed_article.comments.get().body == "Sent from a cached page."


def test_if_none_match_is_answered_304_without_rendering(client, closed_article, django_assert_num_queries):
    url = closed_article.get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(0):
        again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert (again["ETag"], again["Cache-Control"]) == (first["ETag"], SHARED)
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_if_modified_since_is_answered_304(client, closed_article):
    first = client.get("/")
    again = client.get("/", headers={"If-Modified-Since": first["Last-Modified"]})
    assert again.status_code == 304


def test_the_validators_change_after_an_edit_and_not_otherwise(
    client, closed_article, django_capture_on_commit_callbacks
):
    url = closed_article.get_absolute_url()
    before = client.get(url)
    other = make_article("Another article", comments_open=False)  # bumps the listings, not this page
    assert client.get(url)["ETag"] == before["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        other.title = "Another article, renamed"
        other.save()  # a listing change: home renders again
    home = client.get("/")
    with django_capture_on_commit_callbacks(execute=True):
        make_article("A draft", status="draft").save()
    unchanged = client.get("/")
    assert (unchanged["ETag"], unchanged["Last-Modified"]) == (home["ETag"], home["Last-Modified"])
    with django_capture_on_commit_callbacks(execute=True):
        closed_article.title = "Kabul and Moscow, revised"
        closed_article.save()
    after = client.get(url)
    assert after["ETag"] != before["ETag"]
    assert client.get(url, headers={"If-None-Match": before["ETag"]}).status_code == 200


def test_a_page_rendered_again_but_alike_keeps_its_validators(
    client, closed_article, django_capture_on_commit_callbacks
):
    first = client.get("/tags/kabul/")
    with django_capture_on_commit_callbacks(execute=True):
        make_article("Untagged and unlisted", status="draft", comments_open=False).save()
        closed_article.save()  # bumps the listings and the page, though nothing it shows changed
    again = client.get("/tags/kabul/")
    assert again["X-Archive-Cache"] == "miss"
    assert (again["ETag"], again["Last-Modified"]) == (first["ETag"], first["Last-Modified"])
    assert client.get("/tags/kabul/", headers={"If-None-Match": first["ETag"]}).status_code == 304


def test_staff_pages_are_private_and_never_stored(staff_client, closed_article):
    for url in ("/", closed_article.get_absolute_url(), "/feeds/rss/", "/admin/"):
        response = staff_client.get(url)
        assert response["Cache-Control"] == PERSONAL, url
        assert "Surrogate-Key" not in response and "Cache-Tag" not in response, url


def test_a_page_with_the_readers_messages_is_private(client, seed_article):
    posted = client.post(f"{seed_article.get_absolute_url()}comment/", comment_form_data(seed_article))
    assert posted.status_code == 302
    assert posted["Cache-Control"] == PERSONAL
    page = client.get(posted["Location"])
    assert "awaits moderation" in page.content.decode()
    assert page["Cache-Control"] == PERSONAL
    assert "Surrogate-Key" not in page


def test_a_refused_post_is_private(client, seed_article):
    refused = client.post(f"{seed_article.get_absolute_url()}comment/", comment_form_data(seed_article, body=""))
    assert refused.status_code == 400
    assert refused["Cache-Control"] == PERSONAL


def test_a_reader_after_commenting_gets_private_pages(client, closed_article):
    client.cookies["archive_private"] = "1"
    response = client.get("/")
    assert response["Cache-Control"] == PERSONAL
    assert "X-Archive-Cache" not in response
