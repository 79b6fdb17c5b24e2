"""The article page, rendered when it is written, not when it is read.

An article page is the same for every reader except the reply form (and a message a reader may
have after posting a comment). The rest (head and structured data, site header, breadcrumb, title
and byline, body, notes, tags, related posts, footer) is rendered from
``articles/article_detail.html`` after a write and stored in ``ArticleRendering`` with two holes,
along with the approved comments; a page read then costs one query, for the article and its
rendering (``ArticleDetailView``), and the holes are filled in for the reader (``page``).

Never stale, by construction:

- Every write that changes what the page shows invalidates it in the writing transaction
  (``invalidate``; the receivers are in ``articles.pages.rendering_invalidation``): the article itself, its
  notes, authors, tags and categories; a source, author, tag or category it shows being renamed;
  an article its related posts list being edited; its related posts recomputed; a comment
  approved, or approved no longer.
- Comments also close with time (``CommentModerator.close_after``): a rendering made while they
  were open is not used once they are closed, and the other way round.
- Invalidation moves the row's ``generation`` on. ``store`` writes only over the generation its
  rendering started from, so HTML rendered from rows read before a concurrent write can never be
  stored after it.
- The stored HTML carries a digest of the templates, settings, site links and static file names it
  came from; after a deploy that changes them every row is stale at once and is rendered again
  (``manage.py render_articles``, or by the first reader of each page).

A page whose rendering is missing or stale is rendered live, exactly as it would be stored, and the
result is stored for the next reader. Each rendering also carries the article's cards for the lists,
per interface language (``cards``), emptied only by the writes a card shows. Absolute URLs
(canonical, Open Graph, structured data) are written with the placeholder ``ORIGIN`` and completed
for the request's own scheme and host.

No text a reader wrote ever reaches a substitution: the placeholders are filled in only in the parts
made from the site's own templates and the editors' articles (``page_html`` and the comments
section's shell, ``section_html``); the approved comments (``comments_html``) are joined in after,
as they are, so a comment quoting a placeholder is shown as written, never with a reader's token.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Prefetch
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from articles.citations import styles as citation_styles
from articles.comments.forms import form_token
from articles.comments.moderation import moderator
from articles.context_processors import site
from articles.i18n import catalogues_digest
from articles.models import Article, ArticleRendering, Comment
from articles.progress import progress
from articles.related.links import prefetch_related_shown, related_shown
from articles.workers import can_fork, forked_pool

from .cards import digest as cards_digest
from .cards import json_value
from .cards import render as render_cards

logger = logging.getLogger(__name__)

PAGE_TEMPLATE = "articles/article_detail.html"
SECTION_TEMPLATE = "includes/comments.html"
COMMENTS_TEMPLATE = "includes/comment_thread.html"
# Every template the stored HTML is made from (the digest covers them all).
TEMPLATES = (
    PAGE_TEMPLATE,
    SECTION_TEMPLATE,
    "includes/comment_form_fields.html",
    "includes/comment_field.html",
    "includes/messages.html",
    "includes/comment_messages.html",
    "base.html",
    "includes/site_header.html",
    "includes/site_footer.html",
    "includes/article_main.html",
    "includes/article_head.html",
    COMMENTS_TEMPLATE,
    "includes/comment.html",
    "includes/breadcrumb.html",
    "includes/article_meta.html",
    "includes/footnotes.html",
    "includes/link_status.html",
    "includes/related_posts.html",
    "includes/citation_head.html",
    "includes/article_cite.html",
    "includes/translations.html",
    "includes/language_switcher.html",
)
# Where the reader's own parts go in the stored page (HTML comments: bodies are sanitized without
# comments, and everything else in the page is escaped, so nothing else can contain them).
MESSAGES_HOLE = "<!--archive:messages-->"
# Messages tagged so (``views.comments``) are about the reader's comment: shown at the reply form.
COMMENT_MESSAGE_TAG = "comment"
COMMENTS_HOLE = "<!--archive:comments-->"
# The comments section as most readers get it (a fresh reply form) is stored as a shell: a hole
# where the approved comments go (joined in unchanged) and one for the form's signed "shown at". A
# fresh form carries no CSRF token: the form sent back to confirm a comment carries the reader's.
THREAD_HOLE = "<!--archive:thread-->"
FORM_TOKEN_HOLE = "__archive:form-token__"
_FORM_TOKEN = re.compile(r'name="token" value="([^"]+)"')
# Raise when the Python that shapes the stored HTML changes (articles.seo, articles.citations, Footnote,
# Source labels, languages, the links' archived copies).
FORMAT_VERSION = "7"
# A reserved name (RFC 2606): no real address can contain it, and it is replaced in every response.
ORIGIN = "https://origin.invalid"
BATCH = 200
# Pages held in memory before they are stored (some 35 KB each, twice over in the statement).
STORE_BATCH = 50


class _OriginRequest:
    """What ``articles.seo`` needs of a request to write absolute URLs: here, with the placeholder
    (and no query: the stored comments section is the one for a fresh form)."""

    scheme = "https"
    GET = {}

    def build_absolute_uri(self, location="/"):
        return ORIGIN + location

    def get_host(self):
        return ORIGIN.split("://", 1)[1]


@lru_cache(maxsize=1)
def digest() -> str:
    parts = [FORMAT_VERSION, settings.SITE_NAME, settings.SITE_DESCRIPTION, settings.LANGUAGE_CODE,
             str(moderator.max_depth)]
    # The page links to the stylesheets by their hashed names and to the site's own pages.
    parts += [static("css/site.css"), static("css/print.css"), static("js/cite.js")]
    parts.append(citation_styles.digest())  # the Cite block's styles: which, and their files
    with translation.override(settings.LANGUAGE_CODE):  # the same in every process, whatever it served last
        parts += [reverse(name) for name in ("articles:home", "articles:archive", "articles:search",
                                             "articles:feed_rss", "articles:feed_atom")]
    for name in TEMPLATES:
        parts.append(loader.get_template(name).template.source)
    # The interface's translations: a corrected catalogue is a deploy that changes the pages.
    parts.append(catalogues_digest())
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass
class Rendered:
    page: str  # the whole page, with MESSAGES_HOLE and COMMENTS_HOLE
    comments: str  # the approved comments: readers' text, never searched for a hole
    section: str  # the comments section with a fresh form, with THREAD_HOLE and FORM_TOKEN_HOLE
    comments_open: bool  # when rendered
    cards: dict[str, str] = field(default_factory=dict)  # its card in the lists, per interface language (``cards``)


def render(article) -> Rendered:
    """The page of ``article`` fetched with ``Article.objects.for_page()``, as it is stored: in the
    article's language, as its address (``/fa/articles/…``) is."""
    with translation.override(article.language):
        rendered = _render(article)
    rendered.cards = render_cards(article)
    return rendered


