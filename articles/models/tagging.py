"""An article's tags (``Article.tags``), each with the article's listing key (``models.listing_keys``):
a tag's page, feed and sitemap entry read the tag's published articles in order from its index."""

from django.db import models
from django.db.models import Q
from taggit.models import TaggedItemBase

from .listing_keys import PUBLISHED, ListingKey, ListingKeyQuerySet


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
        indexes = [
            # A tag's page: its published articles newest first, read in order (``ArticleQuerySet.listed_under``).
            models.Index(
                fields=["tag", "-published_at", "-content_object"],
                name="tagged_article_listing_idx",
                condition=Q(status=PUBLISHED),
            ),
        ]

    def __str__(self):
        return f"{self.tag_id} on {self.content_object_id}"
