"""The one place that decides which pages a write makes stale: signal receivers for every write.

Two stores of pages follow the writes (see ``cache`` and ``rendering``):

- the page cache's version keys (``cache.bump``): the listings (home, category, tag, author,
  source, archive, search, feeds, sitemap) when a public article changes, the article's own page
  (and its citation downloads, declared below) when it, its notes, byline, tags, approved
  comments or related posts change, and every page
  when a name shown everywhere (category, author, source, tag) changes;
- the stored article renderings (``rendering.invalidate``), in the writing transaction, and
  rendered again ahead of the first reader by ``render_article_pages`` once it commits;
- the stored cards of the lists (``cards``), emptied with the page only by a write a card shows
  (the article, its byline, an author's or a category's name), and rendered again once it commits:
  with the page, or alone by ``render_article_cards`` when the page is not rendered ahead.

Writes that send no signal (``QuerySet.update``, ``bulk_create``) say what they changed
themselves: ``Comment.objects.set_status`` sends ``comments_moderated``; related posts' engine
sends ``related_lists_changed``; search, ``vectors_written``. Deletions are read in ``pre_delete``,
while the rows that say which articles are affected still exist.
"""

from django.conf import settings
from django.contrib.sites.models import Site
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone
from taggit.models import Tag

from articles.aftercommit import AtCommit, in_batches
from articles.models import Article, ArticleAuthor, Author, Category, Comment, Footnote, Source, TaggedArticle
from articles.models.comments import comments_moderated
from articles.models.links import Link, LinkCitation, link_citations_changed
from articles.related.lists import refresh_pages, related_lists_changed, showing_in_related
from articles.search.vector import vectors_written

from . import rendering
from .cache import COMMENTS, LISTINGS, SITE, article_scope, bump, depends_on, scopes_committed
from .sites import SITE_DOMAIN
from .tasks import purge_front_cache, render_article_cards, render_article_pages

PUBLISHED = Article.Status.PUBLISHED
APPROVED = Comment.Status.APPROVED
RENDER_PRIORITY = -10  # tasks of a higher priority run first


# What is rendered once a write commits: (PAGE, id) the whole page and its cards, (CARDS, id) the cards alone.
PAGE, CARDS = "page", "cards"


def _render(keys):
    # After the related posts' tasks of the same write, whichever a worker finds first: a page
    # rendered before its list changed would be invalidated at once by that change.
    pages = sorted({pk for kind, pk in keys if kind == PAGE})
    for batch in in_batches(pages):
        render_article_pages.using(priority=RENDER_PRIORITY).enqueue(batch)
    for batch in in_batches(sorted({pk for kind, pk in keys if kind == CARDS} - set(pages))):
        render_article_cards.using(priority=RENDER_PRIORITY).enqueue(batch)


to_render = AtCommit(_render)


def _render_later(article_ids, kind=PAGE):
    to_render.add((kind, pk) for pk in article_ids)


@receiver(scopes_committed, dispatch_uid="pages_purge_front_cache")
def purge_after_commit(sender, scopes, **kwargs):
    """The front cache (``purge``) drops the pages of the scopes a committed write bumped, in a task."""
    if settings.ARCHIVE_PURGE_URL:
        for batch in in_batches(list(scopes)):
            purge_front_cache.enqueue(batch)


# -- pages cached beside the article page ----------------------------------------------------------
def day_scope():
    """A scope of its own each day: a page that names today goes stale at midnight with no write."""
    return f"day:{timezone.localdate().isoformat()}"


# An article's citation downloads show what its page shows, so every write below that makes the
# page stale makes them stale too (a source or author renamed bumps ``site``, which every page
# depends on). The article's own citation also names today as the access date.
depends_on("articles:article_cite", lambda kwargs: [article_scope(kwargs["slug"]), day_scope()])
depends_on("articles:article_sources", lambda kwargs: [article_scope(kwargs["slug"])])


def _invalidate(article_ids, *, render=(), cards=True):
    """The stored pages of these articles are stale now, and their cards unless ``cards`` is False;
    ``render`` ones are rendered once committed, and the others' cards (the lists show no card live
    for long)."""
    ids = sorted(set(article_ids))
    rendering.invalidate(ids, cards=cards)
    if render:
        _render_later(render)
    if cards:
        _render_later(ids, CARDS)


def _deleting_article(origin):
    # Rows deleted because their article is: the article's rendering and page go with it.
    return isinstance(origin, Article) or (isinstance(origin, QuerySet) and origin.model is Article)


def _slugs(article_ids):
    return Article.objects.filter(pk__in=list(article_ids)).values_list("slug", flat=True)


# -- articles ------------------------------------------------------------------------------------
@receiver(post_init, sender=Article, dispatch_uid="pages_article_loaded")
def remember_article_state(sender, instance, **kwargs):
    _remember(instance)


def _remember(instance):
    # What the public saw before this edit: unpublishing must invalidate too, and so must a slug
    # change. Read from __dict__ so a deferred field is not fetched (one query per row) here.
    instance._cache_was_published = instance.__dict__.get("status") == PUBLISHED
    instance._cache_original_slug = instance.__dict__.get("slug")
    instance._cache_original_group = instance.__dict__.get("translation_group_id")


