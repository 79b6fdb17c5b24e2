"""CSL-JSON items as RIS, written by rispy (its field names; the tags in comments)."""

from __future__ import annotations

import rispy

from .records import keywords

# CSL type -> RIS type of a cited work. The archive's own article is RPRT: see ``records``.
REFERENCE_TYPES = {
    "report": "RPRT",
    "book": "BOOK",
    "article-journal": "JOUR",
    "chapter": "CHAP",
    "webpage": "ELEC",
    "interview": "GEN",
    "document": "GEN",
}
ARTICLE_REFERENCE_TYPE = "RPRT"
# RIS has no type of its own for these: the generic type, with the kind as its "type of work" (M3).
KINDS_OF_WORK = {"interview": "Interview"}
TEXT_FIELDS = {
    "title": "title",  # TI
    "publisher": "publisher",  # PB
    "publisher-place": "place_published",  # CY
    "volume": "volume",  # VL
    "issue": "number",  # IS
    "edition": "edition",  # ET
    "abstract": "abstract",  # AB
    "language": "language",  # LA
    "DOI": "doi",  # DO
    "ISBN": "issn",  # SN: ISBN and ISSN share it
    "archive_location": "section",  # SE: where the article is filed
}


def write(items: list[dict], *, article: bool = False) -> str:
    """A .ris file of the items, in order (``article``: the archive's own articles, else cited works)."""
    return rispy.dumps([_entry(item, article) for item in items])


def _entry(item: dict, article: bool) -> dict:
    entry = {"type_of_reference": ARTICLE_REFERENCE_TYPE if article else REFERENCE_TYPES.get(item["type"], "GEN")}
    if item.get("author"):  # AU, "Family, Given"; an organisation's name alone
        entry["authors"] = [_name(name) for name in item["author"]]
    for variable, key in TEXT_FIELDS.items():
        if item.get(variable):
            entry[key] = str(item[variable])
    if item.get("container-title"):  # T2: the journal, book or site
        entry["secondary_title"] = item["container-title"]
    if item.get("keyword"):  # KW, one a line
        entry["keywords"] = keywords(item)
    if item.get("URL"):  # UR
        entry["urls"] = [item["URL"]]
    if item.get("page"):  # SP, EP
        entry["start_page"], _, end = item["page"].partition("–")
        if end:
            entry["end_page"] = end
    if kind := item.get("genre") or KINDS_OF_WORK.get(item["type"]):  # M3
        entry["type_of_work"] = kind
    entry.update(_dates(item))
    return entry


def _dates(item: dict) -> dict:
    dates = {}
    issued = (item.get("issued") or {}).get("date-parts", [[]])[0]
    if issued:
        dates["year"] = str(issued[0])  # PY
        if len(issued) == 3:
            dates["date"] = "{:04d}/{:02d}/{:02d}".format(*issued)  # DA
    accessed = (item.get("accessed") or {}).get("date-parts", [[]])[0]
    if len(accessed) == 3:
        dates["access_date"] = "{:04d}/{:02d}/{:02d}".format(*accessed)  # Y2
    return dates


def _name(name: dict) -> str:
    if "literal" in name:
        return name["literal"]
    return f"{name['family']}, {name['given']}" if name.get("given") else name["family"]
