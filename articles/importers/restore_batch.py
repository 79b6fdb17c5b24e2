"""Load step for backups, a batch at a time: a batch of a backup's articles written back exactly as
exported, in a few statements for the whole batch instead of dozens per article.

New articles (their slug not in the archive) go through the importers' batched create
(``batch.create_articles``) with a policy of their own, ``RestoredArticles``: the export's slug and
import key, categories and authors with their profiles, one revision each saying it was restored,
and the backup's own comments and provenance written together. The articles already here are read
with the whole batch (``export_queryset``): one that matches its line is ``unchanged``, any other is
replaced as ``restore.restore_article`` replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass

from articles.export import article_to_dict, export_queryset
from articles.media.library import restore_media
from articles.models import Article, Category

from . import loader
from .base import ItemResult
from .batch import LoadEntry, NewArticle, NewArticles, create_articles, look_up_tags
from .file_cache import FileCache
from .footnotes_loader import footnote_rows, sources_for
from .jsonl import FORMAT_NAME, RestoredArticle
from .links import Links, tags_of, unique_rows
from .restore import matches, restore_article, translation_group_of, write_comments, write_records
from .restore_details import (
    look_up_profiled_authors,
    look_up_profiled_categories,
    restore_related_and_redirects,
    restored_authors,
    restored_category,
)


def restore_batch(articles: list[RestoredArticle], file_name: str, cache: FileCache) -> list[ItemResult]:
    """Restore ``articles`` (a batch of one file's lines, in order); their results, in order."""
    current = {a.slug: a for a in export_queryset().filter(slug__in=[parsed.slug for parsed in articles])}
    results: list[ItemResult | None] = [None] * len(articles)
    new = []
    for i, parsed in enumerate(articles):
        article = current.get(parsed.slug)
        if article is None:
            new.append(i)
        elif matches(article_to_dict(article, include_private=True), parsed.line):
            results[i] = loader.item_result(parsed, article, "unchanged")
        else:
            results[i] = restore_article(parsed, file_name=file_name)
    if new:
        entries = [LoadEntry(articles[i], file_name, FORMAT_NAME, "") for i in new]
        for i, item in zip(new, create_articles(entries, cache, RestoredArticles(file_name)), strict=True):
            results[i] = item
    return results


@dataclass
class RestoredLinks(Links):
    """A restored article's links: its primary category is the backup's, not the first of its list."""

    primary: Category | None = None

    @property
    def primary_category(self):
        return self.primary


class RestoredArticles(NewArticles):
    """New articles made from a backup's lines: back as they were, not as a new import."""

    def __init__(self, file_name: str):
        self.file_name = file_name

    def slugs(self, entries):
        return [entry.parsed.slug for entry in entries]  # free: the batch read the articles holding any

    def prepare(self, article, entry):
        parsed = entry.parsed
        article.edited_at = parsed.modified_at  # as exported, none included
        article.import_key = parsed.import_key
        if parsed.translations:
            group, translations = translation_group_of(article, parsed.translations)
            article.translation_group = group
            # Those already here join the group first, so the article's save makes their pages stale.
            Article.objects.filter(pk__in=[a.pk for a in translations]).update(translation_group=group)

    def links(self, entries, cache):
        articles = [entry.parsed for entry in entries]
        sources_for((note.source for a in articles for note in a.footnotes if note.source is not None), cache)
        look_up_tags((name for a in articles for name in a.tags), cache)
        look_up_profiled_authors(articles, cache)
        look_up_profiled_categories(articles, cache)
        return [self._links(parsed, cache) for parsed in articles]

    @staticmethod
    def _links(parsed: RestoredArticle, cache) -> RestoredLinks:
        primary = restored_category(parsed.primary_category, parsed, cache) if parsed.primary_category else None
        return RestoredLinks(
            categories=unique_rows(restored_category(path, parsed, cache) for path in parsed.category_paths),
            authors=unique_rows(restored_authors(parsed, cache)),
            tags=tags_of(parsed, cache),
            notes=footnote_rows(parsed, cache),
            primary=primary,
        )

    def reason(self, entry):
        return f"Restored from the backup {self.file_name}"

    def loaded(self, new: list[NewArticle], cache) -> list[ItemResult]:
        for n in new:
            article, parsed = n.article, n.entry.parsed
            article.import_created = True  # hooks need not look for rows of its own
            article._revision_recorded = True  # its revision holds what was restored
            # What other parts of the app keep in step with an article follows a restore as it
            # follows an import; the backup's own comments are written after, so they win.
            for hook in loader.after_load_hooks:
                hook(article, parsed)
            if parsed.media:  # a new article has no rows to unlink: only files to link
                restore_media(article, parsed.media)
            restore_related_and_redirects(article, parsed, created=True)
        write_comments([(n.article, n.entry.parsed.restored_comments) for n in new if n.entry.parsed.restored_comments])
        write_records([(n.article, n.entry.parsed.provenance) for n in new])
        return [loader.item_result(n.entry.parsed, n.article, "created") for n in new]
