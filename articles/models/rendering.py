from django.db import models
from django.db.models import F


class ArticleRenderingQuerySet(models.QuerySet):
    def invalidate(self, *, cards=True):
        """Mark these renderings stale: the page renders live until the article is rendered again,
        and so do its cards unless ``cards`` is False (a change the cards do not show).

        ``generation`` moves on, so a rendering begun from the old rows can no longer be stored
        (``articles.pages.rendering.store`` only writes over the generation it started from).
        """
        emptied = {"cards": {}, "cards_digest": ""} if cards else {}
        return self.update(generation=F("generation") + 1, page_html="", comments_html="", section_html="", **emptied)


class ArticleRendering(models.Model):
    """The article page as HTML, rendered when the article (or what it shows) is written.

    ``page_html`` is the whole page (head and structured data, site header, breadcrumb, title and
    byline, body, notes, tags, related posts, footer) with two holes: the reader's messages and the
    comments section; ``comments_html`` the approved comments that section shows. A page read costs
    one query for the article and its rendering; only the reply form (and any message) is rendered
    for each reader. See ``articles.pages.rendering``.
    """

    article = models.OneToOneField(
        "articles.Article", on_delete=models.CASCADE, primary_key=True, related_name="rendering"
    )
    page_html = models.TextField(blank=True)
    # The approved comments (heading and thread), and whether comments were open when it was
    # rendered: reply links show only then, and comments close with time as well as by a write.
    comments_html = models.TextField(blank=True)
    # The comments section's shell (a fresh reply form) with holes for those comments and for the
    # reader's CSRF token and form token: what most readers get, with no template rendered for
    # them. The tokens are filled in the shell alone; the comments, readers' text, go in after.
    section_html = models.TextField(blank=True)
    comments_open = models.BooleanField(default=False)
    # Digest of the templates and settings the HTML came from: a deploy that changes them makes
    # every stored rendering stale without touching the table.
    digest = models.CharField(max_length=64, blank=True)
    # The article's card in the lists (``includes/article_card.html``), one per interface language
    # ({"en": html, "fa": html, …}), and the digest of what they were rendered from; a list page
    # reads only its language's (``Article.objects.for_cards``). See ``articles.pages.cards``.
    cards = models.JSONField(default=dict, blank=True)
    cards_digest = models.CharField(max_length=64, blank=True)
    # Bumped by every invalidation (see ArticleRenderingQuerySet.invalidate).
    generation = models.PositiveIntegerField(default=0)
    rendered_at = models.DateTimeField(null=True, blank=True)

    objects = ArticleRenderingQuerySet.as_manager()

    class Meta:
        verbose_name = "stored article rendering"

    def __str__(self):
        return f"rendering of article {self.article_id} (generation {self.generation})"

    def is_current(self, digest, comments_open):
        return bool(self.page_html) and self.digest == digest and self.comments_open == comments_open
