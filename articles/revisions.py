"""Revisions of articles: what each one holds beyond the article's own fields, and restoring one.

django-simple-history writes a historical row (a revision) every time an article is saved, with
who and when. The article's categories, authors, tags and footnotes live in other tables and are
written *after* the article row (by the admin's inlines, by the importer), so the revision's
``related`` snapshot is taken once the whole change is done: ``record_related(article)`` is called
by the admin after the inlines are saved, by the importer after it has loaded an article (an
``after_load_hooks`` entry) and by ``restore_revision``. A revision is thus the article as it stood
until its next save.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from articles.models import ArticleAuthor, Author, Category, Footnote, Source

FOOTNOTE_FIELDS = ("number", "text", "kind", "prefix", "source_id", "locator", "url", "url_missing", "found_url",
                   "found_where")
# Fields revisions made before they existed do not hold: restored empty.
_LATER_FIELDS = {"found_url": "", "found_where": ""}


def related_snapshot(article) -> dict:
    """Categories, authors (in order), tags and footnotes of ``article`` as plain JSON data."""
    notes = list(article.footnotes.select_related("refers_to").order_by("number"))
    bylines = ArticleAuthor.objects.filter(article=article).order_by("position")
    return revision_snapshot(
        category_ids=article.categories.values_list("pk", flat=True),
        author_ids=bylines.values_list("author_id", flat=True),
        tag_names=article.tags.names(),
        footnotes=[(n, n.refers_to.number if n.refers_to_id else None) for n in notes],
    )


def revision_snapshot(*, category_ids, author_ids, tag_names, footnotes) -> dict:
    """The snapshot from its parts: authors in order; ``footnotes`` as (Footnote, number of the note
    it refers to or None). The importer builds it from the rows it is about to write, so the revision
    its save creates holds it at once (``article._revision_related``), with nothing read back."""
    return {
        "categories": sorted(category_ids),
        "authors": list(author_ids),
        "tags": sorted(tag_names),
        "footnotes": [
            {**{name: getattr(n, name) for name in FOOTNOTE_FIELDS}, "refers_to": refers_to}
            for n, refers_to in sorted(footnotes, key=lambda pair: pair[0].number)
        ],
    }


def record_related(article, reason: str | None = None):
    """Store the related snapshot on the article's latest revision (creating one if it has none)."""
    record = article.history.order_by("-history_date", "-history_id").first()
    if record is None:
        article.save()
        record = article.history.order_by("-history_date", "-history_id").first()
    record.related = related_snapshot(article)
    fields = ["related"]
    if reason:
        record.history_change_reason = reason[:100]
        fields.append("history_change_reason")
    record.save(update_fields=fields)
    return record


def record_import(article, parsed):
    """Importer hook: the revision an import wrote holds what it loaded, and says it was an import.

    The loader gives the save both (``_revision_related``, ``_change_reason``) and says so with
    ``_revision_recorded``; other load steps (a restore) get them written here.
    """
    if getattr(article, "_revision_recorded", False):
        return
    record_related(article, reason=f"Imported ({parsed.identity})")


@transaction.atomic
def restore_revision(record, user=None, fields=None) -> list[str]:
    """Make the article what it was at ``record``: its fields, categories, authors, tags, footnotes.

    ``fields`` (an admin form's cleaned data) may override the revision's own field values.
    Returns notes about what could not be brought back (a category, author or source deleted
    since); everything else is restored. The restore is itself a new revision, so it can be undone.
    """
    article = record.instance
    _restore_fields(article, record, user, fields)
    related = record.related or {}
    if not related:
        return ["This revision predates related snapshots: only the article's own fields were restored."]
    problems = []
    _restore_categories(article, related.get("categories", []), problems)
    _restore_authors(article, related.get("authors", []), problems)
    article.tags.set(related.get("tags", []), clear=True)
    _restore_footnotes(article, related.get("footnotes", []), user, problems)
    record_related(article)
    return problems


def _restore_fields(article, record, user, fields) -> None:
    """Save ``article`` (the revision's instance) with ``fields`` over its own, as a new revision."""
    article._state.adding = False
    concrete = {f.name for f in article._meta.concrete_fields if f.editable and not f.primary_key}
    for name, value in (fields or {}).items():
        if name in concrete:
            setattr(article, name, value)
    article._history_user = user
    article._change_reason = f"Restored the revision of {record.history_date:%Y-%m-%d %H:%M}"[:100]
    article.edited_at = timezone.now()  # a restore is an editorial change of its own
    article.save()


def _restore_categories(article, category_ids, problems) -> None:
    categories = list(Category.objects.filter(pk__in=category_ids))
    if len(categories) != len(category_ids):
        problems.append("Some categories of that revision have been deleted since; they were left out.")
    article.categories.set(categories)


def _restore_authors(article, author_ids, problems) -> None:
    authors = Author.objects.in_bulk(author_ids)
    wanted = [authors[pk] for pk in author_ids if pk in authors]
    if len(wanted) != len(author_ids):
        problems.append("Some authors of that revision have been deleted since; they were left out.")
    article.set_authors(wanted)


def _restore_footnotes(article, notes, user, problems) -> None:
    """The revision's footnotes in place of the article's; a note whose source is gone keeps its text."""
    existing_sources = set(
        Source.objects.filter(pk__in=[n["source_id"] for n in notes if n.get("source_id")]).values_list("pk", flat=True)
    )
    article.footnotes.all().delete()
    rows = []
    for note in notes:
        fields = {name: note.get(name, _LATER_FIELDS.get(name)) for name in FOOTNOTE_FIELDS}
        if fields["source_id"] and fields["source_id"] not in existing_sources:
            problems.append(f"The source of note {note['number']} has been deleted since; the note keeps its text.")
            fields["source_id"] = None
        rows.append(Footnote(article=article, **fields))
    by_number = {n.number: n for n in bulk_create_with_history(rows, Footnote, default_user=user)}
    for note in notes:
        if note.get("refers_to") in by_number:
            row = by_number[note["number"]]
            row.refers_to = by_number[note["refers_to"]]
            row._history_user = user
            row.save(update_fields=["refers_to"])


def describe_revision(record) -> dict:
    """What a revision holds besides its fields, by name, for the admin's revision page."""
    related = record.related or {}
    categories = Category.objects.in_bulk(related.get("categories", []))
    authors = Author.objects.in_bulk(related.get("authors", []))
    return {
        "categories": [str(categories.get(pk, f"(deleted category {pk})")) for pk in related.get("categories", [])],
        "authors": [str(authors.get(pk, f"(deleted author {pk})")) for pk in related.get("authors", [])],
        "tags": related.get("tags", []),
        "footnotes": [f"[{n['number']}] {n['text'][:200]}" for n in related.get("footnotes", [])],
        "recorded": bool(related),
    }


def revision_summary(record) -> str:
    """One line for the history list: how many notes, authors and tags the revision holds."""
    related = record.related or {}
    if not related:
        return "—"
    return (
        f"{len(related.get('footnotes', []))} notes, {len(related.get('authors', []))} authors, "
        f"{len(related.get('tags', []))} tags"
    )

