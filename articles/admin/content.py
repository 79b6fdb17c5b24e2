from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from articles.admin.imports import import_urls
from articles.admin.pasted import PastedArticleForm, paste_urls
from articles.admin.trash import StatusFilter, TrashAdminMixin
from articles.importers.edited import make_consistent
from articles.models import Article, ArticleAuthor, Author, Category, Footnote, ImportRecord, Source, TranslationGroup
from articles.related.admin import RelatedPostsAdminMixin
from articles.revisions import describe_revision, record_related, restore_revision, revision_summary

BODY_HELP = (
    "HTML (kept to the site's allowlist on save). Type [1] where note 1 is referred to: on save it "
    "becomes a reference to note 1, as an import renders it; a marker without its note, or a note "
    "without a marker, is shown as a warning. To write a whole article as plain text with its notes, "
    "use the seed-format text field (Import articles, or the add page) and its preview."
)


class FootnoteInlineForm(forms.ModelForm):
    """A note as an editor writes it: its number and text (classified on save by the importer's
    rules), and the note it refers to chosen by number within the article, not a database id."""

    refers_to_number = forms.IntegerField(
        label="Refers to note", required=False, min_value=1, widget=forms.NumberInput(attrs={"class": "vIntegerField"}),
        help_text="Another note's number in this article. Empty: as the text says (“See the third footnote.”).",
    )

    class Meta:
        model = Footnote
        fields = ("number", "text")
        # Narrow enough for the row to fit a 1280 px screen beside what the importer derived.
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 44}),
                   "number": forms.NumberInput(attrs={"class": "vIntegerField", "min": 1})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.refers_to_id:
            self.initial["refers_to_number"] = self.instance.refers_to.number


class FootnoteInline(admin.TabularInline):
    """One compact row a note; what the importer derives from the text is shown, not typed."""

    model = Footnote
    form = FootnoteInlineForm
    extra = 0
    fk_name = "article"
    fields = ("number", "text", "refers_to_number", "kind", "source", "locator", "url_missing")
    readonly_fields = ("kind", "source", "locator", "url_missing")
    ordering = ("number",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "refers_to")


