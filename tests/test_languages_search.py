"""Search in Dari and Pashto: letter variants, digits, diacritics and the non-joiner are folded the same
way on the text and on the query, on SQLite and PostgreSQL; each article's vector uses its language's
configuration (``english`` for English, ``simple`` for Dari and Pashto)."""

import re

import pytest
from django.db import connection

from articles import languages
from articles.importers.pipeline import import_path
from articles.models import Article
from articles.search import parse_query
from tests.factories import FIXTURES, make_article

# Each write commits, so the vectors its commit enqueues are written before the search.
pytestmark = pytest.mark.django_db(transaction=True)

DARI_TITLE = "روابط طالبان و روسیه و تأثیر آن بر مناسبات کابل و مسکو"
PASHTO_TITLE = "د افغانستان د اوبو مدیریت او د کرنې راتلونکی"


def titles(client, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return re.findall(r'<h2 class="card-title"[^>]*><a href="[^"]+">([^<]+)</a></h2>', response.content.decode())


@pytest.fixture
def archive(db, seed_article):
    for name in ("dari_article.txt", "pashto_article.txt"):
        result = import_path(FIXTURES / "seedtext" / name)
        assert not result.error, result.error


def test_folding_letters_digits_marks_and_the_non_joiner():
    assert languages.fold_for_search("كتاب يك") == "کتاب یک"
    assert languages.fold_for_search("۱۳۹۴ و ١٣٩٤") == "1394 و 1394"
    assert languages.fold_for_search("كِتَابٌ") == "کتاب"  # harakat
    assert languages.fold_for_search("کـــابل") == "کابل"  # tatweel
    assert languages.fold_for_search("می‌شود") == languages.fold_for_search("میشود") == "میشود"
    assert languages.fold_for_search("می شود") == "میشود"
    assert languages.fold_for_search("خانۀ ما") == "خانه ما"
    assert parse_query("كابل  می شود").words == ("کابل", "میشود")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("مسكو", [DARI_TITLE]),  # Arabic kaf finds the Persian one in the title
        ("این تماس", [DARI_TITLE]),  # the text has Arabic yeh ("اين"); the query the Persian one
        ("كه", [DARI_TITLE]),  # and the other way round
        ("میباشد", [DARI_TITLE]),  # written "می‌باشد" with the non-joiner
        ("می باشد", [DARI_TITLE]),
        ("1995", [DARI_TITLE]),  # written ۱۹۹۵
        ("۱۳۹۴", [PASHTO_TITLE]),
        ("زېرمو", [PASHTO_TITLE]),
        ("Kabulov", ["The recent Taliban-Russia contacts and its impacts on Kabul-Moscow ties"]),
    ],
)
def test_search_finds_across_letter_variants_and_languages(client, archive, query, expected):
    assert titles(client, query) == expected


def test_english_words_are_still_stemmed_beside_dari_articles(client, archive):
    make_article("Irrigation canals", body="<p>The canals were irrigating the valley.</p>")
    expected = ["Irrigation canals"]
    if connection.vendor == "postgresql":
        assert titles(client, "irrigate") == expected  # the english stemmer
    assert titles(client, "canal") == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored vectors are PostgreSQL's")
def test_dari_vectors_use_the_simple_configuration_and_english_the_english_one(archive):
    dari = Article.objects.get(language="fa")
    head = Article.objects.values_list("search_head", flat=True).get(pk=dari.pk)
    assert "'و':" in head and "'روابط':1A" in head  # "simple" keeps every word: no stop words, no stemming
    english = Article.objects.get(language="en")
    english_head = Article.objects.values_list("search_head", flat=True).get(pk=english.pk)
    assert "'contact':" in english_head and "'contacts'" not in english_head  # stemmed
    assert "'the'" not in english_head  # a stop word
