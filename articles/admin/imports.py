"""The admin's Import articles page: the command's importer behind an upload form."""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse

from articles.importers.uploads import import_upload
from articles.models import Article

IMPORT_PERMISSION = "articles.import_articles"


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
        self.skipped = ", ".join(f"{n} {kind}" for kind, n in sorted(result.skipped.items()))


def import_articles_view(request, model_admin):
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied
    form = ImportArticlesForm(request.POST or None, request.FILES or None)
    reports = None
    dry_run = False
    status = 200
    if request.method == "POST":
        if form.is_valid():
            dry_run = form.cleaned_data["dry_run"]
            results = import_upload(
                form.cleaned_data["file"], dry_run=dry_run, include_pages=form.cleaned_data["include_pages"]
            )
            reports = [_FileReport(result, dry_run=dry_run) for result in results]
            if any(result.error for result in results):
                status = 400
        else:
            status = 400
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Import articles",
        "opts": Article._meta,
        "form": form,
        "reports": reports,
        "dry_run": dry_run,
        "max_size": settings.ARCHIVE_IMPORT_MAX_BYTES,
    }
    return TemplateResponse(request, "admin/articles/import.html", context, status=status)


def import_urls(model_admin):
    """URL patterns for ``ArticleAdmin.get_urls``: admin/articles/article/import/."""
    view = model_admin.admin_site.admin_view(lambda request: import_articles_view(request, model_admin))
    return [path("import/", view, name="articles_article_import")]

