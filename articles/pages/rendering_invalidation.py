"""What makes a stored article rendering stale (``articles.pages.rendering``), as signal receivers.

Each receiver names the articles whose page fragment shows the row that changed and invalidates
exactly those, in the writing transaction. Deletions are read in ``pre_delete``, while the rows
that say which articles are affected still exist.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save, pre_delete
from django.dispatch import receiver
from taggit.models import Tag, TaggedItem

from articles import deferred
from articles.models import Article, ArticleAuthor, Author, Category, Comment, Footnote, Source
from articles.pages import rendering
from articles.related.compute import refresh_pages, related_lists_changed, showing_in_related


def _invalidate(article_ids, *, then_render=None):
    """Invalidate now; inside a bulk write (``articles.deferred``) once at its end, unrendered."""
    work = deferred.current()
    if work is not None:
        work.invalidate_renderings(article_ids)
        return
    rendering.invalidate(article_ids)
    if then_render is not None:
        rendering.refresh_after_commit(then_render)


def _deleting_article(origin):
    # Rows deleted because their article is: the article's rendering goes with it.
    return isinstance(origin, Article) or (isinstance(origin, QuerySet) and origin.model is Article)


@receiver(post_save, sender=Article, dispatch_uid="rendering_article_saved")
def article_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    # Rendered again once committed, after the related posts recomputed on the same commit. The
    # articles showing it in their related posts hear of it from related_signals (refresh_pages);
    # a deleted one is taken out of their lists by related_compute.forget, which says so too.
    _invalidate([instance.pk], then_render=instance.pk)


@receiver(post_save, sender=Footnote, dispatch_uid="rendering_footnote_saved")
@receiver(post_delete, sender=Footnote, dispatch_uid="rendering_footnote_deleted")
@receiver(post_save, sender=ArticleAuthor, dispatch_uid="rendering_byline_saved")
@receiver(post_delete, sender=ArticleAuthor, dispatch_uid="rendering_byline_deleted")
def article_row_changed(sender, instance, raw=False, origin=None, **kwargs):
    if not raw and not _deleting_article(origin):
        _invalidate([instance.article_id])


@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="rendering_tags_changed")
@receiver(m2m_changed, sender=Article.categories.through, dispatch_uid="rendering_categories_changed")
def article_links_changed(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    if not action.startswith("post_"):
        return
    if isinstance(instance, Article):
        _invalidate([instance.pk])
    elif pk_set:
        _invalidate(pk_set)
    else:
        rendering.invalidate_all()  # cleared from the other side: which articles is no longer known


@receiver(post_save, sender=Source, dispatch_uid="rendering_source_saved")
@receiver(pre_delete, sender=Source, dispatch_uid="rendering_source_deleted")
def source_changed(sender, instance, created=False, raw=False, **kwargs):
    if not created and not raw:
        _invalidate(Footnote.objects.filter(source=instance).values_list("article_id", flat=True))


@receiver(post_save, sender=Author, dispatch_uid="rendering_author_saved")
@receiver(pre_delete, sender=Author, dispatch_uid="rendering_author_deleted")
def author_changed(sender, instance, created=False, raw=False, **kwargs):
    if not created and not raw:
        _invalidate(ArticleAuthor.objects.filter(author=instance).values_list("article_id", flat=True))


@receiver(post_save, sender=Tag, dispatch_uid="rendering_tag_saved")
@receiver(pre_delete, sender=Tag, dispatch_uid="rendering_tag_deleted")
def tag_changed(sender, instance, created=False, raw=False, **kwargs):
    if not created and not raw:
        items = TaggedItem.objects.filter(tag=instance, content_type=ContentType.objects.get_for_model(Article))
        _invalidate(items.values_list("object_id", flat=True))


@receiver(post_save, sender=Category, dispatch_uid="rendering_category_saved")
@receiver(pre_delete, sender=Category, dispatch_uid="rendering_category_deleted")
def category_changed(sender, instance, created=False, raw=False, **kwargs):
    # Shown in the breadcrumb of its articles and beside them in other articles' related posts. A
    # move or rename saves every descendant too, so each handles its own articles.
    if not created and not raw:
        filed = list(Article.objects.filter(primary_category=instance).values_list("pk", flat=True))
        _invalidate(filed)
        refresh_pages(showing_in_related(filed))


@receiver(related_lists_changed, dispatch_uid="rendering_related_lists_changed")
def related_changed(sender, article_ids, **kwargs):
    if article_ids is None:
        rendering.invalidate_all()
    else:
        _invalidate(article_ids)


@receiver(post_init, sender=Comment, dispatch_uid="rendering_comment_loaded")
def remember_comment_status(sender, instance, **kwargs):
    instance._rendering_was_approved = instance.__dict__.get("status") == Comment.Status.APPROVED


@receiver(post_save, sender=Comment, dispatch_uid="rendering_comment_saved")
@receiver(post_delete, sender=Comment, dispatch_uid="rendering_comment_deleted")
def comment_changed(sender, instance, signal, raw=False, origin=None, **kwargs):
    # Only approved comments are shown: a pending one arriving changes no rendering.
    approved_now = instance.status == Comment.Status.APPROVED and signal is not post_delete
    if not raw and not _deleting_article(origin) and (instance._rendering_was_approved or approved_now):
        _invalidate([instance.article_id], then_render=instance.article_id)
    instance._rendering_was_approved = approved_now
