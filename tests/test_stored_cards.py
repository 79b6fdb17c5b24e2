"""Article cards stored per interface language (articles.pages.cards): written with the article,
rendered again when what they show changes, emitted by the list pages as stored, and rendered live,
identically, when missing or stale."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import ArticleRendering
from articles.pages import cards, rendering
from tests.factories import make_article, make_author, make_category, make_comment, make_source

pytestmark = pytest.mark.django_db

LIST_PAGES = ["/", "/fa/", "/ps/", "/category/afghanistan/", "/category/afghanistan/politics/", "/tags/water/",
              "/authors/ann-author/", "/sources/ruttig-2014/", "/archive/2024/", "/archive/2024/03/",
              "/fa/authors/ann-author/", "/ps/archive/2024/03/"]


@pytest.fixture(autouse=True)
def no_page_cache(settings):
    settings.ARCHIVE_PAGE_CACHE = False


@pytest.fixture
def written(django_capture_on_commit_callbacks):
    """Two articles written as an editor writes them: what their commit does (tasks) has run."""
    with django_capture_on_commit_callbacks(execute=True):
        source = make_source("ruttig-2014", title="From Point Zero")
        politics = make_category("Afghanistan", "Politics")
        first = make_article(
            "Water and power", category=politics, authors=[make_author("Ann Author"), make_author("Bob Writer")],
            tags=["water"], published=timezone.make_aware(dt.datetime(2024, 3, 5, 10)), summary="Dams and deals.",
        )
        second = make_article("سیاست آب", language="fa", category=politics, authors=[make_author("Ann Author 2")],
                              published=timezone.make_aware(dt.datetime(2024, 3, 7, 10)))
        first.footnotes.create(number=1, text="Ruttig, From Point Zero.", source=source)
    return first, second


def stored_cards(article):
    row = ArticleRendering.objects.get(article=article)
    return row.cards if row.cards_digest == cards.digest() else None


def get(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_an_article_written_has_its_card_stored_in_every_interface_language(written):
    first, _ = written
    stored = stored_cards(first)
    assert sorted(stored) == ["en", "fa", "ps"]
    assert stored["en"] == (
        '<article class="card">\n'
        '  <p class="card-category"><a href="/category/afghanistan/politics/">Afghanistan » Politics</a></p>\n'
        '  <h2 class="card-title" lang="en" dir="auto"><a href="/articles/water-and-power/">Water and power</a></h2>\n'
        '  <p class="article-meta">\n'
        '  <time datetime="2024-03-05">March 5, 2024</time>\n'
        '  <span class="byline"> · by <a href="/authors/ann-author/">Ann Author</a> and '
        '<a href="/authors/bob-writer/">Bob Writer</a></span>\n'
        '</p>\n\n'
        '  <!--archive:card-text--><p class="card-summary" lang="en" dir="auto">Dams and deals.</p>'
        '<!--/archive:card-text-->\n'
        '</article>\n'
    )


def test_dari_and_pashto_cards_write_the_date_in_persian_digits_and_link_their_own_pages(written):
    first, second = written
    for code in ("fa", "ps"):
        card = stored_cards(first)[code]
        assert '<time datetime="2024-03-05">۵ ' in card and " ۲۰۲۴</time>" in card
        assert f'<a href="/{code}/category/afghanistan/politics/">' in card
        assert f'<a href="/{code}/authors/ann-author/">Ann Author</a>' in card
        assert '<a href="/articles/water-and-power/">' in card  # the article's own language's address
    # A Dari article on the English page: its Solar Hijri date, and the Gregorian one in Latin digits.
    assert '<bdi lang="fa">' in stored_cards(second)["en"]
    assert "(7 March 2024)</time>" in stored_cards(second)["en"]


def test_list_pages_emit_the_stored_card_as_stored(client, written):
    first, _ = written
    row = ArticleRendering.objects.get(article=first)
    row.cards = {**row.cards, "en": '<article class="card">stored en</article>\n',
                 "fa": '<article class="card">stored fa</article>\n'}
    row.save()
    assert "stored en" in get(client, "/")
    assert "stored en" in get(client, "/authors/ann-author/")
    assert "stored fa" in get(client, "/fa/")
    assert "stored" not in get(client, "/ps/")


def test_a_search_result_is_the_stored_card_with_the_excerpt_in_place_of_its_text(client, written):
    first, _ = written
    row = ArticleRendering.objects.get(article=first)
    row.cards = {**row.cards, "en": '<article class="card">stored en <!--archive:card-text--><p>Dams and deals.</p>'
                                    '<!--/archive:card-text--></article>\n'}
    row.save()
    html = get(client, "/search/?q=water")
    assert ('<article class="card">stored en <!--archive:card-text--><p class="snippet" lang="en" dir="auto">'
            'Body text.</p><!--/archive:card-text--></article>\n') in html
    assert "Dams and deals." not in html


def test_search_pages_are_identical_with_cards_stored_and_rendered_live(client, written):
    paths = ["/search/?q=water", "/search/?q=%D8%B3%DB%8C%D8%A7%D8%B3%D8%AA", "/fa/search/?q=water"]
    stored = {path: get(client, path) for path in paths}
    assert '<p class="snippet" lang="en" dir="auto">Body text.</p>' in stored["/search/?q=water"]
    ArticleRendering.objects.update(cards={}, cards_digest="")
    assert {path: get(client, path) for path in paths} == stored


def test_a_search_page_reads_its_cards_with_the_results_and_no_byline(client, written):
    get(client, "/search/?q=water")  # process-wide caches
    with CaptureQueriesContext(connection) as queries:
        get(client, "/search/?q=water")
    sql = [query["sql"] for query in queries.captured_queries]
    assert not any('"articles_articleauthor"."position"' in statement for statement in sql)  # no byline read
    assert sum("articles_articlerendering" in statement for statement in sql) == 1


def test_a_list_page_reads_its_cards_with_the_list_and_no_byline(client, written, django_assert_num_queries):
    get(client, "/authors/ann-author/")  # process-wide caches (content types, sidebar versions)
    with CaptureQueriesContext(connection) as queries:
        get(client, "/authors/ann-author/")
    sql = [query["sql"] for query in queries.captured_queries]
    assert not any('"articles_articleauthor"."position"' in statement for statement in sql)  # no byline read
    assert sum("articles_articlerendering" in statement for statement in sql) == 1


def test_list_pages_are_identical_with_cards_stored_and_rendered_live(client, written):
    stored = {path: get(client, path) for path in LIST_PAGES}
    ArticleRendering.objects.update(cards={}, cards_digest="")
    assert {path: get(client, path) for path in LIST_PAGES} == stored


def test_cards_made_from_other_templates_are_not_used(client, written, monkeypatch):
    first, _ = written
    row = ArticleRendering.objects.get(article=first)
    row.cards = {code: "<p>old templates</p>" for code in row.cards}
    row.save()
    assert "old templates" in get(client, "/")
    monkeypatch.setattr(cards, "FORMAT_VERSION", "changed")
    cards.digest.cache_clear()
    try:
        html = get(client, "/")
    finally:
        monkeypatch.undo()
        cards.digest.cache_clear()
    assert "old templates" not in html
    assert '<a href="/articles/water-and-power/">Water and power</a>' in html


def test_a_missing_rendering_row_is_rendered_live(client, written):
    first, _ = written
    ArticleRendering.objects.filter(article=first).delete()
    assert '<a href="/authors/bob-writer/">Bob Writer</a>' in get(client, "/")


def test_an_author_renamed_has_the_cards_showing_it_rendered_again(client, written, django_capture_on_commit_callbacks):
    first, _ = written
    author = first.authors.get(slug="bob-writer")
    with django_capture_on_commit_callbacks(execute=True):
        author.name = "Robert Writer"
        author.save()
    card = stored_cards(first)["en"]
    assert '<a href="/authors/bob-writer/">Robert Writer</a>' in card
    assert '<a href="/authors/bob-writer/">Robert Writer</a>' in get(client, "/")


def test_a_category_renamed_has_the_cards_under_it_rendered_again(written, django_capture_on_commit_callbacks):
    first, second = written
    root = make_category("Afghanistan")
    with django_capture_on_commit_callbacks(execute=True):
        root.name = "Afghanistan and the region"
        root.save()  # saves its subcategory too: the articles are filed under that one
    for article in (first, second):
        assert "<p class=\"card-category\"><a href=\"/category/afghanistan/politics/\">Afghanistan and the region » " \
               "Politics</a></p>" in stored_cards(article)["en"]


def test_a_byline_changed_empties_the_card_until_it_is_rendered_again(client, written,
                                                                     django_capture_on_commit_callbacks):
    first, _ = written
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first.articleauthor_set.filter(author__slug="bob-writer").delete()
    assert ArticleRendering.objects.get(article=first).cards == {}  # emptied in the writing transaction
    assert stored_cards(first) is None
    assert "Bob Writer" not in get(client, "/")
    for callback in callbacks:
        callback()
    assert "Bob Writer" not in stored_cards(first)["en"]
    assert '<a href="/authors/ann-author/">Ann Author</a></span>' in stored_cards(first)["en"]


def test_a_change_no_card_shows_keeps_the_cards(written):
    first, _ = written
    before = stored_cards(first)
    make_comment(first, body="An approved reply.")  # the page is stale; the card is not
    rendering.invalidate([first.pk], cards=False)
    assert ArticleRendering.objects.get(article=first).page_html == ""
    assert stored_cards(first) == before


def test_cards_rendered_from_rows_read_before_a_write_are_not_stored(written):
    first, _ = written
    generation = ArticleRendering.objects.get(article=first).generation
    rendering.invalidate([first.pk])  # a write while the cards were being rendered
    stale = (first.pk, generation, {"en": "<p>stale</p>"})
    assert cards.store_many([stale]) == 0
    assert stored_cards(first) is None


@pytest.mark.parametrize("live", [1, 2], ids=["one-card-live", "every-card-live"])
def test_cards_rendered_live_cost_two_queries_however_many(client, written, live, django_assert_num_queries):
    get(client, "/")  # process-wide caches (content types, sidebar versions)
    with CaptureQueriesContext(connection) as stored:
        get(client, "/")
    ArticleRendering.objects.filter(pk__in=sorted(ArticleRendering.objects.values_list("pk", flat=True))[:live]).update(
        cards={}, cards_digest="")
    with django_assert_num_queries(len(stored) + 2):  # their categories, their bylines
        get(client, "/")
