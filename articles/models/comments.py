from django.db import models
from django.db.models import Q


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)


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

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "import_id"], condition=~Q(import_id=""), name="comment_import_id_unique"
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="comment_not_its_own_parent"),
        ]
        indexes = [models.Index(fields=["article", "status", "submitted_at"], name="comment_thread_idx")]

    def __str__(self):
        return f"{self.name} on {self.article}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"
