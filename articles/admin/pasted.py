"""Writing an article in the seed format in the admin: a text field, a preview, a save.

The page is a thin caller of the importer (``articles.importers.pasted``): the preview is the
parse step and a dry run (nothing written), the save is the same load ``import_articles`` does for
a file of the text. The form is shown on the Import articles page and on the article add page;
both post here.
"""

from functools import partial

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from articles.importers.base import ImportFailed
from articles.importers.pasted import import_pasted, parse_pasted, pasted_name
from articles.sanitize import clean_html

PREVIEW = "_preview"

EXAMPLE = """Afghanistan » Politics
The title
Published Date: January 2, 2016
Author: A. Writer
Tags: water, Kabul

A paragraph with a reference[1].

[1] Author, Title, Place, Year, p. 12.
[2] Ibid, p. 14."""


class PastedArticleForm(forms.Form):
    text = forms.CharField(
        label="Article text",
        max_length=settings.ARCHIVE_IMPORT_MAX_BYTES,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 20, "cols": 90, "class": "vLargeTextField", "placeholder": EXAMPLE}),
        help_text=(
            "The seed format, as import_articles reads a .txt file: optional breadcrumb, the title, "
            "'Published Date: January 2, 2016', optional Author:/Tags:/Summary: lines, paragraphs "
            "separated by blank lines with markers [1], then the notes, one '[1] …' a line. "
            "Notes are classified as the importer does (citations with their Source, Ibid, "
            "'See the third footnote.', links)."
        ),
    )
    name = forms.CharField(
        label="File name",
        required=False,
        max_length=200,
        help_text=(
            "The article's identity, as a file's name is. Empty: taken from the title. Give the name "
            "of an imported file (e.g. 000_fd95950a8db9ec1e.txt) to correct that article."
        ),
    )

    def clean(self):
        data = super().clean()
        if "text" in data:
            try:
                data["name"] = pasted_name(data["text"], data.get("name", ""))
                data["parsed"] = parse_pasted(data["text"], data["name"])
            except ImportFailed as exc:
                raise forms.ValidationError(f"{exc} Nothing was saved.", code="not_importable")
        return data


class _Preview:
    """What the preview shows: the parsed article, its notes, and what saving would do."""

    def __init__(self, parsed, result):
        self.article = parsed
        self.body = clean_html(parsed.body_html)
        self.categories = " » ".join(parsed.category_paths[0]) if parsed.category_paths else ""
        self.authors = ", ".join(author.name for author in parsed.authors)
        self.tags = ", ".join(parsed.tags)
        self.outcome = result.items[0].outcome if result.items else ""
        self.error = result.error or (result.items[0].message if result.items else "")
        self.warnings = [*result.warnings, *parsed.warnings]


def paste_view(request, model_admin):
    if not request.user.has_perms(["articles.import_articles", "articles.add_article"]):
        raise PermissionDenied
    form = PastedArticleForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        text, name = form.cleaned_data["text"], form.cleaned_data["name"]
        if PREVIEW in request.POST:
            preview = _Preview(form.cleaned_data["parsed"], import_pasted(text, name, dry_run=True))
        else:
            result = import_pasted(text, name)
            if not result.failed:
                return _saved(request, model_admin, result)
            form.add_error(None, f"{result.error or result.items[0].message} Nothing was saved.")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Write an article in the seed format",
        "opts": model_admin.model._meta,
        "form": form,
        "preview": preview,
    }
    status = 400 if form.errors else 200
    return TemplateResponse(request, "admin/articles/paste.html", context, status=status)


def _saved(request, model_admin, result):
    item = result.items[0]
    # The admin's own record of who did it (Recent actions, the article's history page).
    article = model_admin.model.objects.get(pk=item.article_id)
    log = model_admin.log_addition if item.outcome == "created" else model_admin.log_change
    log(request, article, f"Saved from seed-format text ({result.file_name}): {item.outcome}.")
    messages.success(request, f"“{item.title}” {item.outcome} from the text ({result.file_name}).")
    for warning in [*result.warnings, *item.warnings]:
        messages.warning(request, warning)
    return HttpResponseRedirect(reverse("admin:articles_article_change", args=[item.article_id]))


def paste_urls(model_admin):
    """The page's URL, admin/articles/article/import/text/, for ``ArticleAdmin.get_urls``."""
    view = model_admin.admin_site.admin_view(partial(paste_view, model_admin=model_admin))
    return [path("import/text/", view, name="articles_article_import_text")]


__all__ = ["PastedArticleForm", "paste_urls"]
