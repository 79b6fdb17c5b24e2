"""Every published article's terms and related posts from scratch (``manage.py rebuild_related``):
the term index recounted in memory, then every article's list by the engine, one step each
without neighbours (every list is rewritten anyway)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection, transaction

from articles.models import Article, ArticleTerm, RelatedArticle, TermFrequency
from articles.progress import progress

from . import engine
from .lists import refresh_pages
from .policy import RelatednessPolicy, get_policy
from .sql import PUBLISHED
from .terms import recount_all

# Steps per round of a rebuild: no neighbours, so a round reads only its own articles' lists.
REBUILD_STEPS_PER_CHUNK = 1000


@dataclass
class RebuildSummary:
    articles: int
    links: int
    terms: int
    seconds: float

    def __str__(self):
        return (
            f"Related posts rebuilt for {self.articles} published article(s): {self.links} link(s), "
            f"{self.terms} distinct term(s), in {self.seconds:.1f}s."
        )


def rebuild(*, policy: RelatednessPolicy | None = None, stream=None, workers=None, chunk_size=None) -> RebuildSummary:
    """Recompute every published article's terms and related posts from scratch; editors' pins and
    exclusions are kept. ``workers``: 1 ranks here alone, more shares the ranking with a forked
    process (the default when there are several CPUs); ``chunk_size``: steps per round."""
    policy = policy or get_policy()
    started = time.monotonic()
    with transaction.atomic():
        articles, terms = recount_all(policy, stream=stream)
        RelatedArticle.objects.all().delete()
        ids = list(Article.objects.filter(status=PUBLISHED).order_by("pk").values_list("pk", flat=True))
        bar = progress(range(len(ids)), desc="Relating articles", stream=stream)
        engine.run(
            [(a, False) for a in ids], policy,
            steps_per_chunk=chunk_size or REBUILD_STEPS_PER_CHUNK,
            workers=workers if workers is not None else 2,
            done=getattr(bar, "update", None),
            tell_pages=False,  # all of them, once
        )
        if hasattr(bar, "close"):
            bar.close()
        refresh_pages(None)
        links = RelatedArticle.objects.count()
    if connection.vendor in ("postgresql", "sqlite"):
        # Fresh statistics, so the planner uses the term index for the next recomputes.
        with connection.cursor() as cursor:
            for model in (ArticleTerm, TermFrequency, RelatedArticle):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return RebuildSummary(articles=articles, links=links, terms=terms, seconds=time.monotonic() - started)
