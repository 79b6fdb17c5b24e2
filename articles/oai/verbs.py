"""The six verbs: which arguments each takes, and what it answers.

Each verb is a small object: ``required`` and ``optional`` arguments and an ``exclusive`` one (the
resumption token, which comes alone), checked the same way for all; ``answer`` writes the verb's
element or raises an ``OAIError``. ``respond`` turns any request's arguments into the response's bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.etree.ElementTree import SubElement, register_namespace

from django.conf import settings

from articles.models import Category

from . import identifiers, records, tokens
from .document import Response, child, header, record, resumption_token
from .errors import ARGUMENTS_REJECTED, OAIError, bad_argument
from .formats import FORMATS, XSI, Context, xml_text

OAI_IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"
register_namespace("oai-identifier", OAI_IDENTIFIER)
# A lower bound of every datestamp while there is nothing to harvest yet.
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Harvest:
    """What answering needs beyond the arguments: this endpoint's address, the repository id, the formats' context."""

    base_url: str
    repository: str
    context: Context


class Verb:
    name = ""
    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    exclusive: str | None = None

    def check(self, arguments: dict[str, str]) -> None:
        given = set(arguments) - {"verb"}
        if self.exclusive in given and given != {self.exclusive}:
            raise bad_argument(f"'{self.exclusive}' comes alone: the other arguments are in it already.")
        required = frozenset() if self.exclusive in given else self.required
        unknown = given - self.required - self.optional - {self.exclusive}
        if unknown:
            takes = sorted(self.required | self.optional | ({self.exclusive} if self.exclusive else set()))
            raise bad_argument(
                f"{self.name} does not take {', '.join(sorted(unknown))} (it takes: {', '.join(takes) or 'nothing'})."
            )
        missing = required - given
        if missing:
            raise bad_argument(f"{self.name} needs {', '.join(sorted(missing))}.")
        for name in sorted(given):
            pattern, meaning = identifiers.SYNTAX[name]
            if not pattern.fullmatch(arguments[name]):
                raise bad_argument(f"'{name}' must be {meaning}, not {arguments[name][:40]!r}.")

    def answer(self, response: Response, arguments: dict[str, str], harvest: Harvest) -> None:
        raise NotImplementedError


def metadata_format(prefix):
    found = FORMATS.get(prefix)
    if found is None:
        offered = ", ".join(sorted(FORMATS))
        raise OAIError("cannotDisseminateFormat", f"No metadata format {prefix[:40]!r} here; offered: {offered}.")
    return found


def find_item(identifier, harvest):
    article_id = identifiers.article_id_from(identifier, harvest.repository)
    item = records.find(article_id) if article_id is not None else None
    if item is None:
        raise OAIError("idDoesNotExist", f"No record has the identifier {identifier[:80]!r} in this repository.")
    return item


class Identify(Verb):
    name = "Identify"

    def answer(self, response, arguments, harvest):
        element = response.verb(self.name)
        child(element, "repositoryName", harvest.context.publisher)
        child(element, "baseURL", harvest.base_url)
        child(element, "protocolVersion", "2.0")
        child(element, "adminEmail", settings.ARCHIVE_OAI_ADMIN_EMAIL)
        child(element, "earliestDatestamp", identifiers.datestamp(records.earliest_datestamp() or EPOCH))
        child(element, "deletedRecord", "persistent")
        child(element, "granularity", "YYYY-MM-DDThh:mm:ssZ")
        if identifiers.has_domain_name(harvest.repository):
            describe_identifiers(child(element, "description"), harvest.repository)


def describe_identifiers(parent, repository):
    """The oai-identifier description: how identifiers here are made, for harvesters that read it."""
    schema = f"{OAI_IDENTIFIER} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
    described = SubElement(parent, f"{{{OAI_IDENTIFIER}}}oai-identifier", {f"{{{XSI}}}schemaLocation": schema})
    for name, value in (
        ("scheme", "oai"),
        ("repositoryIdentifier", repository),
        ("delimiter", ":"),
        ("sampleIdentifier", identifiers.identifier_for(1, repository)),
    ):
        SubElement(described, f"{{{OAI_IDENTIFIER}}}{name}").text = xml_text(value)


class ListMetadataFormats(Verb):
    name = "ListMetadataFormats"
    optional = frozenset({"identifier"})

    def answer(self, response, arguments, harvest):
        offered = list(FORMATS.values())
        if "identifier" in arguments:
            item = find_item(arguments["identifier"], harvest)
            if not item.deleted:
                offered = [f for f in offered if f.describes(item.article)]
        if not offered:
            raise OAIError("noMetadataFormats", "No metadata format describes this record.")
        element = response.verb(self.name)
        for metadata in offered:
            described = child(element, "metadataFormat")
            child(described, "metadataPrefix", metadata.prefix)
            child(described, "schema", metadata.schema)
            child(described, "metadataNamespace", metadata.namespace)


class ListSets(Verb):
    """Every category, as a set whose spec is its path (``region:country``), in path order."""

    name = "ListSets"
    exclusive = "resumptionToken"

    def answer(self, response, arguments, harvest):
        state = tokens.read(arguments["resumptionToken"], self.name) if "resumptionToken" in arguments else {}
        delivered = state.get("n", 0)
        categories, more = records.sets_after(state.get("after"))
        if not categories:
            raise OAIError("noSetHierarchy", "This repository has no categories yet, so no sets.")
        element = response.verb(self.name)
        for category in categories:
            spec = identifiers.set_spec(category.path)
            if identifiers.is_set_spec(spec):  # slugs always are; a path made otherwise names no set
                described = child(element, "set")
                child(described, "setSpec", spec)
                child(described, "setName", category.full_name or category.name)
        if more:
            token = tokens.issue(self.name, {"after": categories[-1].path, "n": delivered + len(categories)})
            resumption_token(element, token, cursor=delivered, expires=tokens.expiration())
        elif state:
            resumption_token(element, "", cursor=delivered)


class ListVerb(Verb):
    """ListIdentifiers and ListRecords: a selection of items, a keyset page at a time."""

    required = frozenset({"metadataPrefix"})
    optional = frozenset({"from", "until", "set"})
    exclusive = "resumptionToken"
    full = False  # whole records, or headers only

    def answer(self, response, arguments, harvest):
        if "resumptionToken" in arguments:
            state = tokens.read(arguments["resumptionToken"], self.name)
        else:
            state = self.first_page(arguments)
        metadata = metadata_format(state["prefix"])
        selection = records.Selection(
            set_path=state.get("set"),
            start=identifiers.from_iso(state.get("from")),
            end=identifiers.from_iso(state.get("until")),
            after=(identifiers.from_iso(state["after"][0]), state["after"][1]) if state.get("after") else None,
        )
        items, more = records.page(selection, metadata, full=self.full)
        if not items:
            raise OAIError("noRecordsMatch", "No record matches these arguments (from, until, set).")
        element = response.verb(self.name)
        for item in items:
            self.write(element, item, metadata, harvest)
        delivered = state.get("n", 0)
        if more:
            last = items[-1]
            token = tokens.issue(
                self.name,
                {**state, "after": [identifiers.iso(last.datestamp), last.article_id], "n": delivered + len(items)},
            )
            resumption_token(element, token, cursor=delivered, expires=tokens.expiration())
        elif "after" in state:
            resumption_token(element, "", cursor=delivered)

    @staticmethod
    def first_page(arguments) -> dict:
        """A new list's state (what its tokens will carry), its arguments checked."""
        metadata_format(arguments["metadataPrefix"])
        start, end = identifiers.window(arguments.get("from"), arguments.get("until"))
        spec = arguments.get("set")
        if spec is not None and not Category.objects.exists():
            raise OAIError("noSetHierarchy", "This repository has no categories yet, so no sets.")
        return {
            "prefix": arguments["metadataPrefix"],
            "set": identifiers.category_path(spec) if spec else None,
            "from": identifiers.iso(start),
            "until": identifiers.iso(end),
        }

    def write(self, parent, item, metadata, harvest):
        raise NotImplementedError


