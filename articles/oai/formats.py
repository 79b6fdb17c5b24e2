"""Metadata formats as small policy objects, like django-contrib-comments' ``CommentModerator``.

A format names itself (``prefix``, ``schema``, ``namespace``), says which published articles it can
describe (``articles``, a queryset filter, so a list stays a few queries) and writes one article's
metadata (``write``). ``oai_dc`` is the one every harvester reads; another (``oai_datacite``,
``marc21``) is a subclass registered with ``register``.

Only what a published article's page already shows goes out: title, authors, categories, tags,
summary, dates and its address. Never the body's private parts, comments, emails or drafts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, register_namespace

from django.utils.html import strip_tags

XSI = "http://www.w3.org/2001/XMLSchema-instance"
# Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value) -> str:
    """Text safe in any XML document (the writer escapes the rest)."""
    return _NOT_XML.sub("", str(value))


@dataclass(frozen=True)
class Context:
    """What a format may need beyond the article: the response's site, for addresses and publisher."""

    publisher: str
    absolute: Callable[[str], str]  # a path on this site -> its absolute URL


class MetadataFormat:
    prefix: str = ""
    schema: str = ""
    namespace: str = ""

    def articles(self, queryset):
        """The articles of ``queryset`` this format can describe (all, unless a format says otherwise)."""
        return queryset

    def describes(self, article) -> bool:
        """Whether this format can describe ``article``: ``articles`` for one article already loaded."""
        return True

    def write(self, parent: Element, article, context: Context) -> None:
        """Append the article's metadata element to ``parent`` (the record's <metadata>)."""
        raise NotImplementedError


class OaiDc(MetadataFormat):
    """Unqualified Dublin Core, the format every OAI-PMH repository must offer."""

    prefix = "oai_dc"
    schema = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
    namespace = "http://www.openarchives.org/OAI/2.0/oai_dc/"
    dc = "http://purl.org/dc/elements/1.1/"

    def write(self, parent, article, context):
        location = {f"{{{XSI}}}schemaLocation": f"{self.namespace} {self.schema}"}
        root = SubElement(parent, f"{{{self.namespace}}}dc", location)
        for name, value in self.fields(article, context):
            if value:
                SubElement(root, f"{{{self.dc}}}{name}").text = xml_text(value)

    def fields(self, article, context):
        """(Dublin Core element, value) pairs, in the order written; empty values are left out."""
        yield "title", article.title
        for author in article.ordered_authors():
            yield "creator", author.name
        for category in sorted(article.categories.all(), key=lambda c: c.path):
            yield "subject", category.full_name or category.name
        for tag in sorted(article.tags.all(), key=lambda t: t.name.casefold()):
            yield "subject", tag.name
        yield "description", " ".join(strip_tags(article.summary).split())
        yield "publisher", context.publisher
        if article.published_at:
            yield "date", article.published_at.date().isoformat()
        yield "type", "Text"
        yield "format", "text/html"
        yield "language", article.language
        yield "identifier", context.absolute(article.get_absolute_url())


FORMATS: dict[str, MetadataFormat] = {}


def register(metadata_format: MetadataFormat) -> None:
    register_namespace(metadata_format.prefix, metadata_format.namespace)
    FORMATS[metadata_format.prefix] = metadata_format


register_namespace("xsi", XSI)
register_namespace("dc", OaiDc.dc)
register(OaiDc())
