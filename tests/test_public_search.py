"""Search: finds by title, summary, body and footnotes on both databases; odd queries get a calm page."""

import re
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection

from articles.models import Article, Footnote
from articles.pages.cache import current_versions
from articles.search import parse_query, refresh_search_vectors, snippet
from tests.factories import make_article

# Each write commits, so the search vectors its commit enqueues are written before the next line,
# as for an editor who saves and then searches.
pytestmark = pytest.mark.django_db(transaction=True)

SEED_TITLE = "The recent Taliban-Russia contacts and its impacts on Kabul-Moscow ties"


def result_titles(html):
    return re.findall(r'<h2 class="card-title"[^>]*><a href="[^"]+">([^<]+)</a></h2>', html)


def search(client, q, **params):
    response = client.get("/search/", {"q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_search_finds_the_seed_article_by_kabulov(client, seed_article):
    html = search(client, "Kabulov")
    assert result_titles(html) == [SEED_TITLE]
    assert "1 article found for “kabulov”." in html
    assert "<mark>Kabulov</mark>" in html


def test_search_matches_title_summary_body_and_footnotes(client):
    make_article("Irrigation in Helmand", body="<p>Canals.</p>")
    make_article("Second", summary="On irrigation schemes.", body="<p>Other.</p>")
    make_article("Third", body="<p>The irrigation of the valley.</p>")
    noted = make_article("Fourth", body="<p>Nothing here.</p>")
    Footnote.objects.create(article=noted, number=1, text="See the irrigation survey.")
    make_article("Unrelated", body="<p>Elections.</p>")
    make_article("Draft irrigation", status="draft")
    assert sorted(result_titles(search(client, "irrigation"))) == ["Fourth", "Irrigation in Helmand", "Second", "Third"]


def test_every_word_must_match(client):
    make_article("Water and power")
    make_article("Water alone")
    assert result_titles(search(client, "water power")) == ["Water and power"]


def test_footnote_edits_reach_the_index(client):
    article = make_article("Plain")
    note = Footnote.objects.create(article=article, number=1, text="Mentions zanzibar.")
    assert result_titles(search(client, "zanzibar")) == ["Plain"]
    note.delete()
    assert result_titles(search(client, "zanzibar")) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking and the stored vector are PostgreSQL's")
def test_postgres_ranks_a_title_match_above_a_body_match_and_stores_the_vector(client):
    make_article("Passing mention", body="<p>Kandahar appears once.</p>", published=None)
    make_article("Kandahar", body="<p>A study.</p>")
    assert result_titles(search(client, "kandahar")) == ["Kandahar", "Passing mention"]
    vector = Article.objects.values_list("search_vector", flat=True).get(title="Kandahar")
    assert "'kandahar':1A" in vector


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's")
def test_postgres_search_stems_words(client, seed_article):
    assert result_titles(search(client, "negotiation")) == [SEED_TITLE]  # the text says "negotiations"


def test_imported_footnotes_are_searchable(client, seed_article):
    # "Muzhdah" appears only in the seed's footnotes.
    assert "Muzhdah" not in seed_article.body
    assert result_titles(search(client, "Muzhdah")) == [SEED_TITLE]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type one or more words above."),
        ("   ", "Type one or more words above."),
        ("!!! ??? ... &&& ||| ((( ))) <> :* '\"", "has no words to look for"),
        ("-", "has no words to look for"),
    ],
)
def test_empty_and_punctuation_only_queries_get_a_calm_page(client, seed_article, query, message):
    html = search(client, query)
    assert message in html
    assert result_titles(html) == []


def test_ten_kilobytes_of_query_is_cut_and_answered_calmly(client, seed_article):
    html = search(client, "Kabulov " + "x" * 10_240)
    assert "only its beginning was used" in html
    assert 'value="Kabulov xxx' in html and "x" * 300 not in html
    assert result_titles(html) == []  # every word must match, and the long one does not


def test_query_of_many_words_and_odd_syntax_never_errors(client, seed_article):
    for q in ["a & b | !c", "'''", "Kabulov:*", "\\", "%_%", "Kabulov) OR (1=1", "ü ß 中文", "\x00"]:
        search(client, q)