def chosen_references(formset) -> dict[int, int | None]:
    """{note number: the note it refers to} where the editor chose it: the number changed, or
    kept while the text was not (then the text's own reference, if any, yields to it)."""
    chosen = {}
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE") or not data.get("number"):
            continue
        value = data.get("refers_to_number")
        if "refers_to_number" in form.changed_data or ("text" not in form.changed_data and value is not None):
            chosen[data["number"]] = value
    return chosen


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
    # The SHA-256 (64 characters, no break) made the change page scroll sideways at 1280 px: it is
    # on each record's own page, linked from the row.
    fields = ("imported_at", "file_name", "format", "outcome", "importer_version", "warnings")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(TrashAdminMixin, RelatedPostsAdminMixin, SimpleHistoryAdmin):
    list_display = ("title", "language", "status", "published_at", "primary_category", "footnote_count")
    list_filter = (
        ("status", StatusFilter), "language", ("primary_category", admin.RelatedOnlyFieldListFilter), "published_at",
    )
    search_fields = ("title", "summary", "slug")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("primary_category", "categories", "translation_group")
    inlines = [ArticleAuthorInline, FootnoteInline, *RelatedPostsAdminMixin.related_inlines, ImportRecordInline]
    readonly_fields = ("original_url", "created_at", "edited_at", "updated_at", "related_posts")
    fieldsets = (
        (None, {"fields": ("title", "slug", "language", "status", "published_at", "summary", "body")}),
        ("Filing", {"fields": ("primary_category", "categories", "tags")}),
        ("Translations", {"fields": ("translation_group",)}),
        ("Reading", {"fields": ("comments_open", "sticky")}),
        ("Related posts", {"fields": ("related_posts",)}),
        ("Provenance", {"classes": ("collapse",), "fields": ("original_url", "created_at", "edited_at", "updated_at")}),
    )
    actions = ["publish", "unpublish", "move_to_trash", "restore_from_trash"]
    list_per_page = 50

    def view_on_site(self, obj):
        # The site's own path, not the contrib.sites domain (which may not be set up yet).
        return obj.get_absolute_url()

    # The history page lists every revision with who and when (simple-history) and what it held.
    history_list_display = ["holds"]

    @admin.display(description="holds")
    def holds(self, record):
        return revision_summary(record)

    # What an editor changes of an article's content besides its own fields: notes and byline (not
    # related posts, which are derived data and links). Any of it moves the page's dateModified.
    EDITORIAL_INLINES = (Footnote, ArticleAuthor)

    def save_model(self, request, obj, form, change):
        if not change or form.has_changed():
            obj.edited_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if any(f.model in self.EDITORIAL_INLINES and f.has_changed() for f in formsets) and not form.has_changed():
            form.instance.edited_at = timezone.now()
            Article.objects.filter(pk=form.instance.pk).update(edited_at=form.instance.edited_at)
        # The primary category is one of the article's categories (its page lists the article, as
        # the breadcrumb promises), as an import files it.
        if form.instance.primary_category_id:
            form.instance.categories.add(form.instance.primary_category)
        self.keep_notes_consistent(request, form.instance, formsets)
        # The revision save_model wrote now also holds the inlines' footnotes and authors, and the tags.
        record_related(form.instance)

    def keep_notes_consistent(self, request, article, formsets):
        """Notes classified and the body's markers linked as the importer would (``importers.edited``);
        what is still inconsistent is told to the editor, not saved silently."""
        notes = next((f for f in formsets if f.model is Footnote), None)
        body, warnings = make_consistent(article, chosen_references(notes) if notes is not None else {})
        if body != article.body:
            # The revision the save wrote holds the body as saved (its history row, updated in place).
            article.body = body
            article.prepare_for_save()
            Article.objects.filter(pk=article.pk).update(body=article.body)
            revision = article.history.order_by("-history_date", "-history_id").first()
            article.history.filter(history_id=revision.history_id).update(body=article.body)
        for warning in warnings:
            self.message_user(request, f"Note check: {warning}.", level=messages.WARNING)

    object_history_form_template = "admin/articles/article/revision_form.html"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Shows a revision; "Revert" restores it whole: fields (with any edits made on the page),
        footnotes, authors, tags and categories as the revision holds them."""
        record = get_object_or_404(Article.history.model, id=object_id, history_id=version_id)
        # The Filing fields would show today's categories and tags; the revision's are listed instead.
        request.previewing_revision = True
        if request.method != "POST":
            context = {"revision": record, "revision_holds": describe_revision(record), **(extra_context or {})}
            return super().history_form_view(request, object_id, version_id, context)
        article = get_object_or_404(Article, pk=object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        revision = record.instance
        revision._state.adding = False  # an existing row: its own slug is not a clash
        form = self.get_form(request, revision)(request.POST, instance=revision)
        if not form.is_valid():  # simple-history's view shows the bound form with its errors
            context = {"revision": record, "revision_holds": describe_revision(record), **(extra_context or {})}
            return super().history_form_view(request, object_id, version_id, context)
        problems = restore_revision(record, user=request.user, fields=form.cleaned_data)
        self.log_change(request, article, f"Restored the revision of {record.history_date:%Y-%m-%d %H:%M}.")
        self.message_user(
            request,
            f"Restored “{article}” as it was on {record.history_date:%Y-%m-%d %H:%M}"
            f"{' by ' + str(record.history_user) if record.history_user else ''}. "
            "The restore is a revision too: it can be undone from the history.",
        )
        for problem in problems:
            self.message_user(request, problem, level=messages.WARNING)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def get_form(self, request, obj=None, change=False, **kwargs):
        help_texts = {"body": BODY_HELP, **kwargs.pop("help_texts", {})}
        form = super().get_form(request, obj, change, help_texts=help_texts, **kwargs)
        if "status" in form.base_fields:  # into the trash by deleting, out of it by restoring
            status = form.base_fields["status"]
            status.choices = [c for c in status.choices if c[0] != Article.Status.TRASHED]
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if getattr(request, "previewing_revision", False):
            return [(name, opts) for name, opts in fieldsets if name not in ("Filing", "Translations")]
        return fieldsets

    def get_urls(self):
        # The Import articles page and its runs live under the article admin.
        return import_urls(self) + paste_urls(self) + self.trash_urls() + super().get_urls()

    # The add page offers the seed-format text field too (``articles.admin.pasted``), above the form.
    add_form_template = "admin/articles/article/add_form.html"

    def add_view(self, request, form_url="", extra_context=None):
        if request.user.has_perm("articles.import_articles"):
            extra_context = {"paste_form": PastedArticleForm(), **(extra_context or {})}
        return super().add_view(request, form_url, extra_context)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("primary_category").annotate(
            _footnotes=Count("footnotes", distinct=True)
        )

    @admin.display(description="notes", ordering="_footnotes")
    def footnote_count(self, obj):
        return obj._footnotes

    @admin.action(description="Publish the selected articles", permissions=["change"])
    def publish(self, request, queryset):
        changed = queryset.set_status(Article.Status.PUBLISHED)
        self.message_user(request, f"Published {changed} article(s).")

    @admin.action(description="Unpublish the selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        changed = queryset.filter(status=Article.Status.PUBLISHED).set_status(Article.Status.DRAFT)
        self.message_user(request, f"Unpublished {changed} article(s).")


class TranslatedArticleInline(admin.TabularInline):
    model = Article
    fk_name = "translation_group"
    fields = ("title", "language", "status")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(TranslationGroup)
class TranslationGroupAdmin(admin.ModelAdmin):
    """The versions of one article in its languages: an editor makes a group (any name) and picks it
    on each version's page; imports from Polylang or WPML make them themselves."""

    list_display = ("key",)
    search_fields = ("key", "articles__title")
    inlines = [TranslatedArticleInline]


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
    list_display = ("imported_at", "file_name", "format", "outcome", "article", "import_key", "has_warnings")
    list_filter = ("format", "outcome", "has_warnings")
    # A deleted article's records stay, article empty: found by the identity it was imported under.
    search_fields = ("file_name", "sha256", "article__title", "import_key")
    date_hierarchy = "imported_at"
    list_select_related = ("article",)
    readonly_fields = (
        "article", "import_key", "file_name", "format", "sha256", "importer_version", "outcome", "imported_at",
        "warnings",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
