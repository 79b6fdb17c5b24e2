"""An article's authors in byline order (``Article.authors``), each with the article's listing key
(``models.listing_keys``): an author's page reads the author's published articles in order from its index."""

from django.db import models

from .listing_keys import ListingKey, ListingKeyQuerySet, listing_index
from .taxonomy import Author


class ArticleAuthor(ListingKey):
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ListingKeyQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="article_author_unique"),
        ]
        # An author's page: their published articles newest first, read in order (``ArticleQuerySet.listed_by``).
        indexes = [listing_index("author", "articleauthor_listing_idx")]

    def __str__(self):
        return f"{self.author} on {self.article}"
