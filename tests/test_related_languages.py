"""Related posts and languages: articles in the reader's language come first, and an article's own
translations are never offered as related posts (the page links them as translations)."""

import pytest

from articles.models import RelatedArticle, TranslationGroup
from articles.related.engine import recompute
from articles.related.policy import Candidate, RelatednessPolicy
from articles.related.rebuild import rebuild
from tests.factories import make_article, make_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions():
    """Five articles filed alike and sharing a rare tag (signals that do not depend on the language):
    an English article, its Dari translation, another English one, another Dari one, a Pashto one."""
    category = make_category("Afghanistan", "Water")
    group = TranslationGroup.objects.create(key="test:water")
    articles = {}
    for name, language, title, grouped in (
        ("english", "en", "Water and farming", True),
        ("dari", "fa", "آب و زراعت", True),
        ("english_other", "en", "Dams on the Helmand", False),
        ("dari_other", "fa", "بندهای هلمند", False),
        ("pashto", "ps", "د هلمند بندونه", False),
    ):
        articles[name] = make_article(
            title, language=language, category=category, tags=["Kajaki dam"],
            translation_group=group if grouped else None,
        )
    return articles


def _related(article):
    return list(
        RelatedArticle.objects.filter(article=article).order_by("rank").values_list("related__title", "score")
    )


def test_same_language_first_and_translations_never_related(versions):
    recompute(versions["english"].pk)
    related = _related(versions["english"])
    assert [title for title, _ in related] == ["Dams on the Helmand", "د هلمند بندونه", "بندهای هلمند"]
    # Another language's article keeps half its score (same filing, same rare tag otherwise).
    assert related[1][1] == pytest.approx(related[0][1] * 0.5)
    recompute(versions["dari"].pk)
    assert [title for title, _ in _related(versions["dari"])] == [
        "بندهای هلمند", "د هلمند بندونه", "Dams on the Helmand"
    ]


def test_a_rebuild_keeps_translations_apart_too(versions):
    rebuild()
    english, dari = versions["english"], versions["dari"]
    assert not RelatedArticle.objects.filter(article=english, related=dari).exists()
    assert not RelatedArticle.objects.filter(article=dari, related=english).exists()
    assert _related(versions["english_other"])[0][0] == "Water and farming"


def test_the_policy_hooks_decide_language_and_translations():
    policy = RelatednessPolicy(other_language=0.25)
    same = Candidate(article_id=1, tags=[("Kajaki dam", 1.0)])
    other = Candidate(article_id=2, tags=[("Kajaki dam", 1.0)], same_language=False)
    translation = Candidate(article_id=3, tags=[("Kajaki dam", 1.0)], translation=True)
    ranked = policy.rank([translation, other, same])
    assert [(c.article_id, c.score) for c in ranked] == [(1, 2.0), (2, 0.5)]
    assert policy.reasons(other) == "tagged Kajaki dam; in another language"
