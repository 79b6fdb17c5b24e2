"""The links in the admin: every link with its checks (an editor pins a replacement or an archived
copy), and the queue of notes whose link the old site lost, worked through one row at a time."""

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from articles.models import Footnote, Link, LinkCheck, LostLinkNote
from articles.revisions import record_related


class LinkCheckInline(admin.TabularInline):
    model = LinkCheck
    extra = 0
    can_delete = False
    fields = ("checked_at", "outcome", "method", "status", "redirect_target", "error")
    readonly_fields = fields
    max_num = 0  # the history, read only

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = ("url", "host", "last_status", "last_checked", "dead", "citing")
    list_filter = ("dead", "last_status")
    search_fields = ("url",)
    date_hierarchy = "last_checked"
    fields = ("url", "citations_list", "first_seen", "last_checked", "next_check", "last_status", "last_error",
              "redirect_target", "failures_in_row", "dead", "dead_since", "snapshot_url", "replacement_url",
              "archived_url")
    readonly_fields = ("url", "citations_list", "first_seen", "last_checked", "next_check", "last_status",
                       "last_error", "redirect_target", "failures_in_row", "dead", "dead_since", "snapshot_url")
    inlines = [LinkCheckInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        return False  # links are recorded from what articles cite

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_citing=Count("citations"))

    @admin.display(description="citations", ordering="_citing")
    def citing(self, link):
        return link._citing

    @admin.display(description="cited by")
    def citations_list(self, link):
        rows = link.citations.select_related("article", "footnote").order_by("article__title", "footnote__number")
        if not rows:
            return "Nothing cites it any more: it is no longer checked."
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a>, {}</li>', (
            (reverse("admin:articles_article_change", args=[c.article_id]), c.article.title,
             f"note {c.footnote.number}" if c.footnote_id else "body")
            for c in rows
        )))


class FoundFilter(admin.SimpleListFilter):
    title = "URL found"
    parameter_name = "found"

    def lookups(self, request, model_admin):
        return (("no", "Not yet"), ("yes", "Found"))

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(found_url="")
        if self.value() == "yes":
            return queryset.exclude(found_url="")
        return queryset


@admin.register(LostLinkNote)
class LostLinkNoteAdmin(admin.ModelAdmin):
    """The lost-link queue: each row a note whose link the old site lost, with the two fields an
    editor fills in once they find the address; saved rows leave the "Not yet" list."""

    list_display = ("__str__", "in_article", "found_url", "found_where")
    list_editable = ("found_url", "found_where")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = (FoundFilter,)
    search_fields = ("text", "article__title")
    list_select_related = ("article",)
    ordering = ("article__title", "number")
    fields = ("article", "number", "text", "found_url", "found_where")
    readonly_fields = ("article", "number", "text")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(url_missing=True)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a note is deleted on its article's page

    @admin.display(description="article", ordering="article__title")
    def in_article(self, note):
        url = reverse("admin:articles_article_change", args=[note.article_id])
        return format_html('<a href="{}#footnotes-group">{}</a>', url, note.article.title)

    def save_model(self, request, obj, form, change):
        # Saved as a Footnote: what follows a note's write (its page, search, its links, its
        # history) listens to Footnote, not to this proxy.
        note = Footnote.objects.get(pk=obj.pk)
        note.found_url, note.found_where = obj.found_url, obj.found_where
        note.save(update_fields=["found_url", "found_where"])
        record_related(note.article)  # the article's latest revision holds its notes as they are now
