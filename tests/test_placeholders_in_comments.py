"""No text a reader wrote ever reaches a substitution step: a comment (its text, name or website) or
a search quoting any placeholder the page stores (articles/pages/rendering.py) or the page cache
once used (articles/pages/cache.py) is shown as written, to every reader, never with their token."""

import re
from urllib.parse import urlencode

import pytest
from django.utils.html import escape

from articles.pages import rendering
from tests.factories import comment_form_data, make_article, make_comment

pytestmark = pytest.mark.django_db

PLACEHOLDERS = [
    rendering.FORM_TOKEN_HOLE,
    rendering.ORIGIN,
    rendering.MESSAGES_HOLE,
    rendering.COMMENTS_HOLE,
    rendering.THREAD_HOLE,
    # The stored page's CSRF hole, before a fresh form went without a token; the page cache's,
    # before it cut pages by position:
    "__archive:csrf__",
    "__archive_csrf_token__",
    "__archive_form_token__",
    'name="token" value="__archive_form_token__"',
    'name="csrfmiddlewaretoken" value="abc"',
]
FIELDS = ["name", "website", "body"]
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_FORM = re.compile(r'name="token" value="([^"]+)"')


def _value(field, placeholder):
    if field == "website":
        return f"https://elsewhere.example/?t={placeholder}"
    return f"Quoting {placeholder} here"


def _assert_shown_as_written(html, value):
    assert escape(value) in html
    # The reader's tokens appear once each, in their inputs, and nowhere in the comment (a fresh
    # form has no CSRF token; the one sent back to confirm has the reader's).
    [form] = _FORM.findall(html)
    for token in [form, *_CSRF.findall(html)]:
        assert html.count(token) == 1


@pytest.mark.parametrize("placeholder", PLACEHOLDERS)
@pytest.mark.parametrize("field", FIELDS)
def test_an_approved_comment_quoting_a_placeholder_is_shown_as_written(client, field, placeholder):
    article = make_article("Quoted holes")
    value = _value(field, placeholder)
    comment = make_comment(article, **{field: value})
    url = article.get_absolute_url()
    first = client.get(url)  # rendered and stored, then stored in the page cache
    again = client.get(url)  # the stored rendering, from the page cache
    assert again["X-Archive-Cache"] == "hit"
    assert rendering.stale_ids().count() == 0
    reply = client.get(f"{url}?replyto={comment.pk}")  # the comments section rendered for the reader
    for response in (first, again, reply):
        assert response.status_code == 200
        _assert_shown_as_written(response.content.decode(), value)


@pytest.mark.parametrize("placeholder", PLACEHOLDERS)
@pytest.mark.parametrize("field", FIELDS)
def test_a_refused_comment_quoting_a_placeholder_is_shown_back_as_written(client, field, placeholder):
    article = make_article("Quoted holes")
    value = escape(_value(field, placeholder))
    make_comment(article, **{field: _value(field, placeholder)})  # on the page too
    shown = client.get(article.get_absolute_url()).content.decode().count(value)
    assert shown >= 1
    posted = {**comment_form_data(article), field: _value(field, placeholder), "email": "not-an-address"}
    response = client.post(f"{article.get_absolute_url()}comment/", posted)
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count(value) == shown + 1  # in the comment, and in the form as the reader typed it
    [csrf] = _CSRF.findall(html)
    assert html.count(csrf) == 1


@pytest.mark.parametrize("placeholder", PLACEHOLDERS)
def test_a_search_quoting_a_placeholder_is_shown_as_written_from_the_page_cache(client, placeholder):
    make_article("Anything")
    url = "/search/?" + urlencode({"q": placeholder})
    first, again = client.get(url), client.get(url)
    assert again["X-Archive-Cache"] == "hit"
    for response in (first, again):
        html = response.content.decode()
        assert f'value="{escape(placeholder)}"' in html
        assert not _CSRF.search(html)  # no form here, and so no token to put anywhere
    assert first.content == again.content
