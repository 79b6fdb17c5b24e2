"""The XML of a response: the OAI-PMH envelope, errors, headers and records, by ElementTree.

Every response is ``<OAI-PMH>`` with ``responseDate``, ``request`` (the base URL, with the arguments
unless they were rejected) and then either the verb's element or one ``<error>`` per problem.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from django.utils import timezone

from . import identifiers
from .formats import XSI, xml_text

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
CONTENT_TYPE = "text/xml; charset=utf-8"

# The protocol's elements unprefixed, as every example in the specification shows them.
register_namespace("", OAI)


def q(name: str) -> str:
    return f"{{{OAI}}}{name}"


def child(parent: Element, name: str, text=None, **attributes) -> Element:
    element = SubElement(parent, q(name), {key: xml_text(value) for key, value in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


class Response:
    def __init__(self, base_url: str, arguments: dict[str, str] | None):
        self.root = Element(q("OAI-PMH"), {f"{{{XSI}}}schemaLocation": OAI_SCHEMA})
        child(self.root, "responseDate", identifiers.datestamp(timezone.now()))
        child(self.root, "request", base_url, **(arguments or {}))

    def error(self, code: str, message: str) -> None:
        child(self.root, "error", message, code=code)

    def verb(self, name: str) -> Element:
        return child(self.root, name)

    def to_bytes(self) -> bytes:
        return tostring(self.root, encoding="utf-8", xml_declaration=True)


def header(parent: Element, item, repository: str) -> Element:
    element = child(parent, "header", **({"status": "deleted"} if item.deleted else {}))
    child(element, "identifier", identifiers.identifier_for(item.article_id, repository))
    child(element, "datestamp", identifiers.datestamp(item.datestamp))
    for spec in sorted(identifiers.set_spec(path) for path in item.set_paths):
        if identifiers.is_set_spec(spec):  # a path no set could be named by is listed in no set
            child(element, "setSpec", spec)
    return element


def record(parent: Element, item, repository: str, metadata_format, context) -> Element:
    element = child(parent, "record")
    header(element, item, repository)
    if not item.deleted:
        metadata_format.write(child(element, "metadata"), item.article, context)
    return element


def resumption_token(parent: Element, token: str, *, cursor: int, expires=None) -> None:
    """The list's continuation: a token and its expiry, or (``token`` empty) the end of a resumed list."""
    attributes = {"cursor": str(cursor)}
    if expires is not None:
        attributes["expirationDate"] = identifiers.datestamp(expires)
    child(parent, "resumptionToken", token or None, **attributes)
