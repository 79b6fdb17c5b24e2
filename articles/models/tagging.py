"""An article's tags (``Article.tags``), each with the article's listing key (``models.listing_keys``):
a tag's page, feed and sitemap entry read the tag's published articles in order from its index."""

from django.db import models
from taggit.models import TaggedItemBase

from .listing_keys import ListingKey, ListingKeyQuerySet, listing_index


class TaggedArticle(ListingKey, TaggedItemBase):
    """One tag on one article (the through model of ``Article.tags``), with the article's listing key."""

    LISTED_ARTICLE = "content_object"

    content_object = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="taggings")

    objects = ListingKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "tagged article"
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_article_unique"),
        ]
        # A tag's page: its published articles newest first, read in order (``ArticleQuerySet.listed_under``).
        indexes = [listing_index("tag", "tagged_article_listing_idx", listed_article="content_object")]

    def __str__(self):
        return f"{self.tag_id} on {self.content_object_id}"
