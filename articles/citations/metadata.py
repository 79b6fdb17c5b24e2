"""The article page's meta tags for citation managers and scholarly search engines, made from the
article's CSL-JSON item (``records``) so they say what the downloads say.

- Highwire Press ``citation_*``: what Google Scholar indexes and Zotero's Embedded Metadata
  translator reads (``citation_technical_report_institution`` makes Zotero's item a Report, as the
  downloads are);
- Dublin Core (``DC.*``), for library tools and harvesters reading the page itself.
"""

from __future__ import annotations

from .records import keywords


def meta_tags(item: dict) -> list[tuple[str, str]]:
    """(name, content) pairs, in order, for ``<meta name=… content=…>``."""
    return highwire(item) + dublin_core(item)


def highwire(item: dict) -> list[tuple[str, str]]:
    tags = [("citation_title", item["title"])]
    tags += [("citation_author", display_name(name, inverted=True)) for name in item.get("author", [])]
    issued = _parts(item, "issued")
    if len(issued) == 3:
        tags.append(("citation_publication_date", "{:04d}/{:02d}/{:02d}".format(*issued)))
    tags += [
        ("citation_publisher", item.get("publisher", "")),
        ("citation_technical_report_institution", item.get("publisher", "")),
        ("citation_language", item.get("language", "")),
    ]
    tags += [("citation_keywords", word) for word in keywords(item)]
    tags += [("citation_abstract_html_url", item.get("URL", "")), ("citation_fulltext_html_url", item.get("URL", ""))]
    return [(name, content) for name, content in tags if content]


def dublin_core(item: dict) -> list[tuple[str, str]]:
    tags = [("DC.title", item["title"])]
    tags += [("DC.creator", display_name(name, inverted=True)) for name in item.get("author", [])]
    issued = _parts(item, "issued")
    if len(issued) == 3:
        tags.append(("DC.date", "{:04d}-{:02d}-{:02d}".format(*issued)))
    tags += [
        ("DC.publisher", item.get("publisher", "")),
        ("DC.language", item.get("language", "")),
        ("DC.identifier", item.get("URL", "")),
        ("DC.type", "Text"),
    ]
    tags += [("DC.subject", word) for word in keywords(item)]
    return [(name, content) for name, content in tags if content]


def display_name(name: dict, *, inverted: bool = False) -> str:
    """"Ruttig, Thomas" (``inverted``) or "Thomas Ruttig"; an organisation's name as it is."""
    if "literal" in name:
        return name["literal"]
    if not name.get("given"):
        return name["family"]
    return f"{name['family']}, {name['given']}" if inverted else f"{name['given']} {name['family']}"


def _parts(item: dict, variable: str) -> list:
    return (item.get(variable) or {}).get("date-parts", [[]])[0]
