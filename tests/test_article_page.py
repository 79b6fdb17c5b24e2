import pytest
from django.urls import reverse

from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db


def test_seed_article_page_shows_breadcrumb_title_date_and_notes(client, seed_article):
    response = client.get(seed_article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>The recent Taliban-Russia contacts and its impacts on Kabul-Moscow ties</h1>" in html
    assert '<a href="/category/afghanistan/">Afghanistan</a>' in html
    assert '<a href="/category/afghanistan/politics/">Politics</a>' in html
    assert '<time datetime="2016-01-02">January 2, 2016</time>' in html
    assert html.count('<li id="fn-') == 9
    assert 'href="#fnref-4"' in html
    assert 'href="#fn-4"' in html
    assert "(link lost from the old site)" in html
    assert 'href="#fn-3">Go to note 3</a>' in html


def test_article_page_shows_authors_in_order(client):
    first, second = make_author("Zed Writer"), make_author("Amy Analyst")
    article = make_article("Ordered", authors=[first, second])
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.index("Zed Writer") < html.index("Amy Analyst")


def test_unknown_slug_is_404_in_the_site_look(client):
    response = client.get(reverse("articles:article", kwargs={"slug": "no-such-article"}))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_draft_is_hidden_from_readers_and_previewed_by_staff(client, staff_client):
    draft = make_article("Work in progress", status="draft", category=make_category("Region"))
    assert client.get(draft.get_absolute_url()).status_code == 404
    response = staff_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "this article is not public" in response.content.decode()


def test_body_html_is_sanitized_on_save():
    article = make_article(body='<p onclick="x()">Hi<script>alert(1)</script></p>')
    assert article.body == "<p>Hi</p>"
