"""Signal receivers that keep the page cache fresh: each write bumps the scopes of the pages showing it.

Only writes that go through ``save()``/``delete()``/m2m managers send signals. Code that writes with
``QuerySet.update()`` or ``bulk_create`` (admin actions, importers, generators) must call
``articles.pages.cache.invalidate_article`` / ``invalidate_listings`` itself.
"""

from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from django.dispatch import receiver
from taggit.models import Tag

from articles.models import Article, ArticleAuthor, Author, Category, Comment, Footnote, Source
from articles.pages.cache import COMMENTS, LISTINGS, SITE, article_scope, bump
from articles.related.compute import related_lists_changed

PUBLISHED = Article.Status.PUBLISHED
APPROVED = Comment.Status.APPROVED


@receiver(post_init, sender=Article)
def remember_article_state(sender, instance, **kwargs):
    _remember(instance)


def _remember(instance):
    # What the public saw before this edit: unpublishing must invalidate too, and so must a slug
    # change. Read from __dict__ so a deferred field is not fetched (one query per row) here.
    instance._cache_was_published = instance.__dict__.get("status") == PUBLISHED
    instance._cache_original_slug = instance.__dict__.get("slug")


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
def article_changed(sender, instance, signal, **kwargs):
    public_now = instance.status == PUBLISHED and signal is not post_delete
    if getattr(instance, "_cache_was_published", True) or public_now:
        # A draft edited as a draft changes no public page (staff previews are never cached).
        slugs = {instance.slug, getattr(instance, "_cache_original_slug", None)} - {None, ""}
        bump(LISTINGS, *(article_scope(s) for s in sorted(slugs)))
    _remember(instance)


def _slugs(article_ids):
    return Article.objects.filter(pk__in=article_ids).values_list("slug", flat=True)


@receiver(related_lists_changed, dispatch_uid="page_cache_related_lists_changed")
def related_lists_rewritten(sender, article_ids, **kwargs):
    if article_ids is None:
        bump(SITE)  # a rebuild: every article page may show a new list
    elif article_ids:
        bump(*(article_scope(s) for s in sorted(set(_slugs(article_ids)))))


def _article_slug(article_id):
    return Article.objects.filter(pk=article_id).values_list("slug", flat=True).first()


def _bump_article_of(row, *extra):
    """Bump the page of the article ``row`` belongs to; no query when the row carries its article
    (rows fetched through ``article.footnotes`` and the like do)."""
    field = row._meta.get_field("article")
    slug = row.article.slug if field.is_cached(row) else _article_slug(row.article_id)
    bump(*extra, *([article_scope(slug)] if slug else []))


@receiver(post_save, sender=Footnote)
@receiver(post_delete, sender=Footnote)
def footnote_changed(sender, instance, **kwargs):
    # Footnotes show on their article's page and on the cited source's page (a listing).
    _bump_article_of(instance, LISTINGS)


@receiver(post_save, sender=ArticleAuthor)
@receiver(post_delete, sender=ArticleAuthor)
def byline_changed(sender, instance, **kwargs):
    _bump_article_of(instance, LISTINGS)


@receiver(post_init, sender=Comment)
def remember_comment_status(sender, instance, **kwargs):
    instance._cache_was_approved = instance.__dict__.get("status") == APPROVED


@receiver(post_save, sender=Comment)
@receiver(post_delete, sender=Comment)
def comment_changed(sender, instance, signal, **kwargs):
    # Only approved comments are public: a pending comment arriving changes no shared page.
    approved_now = instance.status == APPROVED and signal is not post_delete
    if getattr(instance, "_cache_was_approved", False) or approved_now:
        _bump_article_of(instance, COMMENTS)
    instance._cache_was_approved = instance.status == APPROVED


@receiver(m2m_changed, sender=Article.categories.through)
def categories_changed(sender, instance, action, **kwargs):
    if action.startswith("post_"):
        _m2m_bump(instance)


@receiver(m2m_changed, sender=Article.tags.through)
def tags_changed(sender, instance, action, **kwargs):
    # taggit's manager (add, set, remove, clear) sends m2m_changed; no per-row receivers needed.
    if action.startswith("post_"):
        _m2m_bump(instance)


def _m2m_bump(instance):
    if isinstance(instance, Article):
        bump(LISTINGS, article_scope(instance.slug))
    else:
        # Changed from the other side (category.articles.add(...)): whichever articles, lists changed.
        bump(SITE)


@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
@receiver(post_save, sender=Author)
@receiver(post_delete, sender=Author)
@receiver(post_save, sender=Source)
@receiver(post_delete, sender=Source)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
def taxonomy_changed(sender, instance, created=False, **kwargs):
    # Names of categories, authors, sources and tags appear on article pages and lists alike. A new
    # one shows nowhere until an article links to it, and that link refreshes the pages it changes.
    if not created:
        bump(SITE)
