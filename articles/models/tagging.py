"""An article's tags (``Article.tags``), each carrying the article's place in the public lists.

A tag's page lists its newest published articles a page at a time. Sorting the articles themselves
means reading every article of the tag first (a tag's size grows with the archive); with the
article's status and publication date copied onto the tagging, the index (tag, date, article) of
the published taggings hands the page its rows in order, ~21 index entries whatever the tag's size,
as ``article_listing_idx`` does for the home page.

The copies (the *listing key*) are written with the tagging (``for_article``, ``save``) and kept by
every write that changes an article's status or date: ``Article.save`` and the bulk writers call
``TaggedArticle.objects.refresh_keys(ids)``, one UPDATE for any number of articles.
"""

from django.db import models
from django.db.models import OuterRef, Q, Subquery
from taggit.models import TaggedItemBase

# The article columns a tag's list filters and sorts on, copied onto each of its taggings.
LISTING_KEY_FIELDS = ("status", "published_at")
# Matches Article.Status.PUBLISHED (this module cannot import the article model it is imported by).
PUBLISHED = "published"


class TaggedArticleQuerySet(models.QuerySet):
    def refresh_keys(self, article_ids=None):
        """Copy each article's listing key onto its taggings, in one UPDATE: those of ``article_ids``
        (an iterable or a queryset of ids), or every tagging. Returns how many rows were written."""
        rows = self if article_ids is None else self.filter(content_object_id__in=article_ids)
        article = self.model._meta.get_field("content_object").related_model.objects.filter(
            pk=OuterRef("content_object_id")
        )
        return rows.order_by().update(
            **{name: Subquery(article.values(name)[:1]) for name in LISTING_KEY_FIELDS}
        )


class TaggedArticle(TaggedItemBase):
    """One tag on one article (the through model of ``Article.tags``), with the article's listing key."""

    content_object = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="taggings")
    # Copies of the article's columns (``LISTING_KEY_FIELDS``): never edited here.
    status = models.CharField(max_length=20, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = TaggedArticleQuerySet.as_manager()

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

    @classmethod
    def for_article(cls, article, tag_id):
        """An unsaved tagging of ``article`` (in hand, as written) by ``tag_id``, its key copied."""
        return cls(content_object_id=article.pk, tag_id=tag_id, **{
            name: getattr(article, name) for name in LISTING_KEY_FIELDS
        })

    def save(self, *args, **kwargs):
        # taggit's manager (``article.tags.add``/``set``) creates taggings one save each, the article in hand.
        for name in LISTING_KEY_FIELDS:
            setattr(self, name, getattr(self.content_object, name))
        super().save(*args, **kwargs)
