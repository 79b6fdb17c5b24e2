"""The admin's Import articles page: an upload form whose file a task imports, and each run's page.

The upload is checked in the request (its size, its kind by content, a zip's list of members:
``check_upload``) and refused there with the importer's own message, writing nothing. A file that
passes is recorded as an ``ImportRun`` and imported by a task (``articles.importers.tasks``); the
answer is a redirect to the run's page, which reloads itself until the run is done and then shows
the report the import page used to show (created/updated/unchanged/failed per file and item).
"""

from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from articles.admin.pasted import PastedArticleForm
from articles.importers.base import ImportFailed
from articles.importers.tasks import report_results, start_import
from articles.importers.uploads import check_upload
from articles.models import Article
from articles.models.provenance import ImportRun

IMPORT_PERMISSION = "articles.import_articles"
# Runs listed under the upload form.
RECENT_RUNS = 5
# Seconds between two loads of a run's page while it is not done.
REFRESH_SECONDS = 2


class ImportArticlesForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text=(
            "A plain-text article (.txt), a .zip of them, or a WordPress export (.xml, from Tools > Export). "
            f"At most {filesizeformat(settings.ARCHIVE_IMPORT_MAX_BYTES)}."
        ),
    )
    dry_run = forms.BooleanField(
        label="Dry run", required=False, help_text="Check the file and show what would happen; write nothing."
    )
    include_pages = forms.BooleanField(
        label="Include pages", required=False, help_text="WordPress: import pages as articles too."
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload)
        except ImportFailed as exc:
            raise forms.ValidationError(str(exc), code="not_importable")
        return upload


class _Row:
    """One item of the result page, with its links resolved (templates hold no logic)."""

    def __init__(self, item, *, dry_run):
        self.item = item
        live = item.article_id and not dry_run and item.outcome != "failed"
        self.view_url = item.url if live else ""
        self.change_url = reverse("admin:articles_article_change", args=[item.article_id]) if live else ""


class _FileReport:
    def __init__(self, result, *, dry_run):
        self.result = result
        self.rows = [_Row(item, dry_run=dry_run) for item in result.items]
        self.not_listed = _not_listed(result)
        self.skipped = ", ".join(f"{n} {kind}" for kind, n in sorted(result.skipped.items()))


def _not_listed(result) -> str:
    """A big file's report keeps its first items and those that failed or warn (``ImportResult.add``):
    what the table leaves out."""
    if not result.not_listed:
        return ""
    failed = result.count("failed") - sum(1 for item in result.items if item.outcome == "failed")
    of_them = f", {failed} of them failed" if failed else ""
    return f"{result.not_listed} more item(s) not listed here{of_them}; the counts above include them."


def _check_permission(request):
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied


def _context(request, model_admin, title, **context):
    return {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": Article._meta,
        **context,
    }


def import_articles_view(request, model_admin):
    _check_permission(request)
    form = ImportArticlesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = start_import(
            form.cleaned_data["file"],
            user=request.user,
            dry_run=form.cleaned_data["dry_run"],
            include_pages=form.cleaned_data["include_pages"],
        )
        return HttpResponseRedirect(reverse("admin:articles_article_import_run", args=[run.pk]))
    context = _context(
        request,
        model_admin,
        "Import articles",
        form=form,
        paste_form=PastedArticleForm(),
        max_size=settings.ARCHIVE_IMPORT_MAX_BYTES,
        recent_runs=[
            _RunSummary(run) for run in ImportRun.objects.defer("report").select_related("created_by")[:RECENT_RUNS]
        ],
        runs_url=reverse("admin:articles_importrun_changelist"),
    )
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "admin/articles/import.html", context, status=status)


class _RunSummary:
    """A run as its page and the lists show it (templates hold no logic)."""

    def __init__(self, run):
        self.run = run
        self.url = reverse("admin:articles_article_import_run", args=[run.pk])
        self.percent = min(100, 100 * run.bytes_done // run.bytes_total) if run.bytes_total else 0
        self.options = ", ".join(
            label for on, label in ((run.dry_run, "dry run"), (run.include_pages, "pages included")) if on
        )


def import_run_view(request, model_admin, run_id):
    _check_permission(request)
    run = get_object_or_404(ImportRun.objects.select_related("created_by"), pk=run_id)
    reports = None
    if run.status == ImportRun.Status.FINISHED:
        reports = [_FileReport(result, dry_run=run.dry_run) for result in report_results(run)]
    context = _context(
        request,
        model_admin,
        f"Import of {run.file_name}",
        summary=_RunSummary(run),
        run=run,
        reports=reports,
        dry_run=run.dry_run,
        refresh_seconds=None if run.done else REFRESH_SECONDS,
        import_url=reverse("admin:articles_article_import"),
    )
    return TemplateResponse(request, "admin/articles/import_run.html", context)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """The runs, read only: who imported which file, when, and how it went (the report is on the
    run's page, linked from each)."""

    list_display = ("created_at", "file_name", "status", "dry_run", "created_by", "items_done", "run_page")
    list_filter = ("status", "dry_run")
    search_fields = ("file_name",)
    list_select_related = ("created_by",)
    fields = (
        "run_page", "file_name", "size", "created_by", "dry_run", "include_pages", "status", "message",
        "files_done", "files_total", "items_done", "bytes_done", "bytes_total", "created_at", "started_at",
        "finished_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("report")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(IMPORT_PERMISSION) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="report")
    def run_page(self, run):
        return format_html('<a href="{}">{}</a>', reverse("admin:articles_article_import_run", args=[run.pk]),
                           "Show the run")


def import_urls(model_admin):
    """URL patterns for ``ArticleAdmin.get_urls``: admin/articles/article/import/, a run's page at
    import/<id>/ and the runs' read-only admin at import/runs/."""
    site = model_admin.admin_site
    urls = [
        path("import/", site.admin_view(partial(import_articles_view, model_admin=model_admin)),
             name="articles_article_import"),
        path("import/<int:run_id>/", site.admin_view(partial(import_run_view, model_admin=model_admin)),
             name="articles_article_import_run"),
    ]
    return urls
