"""Writing the stored search vectors: called after an article or one of its footnotes changes.

Each article's words are folded (``folding``) and read with its language's text-search
configuration: ``english`` (the setting ``ARCHIVE_SEARCH_CONFIG``) for English, ``simple`` (no
stemmer, no stop words) for Dari and Pashto (``articles.languages``).

Two per article, written together: ``search_vector`` (title A, summary B, body C, footnotes D),
which decides what matches and ranks up to ``ARCHIVE_SEARCH_LIMIT`` matches, and ``search_head``
(title A, summary B only), which ranks the matches of a query found in more articles than that.
The head's words are a subset of the full vector's, so a head match is always a match.
"""

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Case, F, OuterRef, Subquery, TextField, Value, When
from django.db.models.functions import Coalesce
from django.dispatch import Signal

from articles import languages
from articles.models import Article, Footnote

from .folding import folded_sql

# Sent with ``article_ids`` once their vectors are written: from then on search answers with the new
# words, so pages kept with the old answers are stale (``pages.receivers`` listens).
vectors_written = Signal()


def uses_postgres_search():
    return connection.vendor == "postgresql"


def config_for(language: str) -> str:
    """The text-search configuration of a language's articles (and of a query in it)."""
    if language == languages.DEFAULT_LANGUAGE:
        return settings.ARCHIVE_SEARCH_CONFIG
    return languages.get(language).search_config


def language_config():
    """Each row's configuration, from its ``language``."""
    whens = [When(language=lang.code, then=Value(config_for(lang.code))) for lang in languages.enabled()]
    return Case(*whens, default=Value(settings.ARCHIVE_SEARCH_CONFIG), output_field=TextField())


def _vector(text, weight):
    return SearchVector(folded_sql(text), weight=weight, config=language_config())


def head_vector():
    """The title and summary words, weighted as in the full vector."""
    return _vector(F("title"), "A") + _vector(F("summary"), "B")


def _full_vector(notes):
    # The body is HTML: the text-search parser reads tags as their own tokens and the
    # configuration indexes none of them, so only the words count.
    return head_vector() + _vector(F("body"), "C") + _vector(notes, "D")


def refresh_search_vector(article_id):
    """Recompute one article's vectors in a single UPDATE (no signals fire). A no-op on SQLite."""
    if not uses_postgres_search() or article_id is None:
        return
    notes = " ".join(Footnote.objects.filter(article_id=article_id).order_by("number").values_list("text", flat=True))
    Article.objects.filter(pk=article_id).update(
        search_vector=_full_vector(Value(notes, output_field=TextField())),
        search_head=head_vector(),
    )
    vectors_written.send(sender=Article, article_ids=[article_id])


def refresh_search_vectors(article_ids):
    """Many articles' vectors in one UPDATE, each the one ``refresh_search_vector`` writes (bulk
    writes such as ``generate_articles`` send no signal; ``update_search_vectors`` is the task)."""
    if not uses_postgres_search() or not article_ids:
        return
    notes = Subquery(
        Footnote.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(text=StringAgg("text", delimiter=" ", order_by="number"))  # as refresh_search_vector
        .values("text")[:1],
        output_field=TextField(),
    )
    Article.objects.filter(pk__in=list(article_ids)).update(
        search_vector=_full_vector(Coalesce(notes, Value("", output_field=TextField()))),
        search_head=head_vector(),
    )
    vectors_written.send(sender=Article, article_ids=list(article_ids))
