"""What ranking reads about articles, in bulk: their features (terms, tags, Sources, authors,
category, editors' choices) and the candidates other than text ones (articles sharing a rare tag
or Source, the newest of the same authors and category).

None of it is written by a recompute, so it is read ahead for a chunk of articles (a handful of
``IN (...)`` queries) and kept for the rest of the batch: each candidate's features once.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from articles.models import (
    Article,
    ArticleAuthor,
    ArticleTerm,
    Category,
    Footnote,
    RelatedExclusion,
    RelatedPin,
    Source,
    TaggedArticle,
    TermFrequency,
)

from .policy import rarity
from .sql import PUBLISHED, chunks, select_in, ts
from .terms import CORPUS


class Own:
    """The features of some articles, each on its side of its comparisons."""

    def __init__(self, ids):
        self.vectors, self.tags, self.authors = defaultdict(dict), defaultdict(dict), defaultdict(dict)
        self.sources = defaultdict(set)
        self.pins, self.pin_ts, self.excluded = defaultdict(list), defaultdict(dict), defaultdict(set)
        for chunk in chunks(ids):
            self._read(chunk)

    def _read(self, chunk):
        rows = ArticleTerm.objects.filter(article_id__in=chunk).values_list("article_id", "term", "weight")
        for a, term, weight in rows:
            self.vectors[a][term] = weight
        for a, t, name in TaggedArticle.objects.filter(content_object_id__in=chunk).values_list(
            "content_object_id", "tag_id", "tag__name"
        ):
            self.tags[a][t] = name
        for a, s in (
            Footnote.objects.filter(article_id__in=chunk, source__isnull=False).order_by()
            .values_list("article_id", "source_id")
        ):
            self.sources[a].add(s)
        for a, x, name in ArticleAuthor.objects.filter(article_id__in=chunk).values_list(
            "article_id", "author_id", "author__name"
        ):
            self.authors[a][x] = name
        for a, b, published_at in (
            RelatedPin.objects.filter(article_id__in=chunk, related__status=PUBLISHED)
            .order_by("article_id", "position", "id")
            .values_list("article_id", "related_id", "related__published_at")
        ):
            self.pins[a].append(b)
            self.pin_ts[a][b] = ts(published_at)
        for a, b in RelatedExclusion.objects.filter(article_id__in=chunk).values_list("article_id", "related_id"):
            self.excluded[a].add(b)


class Catalogue:
    """What a batch has read about the archive: categories, counts, labels, the other candidates
    of the articles ranked so far, and the features of every candidate read."""

    def __init__(self, terms, policy):
        self.policy = policy
        rows = Category.objects.values_list("pk", "name", "parent_id")
        self.categories = {pk: (name, parent) for pk, name, parent in rows}
        self.parents = {pk: parent for pk, (_, parent) in self.categories.items()}
        row = TermFrequency.objects.filter(term=CORPUS).values_list("document_count", flat=True).first()
        self.total = row if row is not None else 1
        self.rare_floor = rarity(policy.rare_max_articles, self.total)
        self.labels = {}
        for chunk in chunks(sorted(terms)):
            for term, label in TermFrequency.objects.filter(term__in=chunk).values_list("term", "label"):
                self.labels[term] = label or term
        self.tag_counts, self.source_counts, self.source_labels = {}, {}, {}
        self.tagged, self.citing, self.by_author, self.by_category = {}, {}, {}, {}
        # id -> (published_ts, category, language, translation group) of published articles
        self.candidate_meta = {}
        self.unpublished = set()  # candidates read and found unpublished
        self.tags_of, self.sources_of, self.authors_of = {}, {}, {}  # of candidates read

    def is_rare(self, count):
        """On at most ``rare_max_articles`` articles (rarity is monotonic in the count)."""
        return rarity(count, self.total) >= self.rare_floor

    def tag_rarity(self, t):
        return rarity(self.tag_counts.get(t, 1), self.total)

    def source_rarity(self, s):
        return rarity(self.source_counts.get(s, 1), self.total)

    # -- the articles ranked ----------------------------------------------------------------------
    def read_own(self, ids, meta):
        """The features of ``ids`` (``Own``), and what their other candidates need; ``meta``: {id:
        (status, published_ts, category)}."""
        own = Own(ids)
        self._count(own)
        self._read_rare(sorted({t for a in ids for t in own.tags[a] if self.is_rare(self.tag_counts.get(t, 1))}
                               - self.tagged.keys()), self.tagged, self._tagged_published)
        self._read_rare(sorted({s for a in ids for s in own.sources[a] if self.is_rare(self.source_counts.get(s, 1))}
                               - self.citing.keys()), self.citing, self._citing_published)
        policy = self.policy
        self._read_recent(
            self.by_author, sorted({x for a in ids for x in own.authors[a]} - self.by_author.keys()),
            policy.recent_per_author, ArticleAuthor.objects.filter(article__status=PUBLISHED),
            "author_id", "article_id", "article__published_at",
        )
        self._read_recent(
            self.by_category, sorted({meta[a][2] for a in ids if meta[a][2]} - self.by_category.keys()),
            policy.recent_per_category, Article.objects.filter(status=PUBLISHED),
            "primary_category_id", "id", "published_at",
        )
        return own

    def _count(self, own):
        """How many articles carry each new tag and cite each new Source (whatever their status)."""
        new_tags = sorted({t for tags in own.tags.values() for t in tags} - self.tag_counts.keys())
        for chunk in chunks(new_tags):
            self.tag_counts.update(
                TaggedArticle.objects.filter(tag_id__in=chunk).values("tag_id")
                .annotate(n=Count("content_object_id", distinct=True)).values_list("tag_id", "n")
            )
            self.tag_counts.update({t: self.tag_counts.get(t, 1) for t in chunk})
        new_sources = sorted({s for sources in own.sources.values() for s in sources} - self.source_labels.keys())
        for chunk in chunks(new_sources):
            self.source_counts.update(
                Footnote.objects.filter(source_id__in=chunk).order_by().values("source_id")
                .annotate(n=Count("article_id", distinct=True)).values_list("source_id", "n")
            )
            for source in Source.objects.filter(pk__in=chunk):
                self.source_labels[source.pk] = source.short_label()

    @staticmethod
    def _tagged_published(chunk):
        published = Article.objects.filter(status=PUBLISHED).values("pk")
        return TaggedArticle.objects.filter(tag_id__in=chunk, content_object_id__in=published).values_list(
            "tag_id", "content_object_id"
        )

    @staticmethod
    def _citing_published(chunk):
        return (
            Footnote.objects.filter(source_id__in=chunk, article__status=PUBLISHED)
            .order_by().values_list("source_id", "article_id")
        )

    @staticmethod
    def _read_rare(keys, into, rows):
        """The published articles of each rare tag or Source (repeats dropped here, not by DISTINCT)."""
        for chunk in chunks(keys):
            found = {k: {} for k in chunk}  # insertion-ordered sets
            for k, b in rows(chunk):
                found[k][b] = None
            into.update((k, list(articles)) for k, articles in found.items())

    @staticmethod
    def _read_recent(into, keys, limit, rows, key, article, published_at):
        """The ``limit + 1`` newest published articles per key, newest first (one more than needed,
        so the article itself can be left out)."""
        for k in keys:
            into[k] = []
        for chunk in chunks(keys):
            window = Window(RowNumber(), partition_by=[F(key)], order_by=[F(published_at).desc(), F(article).desc()])
            ranked = (
                rows.filter(**{f"{key}__in": chunk}).annotate(n=window).filter(n__lte=limit + 1)
                .order_by(key, "n").values_list(key, article)
            )
            for k, b in ranked:
                into[k].append(b)

    def other_candidates(self, a, category, own):
        """Candidates besides the text ones: rare tags and Sources, recent by author and category."""
        policy = self.policy
        found = set()
        for t in own.tags[a]:
            if self.is_rare(self.tag_counts.get(t, 1)):
                found.update(self.tagged[t])
        for s in own.sources[a]:
            if self.is_rare(self.source_counts.get(s, 1)):
                found.update(self.citing[s])
        for x in own.authors[a]:
            found.update([b for b in self.by_author[x] if b != a][: policy.recent_per_author])
        if category:
            found.update([b for b in self.by_category[category] if b != a][: policy.recent_per_category])
        return found

    # -- their candidates -------------------------------------------------------------------------
    def read_candidates(self, ids):
        """Date, category, tags, Sources and authors of candidates not read yet (by article, so each
        read is a few index ranges whatever the tags and Sources are)."""
        missing = [b for b in ids if b not in self.candidate_meta and b not in self.unpublished]
        self.unpublished.update(missing)
        # One int object per distinct category, tag, Source or author (rows bring a new one each time).
        shared = {}
        for pk, published_at, category, language, group in select_in(
            "SELECT id, published_at, primary_category_id, language, translation_group_id FROM articles_article "
            "WHERE status = %s AND id {ids}",
            [PUBLISHED], missing,
        ):
            self.candidate_meta[pk] = (
                ts(published_at), shared.setdefault(category, category), shared.setdefault(language, language), group
            )
            self.unpublished.discard(pk)
        # Kept as tuples (a quarter of a set's memory: every article of a large import is read).
        for into, sql, params in (
            (self.tags_of, "SELECT content_object_id, tag_id FROM articles_taggedarticle "
                           "WHERE content_object_id {ids}", []),
            (self.sources_of, "SELECT article_id, source_id FROM articles_footnote "
                              "WHERE source_id IS NOT NULL AND article_id {ids}", []),
            (self.authors_of, "SELECT article_id, author_id FROM articles_articleauthor WHERE article_id {ids}", []),
        ):
            found = {}
            for b, x in select_in(sql, params, missing):
                x = shared.setdefault(x, x)
                xs = found.get(b, ())
                if x not in xs:  # an article citing a Source twice counts once
                    found[b] = (*xs, x)
            into.update(found)
