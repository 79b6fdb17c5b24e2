"""The render task's cost per batch: what a page shows is loaded once per batch, not per article."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, ArticleRendering, Footnote, RelatedArticle, TranslationGroup
from articles.pages import rendering
from articles.pages.tasks import render_article_pages
from tests.factories import make_article, make_author, make_category, make_comment, make_source

pytestmark = pytest.mark.django_db
BODY = '<p>Text<sup id="fnref-1"><a href="#fn-1">1</a></sup></p>'
# The rendering rows, the articles, then authors, tags, notes, their links, comments, related posts,
# translations; then the store: an UPDATE in a savepoint (a transaction outside tests) per 50 pages.


def full_articles(count, prefix):
    """Articles showing every part of a page: category, author, tag, cited notes, a comment thread,
    related posts and a translation."""
    category = make_category(f"{prefix} region", "Politics")
    made = []
    for n in range(count):
        article = make_article(f"{prefix} article {n}", category=category, authors=[make_author(f"{prefix} A{n}")],
                               tags=[f"{prefix}-tag-{n}"], body=BODY)
        source = make_source(f"{prefix}-source-{n}", title=f"Work {n}", authors=["Thomas Ruttig"], year=2014)
        Footnote.objects.create(article=article, number=1, text="Cited.", source=source)
        reply_to = make_comment(article)
        make_comment(article, parent=reply_to)
        made.append(article)
    for article, other in zip(made, made[1:] + made[:1], strict=True):
        RelatedArticle.objects.create(article=article, related=other, rank=1, score=1.0)
    group = TranslationGroup.objects.create(key=f"{prefix}-group")
    Article.objects.filter(pk__in=[made[0].pk, made[1].pk]).update(translation_group=group)
    Article.objects.filter(pk=made[1].pk).update(language="fa")
    return [article.pk for article in made]


def queries_to_render(ids):
    rendering.invalidate(ids)
    with CaptureQueriesContext(connection) as captured:
        assert render_article_pages.call(ids) == len(ids)
    return len(captured.captured_queries)


def test_rendering_a_batch_costs_the_same_queries_at_5_and_20_articles():
    five = queries_to_render(full_articles(5, "small"))
    twenty = queries_to_render(full_articles(20, "large"))
    assert five == twenty
    assert twenty == 12


def test_a_batch_stores_what_a_page_rendered_alone_stores():
    ids = full_articles(5, "same")
    render_article_pages.call(ids)
    batch = {row.article_id: (row.page_html, row.comments_html, row.section_html, row.comments_open)
             for row in ArticleRendering.objects.filter(article_id__in=ids)}
    for pk in ids:
        alone = rendering.render(Article.objects.for_page().get(pk=pk))
        assert batch[pk] == (alone.page, alone.comments, alone.section, alone.comments_open)
    assert "Reader" in batch[ids[0]][1]
    assert 'hreflang="fa"' in batch[ids[0]][0]


def test_a_batch_stores_nothing_over_a_rendering_invalidated_since_it_was_read():
    ids = full_articles(2, "race")
    ArticleRendering.objects.filter(article_id=ids[1]).delete()  # as after a bulk load: no row yet
    rendered = [(pk, generation, rendering.render(Article.objects.for_page().get(pk=pk)))
                for pk, generation in ((ids[0], ArticleRendering.objects.get(article_id=ids[0]).generation),
                                       (ids[1], None))]
    rendering.invalidate(ids)  # a writer, between the batch's read and its store
    assert rendering.store_many(rendered) == 0
    assert set(ArticleRendering.objects.filter(article_id__in=ids).values_list("page_html", flat=True)) == {""}
