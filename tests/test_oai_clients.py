"""Two real harvesters, Sickle (GET) and pyoai's ``oaipmh.client`` (POST), against a live server: each
harvests every published article of a generated archive through resumption tokens, then only what
changed since, and hears each of the protocol's errors as the error it is.

A 10,000-article harvest with records/s is tests/benchmarks/bench_oai.py."""

import datetime as dt
import io
import time
from types import SimpleNamespace

import oaipmh.client
import oaipmh.metadata
import pytest
from django.core.management import call_command
from django.utils import timezone
from lxml import etree
from oaipmh import error as pyoai_error
from oaipmh.client import Client
from oaipmh.metadata import MetadataRegistry, oai_dc_reader
from sickle import Sickle, oaiexceptions
from sickle.iterator import OAIResponseIterator

from articles.models import Article, Category
from articles.oai import formats
from tests.factories import make_article
from tests.oai import REPOSITORY, identifier

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ARTICLES, SEED = 250, 11


@pytest.fixture
def endpoint(settings, live_server):
    settings.ARCHIVE_OAI_REPOSITORY_ID = REPOSITORY
    settings.ARCHIVE_OAI_ADMIN_EMAIL = "archive@archive.example.org"
    return live_server.url + "/oai/"


@pytest.fixture
def archive(endpoint):
    call_command("generate_articles", str(ARTICLES), "--seed", str(SEED), stdout=io.StringIO(), stderr=io.StringIO())
    return endpoint


def published():
    return {identifier(pk) for pk in Article.objects.published().values_list("pk", flat=True)}


def change_four():
    """From the next whole second: three published articles edited, a fourth unpublished.

    Returns (that second, the edited articles' identifiers, the unpublished one's)."""
    since = timezone.now().replace(microsecond=0) + dt.timedelta(seconds=1)
    time.sleep(max(0.0, (since - timezone.now()).total_seconds()))
    first_four = list(Article.objects.published().order_by("pk")[:4])
    for article in first_four[:3]:
        article.title += " (revised)"
        article.save()
    first_four[3].status = Article.Status.DRAFT
    first_four[3].save()
    return since, {identifier(a.pk) for a in first_four[:3]}, identifier(first_four[3].pk)


class LxmlAsPyoaiKnewIt:
    """lxml for pyoai 2.5.0 (the registry's latest), which calls ``XPathEvaluator(...).evaluate``: lxml 6
    dropped that old name for calling the evaluator. Everything else is lxml itself."""

    def __getattr__(self, name):
        return getattr(etree, name)

    @staticmethod
    def XPathEvaluator(*args, **kwargs):  # noqa: N802 (lxml's name)
        return SimpleNamespace(evaluate=etree.XPathEvaluator(*args, **kwargs))


@pytest.fixture
def pyoai_client(monkeypatch):
    monkeypatch.setattr(oaipmh.client, "etree", LxmlAsPyoaiKnewIt())
    monkeypatch.setattr(oaipmh.metadata, "etree", LxmlAsPyoaiKnewIt())

    def connect(url):
        registry = MetadataRegistry()
        registry.registerReader("oai_dc", oai_dc_reader)
        client = Client(url, registry)
        client.updateGranularity()  # from Identify: seconds
        return client

    return connect


