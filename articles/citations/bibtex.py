"""CSL-JSON items as BibTeX (BibLaTeX field names), written by bibtexparser.

Text is LaTeX-encoded by pylatexenc (bibtexparser's own encoder library): ``&``, ``%``, ``{`` and
the like become their escapes, typographic quotes and dashes their macros, and letters of scripts
LaTeX has no macro for (Perso-Arabic, with its zero-width non-joiner) stay as they are, in UTF-8,
which biber and Zotero read. Addresses, dates and identifiers are written as they are.
"""

from __future__ import annotations

import re
import unicodedata

import bibtexparser
from bibtexparser.middlewares import MergeCoAuthors, MergeNameParts, NameParts
from bibtexparser.model import Entry, Field
from pylatexenc.latexencode import RULE_CALLABLE, UnicodeToLatexConversionRule, UnicodeToLatexEncoder

# CSL type -> BibTeX entry type of a cited work. The archive's own article is @online: see ``records``.
ENTRY_TYPES = {
    "report": "techreport",
    "book": "book",
    "article-journal": "article",
    "chapter": "incollection",
    "webpage": "online",
    "interview": "misc",
    "document": "misc",
}
ARTICLE_ENTRY_TYPE = "online"
# CSL variable -> BibTeX field, for text copied as it is (after encoding).
TEXT_FIELDS = {
    "title": "title",
    "publisher": "publisher",
    "publisher-place": "address",
    "volume": "volume",
    "issue": "number",
    "edition": "edition",
    "abstract": "abstract",
    "keyword": "keywords",
    "language": "language",
    "genre": "type",
}
# Where the journal or book a work is in goes, by CSL type (a site or agency: ``howpublished``).
CONTAINER_FIELDS = {"article-journal": "journal", "chapter": "booktitle"}
# Written as they are: LaTeX escapes would break an address or an identifier.
VERBATIM_FIELDS = {"URL": "url", "DOI": "doi", "ISBN": "isbn"}
# Perso-Arabic letters, presentation forms and the joiners and marks written with them: kept.
_KEPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff\u200c-\u200f]+")


def _keep_scripts(text, pos):
    found = _KEPT.match(text, pos)
    return (found.end() - pos, found.group()) if found else None


_ENCODER = UnicodeToLatexEncoder(
    conversion_rules=[UnicodeToLatexConversionRule(RULE_CALLABLE, _keep_scripts), "defaults"],
    replacement_latex_protection="braces",
    unknown_char_policy="keep",
    unknown_char_warning=False,
)


def encode(text: str) -> str:
    return _ENCODER.unicode_to_latex(text)


def write(items: list[dict], *, article: bool = False) -> str:
    """A .bib file of the items, in order (``article``: the archive's own articles, else cited works);
    each entry's key is unique within the file."""
    library = bibtexparser.Library()
    keys = set()
    for item in items:
        entry_type = ARTICLE_ENTRY_TYPE if article else ENTRY_TYPES.get(item["type"], "misc")
        library.add(Entry(entry_type, _unique(_key(item), keys), _fields(item, article)))
    return bibtexparser.write_string(library, prepend_middleware=[MergeNameParts(style="last"), MergeCoAuthors()])


def _fields(item: dict, article: bool) -> list[Field]:
    fields = []
    if item.get("author"):
        fields.append(Field("author", [_name(name) for name in item["author"]]))
    for variable, key in TEXT_FIELDS.items():
        if item.get(variable):
            fields.append(Field(key, encode(str(item[variable]))))
    if item.get("container-title"):
        fields.append(Field(CONTAINER_FIELDS.get(item["type"], "howpublished"), encode(item["container-title"])))
    if item.get("page"):
        fields.append(Field("pages", item["page"].replace("–", "--")))
    fields += _dates(item)
    for variable, key in VERBATIM_FIELDS.items():
        if item.get(variable):
            fields.append(Field(key, item[variable]))
    if article and item.get("publisher"):
        fields.append(Field("organization", encode(item["publisher"])))  # BibLaTeX's publisher of an @online
    return fields


def _dates(item: dict) -> list[Field]:
    fields = []
    issued = (item.get("issued") or {}).get("date-parts", [[]])[0]
    if issued:
        fields.append(Field("year", str(issued[0])))
        if len(issued) == 3:
            fields.append(Field("date", "{:04d}-{:02d}-{:02d}".format(*issued)))
    accessed = (item.get("accessed") or {}).get("date-parts", [[]])[0]
    if len(accessed) == 3:
        fields.append(Field("urldate", "{:04d}-{:02d}-{:02d}".format(*accessed)))
    return fields


def _name(name: dict) -> NameParts:
    if "literal" in name:
        # Braces make a corporate author one name: BibTeX never reads "The Archive" as given "The", family "Archive".
        return NameParts(last=["{" + encode(name["literal"]) + "}"])
    return NameParts(first=[encode(name["given"])] if name.get("given") else [], last=[encode(name["family"])])


def _key(item: dict) -> str:
    """``muzhdah2003afghanistan``: first author's family name, year, first word of the title (ASCII)."""
    first = (item.get("author") or [{}])[0]
    who = first.get("family") or first.get("literal") or ""
    year = (item.get("issued") or {}).get("date-parts", [[""]])[0][0]
    word = next((w for w in item.get("title", "").split() if _ascii(w)), "")
    key = f"{_ascii(who)}{year}{_ascii(word)}"
    return key if _ascii(who) or _ascii(word) else f"{_ascii(item.get('id', '')) or 'ref'}{year}"


def _ascii(text) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower())


def _unique(key: str, taken: set) -> str:
    candidate, n = key, 1
    while candidate in taken:
        n += 1
        candidate = f"{key}{chr(ord('a') + n - 2)}" if n <= 27 else f"{key}-{n}"
    taken.add(candidate)
    return candidate
