"""Signal receivers: work that must follow a write (kept small; the models hold the logic)."""

from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from articles.models import Article


@receiver(pre_create_historical_record, sender=Article.history.model)
def snapshot_related(sender, instance, history_instance, **kwargs):
    """Every revision holds the article's related rows as they stand; ``record_related`` refreshes
    the snapshot once a change that writes them after the article (admin inlines, imports) is done."""
    from articles.revisions import related_snapshot

    if history_instance.history_type == "+":
        # Just created: nothing can point at it yet, so no queries.
        history_instance.related = {"categories": [], "authors": [], "tags": [], "footnotes": []}
    else:
        history_instance.related = related_snapshot(instance)