class ListIdentifiers(ListVerb):
    name = "ListIdentifiers"

    def write(self, parent, item, metadata, harvest):
        header(parent, item, harvest.repository)


class ListRecords(ListVerb):
    name = "ListRecords"
    full = True

    def write(self, parent, item, metadata, harvest):
        record(parent, item, harvest.repository, metadata, harvest.context)


class GetRecord(Verb):
    name = "GetRecord"
    required = frozenset({"identifier", "metadataPrefix"})

    def answer(self, response, arguments, harvest):
        metadata = metadata_format(arguments["metadataPrefix"])
        item = find_item(arguments["identifier"], harvest)
        if not item.deleted and not metadata.describes(item.article):
            raise OAIError("cannotDisseminateFormat", f"This record is not offered as {metadata.prefix}.")
        record(response.verb(self.name), item, harvest.repository, metadata, harvest.context)


VERBS = {
    verb.name: verb
    for verb in (Identify(), ListMetadataFormats(), ListSets(), ListIdentifiers(), ListRecords(), GetRecord())
}


def single_arguments(query) -> dict[str, str]:
    """The request's arguments, each given once (the protocol allows no repeats)."""
    verbs = query.getlist("verb")
    if len(verbs) != 1 or verbs[0] not in VERBS:
        named = f"{verbs[0][:40]!r} is not" if len(verbs) == 1 else "a request needs exactly one verb, and"
        raise OAIError("badVerb", f"{named} one of: {', '.join(VERBS)}.")
    repeated = sorted(name for name, values in query.lists() if len(values) > 1)
    if repeated:
        raise bad_argument(f"Each argument comes once; repeated: {', '.join(repeated)}.")
    return {name: values[0] for name, values in query.lists()}


def respond(query, harvest: Harvest) -> bytes:
    """The response to a request with these arguments (a QueryDict): the verb's answer, or its error."""
    arguments = None
    try:
        arguments = single_arguments(query)
        verb = VERBS[arguments["verb"]]
        verb.check(arguments)
        response = Response(harvest.base_url, arguments)
        verb.answer(response, arguments, harvest)
    except OAIError as error:
        rejected = error.code in ARGUMENTS_REJECTED
        response = Response(harvest.base_url, None if rejected else arguments)
        response.error(error.code, error.message)
    return response.to_bytes()
