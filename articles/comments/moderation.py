"""The comment moderation policy: one object whose hooks decide what happens to a reader's comment.

Modelled on django-contrib-comments' ``CommentModerator``: ``allow`` (may this article take comments
at all?), ``close_after`` (days), ``spam_reasons`` / ``moderate`` (spam, pending or approved?),
``rate_limit`` and ``notify`` (mail the moderators). Every threshold is read from settings when used,
so a test or an operator can change them without touching this module.
"""

import datetime as dt
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from articles.clientip import client_address
from articles.comments.ratelimit import RateLimit
from articles.models import Comment

MODERATORS_GROUP = "Moderators"
# A link is an address with a scheme, or a bare www. one ("http://www.x" counts once).
LINK_PATTERN = re.compile(r"https?://|(?<!//)\bwww\.", re.IGNORECASE)


class CommentModerator:
    notify_cache_key = "comments:moderators-notified"

    # --- settings, read at use ---------------------------------------------------------------
    @property
    def close_after(self):
        """Days after publication when comments close; None: never."""
        return getattr(settings, "ARCHIVE_COMMENTS_CLOSE_AFTER_DAYS", 0) or None

    @property
    def max_depth(self):
        return max(1, getattr(settings, "ARCHIVE_COMMENTS_MAX_DEPTH", 3))

    @property
    def min_seconds(self):
        return getattr(settings, "ARCHIVE_COMMENTS_MIN_SECONDS", 3)

    @property
    def max_form_age(self):
        return getattr(settings, "ARCHIVE_COMMENTS_MAX_FORM_AGE", 2 * 24 * 3600)

    @property
    def rate_limit(self):
        return RateLimit(
            "comments",
            limit=getattr(settings, "ARCHIVE_COMMENTS_RATE_LIMIT", 5),
            window=max(1, getattr(settings, "ARCHIVE_COMMENTS_RATE_WINDOW", 600)),
        )

    # --- may this article take comments? -------------------------------------------------------
    def allow(self, article, now=None):
        """Comments are open: the article is published, its switch is on and it is not too old."""
        if not (article.is_published and article.comments_open):
            return False
        if self.close_after and article.published_at:
            now = now or timezone.now()
            return now < article.published_at + dt.timedelta(days=self.close_after)
        return True

    def closed_notice(self, article):
        return gettext("Comments on this article are closed.")

    # --- what becomes of a comment ----------------------------------------------------------------
    def spam_reasons(self, comment, *, honeypot="", seconds_taken=None):
        """Why ``comment`` looks like spam (empty: it does not)."""
        reasons = []
        if honeypot:
            reasons.append("filled the hidden field")
        if seconds_taken is not None and seconds_taken < self.min_seconds:
            reasons.append(f"sent {seconds_taken:.1f}s after the form was shown")
        text = f"{comment.name}\n{comment.body}"
        links = len(LINK_PATTERN.findall(comment.body))
        if links > getattr(settings, "ARCHIVE_COMMENTS_MAX_LINKS", 2):
            reasons.append(f"{links} links")
        folded = text.casefold()
        for word in getattr(settings, "ARCHIVE_COMMENTS_BLOCKED_WORDS", []):
            if word and word.casefold() in folded:
                reasons.append(f"blocked word {word!r}")
        return reasons

    def moderate(self, comment, spam_reasons):
        """The status a new comment starts with."""
        if spam_reasons:
            return Comment.Status.SPAM
        if getattr(settings, "ARCHIVE_COMMENTS_AUTO_APPROVE_KNOWN", False) and comment.email:
            if Comment.objects.filter(email=comment.email, status=Comment.Status.APPROVED).exists():
                return Comment.Status.APPROVED
        return Comment.Status.PENDING

    def is_duplicate(self, comment):
        return Comment.objects.filter(article_id=comment.article_id, fingerprint=comment.fingerprint).exists()

    # --- addresses ------------------------------------------------------------------------------
    def client_address(self, request):
        return client_address(request)

    def address_hash(self, request):
        """A keyed hash (HMAC with SECRET_KEY) of the reader's address: countable, not reversible."""
        address = self.client_address(request)
        return salted_hmac("articles.comments.ip", address, algorithm="sha256").hexdigest() if address else ""

    # --- telling the moderators ---------------------------------------------------------------------
    def recipients(self):
        users = get_user_model().objects.filter(
            groups__name=MODERATORS_GROUP, is_active=True, is_staff=True
        ).exclude(email="")
        emails = sorted({u.email for u in users})
        return emails or [address for _name, address in settings.MANAGERS]

    def notify(self, comment, request=None):
        """Mail the moderators that comments wait, at most once per NOTIFY_EVERY_MINUTES.

        The cache key is claimed with ``add`` (atomic), so a flood of comments sends one mail
        that gives the count, not one mail per comment.
        """
        if comment.status != Comment.Status.PENDING:
            return False
        minutes = getattr(settings, "ARCHIVE_COMMENTS_NOTIFY_EVERY_MINUTES", 15)
        if minutes > 0 and not cache.add(self.notify_cache_key, True, timeout=minutes * 60):
            return False
        recipients = self.recipients()
        if not recipients:
            return False
        pending = Comment.objects.pending().count()
        queue = reverse("admin:articles_comment_changelist") + "?status__exact=pending"
        if request is not None:
            queue = request.build_absolute_uri(queue)
        body = (
            f"{pending} comment(s) await moderation.\n\n"
            f"Latest: {comment.name} on \u201c{comment.article.title}\u201d.\n\n"
            f"The moderation queue: {queue}\n\n"
            f"You get at most one of these mails every {minutes} minutes."
        )
        transaction.on_commit(
            lambda: send_mail(
                f"[{settings.SITE_NAME}] {pending} comment(s) await moderation",
                body,
                settings.DEFAULT_FROM_EMAIL,
                recipients,
                fail_silently=True,
            )
        )
        return True


moderator = CommentModerator()
