import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article, Category, Comment, Footnote, Source
from articles.sanitize import clean_html
from articles.synthetic import FOOTNOTES, HEADINGS, PARAGRAPHS, SyntheticArchive


def test_same_seed_and_index_give_the_same_article():
    assert SyntheticArchive(3).article(17) == SyntheticArchive(3).article(17)
    assert SyntheticArchive(3).article(17) != SyntheticArchive(4).article(17)


def test_generated_article_is_shaped_like_the_seed():
    article = SyntheticArchive(1).article(0)
    assert article.body.count("<p>") == PARAGRAPHS
    assert article.body.count("<h2>") == HEADINGS
    refs = re.findall(r'<sup class="footnote-ref" id="fnref-(\d+)"><a href="#fn-\1" aria-describedby="footnotes-label"',
                      article.body)
    assert refs == [str(n) for n in range(1, FOOTNOTES + 1)]
    assert [f.number for f in article.footnotes] == list(range(1, FOOTNOTES + 1))
    assert 1300 <= article.word_count <= 1800
    assert 0 <= len(article.tag_indexes) <= 6


def test_generated_body_is_already_sanitized():
    archive = SyntheticArchive(2)
    for index in range(50):
        body = archive.article(index).body
        assert clean_html(body) == body


def test_archive_has_a_three_level_category_tree():
    archive = SyntheticArchive(0)
    assert {len(c.names) for c in archive.categories} == {1, 2, 3}
    assert all(len(c.names) == 3 for c in archive.leaf_categories)


@pytest.mark.django_db
def test_command_writes_articles_with_their_relations_and_reruns_add_nothing():
    out = StringIO()
    call_command("generate_articles", "30", "--seed", "5", "--batch-size", "7", stdout=out, stderr=StringIO())
    assert "Generated 30 articles (seed 5; 0 already present)" in out.getvalue()
    assert Article.objects.count() == 30
    assert Footnote.objects.count() == 30 * FOOTNOTES
    assert Category.objects.filter(depth=2).count() == 72
    first = Article.objects.get(import_key="synthetic:5:0")
    expected = SyntheticArchive(5).article(0)
    assert first.title == expected.title
    assert first.body == expected.body
    assert first.categories.get() == first.primary_category
    assert first.primary_category.depth == 2
    assert len(first.ordered_authors()) == len(expected.author_indexes)
    assert first.tags.count() == len(expected.tag_indexes)
    assert first.comments.count() == len(expected.comments)
    assert Footnote.objects.filter(article=first, source__isnull=False).count() == FOOTNOTES
    assert Source.objects.filter(footnotes__isnull=False).exists()
    comments = Comment.objects.count()

    again = StringIO()
    call_command("generate_articles", "30", "--seed", "5", stdout=again, stderr=StringIO())
    assert "Generated 0 articles (seed 5; 30 already present)" in again.getvalue()
    assert Article.objects.count() == 30
    assert Comment.objects.count() == comments


@pytest.mark.django_db
def test_generated_article_page_renders(client):
    call_command("generate_articles", "3", "--seed", "9", stdout=StringIO(), stderr=StringIO())
    article = Article.objects.published().first()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert 'id="fn-9"' in response.content.decode()


def test_negative_count_is_refused():
    with pytest.raises(CommandError, match="N must be 0 or more"):
        call_command("generate_articles", "-1")
