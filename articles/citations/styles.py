"""References rendered by citeproc-py in the CSL styles shipped in ``styles/`` (the Citation Style
Language's own files, CC BY-SA; ``ARCHIVE_CITATION_STYLES`` chooses which, by file name).

Rendering is the costly part of a citation (a style file is parsed once per process, a reference
takes milliseconds): it happens when the article page is rendered, at write time, never per reader.
"""

from __future__ import annotations

import hashlib
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

import nh3
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from django.conf import settings
from django.utils.encoding import uri_to_iri

from articles.citations import elements

STYLES_DIR = Path(__file__).resolve().parent / "styles"
CSL_NAMESPACE = "{http://purl.org/net/xbiblio/csl}"
LOCALE = "en-US"
# citeproc's HTML, less its inline style (small caps): the page's CSP allows none.
ALLOWED_TAGS = {"i", "b", "sup", "sub", "span"}
# CSL variables citeproc reads; anything else in an item (a name's ORCID) is for other tools.
_NAME_PARTS = {"family", "given", "literal", "dropping-particle", "non-dropping-particle", "suffix"}
# One style object per process is shared; citeproc keeps state on it while rendering.
_lock = threading.Lock()


@dataclass(frozen=True)
class Rendered:
    name: str  # the file name, e.g. "apa"
    title: str  # the style's own title, e.g. "APA Style 7th edition"
    html: str  # the reference, sanitized HTML (italics and the like)


def configured() -> list[str]:
    return list(settings.ARCHIVE_CITATION_STYLES)


def path(name: str) -> Path:
    return STYLES_DIR / f"{name}.csl"


def missing() -> list[str]:
    """Configured styles with no file in ``styles/``."""
    return [name for name in configured() if "/" in name or not path(name).is_file()]


@lru_cache(maxsize=8)
def title(name: str) -> str:
    info = ElementTree.parse(path(name)).getroot().find(f"{CSL_NAMESPACE}info")
    found = info.find(f"{CSL_NAMESPACE}title") if info is not None else None
    return found.text.strip() if found is not None and found.text else name


@lru_cache(maxsize=8)
def style(name: str) -> CitationStylesStyle:
    """The style ``name`` as references are rendered in it (parsed once per process): its macros
    found in a table (``elements``), the same references as ``parse(name)`` gives, faster."""
    parsed = parse(name)
    elements.use_tables(parsed)
    return parsed


def parse(name: str) -> CitationStylesStyle:
    """The style ``name`` read by citeproc-py, with its own element classes."""
    # Validation against the CSL schema is slow, and these are the CSL project's own files.
    parsed = CitationStylesStyle(str(path(name)), locale=LOCALE, validate=False)
    _never_initialize(parsed)
    return parsed


def _never_initialize(style) -> None:
    """citeproc-py 0.11 does not implement CSL 1.0.1's ``initialize="false"`` (keep given names
    whole, only format the initials they already have): Chicago, which sets ``initialize-with`` for
    the whole style and turns initials off on each full name, would print "Ruttig, T.". When every
    name that is not a short form (family names only) says ``initialize="false"``, the style-wide
    ``initialize-with`` is dropped from the parsed copy, which gives what the style means.
    The file itself stays as the CSL project publishes it."""
    names = style.root.xpath("//cs:name[not(ancestor::cs:info)]", namespaces={"cs": CSL_NAMESPACE[1:-1]})
    if all(n.get("initialize") == "false" or n.get("form") == "short" for n in names):
        for element in style.root.iter(f"{CSL_NAMESPACE}style", f"{CSL_NAMESPACE}citation",
                                       f"{CSL_NAMESPACE}bibliography"):
            element.attrib.pop("initialize-with", None)


def render(item: dict, name: str, *, parsed: CitationStylesStyle | None = None) -> Rendered:
    """``item`` (CSL-JSON) as its entry in a bibliography in the style ``name`` (``parsed``: that
    style as given, instead of the process's shared one, and citeproc-py's own item class: the
    reference exactly as citeproc-py renders it, which the faster one is compared with)."""
    source = CiteProcJSON([for_citeproc(item)])
    cited = CitationItem(str(item["id"])) if parsed else elements.CitedItem(str(item["id"]))
    with _lock, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc warns of CSL features it does not implement
        bibliography = CitationStylesBibliography(parsed or style(name), source, formatter.html)
        bibliography.register(Citation([cited]))
        entries = bibliography.bibliography()
    html = str(entries[0]) if entries else ""
    return Rendered(name, title(name), nh3.clean(html, tags=ALLOWED_TAGS, attributes={}))


def render_all(item: dict) -> list[Rendered]:
    return [render(item, name) for name in configured()]


def for_page(item: dict) -> dict:
    """The article's item as the Cite block shows it: where it is filed in the archive is for
    reference managers (Zotero's "Loc. in Archive"), not part of the reference a reader copies;
    the permalink as a reader reads it (a Dari slug in its letters, not percent-escapes)."""
    shown = {key: value for key, value in item.items() if key != "archive_location"}
    if shown.get("URL"):
        shown["URL"] = uri_to_iri(shown["URL"])
    return shown


def for_citeproc(item: dict) -> dict:
    """The item less what citeproc does not read (it warns of each)."""
    names = {key: [{k: v for k, v in name.items() if k in _NAME_PARTS} for name in value]
             for key, value in item.items() if key == "author"}
    return {**item, **names}


def digest() -> str:
    """Of the configured styles' files: the stored pages that show them are stale when one changes."""
    parts = [f"{name}:{hashlib.sha256(path(name).read_bytes()).hexdigest()}" for name in configured()
             if path(name).is_file()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
