"""The article page stays valid HTML whatever its data (issue 21): a note nothing in the body
refers to has no back link to a missing anchor; a time's datetime has no microseconds."""

import datetime as dt

import pytest

from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db

REF_1 = '<sup class="footnote-ref" id="fnref-1"><a href="#fn-1">1</a></sup>'


def test_only_notes_referred_to_have_a_back_link(client):
    article = make_article("Water", body=f"<p>Scarce{REF_1}, twice<sup id=\"fnref-1-2\">1</sup>.</p>", footnotes=2)
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.count('href="#fnref-1"') == 1
    assert 'href="#fnref-2"' not in page
    assert 'id="fn-2"' in page  # the note itself is still listed


def test_a_comments_time_has_no_microseconds_in_its_datetime(client):
    article = make_article("Water")
    make_comment(article, submitted=dt.datetime(2021, 3, 4, 5, 6, 7, 891011, tzinfo=dt.UTC))
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<time datetime="2021-03-04T05:06:07+0000">' in page
