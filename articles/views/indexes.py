"""Index pages: every author, cited source and tag of the published articles, a page at a time."""

from django.views.generic import ListView

from articles import indexes

INDEX_PAGE_SIZE = 100


class IndexView(ListView):
    """A page of one of ``articles.indexes``' lists (a page past the end is a 404)."""

    template_name = "articles/index.html"
    context_object_name = "entries"
    paginate_by = INDEX_PAGE_SIZE
    entries = None  # the list's function
    entry_url = ""  # the URL name of an entry's page
    heading = noun = description = ""

    def get_queryset(self):
        return type(self).entries()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.heading, noun=self.noun, description=self.description, entry_url=self.entry_url, **kwargs
        )


class AuthorIndexView(IndexView):
    entries = indexes.author_index
    entry_url = "articles:author"
    heading, noun = "Authors", "author"
    description = "Everyone who wrote for the archive, with their published articles."


class SourceIndexView(IndexView):
    entries = indexes.source_index
    entry_url = "articles:source"
    heading, noun = "Cited sources", "source"
    description = "Every work the archive's articles cite in their notes, with the articles citing it."


class TagIndexView(IndexView):
    entries = indexes.tag_index
    entry_url = "articles:tag"
    heading, noun = "Tags", "tag"
    description = "Every tag of the archive's articles."
