"""Writing the stored search vectors: called after an article or one of its footnotes changes.

Two per article, written together: ``search_vector`` (title A, summary B, body C, footnotes D),
which decides what matches and ranks up to ``ARCHIVE_SEARCH_LIMIT`` matches, and ``search_head``
(title A, summary B only), which ranks the matches of a query found in more articles than that.
The head's words are a subset of the full vector's, so a head match is always a match.
"""

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import OuterRef, Subquery, TextField, Value
from django.db.models.functions import Coalesce

from articles.models import Article, Footnote


def uses_postgres_search():
    return connection.vendor == "postgresql"


def head_vector(config):
    """The title and summary words, weighted as in the full vector."""
    return SearchVector("title", weight="A", config=config) + SearchVector("summary", weight="B", config=config)


def _full_vector(config, notes):
    # The body is HTML: the text-search parser reads tags as their own tokens and the
    # configuration indexes none of them, so only the words count.
    body = SearchVector("body", weight="C", config=config)
    return head_vector(config) + body + SearchVector(notes, weight="D", config=config)


def refresh_search_vector(article_id):
    """Recompute one article's vectors in a single UPDATE (no signals fire). A no-op on SQLite."""
    if not uses_postgres_search() or article_id is None:
        return
    config = settings.ARCHIVE_SEARCH_CONFIG
    notes = " ".join(Footnote.objects.filter(article_id=article_id).order_by("number").values_list("text", flat=True))
    Article.objects.filter(pk=article_id).update(
        search_vector=_full_vector(config, Value(notes, output_field=TextField())),
        search_head=head_vector(config),
    )


def refresh_search_vectors(article_ids):
    """Many articles' vectors in one UPDATE, each the one ``refresh_search_vector`` writes (bulk
    writes such as ``generate_articles`` send no signal; ``update_search_vectors`` is the task)."""
    if not uses_postgres_search() or not article_ids:
        return
    config = settings.ARCHIVE_SEARCH_CONFIG
    notes = Subquery(
        Footnote.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(text=StringAgg("text", delimiter=" ", order_by="number"))  # as refresh_search_vector
        .values("text")[:1],
        output_field=TextField(),
    )
    Article.objects.filter(pk__in=list(article_ids)).update(
        search_vector=_full_vector(config, Coalesce(notes, Value("", output_field=TextField()))),
        search_head=head_vector(config),
    )
