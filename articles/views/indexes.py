"""Index pages: every author, cited source and tag of the published articles, a page at a time."""

from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.generic import ListView

from articles import indexes
from articles.i18n import local_digits

INDEX_PAGE_SIZE = 100


class IndexView(ListView):
    """A page of one of ``articles.indexes``' lists (a page past the end is a 404)."""

    template_name = "articles/index.html"
    context_object_name = "entries"
    paginate_by = INDEX_PAGE_SIZE
    entries = None  # the list's function
    entry_url = ""  # the URL name of an entry's page
    heading = description = page_noun = ""
    count_phrase = None  # "%(shown)s author" / "... authors", chosen by "count"

    def get_queryset(self):
        return type(self).entries()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            heading=self.heading, description=self.description, page_noun=self.page_noun,
            entry_url=self.entry_url, **kwargs
        )
        count = context["paginator"].count
        context["count_text"] = self.count_phrase % {"count": count, "shown": local_digits(count)}
        return context


class AuthorIndexView(IndexView):
    entries = indexes.author_index
    entry_url = "articles:author"
    heading, page_noun = gettext_lazy("Authors"), gettext_lazy("authors")
    count_phrase = ngettext_lazy("%(shown)s author", "%(shown)s authors", "count")
    description = gettext_lazy("Everyone who wrote for the archive, with their published articles.")


class SourceIndexView(IndexView):
    entries = indexes.source_index
    entry_url = "articles:source"
    heading, page_noun = gettext_lazy("Cited sources"), gettext_lazy("sources")
    count_phrase = ngettext_lazy("%(shown)s source", "%(shown)s sources", "count")
    description = gettext_lazy("Every work the archive's articles cite in their notes, with the articles citing it.")


class TagIndexView(IndexView):
    entries = indexes.tag_index
    entry_url = "articles:tag"
    heading, page_noun = gettext_lazy("Tags"), gettext_lazy("tags")
    count_phrase = ngettext_lazy("%(shown)s tag", "%(shown)s tags", "count")
    description = gettext_lazy("Every tag of the archive's articles.")