def test_sickle_harvests_every_published_article_then_only_what_changed(archive):
    sickle = Sickle(archive, max_retries=0, timeout=60)
    assert sickle.Identify().granularity == "YYYY-MM-DDThh:mm:ssZ"
    records = list(sickle.ListRecords(metadataPrefix="oai_dc"))
    harvested = [record.header.identifier for record in records]
    assert len(harvested) == len(set(harvested)) == len(published()) > 200  # three pages, no duplicates
    assert set(harvested) == published()
    assert not any(record.deleted for record in records)
    titles = dict(Article.objects.values_list("pk", "title"))
    assert all(r.metadata["title"] == [titles[int(r.header.identifier.rsplit(":", 1)[1])]] for r in records)

    since, edited, unpublished = change_four()
    since = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    changed = list(sickle.ListRecords(**{"metadataPrefix": "oai_dc", "from": since}))
    assert len(changed) == 4
    assert {r.header.identifier for r in changed if not r.deleted} == edited
    assert [r.header.identifier for r in changed if r.deleted] == [unpublished]
    assert all(r.metadata["title"][0].endswith(" (revised)") for r in changed if not r.deleted)
    headers = list(sickle.ListIdentifiers(**{"metadataPrefix": "oai_dc", "from": since}))
    assert {h.identifier for h in headers} == edited | {unpublished}


def test_pyoai_harvests_every_published_article_then_only_what_changed(archive, pyoai_client):
    client = pyoai_client(archive)
    records = list(client.listRecords(metadataPrefix="oai_dc"))
    harvested = [header.identifier() for header, _, _ in records]
    assert len(harvested) == len(set(harvested)) == len(published()) > 200
    assert set(harvested) == published()
    assert not any(header.isDeleted() for header, _, _ in records)
    identifiers = [header.identifier() for header in client.listIdentifiers(metadataPrefix="oai_dc")]
    assert identifiers == harvested

    since, edited, unpublished = change_four()
    changed = list(client.listRecords(metadataPrefix="oai_dc", from_=since.replace(tzinfo=None)))
    assert len(changed) == 4
    assert {h.identifier() for h, _, _ in changed if not h.isDeleted()} == edited
    assert [h.identifier() for h, _, _ in changed if h.isDeleted()] == [unpublished]
    assert all(m.getField("title")[0].endswith(" (revised)") for h, m, _ in changed if not h.isDeleted())
    header, metadata, _ = client.getRecord(identifier=unpublished, metadataPrefix="oai_dc")
    assert header.isDeleted() and metadata is None
    sets = [spec for spec, _, _ in client.listSets()]
    assert sorted(sets) == sorted(path.replace("/", ":") for path in Category.objects.values_list("path", flat=True))


ERRORS = [
    ({"verb": "Harvest"}, "badVerb"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "forged"}, "badResumptionToken"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": f"oai:{REPOSITORY}:0", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"}, "noRecordsMatch"),
    ({"verb": "ListSets"}, "noSetHierarchy"),
    ({"verb": "ListMetadataFormats", "identifier": "UNDESCRIBED"}, "noMetadataFormats"),
]


@pytest.fixture
def errors(endpoint, monkeypatch):
    """An archive without categories, with one article no format describes: every error can be asked for."""
    make_article()
    undescribed = make_article()

    class SomeArticles(formats.OaiDc):
        def describes(self, article):
            return article.pk != undescribed.pk

    monkeypatch.setitem(formats.FORMATS, "oai_dc", SomeArticles())
    return [({k: identifier(undescribed.pk) if v == "UNDESCRIBED" else v for k, v in arguments.items()}, code)
            for arguments, code in ERRORS]


def test_sickle_hears_each_error_as_the_protocols(endpoint, errors):
    sickle = Sickle(endpoint, max_retries=0, timeout=60)
    # Sickle names its exceptions after the codes, but for noMetadataFormats (it has NoMetadataFormat).
    raised = {"noMetadataFormats": oaiexceptions.OAIError}
    for arguments, code in errors:
        expected = raised.get(code) or getattr(oaiexceptions, code[0].upper() + code[1:])
        with pytest.raises(expected):
            OAIResponseIterator(sickle, dict(arguments))  # Sickle's iterator of raw responses: any verb


def test_pyoai_hears_each_error_as_the_protocols(endpoint, errors, pyoai_client):
    client = pyoai_client(endpoint)
    for arguments, code in errors:
        with pytest.raises(getattr(pyoai_error, code[0].upper() + code[1:] + "Error")):
            client.makeRequestErrorHandling(**arguments)
