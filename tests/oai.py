"""Helpers for the OAI-PMH tests: read a response, check it against the protocol's structure."""

from functools import cache
from pathlib import Path

from lxml import etree

SCHEMA = Path(__file__).parent / "fixtures" / "oai" / "oai-pmh-responses.xsd"
NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "id": "http://www.openarchives.org/OAI/2.0/oai-identifier",
}
REPOSITORY = "archive.example.org"


@cache
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def parsed(response):
    """The response's XML tree, after checking it is a well-formed OAI-PMH response of the right type."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    tree = etree.fromstring(response.content)
    schema().assertValid(tree)
    return tree


def texts(tree, path):
    return [element.text for element in tree.xpath(path, namespaces=NS)]


def error_codes(tree):
    return [element.get("code") for element in tree.xpath("/o:OAI-PMH/o:error", namespaces=NS)]


def identifier(article_id):
    return f"oai:{REPOSITORY}:{article_id}"