@receiver(post_save, sender=Article, dispatch_uid="pages_article_saved")
@receiver(post_delete, sender=Article, dispatch_uid="pages_article_deleted")
def article_changed(sender, instance, signal, raw=False, created=False, **kwargs):
    if raw:
        return
    public_now = instance.status == PUBLISHED and signal is not post_delete
    if getattr(instance, "_cache_was_published", True) or public_now:
        # A draft edited as a draft changes no public page (staff previews are never cached); a new
        # article has no page anyone could have cached.
        slugs = set() if created else {instance.slug, getattr(instance, "_cache_original_slug", None)} - {None, ""}
        bump(LISTINGS, *(article_scope(s) for s in sorted(slugs)))
    if signal is post_save and created:
        _render_later([instance.pk])  # nothing stored yet to invalidate: no reader could see it
    elif signal is post_save:
        # Rendered again once committed: its related posts, recomputed by then or soon after,
        # invalidate it again if they change.
        _invalidate([instance.pk], render=[instance.pk])
    _translations_changed(instance)
    _remember(instance)


def _translations_changed(instance):
    """Its translations' pages link to it (title, address, language): stale when it changes, joins
    or leaves their group. Nothing to do for an article without one, the usual case."""
    groups = {instance.translation_group_id, getattr(instance, "_cache_original_group", None)} - {None}
    if not groups:
        return
    others = Article.objects.filter(translation_group_id__in=groups).exclude(pk=instance.pk)
    rows = list(others.values_list("pk", "slug"))
    if rows:
        bump(*(article_scope(slug) for _, slug in rows))
        # Their pages link to it; their cards do not.
        _invalidate([pk for pk, _ in rows], render=[pk for pk, _ in rows], cards=False)


@receiver(related_lists_changed, dispatch_uid="pages_related_lists_changed")
def related_lists_rewritten(sender, article_ids, **kwargs):
    if article_ids is None:
        bump(SITE)  # a rebuild: every article page may show a new list
        rendering.invalidate_all(cards=False)
        # Rendered again in tasks once the rebuild commits, as after a deploy: a rebuild touches
        # every page, and left to their first readers the whole archive would render at read time.
        _render_later(Article.objects.published().values_list("pk", flat=True).iterator())
    elif article_ids:
        bump(*(article_scope(s) for s in sorted(set(_slugs(article_ids)))))
        _invalidate(article_ids, cards=False)


@receiver(vectors_written, dispatch_uid="pages_search_vectors_written")
def search_answers_changed(sender, article_ids, **kwargs):
    bump(LISTINGS)  # the search pages among them: what a query finds changed


# -- rows shown on an article's page -------------------------------------------------------------
def _article_slug(article_id):
    return Article.objects.filter(pk=article_id).values_list("slug", flat=True).first()


def _bump_article_of(row, *extra):
    """Bump the page of the article ``row`` belongs to; no query when the row carries its article
    (rows fetched through ``article.footnotes`` and the like do)."""
    field = row._meta.get_field("article")
    slug = row.article.slug if field.is_cached(row) else _article_slug(row.article_id)
    bump(*extra, *([article_scope(slug)] if slug else []))


@receiver(post_save, sender=Footnote, dispatch_uid="pages_footnote_saved")
@receiver(post_delete, sender=Footnote, dispatch_uid="pages_footnote_deleted")
@receiver(post_save, sender=ArticleAuthor, dispatch_uid="pages_byline_saved")
@receiver(post_delete, sender=ArticleAuthor, dispatch_uid="pages_byline_deleted")
def article_row_changed(sender, instance, raw=False, origin=None, **kwargs):
    # Footnotes show on the cited source's page too, bylines on the author's: both listings.
    if raw or _deleting_article(origin):
        return
    _bump_article_of(instance, LISTINGS)
    _invalidate([instance.article_id], cards=sender is ArticleAuthor)  # a card shows the byline, not the notes


@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="pages_tags_changed")
@receiver(m2m_changed, sender=Article.categories.through, dispatch_uid="pages_categories_changed")
def article_links_changed(sender, instance, action, pk_set=None, **kwargs):
    # taggit's manager (add, set, remove, clear) sends m2m_changed; no per-row receivers needed.
    if not action.startswith("post_"):
        return
    # A card shows the primary category (a field of the article), neither the tags nor the categories.
    if isinstance(instance, Article):
        bump(LISTINGS, article_scope(instance.slug))
        _invalidate([instance.pk], cards=False)
    else:
        # Changed from the other side (category.articles.add(...)): whichever articles, lists changed.
        bump(SITE)
        if pk_set:
            _invalidate(pk_set, cards=False)
        else:
            rendering.invalidate_all(cards=False)  # cleared from the other side: which articles is no longer known


# -- comments ----------------------------------------------------------------------------------
@receiver(post_init, sender=Comment, dispatch_uid="pages_comment_loaded")
def remember_comment_status(sender, instance, **kwargs):
    instance._pages_was_approved = instance.__dict__.get("status") == APPROVED


