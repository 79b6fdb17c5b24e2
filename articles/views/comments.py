"""Posting a comment: post/redirect/get on success, the article page with the form's errors otherwise."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext
from django.views import View

from articles.comments.forms import CommentForm
from articles.comments.moderation import moderator
from articles.i18n import local_digits
from articles.models import Article, Comment
from articles.pages.rendering import COMMENT_MESSAGE_TAG
from articles.views.article import ArticleDetailView

AWAITING_MODERATION = gettext_lazy(
    "Thank you. Your comment awaits moderation and will appear once a moderator approves it."
)
PUBLISHED = gettext_lazy("Thank you. Your comment is published.")
NOT_ACCEPTED = gettext_lazy(
    "Your comment could not be accepted just now. Nothing is lost: your text is below. Please wait a "
    "moment and send it again."
)
# The reply form's place on the page: a refused post (the form's action) and a redirect land there.
FORM_ANCHOR = "#respond"


def mark_private(response):
    """Tell shared caches (see settings.ARCHIVE_PRIVATE_COOKIE) that this reader's next pages are personal."""
    response.set_cookie(
        settings.ARCHIVE_PRIVATE_COOKIE, "1", max_age=600, httponly=True, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


class CommentPostView(View):
    http_method_names = ["get", "post"]

    def get(self, request, slug):
        # Someone followed or reloaded the form's address: show them the form, not an error.
        return redirect(f"{reverse('articles:article', kwargs={'slug': slug})}{FORM_ANCHOR}", permanent=True)

    def post(self, request, slug):
        article = Article.objects.for_page().published().filter(slug=slug).first()
        if article is None:
            raise Http404("No such article.")
        form = CommentForm(
            request.POST, article=article, max_depth=moderator.max_depth, max_form_age=moderator.max_form_age
        )
        if not moderator.allow(article):
            form.is_valid()  # keep what the reader typed, with the reason at the top
            not_sent = _("Your comment was not sent.")
            form.add_error(None, f"{moderator.closed_notice(article)} {not_sent}")
            return self.refuse(request, article, form, status=403)
        if not form.is_valid():
            return self.refuse(request, article, form, status=400)

        ip_hash = moderator.address_hash(request)
        if not moderator.rate_limit.hit(ip_hash or "unknown"):
            minutes = max(1, round(moderator.rate_limit.retry_after() / 60))
            form.add_error(None, ngettext(
                "You have sent several comments in a short time. Please wait about %(minutes)s minute "
                "and send this one again.",
                "You have sent several comments in a short time. Please wait about %(minutes)s minutes "
                "and send this one again.",
                minutes,
            ) % {"minutes": local_digits(minutes)})
            response = self.refuse(request, article, form, status=429)
            response["Retry-After"] = str(moderator.rate_limit.retry_after())
            return response

        comment = form.build_comment(ip_hash=ip_hash)
        if moderator.is_duplicate(comment):
            return self.duplicate(request, article, form)
        reasons = moderator.spam_reasons(
            comment, honeypot=form.cleaned_data.get("homepage", ""), seconds_taken=form.seconds_taken
        )
        comment.status = moderator.moderate(comment, reasons)
        if comment.status == Comment.Status.SPAM:
            # Kept for the moderators, but no duplicate: the same text sent again is judged afresh.
            comment.fingerprint = ""
        try:
            with transaction.atomic():  # a savepoint, so a refused duplicate leaves any outer transaction usable
                comment.save()
        except IntegrityError:  # the same comment, sent twice at once
            return self.duplicate(request, article, form)
        moderator.notify(comment, request)

        if comment.status == Comment.Status.SPAM:
            # A person the defences mistook (too quick, a link too many) is told what to do, text kept.
            form.add_error(None, NOT_ACCEPTED)
            return self.refuse(request, article, form, status=400)
        if comment.status == Comment.Status.APPROVED:
            messages.success(request, PUBLISHED, extra_tags=COMMENT_MESSAGE_TAG)
            return mark_private(redirect(comment.get_absolute_url()))
        messages.success(request, AWAITING_MODERATION, extra_tags=COMMENT_MESSAGE_TAG)
        return mark_private(redirect(article.get_absolute_url() + FORM_ANCHOR))

    def duplicate(self, request, article, form):
        form.add_error(None, _("You have already sent this comment. It will appear once a moderator approves it."))
        return self.refuse(request, article, form, status=409)

    def refuse(self, request, article, form, *, status):
        """The article page again, with the form, the reader's input and what to fix."""
        page = ArticleDetailView()
        page.setup(request, slug=article.slug)
        page.object = article
        return page.render_to_response({"comment_form": form}, status=status)


# Marked for the catalogues, translated where shown (it names the form's button).
CONFIRM = gettext_noop("Please check your comment below, then press Post Comment to send it.")


def refuse_after_csrf_failure(request, slug, explanation):
    """The article page with the refused comment's form, as the reader filled it in, with this
    reader's CSRF token and cookie; None for an article that takes no comments here (the caller answers).

    A form with no CSRF token at all is the article page's own: the page is shared by every reader
    (a front cache may keep it), so its form carries none, and this answer is the step where the
    reader confirms (200). A token that does not match is refused, and said so (403)."""
    article = Article.objects.for_page().published().filter(slug=slug).first()
    if article is None:
        return None
    posted = _posted(request)
    form = CommentForm(posted, article=article, max_depth=moderator.max_depth, max_form_age=moderator.max_form_age)
    form.is_valid()  # the reader's text and any other mistake, shown with the reason at the top
    if "csrfmiddlewaretoken" not in posted:
        form.add_error(None, _(CONFIRM))
        return CommentPostView().refuse(request, article, form, status=200)
    form.add_error(None, _("Your comment was not sent. %(explanation)s Your text is below: send it again.")
                   % {"explanation": _(explanation)})
    return CommentPostView().refuse(request, article, form, status=403)


def _posted(request):
    try:
        return request.POST
    except (BadRequest, ValueError):
        return {}
