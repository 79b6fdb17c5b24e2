"""An imported article's footnotes: their rows, the shared Sources they cite (found, made or filled
in), and the references between notes."""

from __future__ import annotations

from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from articles.models import Footnote, Source
from articles.sanitize import safe_url

from .base import ParsedSource
from .file_cache import FileCache

_SOURCE_DETAILS = ("volume", "issue", "pages", "edition", "doi", "isbn")
_SOURCE_FILLABLE = ("title", "container", "publisher", "place", "year", "url", "authors", "accessed", *_SOURCE_DETAILS)


def _source_fields(parsed: ParsedSource) -> dict:
    return {
        "kind": parsed.kind,
        "authors": parsed.authors,
        "title": parsed.title[:1000],
        "container": parsed.container[:500],
        "publisher": parsed.publisher[:500],
        "place": parsed.place[:200],
        "year": parsed.year,
        "calendar": parsed.calendar,
        "url": safe_url(parsed.url)[:1000],
        **{name: getattr(parsed, name)[: Source._meta.get_field(name).max_length] for name in _SOURCE_DETAILS},
        "accessed": parsed.accessed,
    }


def _fill_in(source: Source, parsed: ParsedSource) -> bool:
    """A later, fuller citation fills fields the shared Source left empty; True when it did."""
    changed = False
    for name in _SOURCE_FILLABLE:
        value = safe_url(parsed.url) if name == "url" else getattr(parsed, name)
        if not getattr(source, name) and value:
            setattr(source, name, value)
            changed = True
            if name == "year":
                source.calendar = parsed.calendar  # a year comes with its calendar
    if changed:
        source.save()
    return changed


def source_for(parsed: ParsedSource) -> Source:
    """The shared Source for a parsed record; a later, fuller citation fills fields left empty."""
    source, created = Source.objects.get_or_create(key=parsed.key[:255], defaults=_source_fields(parsed))
    if not created:
        _fill_in(source, parsed)
    return source


def sources_for(parsed_sources, cache: FileCache | None = None) -> dict[str, Source]:
    """``source_for`` for many records in three queries, not three per record: {key: Source}.

    The first record of each key counts, as with one ``source_for`` call per key. With a
    ``cache``, Sources it holds are not asked for again (their fields are filled in all the same).
    """
    firsts = {}
    for parsed in parsed_sources:
        firsts.setdefault(parsed.key[:255], parsed)
    if not firsts:
        return {}
    known = cache.sources if cache is not None else {}
    found = _fill_in_known(firsts, known, cache)
    asked = [key for key in firsts if key not in found]
    if asked:
        looked_up = _look_up_or_make(asked, firsts)
        found.update(looked_up)
        if cache is not None:
            for key, source in looked_up.items():
                cache.remember(known, key, source)
    return found


def _fill_in_known(firsts: dict, known: dict, cache: FileCache | None) -> dict[str, Source]:
    """The Sources of ``firsts`` the cache already holds (``known``), each filled in from its record."""
    found = {key: known[key] for key in firsts if key in known}
    for key, source in found.items():
        if _fill_in(source, firsts[key]):
            cache.remember(known, key, source)  # changed: forgotten again if the item fails
    return found


def _look_up_or_make(keys: list[str], firsts: dict) -> dict[str, Source]:
    """{key: Source} for ``keys``: one query for those that exist (filled in), one insert for the rest."""
    found = Source.objects.in_bulk(keys, field_name="key")
    for key, source in found.items():
        _fill_in(source, firsts[key])
    missing = [key for key in keys if key not in found]
    if missing:
        # A parallel import creating the same Source in between makes this insert fail; the
        # loader then loads the item once more, and finds it (``load_article``).
        made = Source.objects.bulk_create([Source(key=key, **_source_fields(firsts[key])) for key in missing])
        if all(source.pk for source in made):
            found.update((source.key, source) for source in made)
        else:  # backends that do not return ids on bulk insert
            found.update(Source.objects.in_bulk(missing, field_name="key"))
    return found


def footnote_rows(parsed, cache: FileCache | None = None) -> list[tuple[Footnote, int | None]]:
    """The article's Footnote rows (not saved, no article yet), each with the number of the note it
    refers to (or None), their Sources looked up or made."""
    sources = sources_for((note.source for note in parsed.footnotes if note.source is not None), cache)
    numbers = {note.number for note in parsed.footnotes}
    rows = []
    for note in parsed.footnotes:
        source = sources[note.source.key[:255]] if note.source is not None else None
        row = Footnote(
            number=note.number,
            text=note.text,
            kind=note.kind,
            prefix=note.prefix[:300],
            source=source,
            locator=note.locator[:100],
            url=safe_url(note.url)[:1000],
            url_missing=note.url_missing,
        )
        refers_to = note.refers_to if note.refers_to in numbers and note.refers_to != note.number else None
        rows.append((row, refers_to or None))
    return rows


def _replace_footnotes(article, parsed, created=False, notes=None, cache: FileCache | None = None):
    """Write the article's footnotes (and their history rows: with ``cache``, in its next batch)."""
    notes = footnote_rows(parsed) if notes is None else notes
    if not created:
        _keep_found_links(article, [row for row, _ in notes])
        article.footnotes.all().delete()
    saved = _insert_notes(article, [row for row, _ in notes], cache)
    linked = note_references(notes, saved)
    if linked and cache is None:
        bulk_update_with_history(linked, Footnote, ["refers_to"])
    elif linked:
        Footnote.objects.bulk_update(linked, ["refers_to"])
        cache.history_later(Footnote, linked, update=True)


def _keep_found_links(article, rows: list[Footnote]) -> None:
    """A lost link an editor found again stays with its note when the article is imported again
    (the note's number and text unchanged): the export it comes from still has it lost."""
    found = {
        (number, text): (url, where)
        for number, text, url, where in article.footnotes.exclude(found_url="").values_list(
            "number", "text", "found_url", "found_where")
    }
    for row in rows:
        if row.url_missing and (row.number, row.text) in found:
            row.found_url, row.found_where = found[(row.number, row.text)]


def _insert_notes(article, rows: list[Footnote], cache: FileCache | None) -> dict[int, Footnote]:
    """Insert the article's note rows and their history rows; the saved notes by number."""
    for row in rows:
        row.article = article
    if cache is None:
        # The *_with_history variants write each note's history row too (plain bulk_create sends no signal).
        saved = {n.number: n for n in bulk_create_with_history(rows, Footnote)}
    else:
        saved = {n.number: n for n in Footnote.objects.bulk_create(rows)}
    if not all(n.pk for n in saved.values()):  # backends that do not return ids on bulk insert
        saved = {n.number: n for n in article.footnotes.all()}
    if cache is not None:
        cache.history_later(Footnote, saved.values())
    return saved


def note_references(notes, saved) -> list[Footnote]:
    """The saved notes that refer to another (``refers_to`` set): ``notes`` as ``footnote_rows``
    gives them, ``saved`` the article's saved notes by number."""
    linked = []
    for row, refers_to in notes:
        if refers_to:
            linked.append(saved[row.number])
            linked[-1].refers_to = saved[refers_to]
    return linked