def _render(article) -> Rendered:
    context = {"article": article, "article_page": article, "related_posts": related_shown(article),
               "request": _OriginRequest(),
               "messages_section": mark_safe(MESSAGES_HOLE), "comments_section": mark_safe(COMMENTS_HOLE), **site(None)}
    comments = loader.get_template(COMMENTS_TEMPLATE).render(context)
    section = loader.get_template(SECTION_TEMPLATE).render(
        {**context, "article_comments": mark_safe(THREAD_HOLE)}
    )
    # The form's token, signed for now, becomes a hole (there is none when comments are closed).
    section = _FORM_TOKEN.sub(f'name="token" value="{FORM_TOKEN_HOLE}"', section, count=1)
    return Rendered(
        page=loader.get_template(PAGE_TEMPLATE).render(context),
        comments=comments,
        section=section,
        comments_open=moderator.allow(article),
    )


def page(article, request, comment_form=None) -> str:
    """The page of ``article`` (fetched with ``Article.objects.for_reading()``) for this reader:
    the stored rendering when current, else rendered now and stored for the next reader; with the
    reader's messages and the comments section (``comment_form``: the form a refused post sends back)."""
    try:
        rendering = article.rendering
    except ObjectDoesNotExist:
        rendering = None
    if rendering is not None and rendering.is_current(digest(), moderator.allow(article)):
        stored = Rendered(rendering.page_html, rendering.comments_html, rendering.section_html,
                          rendering.comments_open)
    else:
        stored = render(Article.objects.for_page().get(pk=article.pk))
        store(article.pk, rendering.generation if rendering is not None else None, stored)
    origin = f"{request.scheme}://{request.get_host()}"
    top, rest = stored.page.replace(ORIGIN, origin).split(MESSAGES_HOLE, 1)
    middle, bottom = rest.split(COMMENTS_HOLE, 1)
    # Rendered only for a reader who has messages; those about a comment are shown at its form.
    messages, comment_messages = _reader_messages(request)
    if comment_form is None and "replyto" not in request.GET and not comment_messages:
        # A fresh form, as stored: only the reader's two tokens are made now, in the shell, before
        # the comments are joined in. A fresh form has no CSRF token (``comments.html``): the page
        # is alike for every reader but the form's signed time, and a front cache may share it.
        shell = stored.section.replace(FORM_TOKEN_HOLE, form_token(article))
        before, after = shell.split(THREAD_HOLE, 1)
        comments = "".join((before, stored.comments, after))
    else:  # a refused post's form with its errors, or a reply to a comment: rendered for this reader
        comments = loader.render_to_string(
            SECTION_TEMPLATE,
            {"article": article, "article_comments": mark_safe(stored.comments), "comment_form": comment_form,
             "comment_messages": comment_messages},
            request=request,
        )
    return "".join((top, messages, middle, comments, bottom))


