"""Bad requests get the site's own pages: a form in another charset, form data past the limit and a
Host not allowed answer the site's 400 page (never a 500); a form refused by the CSRF check gets the
site's page saying why, and a refused comment comes back with the reader's text."""

import re

import pytest
from django.conf import settings
from django.test import Client

from articles.models import Comment
from tests.factories import comment_form_data, make_article

pytestmark = pytest.mark.django_db

BAD_REQUEST = "<h1>Bad request</h1>"


def assert_site_page(response, status, heading):
    assert response.status_code == status
    html = response.content.decode()
    assert heading in html
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html
    assert " style=" not in html and "<style" not in html  # nothing the CSP would block
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response
    return html


@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "latin-1"])
@pytest.mark.parametrize("path", ["comment", "/", "/search/", "/admin/login/"])
def test_a_form_in_another_charset_gets_the_site_s_400_page(charset, path):
    article = make_article("Commented")
    url = f"{article.get_absolute_url()}comment/" if path == "comment" else path
    # As in production, the CSRF check reads the form first (Django's own 400 page read it again: 500).
    browser = Client(enforce_csrf_checks=True)
    browser.cookies[settings.CSRF_COOKIE_NAME] = "A" * 32  # a reader who has a CSRF cookie
    response = browser.generic("POST", url, "name=A&body=B".encode(charset),
                              content_type=f"application/x-www-form-urlencoded; charset={charset}")
    assert_site_page(response, 400, BAD_REQUEST)
    assert not Comment.objects.exists()


def test_form_data_past_the_limit_gets_the_site_s_400_page(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    article = make_article("Commented")
    response = client.post(f"{article.get_absolute_url()}comment/", comment_form_data(article, body="x" * 2000))
    assert_site_page(response, 400, BAD_REQUEST)
    assert not Comment.objects.exists()


def test_a_host_not_allowed_gets_the_site_s_400_page(client):
    make_article("Anything")
    html = assert_site_page(client.get("/", HTTP_HOST="attacker.example"), 400, BAD_REQUEST)
    assert "attacker.example" not in html


def test_a_comment_refused_by_the_csrf_check_comes_back_with_the_reader_s_text(db):
    reader = Client(enforce_csrf_checks=True)
    article = make_article("Commented")
    text = "A long and careful comment that must not be lost."
    # A form without the cookie it came with (cookies blocked, or a page kept open across a restart).
    data = comment_form_data(article, body=text, csrfmiddlewaretoken="A" * 32)
    response = reader.post(f"{article.get_absolute_url()}comment/", data)
    html = assert_site_page(response, 403, "<h1>Commented</h1>")
    assert "Your comment was not sent. The page&#x27;s security check failed" in html
    assert f">\n{text}</textarea>" in html
    assert 'value="Ada Reader"' in html
    assert not Comment.objects.exists()
    # The page came with a cookie and a token of its own: sent again, the comment goes through.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    data = comment_form_data(article, body=text, csrfmiddlewaretoken=token)
    assert reader.post(f"{article.get_absolute_url()}comment/", data).status_code == 302
    assert Comment.objects.get().body == text


def test_another_form_refused_by_the_csrf_check_gets_the_site_s_page(db):
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "a", "password": "b"})
    html = assert_site_page(response, 403, "<h1>The form could not be sent</h1>")
    assert "allow cookies for this site" in html
