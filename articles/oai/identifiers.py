"""How the archive's rows are named in OAI-PMH: identifiers, set specs and datestamps.

An article's identifier is ``oai:<repository id>:<article id>``: its database id never changes,
whatever happens to its slug or title. The repository id is ``ARCHIVE_OAI_REPOSITORY_ID`` when set
(set it once, before the first harvest, and keep it), else the site's domain without its port.
A category's set spec is its path with ``:`` for ``/`` (``afghanistan:politics``): category slugs are
ASCII letters, digits and dashes, all legal in a set spec, and the hierarchy is the protocol's own.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote, unquote

from django.conf import settings
from django.contrib.sites.models import Site

from .errors import bad_argument

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# The oai-identifier scheme's repositoryIdentifier: a domain name.
REPOSITORY_ID = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")
SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
METADATA_PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
# What each argument's value must look like, and how to say so when it does not (dates are read in ``window``).
SYNTAX = {
    "identifier": (re.compile(r"\S+"), "an identifier (a URI, without spaces)"),
    "metadataPrefix": (METADATA_PREFIX, "a metadata prefix (letters, digits and -_.!~*'())"),
    "set": (SET_SPEC, "a set spec (letters, digits and -_.!~*'() joined by ':')"),
    "from": (re.compile(r"\S+"), "a date"),
    "until": (re.compile(r"\S+"), "a date"),
    "resumptionToken": (re.compile(r"\S+"), "a resumption token"),
}


def repository_id() -> str:
    configured = getattr(settings, "ARCHIVE_OAI_REPOSITORY_ID", "")
    return configured or Site.objects.get_current().domain.split(":")[0]


def has_domain_name(repository: str) -> bool:
    return REPOSITORY_ID.fullmatch(repository) is not None


def identifier_for(article_id: int, repository: str) -> str:
    return f"oai:{repository}:{article_id}"


def article_id_from(identifier: str, repository: str) -> int | None:
    """The article id an identifier of this repository names, or None when it names nothing here."""
    prefix = f"oai:{repository}:"
    local = identifier[len(prefix) :] if identifier.startswith(prefix) else ""
    if not local.isascii() or not local.isdigit() or len(local) > 18:
        return None
    return int(local)


def set_spec(category_path: str) -> str:
    """The category path as a set spec: levels joined by ':'; a Dari or Pashto slug's letters as
    their UTF-8 bytes, each '.XX' (a spec allows no '%'; slugs never hold a '.'), so every
    category is a set and an ASCII slug reads as itself."""
    return ":".join(quote(level, safe="-_").replace("%", ".") for level in category_path.split("/"))


def category_path(spec: str) -> str:
    return "/".join(unquote(level.replace(".", "%")) for level in spec.split(":"))


def is_set_spec(spec: str) -> bool:
    return SET_SPEC.fullmatch(spec) is not None


# -- datestamps ---------------------------------------------------------------------------------
def datestamp(moment: dt.datetime) -> str:
    """UTC, to the second: the granularity the repository announces."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_bound(value: str, name: str) -> tuple[dt.datetime, dt.timedelta]:
    """(start of the moment named, its length) for a ``from`` or ``until`` value, in either granularity."""
    try:
        if DAY.fullmatch(value):
            return dt.datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=dt.UTC), dt.timedelta(days=1)
        if SECOND.fullmatch(value):
            return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC), dt.timedelta(seconds=1)
    except ValueError:
        pass  # the right shape, not a real date (2021-02-30): said below
    raise bad_argument(
        f"'{name}' must be a UTC date (YYYY-MM-DD) or moment (YYYY-MM-DDThh:mm:ssZ), not {value[:40]!r}."
    )


def window(start: str | None, until: str | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The ``from``/``until`` arguments as [start, end): ``until`` includes the whole day or second it names."""
    lower = parse_bound(start, "from") if start else None
    upper = parse_bound(until, "until") if until else None
    if lower and upper and lower[1] != upper[1]:
        raise bad_argument("'from' and 'until' must have the same granularity (both days, or both seconds).")
    begin = lower[0] if lower else None
    end = upper[0] + upper[1] if upper else None
    if begin and end and begin >= end:
        raise bad_argument("'from' is later than 'until': no moment lies between them.")
    return begin, end


def iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def from_iso(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None
