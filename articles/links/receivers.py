"""The links listen to writes: an article or a note written gets its citations recorded by a task,
once per article per transaction (an import of thousands: a task per 1,000)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.aftercommit import AtCommit, in_batches
from articles.models import Article, Footnote

from .tasks import record_article_links


def _enqueue(article_ids):
    for batch in in_batches(article_ids):
        record_article_links.enqueue(batch)


pending = AtCommit(_enqueue)


@receiver(post_save, sender=Article, dispatch_uid="links_article_saved")
def article_saved(sender, instance, raw=False, **kwargs):
    # An import's notes are written after the article in the same transaction: the task reads both.
    if not raw:
        pending.add([instance.pk])


@receiver(post_save, sender=Footnote, dispatch_uid="links_footnote_saved")
@receiver(post_delete, sender=Footnote, dispatch_uid="links_footnote_deleted")
def footnote_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        pending.add([instance.article_id])
