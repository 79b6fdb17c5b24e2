"""What follows an article's write, besides its pages, search and related posts (each part listens
for itself, in its own ``receivers``): the revision's snapshot, and the publishing of a scheduled article."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from articles.models import Article
from articles.revisions import related_snapshot
from articles.tasks import publish_scheduled


@receiver(pre_create_historical_record, sender=Article.history.model, dispatch_uid="revision_snapshot")
def snapshot_related(sender, instance, history_instance, **kwargs):
    """Every revision holds the article's related rows as they stand; ``record_related`` refreshes
    the snapshot once a change that writes them after the article (admin inlines, imports) is done."""
    given = instance.__dict__.pop("_revision_related", None)
    if given is not None:
        # The importer knows what it is about to write with the article: no need to read it.
        history_instance.related = given
    elif history_instance.history_type == "+":
        # Just created: nothing can point at it yet, so no queries.
        history_instance.related = {"categories": [], "authors": [], "tags": [], "footnotes": []}
    else:
        history_instance.related = related_snapshot(instance)


@receiver(post_save, sender=Article, dispatch_uid="publish_when_scheduled")
def schedule_publication(sender, instance, raw=False, **kwargs):
    """A scheduled article is published by a task that runs at its publication date. A date moved
    later enqueues another task; the earlier one finds the date not reached and does nothing."""
    if raw or instance.status != Article.Status.SCHEDULED or instance.published_at is None:
        return
    if not publish_scheduled.get_backend().supports_defer:
        return  # a backend that runs tasks at once: the daily maintenance publishes what is due
    article_id, when = instance.pk, instance.published_at
    transaction.on_commit(lambda: publish_scheduled.using(run_after=when).enqueue(article_id))
