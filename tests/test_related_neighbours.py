"""Merging new articles into their neighbours' lists reads only the lists a merge can change (issue 25):
the others are full of links scoring higher, and are left as they are, exactly as reading them would."""

import pytest
from django.db import transaction

from articles.models import ArticleTerm, RelatedArticle
from articles.related import engine
from articles.related.engine import recompute_many
from articles.related.lists import lists_taking
from articles.related.policy import RelatednessPolicy
from tests.factories import make_article, make_category
from tests.test_related_posts import _body

pytestmark = pytest.mark.django_db


class SameRanking(RelatednessPolicy):
    """The default ranking, through the hook a policy of its own overrides: every neighbour's list is read."""

    def rank(self, candidates):
        return super().rank(candidates)


def _list(owner, scores, pinned=()):
    """``owner``'s stored list: pins first, then a computed link per score (related to new articles)."""
    rows = [(True, 0.0) for _ in pinned] + [(False, score) for score in scores]
    RelatedArticle.objects.bulk_create(
        RelatedArticle(article=owner, related=make_article(), score=score, rank=rank, pinned=is_pinned)
        for rank, (is_pinned, score) in enumerate(rows, start=1)
    )


def test_only_lists_a_merge_can_change_are_taken():
    policy = RelatednessPolicy()
    full = [2.0 - n / 10 for n in range(policy.stored)]  # 2.0 ... 1.1
    owners = {name: make_article(name) for name in ("full", "full_pins", "tied", "short", "empty", "long")}
    _list(owners["full"], full)
    _list(owners["full_pins"], full, pinned=[1])
    _list(owners["tied"], [*full[:-1], full[-2]])  # its two lowest tie: their dates order them
    _list(owners["short"], full[:-1])
    _list(owners["long"], [*full, 1.0])  # longer than stored (the setting was lowered): a merge trims it
    ids = {name: article.pk for name, article in owners.items()}
    low, lowest = 1.0, full[-1]
    offers = {pk: low for pk in ids.values()}
    assert lists_taking(offers, policy.stored) == {ids["tied"], ids["short"], ids["empty"], ids["long"]}
    # An offer at the lowest score may enter (the newer article first): read.
    assert lists_taking({**offers, ids["full"]: lowest}, policy.stored) == {
        ids["full"], ids["tied"], ids["short"], ids["empty"], ids["long"]}


@pytest.fixture
def clusters(django_capture_on_commit_callbacks):
    """Two subjects of twelve articles each, in one category: every list full, of different scores."""
    economy = make_category("Afghanistan", "Economy")
    with django_capture_on_commit_callbacks(execute=True):
        articles = {f"{subject}{n}": make_article(f"{subject.title()} paper {n}", category=economy,
                                                  body=_body(subject, n, unique_words=[f"word{n}"]))
                    for subject in ("water", "russia") for n in range(12)}
    return articles, economy


def _newcomers(economy):
    """Articles as a bulk import leaves them (terms not counted): two on the water subject, which
    enter its lists, and three in the same category on nothing else, which enter few or none."""
    ids = [make_article(f"Water paper {n}", category=economy, body=_body("water", n) + _body("water", n + 1)).pk
           for n in (12, 13)]
    ids += [make_article(f"Faint {n}", category=economy, body=f"<p>The report on {word} matters.</p>").pk
            for n, word in enumerate(("railways", "midwives", "harvest"))]
    ArticleTerm.objects.filter(article_id__in=ids).delete()
    return ids


def _all_lists():
    return list(RelatedArticle.objects.order_by("article_id", "rank").values_list(
        "article_id", "related_id", "score", "rank", "pinned", "reasons"))


def test_merging_new_articles_leaves_every_list_as_reading_every_neighbour_does(clusters, monkeypatch):
    corpus, economy = clusters
    ids = _newcomers(economy)
    left = []  # the neighbours' lists not read

    def taking(offers, stored):
        taken = lists_taking(offers, stored)
        left.extend(set(offers) - taken)
        return taken

    monkeypatch.setattr(engine, "lists_taking", taking)
    results = []
    for policy in (RelatednessPolicy(), SameRanking()):
        with transaction.atomic():
            recompute_many([(a, True) for a in ids], policy=policy)
            results.append(_all_lists())
            transaction.set_rollback(True)
    assert results[0] == results[1]
    assert len(left) >= 5  # the default policy left lists unread
    water = [corpus[f"water{i}"].pk for i in range(4)]
    held = {(a, b) for a, b, *_ in results[0]}
    assert all((w, ids[0]) in held for w in water)


def test_an_edit_and_an_unpublish_leave_every_list_as_reading_every_neighbour_does(clusters):
    corpus, _ = clusters
    moved, gone = corpus["water0"], corpus["russia1"]
    moved.body = _body("russia", 5)  # now on the other subject: it leaves the water lists, enters russia's
    moved.save()  # its old words counted out here, its new ones by the recompute
    gone.status = gone.Status.DRAFT
    gone.save()  # out of every list at once
    results = []
    for policy in (RelatednessPolicy(), SameRanking()):
        with transaction.atomic():
            recompute_many([(moved.pk, True), (gone.pk, True)], policy=policy)
            results.append(_all_lists())
            transaction.set_rollback(True)
    assert results[0] == results[1]
    held = {(a, b) for a, b, *_ in results[0]}
    assert not any(gone.pk in pair for pair in held)
    assert (corpus["russia0"].pk, moved.pk) in held
