"""Harvesting follows the writes: deleted records, and datestamps that move when a record's sets do.

An article that stops being public leaves a ``DeletedRecord``, so harvesters that have it drop it;
publishing it again removes it. A draft that was never public leaves nothing. Whether the article
was public before a save is what it was when loaded (``post_init``), or, for an instance not loaded
from the database (a revision restored, a deferred status), read from the database in ``pre_save``.
Deletion is read in ``pre_delete``, while the category links still exist.

An article's datestamp is its ``updated_at``, which every save sets. Its categories and tags can
change without a save of the article (a category moved, tags added from code): those writes set it
too, so a selective harvest ``from`` then picks the record up with its new sets and subjects.
"""

from django.db.models.signals import m2m_changed, post_init, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from articles.models import Article, Category, DeletedRecord

PUBLISHED = Article.Status.PUBLISHED
NEW = "new"  # no row before this save: nothing a harvester could have seen


def _stored_status(pk):
    return Article.objects.filter(pk=pk).values_list("status", flat=True).first()


@receiver(post_init, sender=Article, dispatch_uid="oai_article_loaded")
def remember_status(sender, instance, **kwargs):
    # From __dict__: a deferred status is not fetched here (one query per row of every listing).
    status = instance.__dict__.get("status")
    instance._oai_was_public = None if status is None else status == PUBLISHED


@receiver(pre_save, sender=Article, dispatch_uid="oai_article_saving")
def read_previous_status(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if instance.pk is None:
        instance._oai_was_public = NEW
    elif instance._state.adding or instance._oai_was_public is None:
        instance._oai_was_public = _stored_status(instance.pk) == PUBLISHED


@receiver(post_save, sender=Article, dispatch_uid="oai_article_saved")
def article_saved(sender, instance, raw=False, **kwargs):
    public = instance.status == PUBLISHED
    was_public = instance._oai_was_public
    instance._oai_was_public = public
    instance._oai_saved = True  # links set next (the admin's, an import's) need not date it again
    if raw or was_public == public or was_public == NEW:
        return
    if public:
        # Public again (or a row written with a given id, as a restored backup is, that was public once).
        DeletedRecord.objects.filter(article_id=instance.pk).delete()
    else:
        leave_record(instance)


@receiver(pre_delete, sender=Article, dispatch_uid="oai_article_deleting")
def article_deleting(sender, instance, **kwargs):
    status = instance.__dict__.get("status") or _stored_status(instance.pk)
    if status == PUBLISHED:
        leave_record(instance)
    # Unpublished before: the deleted record written then stays as it is.


def leave_record(article):
    paths = list(article.categories.values_list("path", flat=True))
    DeletedRecord.objects.update_or_create(
        article_id=article.pk,
        defaults={"datestamp": timezone.now(), "category_paths": DeletedRecord.joined_paths(paths)},
    )


# -- datestamps ----------------------------------------------------------------------------------
def touch(article_ids):
    """The articles changed now (no signal: nothing else follows this write of the date alone)."""
    Article.objects.filter(pk__in=article_ids).update(updated_at=timezone.now())


@receiver(m2m_changed, sender=Article.categories.through, dispatch_uid="oai_categories_changed")
@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="oai_tags_changed")
def links_changed(sender, instance, action, pk_set=None, **kwargs):
    if not action.startswith("post_"):
        return
    if isinstance(instance, Article):
        if not getattr(instance, "_oai_saved", False):
            touch([instance.pk])
    elif pk_set:
        touch(pk_set)  # changed from the category's side: these articles


def _names(category):
    return category.__dict__.get("path"), category.__dict__.get("full_name")


@receiver(post_init, sender=Category, dispatch_uid="oai_category_loaded")
def remember_names(sender, instance, **kwargs):
    instance._oai_names = _names(instance)


@receiver(post_save, sender=Category, dispatch_uid="oai_category_saved")
def category_saved(sender, instance, created=False, raw=False, **kwargs):
    # Moved or renamed: every article filed here has a new set spec or subject (descendants save too).
    before, now = instance._oai_names, _names(instance)
    if not raw and not created and None not in before and before != now:
        touch(Article.categories.through.objects.filter(category=instance).values("article_id"))
    instance._oai_names = now