def _reader_messages(request):
    """(the page's messages as HTML, the messages about the reader's comment): one read of the store."""
    if not get_messages(request):
        return "", []
    every = list(get_messages(request))
    about_comment = [m for m in every if COMMENT_MESSAGE_TAG in m.tags.split()]
    others = [m for m in every if m not in about_comment]
    html = loader.render_to_string("includes/messages.html", {"messages": others}, request=request) if others else ""
    return html, about_comment


# -- writing ---------------------------------------------------------------------------------------
def store(article_id: int, generation: int | None, rendered: Rendered) -> bool:
    """Store a rendering made from rows read at ``generation`` (None: the article had no row then).

    Writes nothing if the rendering was invalidated since (the generation moved on): the next
    read or write renders it again from the new rows. Returns whether it was stored.
    """
    values = {
        "page_html": rendered.page,
        "comments_html": rendered.comments,
        "section_html": rendered.section,
        "comments_open": rendered.comments_open,
        "digest": digest(),
        "cards": rendered.cards,
        "cards_digest": cards_digest(),
        "rendered_at": timezone.now(),
    }
    if generation is None:
        # A row created since, by an invalidation or another reader, wins: this insert fails.
        row = ArticleRendering(article_id=article_id, generation=0, **values)
        try:
            if connection.in_atomic_block:
                with transaction.atomic():  # a savepoint: the failure leaves the transaction usable
                    row.save(force_insert=True)
            else:
                row.save(force_insert=True)  # one statement, no BEGIN/COMMIT around it
        except IntegrityError:
            return False
        return True
    return bool(ArticleRendering.objects.filter(article_id=article_id, generation=generation).update(**values))


