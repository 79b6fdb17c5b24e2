import hashlib

from django.db import models
from django.db.models import Q
from django.dispatch import Signal

# Sent by ``CommentQuerySet.set_status`` with ``article_ids``: the articles whose comments changed status.
comments_moderated = Signal()


class CommentQuerySet(models.QuerySet):
    def public(self):
        """What readers may see: approved comments."""
        return self.approved()

    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def set_status(self, status):
        """Moderate many at once. An UPDATE sends no ``post_save``: ``comments_moderated`` says which
        articles' pages show comments that changed."""
        changing = self.exclude(status=status)
        article_ids = sorted(set(changing.values_list("article_id", flat=True)))
        changed = changing.update(status=status)
        if changed:
            comments_moderated.send(sender=Comment, article_ids=article_ids)
        return changed

    def thread(self, max_depth=3):
        """The comments as a tree, in one query (see ``as_thread``)."""
        return as_thread(self.order_by("submitted_at", "id"), max_depth=max_depth)


def as_thread(comments, max_depth=3):
    """These comments as a tree: top-level comments oldest first, each with ``replies_shown``
    (oldest first) and ``depth`` (1 for top level). Replies deeper than ``max_depth`` are shown at
    the last level. A reply whose parent is not among ``comments`` (not approved) is not shown either."""
    comments = list(comments)
    children = {}
    for comment in comments:
        comment.replies_shown = []
        children.setdefault(comment.parent_id, []).append(comment)
    roots = list(children.get(None, []))
    stack = [(root, 1, None) for root in reversed(roots)]
    while stack:
        comment, depth, shown_under = stack.pop()
        comment.depth = depth
        if shown_under is not None:
            shown_under.replies_shown.append(comment)
        elif comment.parent_id is not None:  # max_depth 1: replies are shown flat
            roots.append(comment)
        # Replies nest under this comment until the limit, then beside it, under its own parent.
        holder, child_depth = (comment, depth + 1) if depth < max_depth else (shown_under, depth)
        for reply in reversed(children.get(comment.pk, [])):
            stack.append((reply, child_depth, holder))
    for comment in comments:
        comment.replies_shown.sort(key=lambda c: (c.submitted_at, c.pk))
    return sorted(roots, key=lambda c: (c.submitted_at, c.pk))


class Comment(models.Model):
    """A reader's reply to an article. The email is private: it never appears on a public page."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"

    class Kind(models.TextChoices):
        COMMENT = "comment", "Comment"
        PINGBACK = "pingback", "Pingback"
        TRACKBACK = "trackback", "Trackback"

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254, blank=True)
    website = models.URLField(max_length=300, blank=True)
    body = models.TextField(max_length=5000)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    submitted_at = models.DateTimeField()
    # A keyed hash of the commenter's IP address (for rate limits and spam), never the address.
    ip_hash = models.CharField(max_length=64, blank=True)
    # The comment's id in an imported export (wp:comment_id); blank for comments posted here.
    import_id = models.CharField(max_length=50, blank=True)
    # Digest of (email, parent, body) for comments posted here: the database refuses the same comment
    # twice, even when two identical posts race. Blank for imported comments.
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "import_id"], condition=~Q(import_id=""), name="comment_import_id_unique"
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="comment_not_its_own_parent"),
            models.UniqueConstraint(
                fields=["article", "fingerprint"], condition=~Q(fingerprint=""), name="comment_no_duplicate"
            ),
        ]
        indexes = [
            models.Index(fields=["article", "status", "submitted_at"], name="comment_thread_idx"),
            # The moderation queue (pending first) and the "already approved" check for auto-approval.
            models.Index(fields=["status", "-submitted_at"], name="comment_queue_idx"),
            models.Index(fields=["email", "status"], name="comment_email_status_idx"),
        ]

    def __str__(self):
        return f"{self.name} on {self.article}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    @staticmethod
    def fingerprint_for(email, parent_id, body):
        """Same author, same place, same words (case and spacing aside): the same comment."""
        normal = " ".join(body.split()).casefold()
        raw = f"{email.strip().casefold()}\n{parent_id or ''}\n{normal}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()
