"""Related posts follow the articles: recomputed after a publish, edit or import; gone on unpublish."""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from articles import deferred
from articles.models import Article, RelatedExclusion, RelatedPin
from articles.related.compute import forget, index_terms, refresh_pages, schedule_recompute, showing_in_related

PUBLISHED = Article.Status.PUBLISHED


@receiver(pre_save, sender=Article, dispatch_uid="related_posts_article_saving")
def remember_indexed_text(sender, instance, raw=False, **kwargs):
    """The text the term index counted (if any), so the save can count it out exactly."""
    instance._related_previous = None
    if raw or instance.pk is None:
        return
    row = Article.objects.filter(pk=instance.pk).values_list("status", "title", "body").first()
    if row is not None and row[0] == PUBLISHED:
        instance._related_previous = (row[1], row[2])


@receiver(post_save, sender=Article, dispatch_uid="related_posts_article_saved")
def article_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    previous = getattr(instance, "_related_previous", None)
    work = deferred.current()  # a bulk write (an import): all of it once, at the end of the block
    if work is None:
        # Its title, date and category show in other articles' related posts.
        refresh_pages(showing_in_related([instance.pk]))
    if instance.status == PUBLISHED:
        # Terms now, with the text; the list after the commit, once the importer or the admin has
        # saved tags, footnotes and inlines too.
        if work is not None:
            work.index_terms(instance, previous)
            work.recompute(instance.pk)
        else:
            index_terms(instance, previous)
            schedule_recompute(instance.pk)
    elif work is not None:
        work.forget(instance.pk, previous)  # still inside the transaction that unpublishes it
    else:
        # At once, in the same transaction: no list offers an unpublished article.
        forget(instance.pk, previous)


@receiver(pre_delete, sender=Article, dispatch_uid="related_posts_article_deleted")
def article_deleted(sender, instance, **kwargs):
    # Always at once (the cascade removes its terms now); bulk writes (imports) delete no articles.
    forget(instance.pk, (instance.title, instance.body) if instance.status == PUBLISHED else None)


@receiver(post_save, sender=RelatedPin, dispatch_uid="related_posts_pin_saved")
@receiver(post_delete, sender=RelatedPin, dispatch_uid="related_posts_pin_deleted")
@receiver(post_save, sender=RelatedExclusion, dispatch_uid="related_posts_exclusion_saved")
@receiver(post_delete, sender=RelatedExclusion, dispatch_uid="related_posts_exclusion_deleted")
def editors_choice_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    work = deferred.current()
    if work is not None:
        work.recompute(instance.article_id, neighbours=False)
    else:
        schedule_recompute(instance.article_id, neighbours=False)
