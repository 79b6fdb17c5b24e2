"""Search listens to writes: an article or a footnote written gets its vector rewritten by a task."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.aftercommit import AtCommit, in_batches
from articles.models import Article, Footnote

from .tasks import update_search_vectors


def _enqueue(article_ids):
    for batch in in_batches(article_ids):
        update_search_vectors.enqueue(batch)


pending = AtCommit(_enqueue)


@receiver(post_save, sender=Article, dispatch_uid="search_article_saved")
def article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        pending.add([instance.pk])


@receiver(post_save, sender=Footnote, dispatch_uid="search_footnote_saved")
@receiver(post_delete, sender=Footnote, dispatch_uid="search_footnote_deleted")
def footnote_changed(sender, instance, raw=False, **kwargs):
    # Footnotes are searchable text of their article (edited one by one in the admin).
    if not raw:
        pending.add([instance.article_id])
