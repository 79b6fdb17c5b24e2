"""An article edited in the admin kept as consistent as an imported one, by the importer's rules.

On every save the notes' texts are classified again (``build_footnotes``, ``classify_note``: a
citation with its Source, Ibid, a cross-reference, a link, a lost link), their rows built as the
loader builds them (``footnote_rows``), and the body's typed ``[n]`` markers made references to
note n as the seed parser renders them (``BodyRenderer``). What cannot be made consistent (a
marker without its note, a note nothing refers to) comes back as warnings for the editor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from simple_history.utils import bulk_update_with_history

from articles.models import Footnote

from .base import ParsedFootnote
from .footnotes_loader import footnote_rows
from .seedtext.body import BodyRenderer
from .seedtext.notes import build_footnotes

# What the loader derives from a note's text (``footnote_rows``), besides ``refers_to``.
DERIVED_FIELDS = ("kind", "prefix", "source", "locator", "url", "url_missing")
_TAG_RE = re.compile(r"(<[^>]*>)")
_REFERENCE_RE = re.compile(r'href="#fn-(\d+)"')


@dataclass
class _Notes:
    """What ``footnote_rows`` reads of a parsed article."""

    footnotes: list[ParsedFootnote] = field(default_factory=list)


def link_body_markers(body: str, numbers: set[int]) -> tuple[str, set[int], list[int]]:
    """(the body with its text's ``[n]`` markers made references, the notes referred to, the
    numbers referred to that are not notes), references already there counted."""
    renderer = BodyRenderer(numbers)
    existing = [int(n) for n in _REFERENCE_RE.findall(body)]
    for number in existing:  # the next marker of a note gets the next id (fnref-1-2)
        renderer.referenced[number] = renderer.referenced.get(number, 0) + 1
    parts = _TAG_RE.split(body)  # odd parts are tags: markers are linked in text only
    linked = "".join(part if i % 2 else renderer.link_markers(part) for i, part in enumerate(parts))
    dangling = list(dict.fromkeys([*renderer.dangling, *(n for n in existing if n not in numbers)]))
    return linked, set(renderer.referenced) & numbers, dangling


def classify_notes(article, chosen: dict[int, int | None]) -> list[str]:
    """Classify the article's saved notes by their texts and save what changed; ``chosen`` holds
    the "refers to" numbers the editor picked (they win over the text's). The warnings."""
    notes = {note.number: note for note in article.footnotes.order_by("number")}
    warnings: list[str] = []
    parsed = build_footnotes([(number, note.text) for number, note in notes.items()], warnings)
    for note in parsed:
        if note.number in chosen:
            note.refers_to = chosen[note.number]
            if note.refers_to is not None and note.refers_to not in notes:
                warnings.append(f"note [{note.number}] refers to note [{note.refers_to}], which does not exist")
    changed = []
    for row, refers_to in footnote_rows(_Notes(parsed)):
        note = notes[row.number]
        values = {name: getattr(row, name) for name in DERIVED_FIELDS} | {"refers_to": notes.get(refers_to)}
        if any(getattr(note, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(note, name, value)
            changed.append(note)
    if changed:
        bulk_update_with_history(changed, Footnote, [*DERIVED_FIELDS, "refers_to"])
    return warnings


def consistency_warnings(numbers: set[int], referenced: set[int], dangling: list[int]) -> list[str]:
    return [
        *(f"the text has a marker [{n}] but there is no note {n}: add the note or remove the marker"
          for n in dangling),
        *(f"note [{n}] is not referenced in the text: type [{n}] where it belongs, or delete the note"
          for n in sorted(numbers - referenced)),
    ]


def make_consistent(article, chosen: dict[int, int | None]) -> tuple[str, list[str]]:
    """The article's notes classified (saved) and its body with markers linked (for the caller to
    save); the warnings for the editor."""
    warnings = classify_notes(article, chosen)
    numbers = set(article.footnotes.values_list("number", flat=True))
    body, referenced, dangling = link_body_markers(article.body, numbers)
    return body, warnings + consistency_warnings(numbers, referenced, dangling)
