"""The moderators' admin: a queue with pending comments first, bulk decisions, and each comment's context."""

from django.contrib import admin
from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from articles.models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("excerpt", "name", "email", "status", "article_link", "parent_link", "submitted_at")
    list_filter = ("status", ("article", admin.RelatedOnlyFieldListFilter), "kind")
    search_fields = ("name", "email", "body")
    list_select_related = ("article", "parent")
    list_per_page = 50
    date_hierarchy = "submitted_at"
    actions = ["approve", "mark_spam", "remove"]
    fields = (
        "status", "article_link", "parent_link", ("name", "email"), "website", "body",
        ("submitted_at", "kind"), "ip_hash", "import_id",
    )
    readonly_fields = ("article_link", "parent_link", "submitted_at", "kind", "ip_hash", "import_id")

    def get_ordering(self, request):
        # The moderation queue: pending comments first, newest first within each group.
        pending_first = Case(
            When(status=Comment.Status.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return (pending_first.asc(), "-submitted_at", "-id")

    def has_add_permission(self, request):
        return False  # comments come from readers and imports

    def changelist_view(self, request, extra_context=None):
        pending = Comment.objects.pending().count()
        extra_context = {**(extra_context or {}), "title": f"Comments: {pending} awaiting moderation"}
        return super().changelist_view(request, extra_context=extra_context)

    @admin.display(description="comment")
    def excerpt(self, obj):
        return Truncator(obj.body).chars(80)

    @admin.display(description="article", ordering="article__title")
    def article_link(self, obj):
        return format_html(
            '<a href="{}">{}</a> (<a href="{}">on the site</a>)',
            reverse("admin:articles_article_change", args=[obj.article_id]), obj.article.title,
            obj.article.get_absolute_url(),
        )

    @admin.display(description="reply to")
    def parent_link(self, obj):
        if obj.parent_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}: {}</a>',
            reverse("admin:articles_comment_change", args=[obj.parent_id]), obj.parent.name,
            Truncator(obj.parent.body).chars(60),
        )

    def _set_status(self, request, queryset, status, verb):
        changed = queryset.set_status(status)
        self.message_user(request, f"{verb} {changed} comment(s).")

    @admin.action(description="Approve the selected comments", permissions=["change"])
    def approve(self, request, queryset):
        self._set_status(request, queryset, Comment.Status.APPROVED, "Approved")

    @admin.action(description="Mark the selected comments as spam", permissions=["change"])
    def mark_spam(self, request, queryset):
        self._set_status(request, queryset, Comment.Status.SPAM, "Marked as spam")

    @admin.action(description="Remove the selected comments (kept, not shown)", permissions=["change"])
    def remove(self, request, queryset):
        self._set_status(request, queryset, Comment.Status.REMOVED, "Removed")
