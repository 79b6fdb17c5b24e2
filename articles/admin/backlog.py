"""What imports left for later (``import_articles --index-later``), read-only: ``update_indexes`` works it off."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from articles.models import IndexBacklog


@admin.register(IndexBacklog)
class IndexBacklogAdmin(admin.ModelAdmin):
    list_display = ("article_link", "search", "terms", "related", "queued_at")
    list_filter = ("search", "terms", "related")
    list_select_related = ("article",)
    ordering = ("id",)
    list_per_page = 100

    @admin.display(description="article", ordering="article__title")
    def article_link(self, entry):
        return format_html('<a href="{}">{}</a>', reverse("admin:articles_article_change", args=[entry.article_id]),
                           entry.article.title)

    # Written by imports and taken off by ``manage.py update_indexes``, never by hand.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "subtitle": "Run `manage.py update_indexes` to write what these articles wait for."}
        return super().changelist_view(request, extra_context)