@receiver(post_save, sender=Comment, dispatch_uid="pages_comment_saved")
@receiver(post_delete, sender=Comment, dispatch_uid="pages_comment_deleted")
def comment_changed(sender, instance, signal, raw=False, origin=None, **kwargs):
    # Only approved comments are public: a pending comment arriving changes no page.
    approved_now = instance.status == APPROVED and signal is not post_delete
    if not raw and not _deleting_article(origin) and (instance._pages_was_approved or approved_now):
        _bump_article_of(instance, COMMENTS)
        _invalidate([instance.article_id], render=[instance.article_id], cards=False)
    instance._pages_was_approved = approved_now


@receiver(comments_moderated, dispatch_uid="pages_comments_moderated")
def comments_moderated_together(sender, article_ids, **kwargs):
    bump(COMMENTS, *(article_scope(s) for s in sorted(set(_slugs(article_ids)))))
    _invalidate(article_ids, render=article_ids, cards=False)


# -- links the notes cite ------------------------------------------------------------------------
@receiver(post_init, sender=Link, dispatch_uid="pages_link_loaded")
def remember_link_state(sender, instance, **kwargs):
    # From __dict__: a row loaded with only some fields is not fetched again here.
    instance._pages_shown = tuple(instance.__dict__.get(name) for name in _LINK_SHOWN)


_LINK_SHOWN = ("dead", "dead_since", "snapshot_url", "replacement_url", "archived_url")


@receiver(post_save, sender=Link, dispatch_uid="pages_link_saved")
def link_changed(sender, instance, raw=False, created=False, **kwargs):
    # A check that finds a link as it was changes no page; found dead, or pinned, the notes citing it do.
    shown = tuple(getattr(instance, name) for name in _LINK_SHOWN)
    if not raw and not created and shown != instance._pages_shown:
        notes = LinkCitation.objects.filter(link=instance, footnote__isnull=False)
        _notes_changed(sorted(set(notes.values_list("article_id", flat=True))))
    instance._pages_shown = shown


@receiver(link_citations_changed, dispatch_uid="pages_link_citations_changed")
def link_citations_rewritten(sender, article_ids, **kwargs):
    _notes_changed(article_ids)


def _notes_changed(article_ids):
    if article_ids:
        bump(*(article_scope(s) for s in sorted(set(_slugs(article_ids)))))
        _invalidate(article_ids, render=article_ids, cards=False)


# -- the site's domain ---------------------------------------------------------------------------
@receiver(post_save, sender=Site, dispatch_uid="pages_site_saved")
@receiver(post_delete, sender=Site, dispatch_uid="pages_site_deleted")
def site_changed(sender, created=False, raw=False, **kwargs):
    # Feeds and sitemaps (listings) write its domain into every link; every process forgets its copy.
    # A new Site (the default one `migrate` makes, before any cache table exists) is on no page yet.
    if not raw and not created:
        bump(LISTINGS, SITE_DOMAIN)


# -- names shown everywhere --------------------------------------------------------------------
def _articles_showing(instance):
    """Ids of the articles whose page shows this Source, Author or Tag."""
    if isinstance(instance, Source):
        return Footnote.objects.filter(source=instance).values_list("article_id", flat=True)
    if isinstance(instance, Author):
        return ArticleAuthor.objects.filter(author=instance).values_list("article_id", flat=True)
    return TaggedArticle.objects.filter(tag=instance).values_list("content_object_id", flat=True)


@receiver(post_save, sender=Source, dispatch_uid="pages_source_saved")
@receiver(pre_delete, sender=Source, dispatch_uid="pages_source_deleted")
@receiver(post_save, sender=Author, dispatch_uid="pages_author_saved")
@receiver(pre_delete, sender=Author, dispatch_uid="pages_author_deleted")
@receiver(post_save, sender=Tag, dispatch_uid="pages_tag_saved")
@receiver(pre_delete, sender=Tag, dispatch_uid="pages_tag_deleted")
def name_changed(sender, instance, created=False, raw=False, **kwargs):
    # A new one shows nowhere until an article links to it, and that link refreshes the pages it changes.
    if not created and not raw:
        bump(SITE)
        _invalidate(_articles_showing(instance), cards=isinstance(instance, Author))  # cards show authors only


@receiver(post_save, sender=Category, dispatch_uid="pages_category_saved")
@receiver(pre_delete, sender=Category, dispatch_uid="pages_category_deleted")
def category_changed(sender, instance, created=False, raw=False, **kwargs):
    # Shown in the breadcrumb of its articles and beside them in other articles' related posts. A
    # move or rename saves every descendant too, so each handles its own articles. A new one is
    # in the home page's category tree at once, though no article is filed under it yet.
    if raw:
        return
    if created:
        bump(LISTINGS)
        return
    bump(SITE)
    filed = list(Article.objects.filter(primary_category=instance).values_list("pk", flat=True))
    _invalidate(filed)  # their cards show its name and address too
    refresh_pages(showing_in_related(filed))
