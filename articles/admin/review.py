"""Lists the admin index's overview links into: footnotes with lost links, comments to moderate."""

from django.contrib import admin

from articles.models import Comment, Footnote


@admin.register(Footnote)
class FootnoteAdmin(admin.ModelAdmin):
    list_display = ("__str__", "article", "number", "kind", "url_missing")
    list_filter = ("url_missing", "kind")
    search_fields = ("text", "article__title")
    list_select_related = ("article",)
    raw_id_fields = ("article", "source", "refers_to")
    ordering = ("article", "number")


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
