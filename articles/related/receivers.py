"""Related posts listen to writes: what must happen in the writing transaction happens there, the
rest is one ``update_related_posts`` task per batch of articles once the transaction commits (the
importer and the admin have saved tags, footnotes and inlines by then)."""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from articles.aftercommit import AtCommit, in_batches
from articles.models import Article, RelatedExclusion, RelatedPin

from .tasks import update_related_posts
from .terms import count_out, forget

PUBLISHED = Article.Status.PUBLISHED


def _enqueue(steps):
    for neighbours in (True, False):
        ids = [article_id for article_id, with_neighbours in steps if with_neighbours is neighbours]
        for batch in in_batches(ids):
            update_related_posts.enqueue(batch, neighbours=neighbours)


pending = AtCommit(_enqueue)


@receiver(pre_save, sender=Article, dispatch_uid="related_posts_article_saving")
def remember_counted_text(sender, instance, raw=False, **kwargs):
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
    if instance.status == PUBLISHED:
        if previous is not None:
            count_out(instance.pk, previous)  # the new text is counted by the task
        pending.add([(instance.pk, True)])
    else:
        # At once, in the same transaction: no list offers an unpublished article.
        forget(instance.pk, previous)


@receiver(pre_delete, sender=Article, dispatch_uid="related_posts_article_deleted")
def article_deleted(sender, instance, **kwargs):
    # At once: the cascade removes its terms now.
    forget(instance.pk, (instance.title, instance.body) if instance.status == PUBLISHED else None)


@receiver(post_save, sender=RelatedPin, dispatch_uid="related_posts_pin_saved")
@receiver(post_delete, sender=RelatedPin, dispatch_uid="related_posts_pin_deleted")
@receiver(post_save, sender=RelatedExclusion, dispatch_uid="related_posts_exclusion_saved")
@receiver(post_delete, sender=RelatedExclusion, dispatch_uid="related_posts_exclusion_deleted")
def editors_choice_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        pending.add([(instance.article_id, False)])
