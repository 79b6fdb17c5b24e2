"""Editors' control of related posts: pins (ordered, shown first), exclusions, and the computed list."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from articles.models import RelatedArticle, RelatedExclusion, RelatedPin


class RelatedPinInline(admin.TabularInline):
    model = RelatedPin
    fk_name = "article"
    extra = 0
    fields = ("position", "related")
    autocomplete_fields = ("related",)
    ordering = ("position", "id")
    verbose_name = "pinned related post"
    verbose_name_plural = "related posts: pinned (shown first, by position)"


class RelatedExclusionInline(admin.TabularInline):
    model = RelatedExclusion
    fk_name = "article"
    extra = 0
    fields = ("related",)
    autocomplete_fields = ("related",)
    verbose_name = "excluded related post"
    verbose_name_plural = "related posts: excluded (never offered here)"


class RelatedPostsAdminMixin:
    """Mixed into ArticleAdmin: the inlines above and the read-only ``related_posts`` list."""

    related_inlines = [RelatedPinInline, RelatedExclusionInline]

    @admin.display(description="Related posts now offered")
    def related_posts(self, obj):
        if obj is None or obj.pk is None:
            return "Computed once the article is published."
        rows = (
            RelatedArticle.objects.filter(article=obj)
            .select_related("related")
            .only("rank", "score", "pinned", "reasons", "related__title", "related__status")
            .order_by("rank")
        )
        if not rows:
            return ("None yet: a background task computes them once the article is published "
                    "(or `manage.py rebuild_related`).")
        return format_html(
            '<table class="related-posts"><thead><tr><th scope="col">#</th><th scope="col">Article</th>'
            '<th scope="col">Score</th><th scope="col">Why</th></tr></thead><tbody>{}</tbody></table>',
            format_html_join(
                "",
                '<tr><td>{}</td><td><a href="{}">{}</a>{}</td><td>{}</td><td>{}</td></tr>',
                (
                    (
                        row.rank,
                        reverse("admin:articles_article_change", args=[row.related_id]),
                        row.related.title,
                        " (pinned)" if row.pinned else "",
                        f"{row.score:.2f}",
                        row.reasons,
                    )
                    for row in rows
                ),
            ),
        )
