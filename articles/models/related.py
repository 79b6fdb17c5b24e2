"""Related posts, computed at write time (see ``articles/related/``) and read in one query.

- ``ArticleTerm``: each published article's strongest TF-IDF terms, an inverted index the database can
  search by term (candidate generation without reading every article).
- ``TermFrequency``: in how many published articles each term occurs (corrected on every edit,
  unpublish and delete from the text the article was indexed with).
- ``RelatedArticle``: the precomputed list (pins first, then computed links, exclusions removed).
- ``RelatedPin`` / ``RelatedExclusion``: what editors decided; they win over the computation.
"""

from django.db import models
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber


class TermFrequency(models.Model):
    """In how many indexed (published) articles a term occurs: the IDF of TF-IDF."""

    term = models.CharField(max_length=64, unique=True)
    # How reasons show the term: "Taliban", "elections".
    label = models.CharField(max_length=64, blank=True)
    document_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "term frequencies"

    def __str__(self):
        return f"{self.term} ({self.document_count})"


class ArticleTerm(models.Model):
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="related_terms")
    term = models.CharField(max_length=64)
    # TF-IDF weight, L2-normalised over the article's stored terms (a dot product is a cosine).
    weight = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "term"], name="article_term_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="article_term_weight_positive"),
        ]
        # A term's postings heaviest first: the heads that propose text candidates (related/textindex.py).
        indexes = [models.Index(fields=["term", "-weight", "-article"], name="article_term_heads_idx")]

    def __str__(self):
        return f"{self.term}={self.weight:.3f} in {self.article_id}"


class RelatedArticleQuerySet(models.QuerySet):
    def for_page(self, article):
        """What the page shows: published related articles, pins first, in ONE query.
        ``article=None``: for every article (filter them yourself)."""
        rows = self if article is None else self.filter(article=article)
        return (
            rows.filter(related__status="published")
            .select_related("related", "related__primary_category")
            .only(
                "article_id",
                "rank",
                "pinned",
                "related__title",
                "related__slug",
                "related__language",
                "related__published_at",
                "related__status",
                "related__primary_category__name",
                "related__primary_category__path",
            )
            .order_by("rank")
        )

    def first_of_each(self, count):
        """The first ``count`` rows of each article by rank, of those the other filters keep: what a
        batch of pages shows, without reading (and making objects of) the rows kept past it."""
        place = Window(RowNumber(), partition_by=F("article_id"), order_by=F("rank").asc())
        return self.alias(place=place).filter(place__lte=count)


class RelatedArticle(models.Model):
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="related_links")
    related = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="related_from")
    score = models.FloatField(default=0)
    rank = models.PositiveSmallIntegerField()
    pinned = models.BooleanField(default=False)
    # Why, for editors: "same category Politics; shared terms Taliban, Moscow; cites Ruttig 2014".
    reasons = models.CharField(max_length=1000, blank=True)

    objects = RelatedArticleQuerySet.as_manager()

    class Meta:
        ordering = ["article", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["article", "related"], name="related_article_unique"),
            models.UniqueConstraint(fields=["article", "rank"], name="related_article_rank_unique"),
            models.CheckConstraint(condition=~Q(article=F("related")), name="related_article_not_itself"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="related_article_rank_positive"),
        ]

    def __str__(self):
        return f"{self.article_id} → {self.related_id} (#{self.rank})"


class RelatedPin(models.Model):
    """An editor's choice: shown first, in ``position`` order, whatever the score."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="related_pins")
    related = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="pinned_on", verbose_name="pinned article"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["article", "position", "id"]
        verbose_name = "pinned related post"
        constraints = [
            models.UniqueConstraint(fields=["article", "related"], name="related_pin_unique"),
            models.CheckConstraint(condition=~Q(article=F("related")), name="related_pin_not_itself"),
        ]

    def __str__(self):
        return f"{self.related} pinned on {self.article}"


class RelatedExclusion(models.Model):
    """An editor's veto: never offered under ``article``."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="related_exclusions")
    related = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="excluded_on", verbose_name="excluded article"
    )

    class Meta:
        verbose_name = "excluded related post"
        constraints = [
            models.UniqueConstraint(fields=["article", "related"], name="related_exclusion_unique"),
            models.CheckConstraint(condition=~Q(article=F("related")), name="related_exclusion_not_itself"),
        ]

    def __str__(self):
        return f"{self.related} excluded from {self.article}"