def test_search_results_paginate_and_keep_the_query(client):
    for i in range(23):
        make_article(f"Water {i}")
    page2 = search(client, "water", page=2)
    assert len(result_titles(page2)) == 3
    assert 'href="?q=water&amp;page=1"' in page2
    assert client.get("/search/", {"q": "water", "page": 9}).status_code == 404


def test_snippet_is_escaped_except_for_the_highlight(client):
    make_article("Tricky", body="<p>The keyword: 5 &lt; 6 &amp; 7 &gt; 2, <em>keyword</em> again.</p>")
    html = search(client, "keyword")
    shown = re.search(r'<p class="snippet"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "<mark>keyword</mark>" in shown
    assert "5 &lt; 6 &amp; 7 &gt; 2" in shown
    assert "<em>" not in shown


def test_parse_query_keeps_words_only_and_caps_them():
    terms = parse_query("  Kabulov,  Kabulov!  Taliban  ")
    assert terms.words == ("kabulov", "taliban") and not terms.truncated
    many = parse_query(" ".join(f"w{i}" for i in range(20)))
    assert len(many.words) == 8 and many.truncated


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored vector is PostgreSQL's")
def test_import_writes_the_vector_with_footnotes_and_reading_never_does(client, seed_article):
    vector = Article.objects.values_list("search_vector", flat=True).get(pk=seed_article.pk)
    assert "'kabulov'" in vector and "'muzhdah'" in vector  # body and footnote words
    Article.objects.update(search_vector=None)
    assert result_titles(search(client, "Kabulov")) == []  # a read does not recompute it


def test_reindex_command_restores_the_index(client, seed_article, capsys):
    Article.objects.update(search_vector=None)
    call_command("reindex_search")
    assert result_titles(search(client, "Kabulov")) == [SEED_TITLE]
    err = capsys.readouterr().err
    assert ("Reindexed 1 article(s) for search." in err) if connection.vendor == "postgresql" else ("SQLite" in err)


def test_fallback_snippet_starts_and_ends_on_whole_words():
    words = " ".join(f"word{n}" for n in range(200))
    article = SimpleNamespace(body=f"<p>{words} Kabulov {words}</p>")
    text = str(snippet(article, parse_query("Kabulov")))
    assert text.startswith("… word")
    assert text.endswith(" …")
    inner = text.removeprefix("… ").removesuffix(" …")
    assert all(re.fullmatch(r"word\d+|<mark>Kabulov</mark>", token) for token in inner.split())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored vector is PostgreSQL's")
def test_generated_articles_are_indexed_for_search_with_their_notes(client):
    call_command("generate_articles", "4", "--seed", "7", stdout=StringIO(), stderr=StringIO())
    assert not Article.objects.filter(search_vector__isnull=True).exists()
    article = Article.objects.published().order_by("pk").first()
    Footnote.objects.filter(pk=article.footnotes.order_by("number").first().pk).update(text="Zzyzxquartz 1999.")

    refresh_search_vectors([article.pk])  # as the generator's hook does, notes included
    assert list(Article.objects.filter(search_vector="zzyzxquartz").values_list("pk", flat=True)) == [article.pk]
    title_word = re.findall(r"[A-Za-z]{5,}", article.title)[0]
    assert article.title in client.get("/search/", {"q": title_word}).content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored vector is PostgreSQL's")
def test_a_kept_search_page_is_stale_once_vectors_are_written(django_capture_on_commit_callbacks):
    """Search answers change when vectors are written, not when the article is saved: the listings'
    kept pages (search among them) are made stale then, whoever wrote the vectors (a task, a reindex)."""
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(title="Quarterly irrigation figures", body="<p>Canals.</p>")
    before = current_versions(["listings"])
    with django_capture_on_commit_callbacks(execute=True):
        refresh_search_vectors([article.pk])
    assert current_versions(["listings"]) != before
    before = current_versions(["listings"])
    with django_capture_on_commit_callbacks(execute=True):
        refresh_search_vectors([])  # nothing written, nothing stale
    assert current_versions(["listings"]) == before
