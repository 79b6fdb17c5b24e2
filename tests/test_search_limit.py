"""A search counts, ranks and lists at most ARCHIVE_SEARCH_LIMIT matches; a broader query says "more than".

Up to the limit every match is ranked on its whole text (PostgreSQL). Past it, title and summary
matches come first (the newest ``limit`` of them), ranked on the small stored ``search_head``, then
the other matches newest first, so a word found in most of the archive never ranks every match.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from articles.models import Article, Footnote
from articles.search import parse_query, refresh_search_vectors, search_articles
from articles.search.query import HEADLINE_CHARS, _body_start
from tests.factories import make_article

# Each write commits, so the search vectors its commit enqueues are written before the next line,
# as for an editor who saves and then searches.
pytestmark = pytest.mark.django_db(transaction=True)

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored vectors are PostgreSQL's")


def result_titles(html):
    return re.findall(r'<h2 class="card-title"[^>]*><a href="[^"]+">([^<]+)</a></h2>', html)


def count_line(html):
    return re.search(r'<p class="count" role="status">(.*?)</p>', html, re.S).group(1)


def search(client, q, **params):
    response = client.get("/search/", {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def results(q):
    return search_articles(Article.objects.published().for_listing(), parse_query(q))


def mixed_matches():
    """Five articles with "water": in a title, in a summary, in two bodies and in a note (oldest to newest)."""
    make_article("Water rights", body="<p>Nothing else.</p>")
    make_article("Canals", summary="On water schemes.", body="<p>Nothing else.</p>")
    make_article("First body", body="<p>The water of the valley.</p>")
    make_article("Second body", body="<p>More water.</p>")
    noted = make_article("Only a note", body="<p>Nothing else.</p>")
    Footnote.objects.create(article=noted, number=1, text="See the water survey.")
    make_article("Unrelated", body="<p>Elections.</p>")


@override_settings(ARCHIVE_SEARCH_LIMIT=3)
def test_more_matches_than_the_limit_are_announced_and_only_the_limit_listed(client):
    for i in range(5):
        make_article(f"Water {i}")
    html = search(client, "water")
    assert count_line(html) == (
        "More than 3 articles found for “water”; the first 3 are listed. Add a word to narrow the search."
    )
    assert result_titles(html) == ["Water 4", "Water 3", "Water 2"]  # equal titles: the newest first
    assert client.get("/search/", {"q": "water", "page": 2}).status_code == 404


@override_settings(ARCHIVE_SEARCH_LIMIT=3)
def test_as_many_matches_as_the_limit_are_counted_exactly(client):
    for i in range(3):
        make_article(f"Water {i}")
    html = search(client, "water")
    assert count_line(html) == "3 articles found for “water”."
    assert result_titles(html) == ["Water 2", "Water 1", "Water 0"]


@postgres_only
@override_settings(ARCHIVE_SEARCH_LIMIT=4)
def test_a_broad_query_lists_title_then_summary_matches_then_the_rest_newest_first(client):
    mixed_matches()
    assert result_titles(search(client, "water")) == ["Water rights", "Canals", "Only a note", "Second body"]


@postgres_only
def test_within_the_limit_every_match_is_ranked_on_its_whole_text(client):
    mixed_matches()
    # Weights: title A, summary B, body C, notes D; the newer first when equal.
    expected = ["Water rights", "Canals", "Second body", "First body", "Only a note"]
    assert result_titles(search(client, "water")) == expected


@postgres_only
@override_settings(ARCHIVE_SEARCH_LIMIT=4)
def test_broad_pages_join_up_across_title_matches_and_the_rest():
    mixed_matches()
    found = results("water")
    assert found.more and found.count() == 4
    pages = [found[0:1], found[1:3], found[3:4]]
    assert [[a.title for a in page] for page in pages] == [["Water rights"], ["Canals", "Only a note"], ["Second body"]]
    assert found[4:6] == []


@postgres_only
@override_settings(ARCHIVE_SEARCH_LIMIT=1)
def test_a_broad_query_needs_every_word_in_the_title_or_summary_to_come_first(client):
    make_article("Water rights", body="<p>Nothing else.</p>")  # the oldest
    make_article("Water", body="<p>Rights.</p>")
    make_article("Rights", body="<p>Water.</p>")
    found = results("water rights")
    assert found.more
    assert [a.title for a in found[0:3]] == ["Water rights"]  # listed up to the limit: 1


@postgres_only
@override_settings(ARCHIVE_SEARCH_LIMIT=2)
def test_a_broad_query_ranks_its_newest_title_and_summary_matches_only():
    """A word in most titles: ranking all its title matches would grow with the archive (a million
    articles, hundreds of thousands ranked for each page); the newest ``limit`` of them are ranked."""
    make_article("Water, water, water", summary="Water.")  # the best title match, and the oldest
    make_article("Water rights")
    make_article("Canals", summary="On water schemes.")
    make_article("Body only", body="<p>Water.</p>")
    found = results("water")
    assert found.more
    assert [a.title for a in found[0:2]] == ["Water rights", "Canals"]


@override_settings(ARCHIVE_SEARCH_LIMIT=2, ARCHIVE_PAGE_CACHE=False)
def test_a_broad_search_page_costs_a_fixed_number_of_queries(client, django_assert_num_queries):
    for i in range(6):
        make_article(f"Water {i}")
    # PostgreSQL: count (up to the limit + 1, with the planner setting it runs under set before and
    # put back after), the page's ids, its rows with snippets and stored cards.
    # SQLite: count, the rows with their cards.
    with django_assert_num_queries(5 if connection.vendor == "postgresql" else 2):
        html = search(client, "water")
    assert result_titles(html) == ["Water 5", "Water 4"]


@postgres_only
@override_settings(ARCHIVE_PAGE_CACHE=False)
def test_a_search_leaves_the_connections_planner_setting_as_it_found_it(client):
    # The count runs with sequential scans off (a word in most articles is counted from the index):
    # the queries after it on the same connection plan as before.
    make_article("Water")
    with connection.cursor() as cursor:
        for before in ("on", "off"):
            cursor.execute("SELECT set_config('enable_seqscan', %s, false)", [before])
            assert result_titles(search(client, "water")) == ["Water"]
            cursor.execute("SHOW enable_seqscan")
            assert cursor.fetchone()[0] == before
        cursor.execute("RESET enable_seqscan")


def test_a_snippet_marks_a_word_of_the_query_even_when_another_is_only_in_the_title(client):
    make_article("Kandahar", body="<p>The irrigation of the valley.</p>")
    html = search(client, "kandahar irrigation")
    assert result_titles(html) == ["Kandahar"]
    snippet = re.search(r'<p class="snippet"[^>]*>(.*?)</p>', html, re.S).group(1)
    # PostgreSQL's ts_headline leaves out the stop word before the match and the full stop.
    if connection.vendor == "postgresql":
        assert snippet == "<mark>irrigation</mark> of the valley"
    else:
        assert snippet == "The <mark>irrigation</mark> of the valley."


@postgres_only
@override_settings(ARCHIVE_PAGE_CACHE=False)  # the same address is asked for twice
def test_a_broad_querys_snippets_come_from_the_start_of_the_body(client):
    make_article("Older body", body="<p>Water first.</p>")
    make_article("Deep", body="<p>" + "filler " * 700 + "water canals rivers.</p>")  # past HEADLINE_CHARS
    make_article("Water title")

    def deep_snippet():
        html = search(client, "water")
        titles = result_titles(html)
        return re.findall(r'<p class="snippet"[^>]*>(.*?)</p>', html, re.S)[titles.index("Deep")]

    with override_settings(ARCHIVE_SEARCH_LIMIT=2):  # broad: the snippet is cut from the first characters
        assert deep_snippet() == " ".join(["filler"] * 12)  # no word to mark: the first MinWords
    with override_settings(ARCHIVE_SEARCH_LIMIT=3):  # ranked: the whole body is read
        assert deep_snippet().endswith("filler <mark>water</mark> canals rivers")


@postgres_only
def test_the_body_start_is_cut_before_a_tag_or_word_it_would_split():
    article = make_article("Cut")
    words = "<p>" + "word " * ((HEADLINE_CHARS - 3) // 5)  # ends 2 characters short of the cut
    cases = {
        words + "wordy and more</p>": words,
        words[:-2] + ' <a href="https://example.org/">x</a>': words[:-2] + " ",
    }
    for body, expected in cases.items():
        Article.objects.filter(pk=article.pk).update(body=body)  # as stored, not re-sanitized
        cut = Article.objects.annotate(start=_body_start()).values_list("start", flat=True).get(pk=article.pk)
        assert cut == expected


@postgres_only
def test_the_head_vector_holds_the_title_and_summary_words_only():
    article = make_article("Kandahar", summary="Canals of Helmand.", body="<p>Irrigation.</p>")
    head = "'canal':2B 'helmand':4B 'kandahar':1A"
    assert Article.objects.values_list("search_head", flat=True).get(pk=article.pk) == head
    Article.objects.update(search_head=None)
    refresh_search_vectors([article.pk])  # the bulk writer (generate_articles, reindex_search)
    assert Article.objects.values_list("search_head", flat=True).get(pk=article.pk) == head


@postgres_only
def test_generated_articles_get_a_head_vector():
    call_command("generate_articles", "4", "--seed", "7", stdout=StringIO(), stderr=StringIO())
    assert Article.objects.count() == 4
    assert not Article.objects.filter(search_head__isnull=True).exists()
