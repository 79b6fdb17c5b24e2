"""Rows that list an article under something (a tag, an author), each with a copy of the article's
place in the public lists: its *listing key*.

A tag's or an author's page lists its newest published articles a page at a time. Sorting the
articles themselves means reading every article of the tag or author first (their number grows with
the archive); with the article's status and publication date copied onto the row that links them, an
index (tag or author, date, article) of the published rows hands the page its rows in order, ~21
index entries whatever their number, as ``article_listing_idx`` does for the home page.

Who keeps the copies: a new row copies them from the article in hand (``for_article`` for the bulk
writers, ``save`` for one at a time), and ``Article.save`` refreshes its rows
(``refresh_listing_keys``, one UPDATE a table for any number of articles) when its status or date
may have changed. A write that bypasses ``Article.save`` (a raw ``update()`` of ``status`` or
``published_at``) calls ``refresh_listing_keys`` itself.
"""

from django.db import models
from django.db.models import OuterRef, Q, Subquery

# The article columns the lists filter and sort on, copied onto each row (the id is the row's own).
LISTING_KEY_FIELDS = ("status", "published_at")
# Matches Article.Status.PUBLISHED (this module cannot import the article model that imports it).
PUBLISHED = "published"


class ListingKeyQuerySet(models.QuerySet):
    def names_by_article(self, article_ids, name, *order):
        """{article id: the ``name`` (a path to a related row's name) of each row here of the
        article, in ``order``} for ``article_ids``: one query of names, no model built."""
        article_id = self.model.LISTED_ARTICLE + "_id"
        names = {}
        rows = self.filter(**{f"{article_id}__in": article_ids}).order_by(*order)
        for article, row_name in rows.values_list(article_id, name):
            names.setdefault(article, []).append(row_name)
        return names

    def refresh_keys(self, article_ids=None):
        """Copy each article's listing key onto its rows here, in one UPDATE: those of
        ``article_ids`` (an iterable or a queryset of ids), or every row. Returns how many rows."""
        article_id = self.model.LISTED_ARTICLE + "_id"
        rows = self if article_ids is None else self.filter(**{f"{article_id}__in": article_ids})
        article = self.model._meta.get_field(self.model.LISTED_ARTICLE).related_model.objects.filter(
            pk=OuterRef(article_id)
        )
        return rows.order_by().update(**{name: Subquery(article.values(name)[:1]) for name in LISTING_KEY_FIELDS})


class ListingKey(models.Model):
    """The copied columns, for a model with a foreign key to the article named ``LISTED_ARTICLE``."""

    LISTED_ARTICLE = "article"

    # Nullable, as the date: SQLite adds such a column in place, where a NOT NULL one rebuilds the
    # table (and loses the indexes a migration made in SQL: 0026's on the bylines).
    status = models.CharField(max_length=20, null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @classmethod
    def for_article(cls, article, **fields):
        """An unsaved row for ``article`` (in hand, as written), its key copied."""
        return cls(**{f"{cls.LISTED_ARTICLE}_id": article.pk}, **fields, **_key_of(article))

    def save(self, *args, **kwargs):
        # One row at a time (taggit's ``tags.add``/``set``, the admin's byline inline): the article in hand.
        for name, value in _key_of(getattr(self, self.LISTED_ARTICLE)).items():
            setattr(self, name, value)
        super().save(*args, **kwargs)


def listing_index(owner, name, listed_article="article"):
    """The index a page of ``owner``'s articles reads in order: its published rows, newest first."""
    return models.Index(fields=[owner, "-published_at", f"-{listed_article}"], name=name, condition=Q(status=PUBLISHED))


def _key_of(article):
    return {name: getattr(article, name) for name in LISTING_KEY_FIELDS}


def refresh_listing_keys(article_ids, models_with_keys):
    """``refresh_keys`` of every model of ``models_with_keys`` for ``article_ids``."""
    for model in models_with_keys:
        model.objects.refresh_keys(article_ids)
