"""Identifiers a reference carries (ORCID, Wikidata, ISBN, DOI): each checked the way its registry
defines it, and written in one canonical form so every export and page shows it the same way.

Checksums come from python-stdnum (ORCID's is ISO 7064 MOD 11-2; ISBN's its own), not from here.
"""

import re

from django.core.exceptions import ValidationError
from stdnum import isbn
from stdnum.iso7064 import mod_11_2

_ORCID_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?orcid\.org/", re.IGNORECASE)
_ORCID_SHAPE = re.compile(r"^\d{15}[\dX]$")
_WIKIDATA_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?wikidata\.org/(?:wiki|entity)/", re.IGNORECASE)
_WIKIDATA_SHAPE = re.compile(r"^Q[1-9]\d{0,11}$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
# A DOI is "10." + registrant + "/" + suffix (the DOI Handbook, 2.2); the suffix is anything printable.
_DOI_SHAPE = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/\S+$")


def normalize_orcid(value: str) -> str:
    """``0000-0002-1825-0097`` from that, its URL or its 16 digits; '' for ''."""
    digits = _ORCID_PREFIX.sub("", (value or "").strip()).replace("-", "").replace(" ", "").upper()
    if not digits:
        return ""
    return "-".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def validate_orcid(value: str) -> None:
    digits = normalize_orcid(value).replace("-", "")
    if not _ORCID_SHAPE.match(digits):
        raise ValidationError(
            "An ORCID iD is 16 characters, e.g. 0000-0002-1825-0097 or https://orcid.org/0000-0002-1825-0097.",
            code="orcid_shape",
        )
    if not mod_11_2.is_valid(digits):
        raise ValidationError(
            "This ORCID iD's last character does not match its checksum: check it against the author's ORCID record.",
            code="orcid_checksum",
        )


def orcid_url(value: str) -> str:
    return f"https://orcid.org/{normalize_orcid(value)}" if value else ""


def normalize_wikidata(value: str) -> str:
    """``Q42`` from that or its Wikidata URL; '' for ''."""
    return _WIKIDATA_PREFIX.sub("", (value or "").strip()).upper()


def validate_wikidata(value: str) -> None:
    if not _WIKIDATA_SHAPE.match(normalize_wikidata(value)):
        raise ValidationError(
            "A Wikidata id is Q followed by digits, e.g. Q42 or https://www.wikidata.org/wiki/Q42.",
            code="wikidata_shape",
        )


def wikidata_url(value: str) -> str:
    return f"https://www.wikidata.org/wiki/{normalize_wikidata(value)}" if value else ""


def normalize_isbn(value: str) -> str:
    """The ISBN hyphenated as its agency registered it (``978-0-19-953556-9``); '' for ''."""
    value = (value or "").strip()
    if not value:
        return ""
    return isbn.format(value) if isbn.is_valid(value) else value


def validate_isbn(value: str) -> None:
    if not isbn.is_valid(value or ""):
        raise ValidationError(
            "This is not a valid ISBN (10 or 13 digits whose last one is the checksum): check it against the book.",
            code="isbn",
        )


def normalize_doi(value: str) -> str:
    """``10.1000/xyz123`` from that, ``doi:10.1000/xyz123`` or its https://doi.org/ address; '' for ''."""
    return _DOI_PREFIX.sub("", (value or "").strip()).rstrip(".,;")


def validate_doi(value: str) -> None:
    if not _DOI_SHAPE.match(normalize_doi(value)):
        raise ValidationError(
            "A DOI starts with 10., a registrant number, a slash and a suffix, e.g. 10.1000/xyz123.",
            code="doi",
        )


def doi_url(value: str) -> str:
    return f"https://doi.org/{normalize_doi(value)}" if value else ""
