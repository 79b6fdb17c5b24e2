"""The outgoing links that bodies and notes cite, and what checking them found.

A ``Link`` is one URL, however many notes and articles cite it (``LinkCitation``: the article,
and the note when a note cites it). The citations are written after each import or save by a task
(``articles.links``), the checks by the periodic link check, one ``LinkCheck`` a check.
"""

import hashlib

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.dispatch import Signal
from django.utils import timezone

from .sources import Footnote

# Sent with ``article_ids`` when what these articles' notes show of their links changed without a
# ``post_save`` of a Link (citations rewritten in bulk by the recording task).
link_citations_changed = Signal()


def link_key(url: str) -> str:
    """The unique key of a URL (a URL may be longer than a unique index allows)."""
    return hashlib.sha256(url.encode()).hexdigest()


class LinkQuerySet(models.QuerySet):
    def cited(self):
        """Links some article or note still cites (a link no longer cited is kept, never checked)."""
        return self.filter(Exists(LinkCitation.objects.filter(link=OuterRef("pk"))))

    def due(self, now=None):
        """Cited links never checked or whose next check has come."""
        now = now or timezone.now()
        return self.cited().filter(Q(next_check__isnull=True) | Q(next_check__lte=now))

    def dead(self):
        return self.filter(dead=True)


class Link(models.Model):
    """One outgoing URL, what its last check found and what an editor pinned for it."""

    key = models.CharField(max_length=64, unique=True, editable=False)
    url = models.TextField("URL", editable=False)
    host = models.CharField(max_length=255, db_index=True, editable=False)
    first_seen = models.DateTimeField(default=timezone.now, editable=False)
    last_checked = models.DateTimeField(null=True, blank=True, editable=False)
    next_check = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    last_status = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, help_text="The HTTP status of the last check (none: no answer)."
    )
    last_error = models.CharField(max_length=300, blank=True, editable=False)
    redirect_target = models.TextField(blank=True, editable=False, help_text="Where the URL redirected to.")
    failures_in_row = models.PositiveSmallIntegerField(default=0, editable=False)
    dead = models.BooleanField(default=False, db_index=True, editable=False,
                               help_text="Failed two checks in a row.")
    dead_since = models.DateTimeField(null=True, blank=True, editable=False)
    snapshot_url = models.TextField(
        blank=True, editable=False, help_text="The closest Wayback Machine snapshot (the availability API)."
    )
    replacement_url = models.URLField(
        "replacement URL", max_length=2000, blank=True,
        help_text="Where the page is now: the notes citing it link there, and still show the original.",
    )
    archived_url = models.URLField(
        "archived copy", max_length=2000, blank=True,
        help_text="An archived copy you chose (e.g. a Wayback Machine snapshot): the notes offer it "
        "instead of the one found automatically.",
    )

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ["url"]

    def __str__(self):
        return self.url

    def shown_state(self) -> tuple:
        """What the notes citing this link show of it: when it changes, their pages are stale."""
        return (self.dead, self.dead_since, self.snapshot_url, self.replacement_url, self.archived_url)

    @property
    def shown(self) -> bool:
        """Whether a note citing it shows anything beyond the URL."""
        return self.dead or bool(self.replacement_url or self.archived_url)


class LinkCitationQuerySet(models.QuerySet):
    def shown(self):
        """Citations by notes of links the notes show more of (dead, or pinned)."""
        return self.filter(footnote__isnull=False).filter(
            Q(link__dead=True) | ~Q(link__replacement_url="") | ~Q(link__archived_url="")
        )


class LinkCitation(models.Model):
    """An article citing a link, in its body (no note) or in one of its notes."""

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="citations")
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="link_citations")
    footnote = models.ForeignKey(
        "articles.Footnote", null=True, blank=True, on_delete=models.CASCADE, related_name="link_citations"
    )

    objects = LinkCitationQuerySet.as_manager()

    class Meta:
        ordering = ["article", "footnote", "link"]
        constraints = [
            models.UniqueConstraint(fields=["link", "footnote"], condition=Q(footnote__isnull=False),
                                    name="link_cited_once_per_note"),
            models.UniqueConstraint(fields=["link", "article"], condition=Q(footnote__isnull=True),
                                    name="link_cited_once_per_body"),
        ]

    def __str__(self):
        where = f"note {self.footnote.number}" if self.footnote_id else "body"
        return f"{self.link.url} ({where})"


class LinkCheck(models.Model):
    """One check of a link: what it answered (or why it could not be asked)."""

    class Outcome(models.TextChoices):
        OK = "ok", "Answered"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not checked"

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="checks")
    checked_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    method = models.CharField(max_length=4, blank=True, help_text="HEAD, or GET where HEAD was refused.")
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    redirect_target = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-checked_at", "-pk"]
        indexes = [models.Index(fields=["link", "-checked_at"], name="linkcheck_link_latest")]

    def __str__(self):
        return f"{self.link.url}: {self.status or self.error or self.outcome}"


class LostLinkNoteQuerySet(models.QuerySet):
    def still_lost(self):
        return self.filter(url_missing=True, found_url="")


class LostLinkNote(Footnote):
    """A note whose link the old site lost: the admin's queue for finding them again."""

    objects = LostLinkNoteQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = "note with a lost link"
        verbose_name_plural = "notes with lost links"
