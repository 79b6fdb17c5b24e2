"""Text candidates from the heads of the term index (each term's heaviest postings), their scores
from the candidates' stored vectors, and the related-posts task's queries per batch."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, ArticleTerm
from articles.related.tasks import update_related_posts
from articles.related.textindex import HEADS_SQL, TextIndex, Vectors
from tests.factories import make_article, make_author, make_category
from tests.test_related_posts import SUBJECTS, _body, corpus  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

A = {"opium": 0.8, "poppy": 0.6}


@pytest.fixture
def postings():
    """Five articles with hand-made term vectors; ``a`` is the one searched from."""
    vectors = {
        "a": A,
        "b": {"opium": 0.9},
        "c": {"opium": 0.1, "poppy": 0.7},
        "d": {"poppy": 0.2},
        "e": {"opium": 0.1},
    }
    ids = {}
    for name, vector in vectors.items():
        ids[name] = make_article(f"Article {name}").pk
        ArticleTerm.objects.filter(article_id=ids[name]).delete()
        ArticleTerm.objects.bulk_create(ArticleTerm(article_id=ids[name], term=t, weight=w) for t, w in vector.items())
    return ids


def test_text_candidates_come_from_each_terms_heaviest_postings(postings):
    p = postings
    # Two per term: opium's are b and a, poppy's c and a; c's opium is not read.
    assert TextIndex({"opium", "poppy"}, 2).best(A, p["a"], 30) == [p["b"], p["c"]]
    # Three: opium's third is e, not c (equal weights: the higher id); poppy's is d.
    index = TextIndex({"opium", "poppy"}, 3)
    assert [index.heads[t][0].tolist() for t in ("opium", "poppy")] == [
        sorted([p["b"], p["a"], p["e"]]), sorted([p["c"], p["a"], p["d"]])]
    assert index.best(A, p["a"], 30) == [p["b"], p["c"], p["d"], p["e"]]
    # As many as every posting: the exact dot products, best first.
    assert TextIndex({"opium", "poppy"}, 10).best(A, p["a"], 30) == [p["b"], p["c"], p["d"], p["e"]]
    assert TextIndex({"opium", "poppy"}, 10).best(A, p["a"], 2) == [p["b"], p["c"]]


def test_candidates_are_scored_on_their_whole_stored_vectors(postings):
    p = postings
    vectors = Vectors()
    vectors.read([p["b"], p["c"], p["d"], p["e"], 0])
    assert vectors.text(A, [p["c"], p["b"], p["d"], 0]) == {
        p["c"]: 0.0 + 0.8 * 0.1 + 0.6 * 0.7,  # summed in the vector's order
        p["b"]: 0.8 * 0.9,
        p["d"]: 0.6 * 0.2,
        0: 0.0,  # no terms stored
    }
    assert vectors.shared(A, [p["c"], p["b"], p["d"]]) == [
        ("opium", p["b"], 0.9), ("opium", p["c"], 0.1), ("poppy", p["c"], 0.7), ("poppy", p["d"], 0.2)]


def test_heads_as_long_as_every_posting_give_the_exact_top_dot_products(corpus):  # noqa: F811
    stored = {}
    rows = ArticleTerm.objects.order_by("article_id", "term").values_list("article_id", "term", "weight")
    for a, term, weight in rows:
        stored.setdefault(a, {})[term] = weight
    vectors = Vectors()
    vectors.read(stored)
    index = TextIndex({t for vector in stored.values() for t in vector}, len(stored))
    for a, vector in stored.items():
        text = vectors.text(vector, sorted(set(stored) - {a}))
        exact = sorted((b for b, s in text.items() if s > 0), key=lambda b: (-text[b], -b))[:5]
        assert index.best(vector, a, 5) == exact


def _nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_a_terms_heads_are_read_by_an_index_walk_that_stops_without_sorting_its_postings(postings):
    with connection.cursor() as cursor:
        # A five-row table would rather be scanned and sorted: what matters is that the index can
        # give a term's postings heaviest first (else a Sort remains, whatever its cost).
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {HEADS_SQL}", [["opium", "poppy"], 2])
        nodes = list(_nodes(cursor.fetchone()[0][0]["Plan"]))
    walks = [n for n in nodes if n.get("Relation Name") == ArticleTerm._meta.db_table]
    assert [(n["Node Type"] in ("Index Scan", "Index Only Scan"), n["Index Name"]) for n in walks] == [
        (True, "article_term_heads_idx")]
    assert "Limit" in {n["Node Type"] for n in nodes}
    assert "Sort" not in {n["Node Type"] for n in nodes}


def _uncounted_articles(count, prefix):
    """Published articles as a bulk import leaves them: written, their terms not counted yet."""
    category = make_category(f"{prefix} region", "Politics")
    author = make_author(f"{prefix} author")
    subjects = list(SUBJECTS)
    return [
        make_article(f"{prefix} {n}", category=category, authors=[author], tags=[f"{prefix}-{n % 3}"],
                     body=_body(subjects[n % 3], n)).pk
        for n in range(count)
    ]


def test_the_related_task_costs_the_same_queries_for_5_and_for_20_articles(corpus):  # noqa: F811
    counts = []
    for size, prefix in ((5, "small"), (20, "large")):
        ids = _uncounted_articles(size, prefix)
        assert not ArticleTerm.objects.filter(article_id__in=ids).exists()
        with CaptureQueriesContext(connection) as captured:
            assert update_related_posts.call(ids) == size
        counts.append(len(captured.captured_queries))
        assert Article.objects.filter(pk__in=ids, related_links__isnull=True).count() == 0
    assert counts[0] == counts[1]
