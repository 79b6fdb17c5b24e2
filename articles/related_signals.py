"""Related posts follow the articles: recomputed after a publish, edit or import; gone on unpublish."""

from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from articles.models import Article, RelatedExclusion, RelatedPin
from articles.related_compute import forget, schedule_recompute


@receiver(post_save, sender=Article, dispatch_uid="related_posts_article_saved")
def article_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if instance.status == Article.Status.PUBLISHED:
        # After the commit: the importer and the admin save tags, footnotes and inlines after the row.
        schedule_recompute(instance.pk)
    else:
        # At once, in the same transaction: no list offers an unpublished article.
        forget(instance.pk)


@receiver(pre_delete, sender=Article, dispatch_uid="related_posts_article_deleted")
def article_deleted(sender, instance, **kwargs):
    forget(instance.pk)


@receiver(post_save, sender=RelatedPin, dispatch_uid="related_posts_pin_saved")
@receiver(post_delete, sender=RelatedPin, dispatch_uid="related_posts_pin_deleted")
@receiver(post_save, sender=RelatedExclusion, dispatch_uid="related_posts_exclusion_saved")
@receiver(post_delete, sender=RelatedExclusion, dispatch_uid="related_posts_exclusion_deleted")
def editors_choice_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        schedule_recompute(instance.article_id, neighbours=False)
