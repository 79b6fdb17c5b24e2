"""Signal receivers: work that must follow a write (kept small; the models hold the logic)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from articles import deferred
from articles.importers.loader import after_load_hooks
from articles.models import Article, Footnote
from articles.search import refresh_search_vector


def _refresh(article_id, body=None):
    work = deferred.current()
    if work is not None:
        work.refresh_search(article_id, body=body)  # a bulk write: one UPDATE for all of them at its end
    else:
        refresh_search_vector(article_id)


@receiver(post_save, sender=Article, dispatch_uid="article_search_vector")
def article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh(instance.pk, instance.body)


@receiver(post_save, sender=Footnote, dispatch_uid="footnote_saved_search_vector")
@receiver(post_delete, sender=Footnote, dispatch_uid="footnote_deleted_search_vector")
def footnote_changed(sender, instance, raw=False, **kwargs):
    # Footnotes are searchable text of their article (edited one by one in the admin).
    if not raw:
        _refresh(instance.article_id)


def refresh_after_import(article, parsed):
    """The importer bulk-creates footnotes (no signals): index the article once they are all in."""
    _refresh(article.pk)


if refresh_after_import not in after_load_hooks:
    after_load_hooks.append(refresh_after_import)


@receiver(pre_create_historical_record, sender=Article.history.model)
def snapshot_related(sender, instance, history_instance, **kwargs):
    """Every revision holds the article's related rows as they stand; ``record_related`` refreshes
    the snapshot once a change that writes them after the article (admin inlines, imports) is done."""
    from articles.revisions import related_snapshot

    given = instance.__dict__.pop("_revision_related", None)
    if given is not None:
        # The importer knows what it is about to write with the article: no need to read it.
        history_instance.related = given
    elif history_instance.history_type == "+":
        # Just created: nothing can point at it yet, so no queries.
        history_instance.related = {"categories": [], "authors": [], "tags": [], "footnotes": []}
    else:
        history_instance.related = related_snapshot(instance)


# Receivers, connected in this order (rendering's after related posts': it renders once they are in).
from articles.pages import invalidation as cache_invalidation  # noqa: E402,F401,I001
from articles.related import signals as related_signals  # noqa: E402,F401,I001
from articles.pages import rendering_invalidation as rendering_signals  # noqa: E402,F401,I001
