"""An article's authors in byline order (``Article.authors``), each with the article's listing key
(``models.listing_keys``): an author's page reads the author's published articles in order from its index."""

from django.db import models

from .listing_keys import ListingKey, ListingKeyQuerySet, listing_index
from .taxonomy import Author


class BylineQuerySet(ListingKeyQuerySet):
    def names_by_article(self, article_ids):
        """{article id: its authors' names in byline order} for ``article_ids``: one query of names,
        no ``Author`` built (a feed shows nothing else of them)."""
        names = {}
        rows = self.filter(article_id__in=article_ids).order_by("position", "pk")
        for article_id, name in rows.values_list("article_id", "author__name"):
            names.setdefault(article_id, []).append(name)
        return names


class ArticleAuthor(ListingKey):
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    objects = BylineQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="article_author_unique"),
        ]
        # An author's page: their published articles newest first, read in order (``ArticleQuerySet.listed_by``).
        indexes = [listing_index("author", "articleauthor_listing_idx")]

    def __str__(self):
        return f"{self.author} on {self.article}"
