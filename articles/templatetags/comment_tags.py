"""Template tags for the comments fragment and the admin index (display data only; no HTML here)."""

from dataclasses import dataclass
from functools import lru_cache

from django import template
from django.template.loader import get_template
from django.utils.translation import get_language

from articles.comments.forms import CommentForm, form_token
from articles.comments.moderation import moderator
from articles.models import Comment
from articles.models.comments import as_thread

register = template.Library()


@dataclass
class CommentThread:
    comments: list  # top-level comments; replies in .replies_shown
    count: int
    open: bool
    max_depth: int


@dataclass
class CommentSection:
    open: bool
    closed_notice: str
    form: CommentForm | None  # the view's bound form after an error; None for a fresh one
    token: str
    reply_to: Comment | None

    @property
    def blank_fields(self):
        return blank_comment_fields()


def blank_comment_fields():
    """The fields of an unbound reply form as HTML: the same for every reader and article (the
    parent and the signed token are separate inputs), so rendered once per process and language."""
    return _blank_fields(get_language())


@lru_cache(maxsize=8)
def _blank_fields(language):
    return get_template("includes/comment_form_fields.html").render({"form": CommentForm(article=None)})


@register.simple_tag
def comment_thread(article):
    """The article's approved comments as a thread (the same for every reader: stored with the
    article's rendering, see ``articles.pages.rendering``)."""
    depth = moderator.max_depth
    comments = as_thread(article.comments_for_page(), max_depth=depth)
    return CommentThread(comments=comments, count=_count(comments), open=moderator.allow(article), max_depth=depth)


@register.simple_tag(takes_context=True)
def comment_form_section(context, article):
    """The reply form for this reader: the view's bound form after an error, else a fresh one (a
    reply to ``?replyto=`` when that comment is shown and may be answered)."""
    request = context.get("request")
    depth = moderator.max_depth
    form = context.get("comment_form")
    reply_to = None
    if form is None:
        # No form object for a fresh form: its fields come from ``blank_comment_fields``.
        wanted = request.GET.get("replyto", "") if request is not None else ""
        if wanted.isdigit():
            reply_to = _find(article.comments.public().thread(max_depth=depth), int(wanted))
            if reply_to is not None and reply_to.depth >= depth:
                reply_to = None
        token = form_token(article)
    else:
        reply_to = form.parent_comment
        token = form.valid_token() or form_token(article)
    return CommentSection(
        open=moderator.allow(article),
        closed_notice=moderator.closed_notice(article),
        form=form,
        token=token,
        reply_to=reply_to,
    )


@register.simple_tag(takes_context=True)
def pending_comment_count(context):
    """Pending comments, for users who may moderate them (None for others)."""
    request = context.get("request")
    if request is None or not request.user.has_perm("articles.change_comment"):
        return None
    return Comment.objects.pending().count()


def _count(comments):
    return sum(1 + _count(c.replies_shown) for c in comments)


def _find(comments, pk):
    for comment in comments:
        if comment.pk == pk:
            return comment
        found = _find(comment.replies_shown, pk)
        if found is not None:
            return found
    return None
