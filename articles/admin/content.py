from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from articles.models import Article, ArticleAuthor, Author, Category, Footnote, ImportRecord, Source

from .related import RelatedPostsAdminMixin


class FootnoteInline(admin.StackedInline):
    model = Footnote
    extra = 0
    fk_name = "article"
    fields = (("number", "kind"), "text", ("prefix", "locator"), "source", "refers_to", ("url", "url_missing"))
    autocomplete_fields = ("source",)
    raw_id_fields = ("refers_to",)
    ordering = ("number",)


class ArticleAuthorInline(admin.TabularInline):
    model = ArticleAuthor
    extra = 0
    autocomplete_fields = ("author",)
    ordering = ("position",)
    verbose_name = "author"
    verbose_name_plural = "authors (in order)"


class ImportRecordInline(admin.TabularInline):
    model = ImportRecord
    extra = 0
    can_delete = False
    fields = ("imported_at", "file_name", "format", "outcome", "sha256", "importer_version", "warnings")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(RelatedPostsAdminMixin, admin.ModelAdmin):
    list_display = ("title", "status", "published_at", "primary_category", "footnote_count")
    list_filter = ("status", ("primary_category", admin.RelatedOnlyFieldListFilter), "published_at")
    search_fields = ("title", "summary", "slug")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("primary_category", "categories")
    inlines = [ArticleAuthorInline, FootnoteInline, *RelatedPostsAdminMixin.related_inlines, ImportRecordInline]
    readonly_fields = ("original_url", "created_at", "updated_at", "related_posts")
    fieldsets = (
        (None, {"fields": ("title", "slug", "status", "published_at", "summary", "body")}),
        ("Filing", {"fields": ("primary_category", "categories", "tags")}),
        ("Reading", {"fields": ("comments_open", "sticky")}),
        ("Related posts", {"fields": ("related_posts",)}),
        ("Provenance", {"classes": ("collapse",), "fields": ("original_url", "created_at", "updated_at")}),
    )
    actions = ["publish", "unpublish"]
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("primary_category").annotate(
            _footnotes=Count("footnotes", distinct=True)
        )

    @admin.display(description="notes", ordering="_footnotes")
    def footnote_count(self, obj):
        return obj._footnotes

    @admin.action(description="Publish the selected articles", permissions=["change"])
    def publish(self, request, queryset):
        changed = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            article.status = Article.Status.PUBLISHED
            article.save()
            changed += 1
        self.message_user(request, f"Published {changed} article(s).")

    @admin.action(description="Unpublish the selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        changed = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            article.status = Article.Status.DRAFT
            article.save()
            changed += 1
        self.message_user(request, f"Unpublished {changed} article(s).")


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "title", "year", "citing_articles_count")
    list_filter = ("kind",)
    search_fields = ("key", "title", "publisher", "container")
    readonly_fields = ("citing_articles",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_articles=Count("footnotes__article", distinct=True))

    @admin.display(description="articles", ordering="_articles")
    def citing_articles_count(self, obj):
        return obj._articles

    @admin.display(description="Cited by")
    def citing_articles(self, obj):
        notes = obj.footnotes.select_related("article").order_by("article__title", "number")
        if not notes:
            return "No article cites this source."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a>, note {}</li>',
                (
                    (reverse("admin:articles_article_change", args=[n.article_id]), n.article.title, n.number)
                    for n in notes
                ),
            ),
        )


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("__str__", "slug", "article_count")
    search_fields = ("name", "full_name")
    autocomplete_fields = ("parent",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_articles=Count("articles", distinct=True))

    @admin.display(description="articles", ordering="_articles")
    def article_count(self, obj):
        return obj._articles


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "login")
    search_fields = ("name", "login")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    list_display = ("imported_at", "file_name", "format", "outcome", "article", "has_warnings")
    list_filter = ("format", "outcome", "has_warnings")
    search_fields = ("file_name", "sha256", "article__title")
    date_hierarchy = "imported_at"
    list_select_related = ("article",)
    readonly_fields = ("article", "file_name", "format", "sha256", "importer_version", "outcome", "imported_at", "warnings")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
