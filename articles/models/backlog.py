from django.db import models


class IndexBacklog(models.Model):
    """An article whose write-time indexes are still to be brought up to date: queued, in the
    transaction that wrote it, by an import that leaves them for later (``import_articles
    --index-later``), and taken off by ``update_indexes`` (``articles/index_backlog.py``). Durable,
    so an import stopped before the indexes were done loses none of the work."""

    # Indexed by the unique constraint (one entry an article), so no index of its own.
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+", db_index=False)
    # Its search vectors are to be written (``refresh_search_vectors``).
    search = models.BooleanField(default=False)
    # Its terms are to be counted into the term index (an article the index has not counted yet).
    terms = models.BooleanField(default=False)
    # Its related posts are to be computed; its neighbours' lists updated too (a new or edited
    # article) or only its own (an editor's pin or exclusion): ``recompute(article, neighbours=...)``.
    related = models.BooleanField(default=True)
    neighbours = models.BooleanField(default=True)
    # Written again when it is queued again: ``update_indexes`` takes off only the work it did.
    queued_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        verbose_name = "index work to do"
        verbose_name_plural = "index work to do"
        constraints = [models.UniqueConstraint(fields=["article"], name="index_backlog_article_unique")]

    def __str__(self):
        parts = [name for name in ("search", "terms") if getattr(self, name)]
        if self.related:
            parts.append("related posts" if self.neighbours else "its own related posts")
        return f"{', '.join(parts) or 'nothing'} of {self.article_id} to update"
