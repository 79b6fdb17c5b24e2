"""Lists the admin index's overview links into: footnotes with lost links, comments to moderate."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from articles.models import Comment, Footnote


@admin.register(Footnote)
class FootnoteAdmin(admin.ModelAdmin):
    """Notes across articles, read only: a note is edited on its article's page, where its text is
    classified and kept consistent with the body's markers (``importers.edited``)."""

    list_display = ("__str__", "edit_in_article", "number", "kind", "url_missing")
    list_filter = ("url_missing", "kind")
    search_fields = ("text", "article__title")
    list_select_related = ("article",)
    ordering = ("article", "number")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="article (edit the note there)", ordering="article__title")
    def edit_in_article(self, note):
        url = reverse("admin:articles_article_change", args=[note.article_id])
        return format_html('<a href="{}#footnotes-group">{}</a>', url, note.article.title)


# The comments area may register a fuller admin of its own; this one only backs the overview.
if not admin.site.is_registered(Comment):

    @admin.register(Comment)
    class CommentAdmin(admin.ModelAdmin):
        list_display = ("name", "article", "kind", "status", "submitted_at")
        list_filter = ("status", "kind")
        search_fields = ("name", "body", "article__title")
        list_select_related = ("article",)
        raw_id_fields = ("article", "parent")
        date_hierarchy = "submitted_at"
