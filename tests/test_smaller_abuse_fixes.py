"""The smaller ones of issue #26: the site's domain is current in every process, feeds escape text
once, staff responses are private, every response carries the security headers, and a login whose
`next` is refused lands on the admin's home."""

import html
import io
import xml.etree.ElementTree as ET

import pytest
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.test import Client

from articles.pages.cache import LISTINGS, bump
from articles.pages.sites import SITE_DOMAIN
from tests.factories import make_article

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_security_headers(response):
    for header, value in SECURITY_HEADERS.items():
        assert response[header] == value, header
    assert "default-src 'self'" in response["Content-Security-Policy"]


# --- set_site_domain --------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/feeds/rss/", "/feeds/atom/", "/sitemap.xml", "/sitemap-articles.xml"])
def test_a_new_domain_is_in_feeds_and_sitemaps_at_once_even_in_a_process_that_kept_the_old(client, path):
    make_article("Domain test")
    call_command("set_site_domain", "old.example.org", stdout=io.StringIO())
    assert "old.example.org" in client.get(path).content.decode()
    # Another process set the domain: the row changed and its save bumped the shared cache, but this
    # process's copy of the Site (Django's, per process) still says the old one.
    Site.objects.filter(pk=1).update(domain="new.example.org")
    bump(LISTINGS, SITE_DOMAIN)
    assert Site.objects.get_current().domain == "old.example.org"
    response = client.get(path)
    assert response["X-Archive-Cache"] == "miss"
    content = response.content.decode()
    assert "new.example.org" in content and "old.example.org" not in content


def test_set_site_domain_clears_this_process_s_site_cache(client):
    make_article("Domain test")
    call_command("set_site_domain", "first.example.org", stdout=io.StringIO())
    client.get("/feeds/rss/")
    call_command("set_site_domain", "second.example.org", stdout=io.StringIO())
    assert Site.objects.get_current().domain == "second.example.org"
    assert "second.example.org" in client.get("/feeds/rss/").content.decode()


# --- feeds escape text once -------------------------------------------------------------------------
@pytest.mark.parametrize("feed", ["/feeds/rss/", "/feeds/atom/"])
def test_feeds_escape_text_once(client, feed):
    make_article("R&D in Kabul", body="<p>R&amp;D &lt;budgets&gt; &amp; more.</p>", summary="")
    make_article("Summarised", body="<p>Body.</p>", summary="Q&A <with> quotes")
    xml = client.get(feed).content.decode()
    assert "&amp;amp;amp;" not in xml and "R&amp;amp;amp;D" not in xml
    root = ET.fromstring(xml)
    texts = [element.text or "" for element in root.iter()]
    # An entry's description is HTML: decoded once more, it reads as the text of the body or summary.
    descriptions = {html.unescape(t) for t in texts}
    assert "R&D <budgets> & more." in descriptions
    assert "Q&A <with> quotes" in descriptions
    assert "R&D in Kabul" in texts  # the title is plain text


# --- staff responses are private ----------------------------------------------------------------------
def test_staff_responses_are_private_and_readers_pages_public(client, staff_client):
    # Comments closed: an open comment form carries the reader's own CSRF token (tests/test_http_caching.py).
    article = make_article("Public page", comments_open=False)
    for path in ("/", article.get_absolute_url(), "/feeds/rss/", "/search/?q=page"):
        staff = staff_client.get(path)
        assert staff.status_code == 200
        assert "private" in staff["Cache-Control"] and "public" not in staff["Cache-Control"], path
        reader = client.get(path)
        assert "private" not in reader.get("Cache-Control", ""), path
    assert "private" in staff_client.get("/admin/")["Cache-Control"]


# --- security headers everywhere ------------------------------------------------------------------------
def test_static_files_carry_the_security_headers(settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve from static/, no collectstatic in tests
    response = Client().get("/static/css/site.css")
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.parametrize("ssl_redirect", [False, True])
def test_a_host_not_allowed_gets_the_400_with_the_security_headers(settings, ssl_redirect):
    settings.SECURE_SSL_REDIRECT = ssl_redirect  # on in production: the Host is refused inside SecurityMiddleware
    response = Client().get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.content.decode()
    assert_security_headers(response)


def test_pages_still_carry_their_headers_once(client):
    response = client.get("/")
    assert_security_headers(response)
    assert len(response.headers.get("Content-Security-Policy").split(", default-src")) == 1


# --- a login whose next is refused ------------------------------------------------------------------------
@pytest.mark.parametrize("next_url", ["https://attacker.example/", "//attacker.example/x", ""])
def test_a_login_whose_next_is_refused_lands_on_the_admin_home(client, django_user_model, next_url):
    django_user_model.objects.create_superuser("boss", "boss@example.org", "pw-boss-123456")
    response = client.post("/admin/login/", {"username": "boss", "password": "pw-boss-123456", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get(response["Location"]).status_code == 200