def invalidate(article_ids, *, cards=True) -> None:
    """The stored pages of these articles (ids, or a queryset of ids) are stale, in this transaction,
    and their cards too unless ``cards`` is False (a change no card shows: notes, tags, comments…)."""
    ids = sorted(set(article_ids))
    if not ids:
        return
    # One upsert: a missing row is made already past generation 0 (a reader that saw no row and
    # stores afterwards finds it: its generation-0 insert does nothing), a stored one is emptied and
    # moved on, as ``ArticleRenderingQuerySet.invalidate`` does; each row is written once.
    table = connection.ops.quote_name(ArticleRendering._meta.db_table)
    upsert = (
        f"INSERT INTO {table} (article_id, page_html, comments_html, section_html, comments_open, digest, "
        "generation, cards, cards_digest) {rows} ON CONFLICT (article_id) DO UPDATE SET "
        f"generation = {table}.generation + 1, page_html = '', comments_html = '', section_html = ''"
        + (", cards = '{{}}', cards_digest = ''" if cards else "")
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            rows = "SELECT id, '', '', '', false, '', 1, '{}', '' FROM unnest(%s::bigint[]) AS id"
            cursor.execute(upsert.format(rows=rows), [ids])
            return
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            values = ", ".join(["(%s, '', '', '', 0, '', 1, '{}', '')"] * len(chunk))
            # "WHERE true": SQLite's parser needs it to tell the upsert from a join of the VALUES.
            cursor.execute(upsert.format(rows=f"SELECT * FROM (VALUES {values}) WHERE true"), chunk)


def invalidate_all(*, cards=True) -> None:
    ArticleRendering.objects.all().invalidate(cards=cards)


def refresh(article_ids, *, stream=None, workers=1) -> int:
    """Render and store these articles now (write time), a batch of queries per 200; returns how
    many were stored (a rendering invalidated meanwhile is left for the next write or read).
    ``workers`` > 1 renders in that many forked processes (rendering is CPU-bound templating)."""

    ids = sorted(set(article_ids))
    chunks = [ids[start:start + BATCH] for start in range(0, len(ids), BATCH)]
    stored = 0
    bar = progress(range(len(ids)), desc="Rendering", unit="article", stream=stream)
    bar_update = getattr(bar, "update", None)
    for chunk, count in zip(chunks, _render_chunks(chunks, workers), strict=True):
        stored += count
        if bar_update:
            bar_update(len(chunk))
    if bar_update:
        bar.close()
    return stored


def _render_chunks(chunks, workers):
    if workers <= 1 or len(chunks) < 2 or not can_fork():
        yield from map(_render_chunk, chunks)
        return
    connections.close_all()  # each forked worker opens its own connection
    with forked_pool(workers, initializer=connections.close_all) as pool:
        yield from pool.imap(_render_chunk, chunks)


def _render_chunk(chunk) -> int:
    """Render and store a chunk: what the pages show in a fixed number of queries, whatever its
    size; the pages stored a statement and a commit per ``STORE_BATCH``."""
    generations = dict(ArticleRendering.objects.filter(article_id__in=chunk).values_list("article_id", "generation"))
    comments = Prefetch("comments", queryset=Comment.objects.public().order_by("submitted_at", "id"),
                        to_attr="_comments_for_page")  # ``Article.comments_for_page``
    articles = list(Article.objects.for_page().filter(pk__in=chunk).prefetch_related(comments))
    prefetch_related_shown(articles)
    _prefetch_translations(articles)
    stored = 0
    for start in range(0, len(articles), STORE_BATCH):
        rendered = [(article.pk, generations.get(article.pk), render(article))
                    for article in articles[start:start + STORE_BATCH]]
        with transaction.atomic():
            stored += store_many(rendered)
    return stored


def store_many(rows) -> int:
    """``store`` for many (article id, generation, Rendered) rows: an UPDATE of the rows still at
    their generation and an INSERT of those that had none; returns how many were stored."""
    table = connection.ops.quote_name(ArticleRendering._meta.db_table)
    shared = [digest(), connection.ops.adapt_datetimefield_value(timezone.now()), cards_digest()]
    updates = [row for row in rows if row[1] is not None]
    inserts = [row for row in rows if row[1] is None]
    stored = 0
    with connection.cursor() as cursor:
        if updates:
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(updates))
            cursor.execute(
                f"UPDATE {table} SET page_html = v.column3, comments_html = v.column4, section_html = v.column5, "
                f"comments_open = v.column6, cards = {json_value('v.column7')}, digest = %s, rendered_at = %s, "
                f"cards_digest = %s FROM (VALUES {values}) AS v "
                f"WHERE {table}.article_id = v.column1 AND {table}.generation = v.column2",
                shared + [value for row in updates for value in _row_values(row)],
            )
            stored += cursor.rowcount
        if inserts:
            # A row created since, by an invalidation or another reader, wins: nothing is written over it.
            values = ", ".join([f"(%s, %s, %s, %s, %s, %s, {json_value()}, %s, %s, %s)"] * len(inserts))
            cursor.execute(
                f"INSERT INTO {table} (article_id, generation, page_html, comments_html, section_html, comments_open, "
                f"cards, digest, rendered_at, cards_digest) VALUES {values} ON CONFLICT (article_id) DO NOTHING",
                [value for row in inserts for value in (*_row_values((row[0], 0, row[2])), *shared)],
            )
            stored += cursor.rowcount
    return stored


def _row_values(row):
    article_id, generation, rendered = row
    cards = json.dumps(rendered.cards, ensure_ascii=False)
    return article_id, generation, rendered.page, rendered.comments, rendered.section, rendered.comments_open, cards


def _prefetch_translations(articles):
    """``Article.translations_for_page`` for many articles in one query (none without a group)."""
    groups = {article.translation_group_id for article in articles} - {None}
    members = {}
    if groups:
        versions = (Article.objects.published().filter(translation_group_id__in=groups)
                    .only("slug", "title", "language", "translation_group_id").order_by("language", "pk"))
        for version in versions:
            members.setdefault(version.translation_group_id, []).append(version)
    for article in articles:
        group = members.get(article.translation_group_id, []) if article.translation_group_id else []
        article._translations_for_page = [version for version in group if version.pk != article.pk]


def refresh_after_commit(article_id: int) -> None:
    """Render the article once the transaction that changed it has committed (and its related
    posts, recomputed after the same commit, are in)."""
    transaction.on_commit(lambda: refresh_safely([article_id]))


def refresh_safely(article_ids) -> None:
    """For after-commit callbacks: the write is done; a failure here is logged, never shown to the
    editor who saved, and the page is rendered by its first reader instead."""
    try:
        refresh(article_ids)
    except Exception:
        logger.exception("Article pages %s could not be rendered; run render_articles.", list(article_ids))


def stale_ids(queryset=None):
    """Ids of articles (published by default) whose stored rendering is missing or stale."""
    queryset = Article.objects.published() if queryset is None else queryset
    current = ArticleRendering.objects.filter(digest=digest()).exclude(page_html="")
    return queryset.exclude(pk__in=current.values("article_id")).order_by("pk").values_list("pk", flat=True)
