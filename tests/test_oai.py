"""OAI-PMH at /oai/: the six verbs, sets, selective harvesting, resumption tokens, deleted records and
every error, answered through the Django test client (tests/test_oai_clients.py harvests with real
clients over HTTP)."""

import datetime as dt
import io
import re
import time

import pytest
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article, DeletedRecord
from articles.oai import formats
from tests.factories import make_article, make_author, make_category, make_comment
from tests.oai import NS, REPOSITORY, error_codes, identifier, parsed, texts

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture(autouse=True)
def repository(settings):
    settings.ARCHIVE_OAI_REPOSITORY_ID = REPOSITORY
    settings.ARCHIVE_OAI_ADMIN_EMAIL = "archive@archive.example.org"


def oai(client, **arguments):
    if "from_" in arguments:
        arguments["from"] = arguments.pop("from_")
    return parsed(client.get("/oai/", arguments))


def headers(tree):
    return texts(tree, "//o:header/o:identifier")


def token_of(tree):
    found = tree.xpath("//o:resumptionToken", namespaces=NS)
    return found[0] if found else None


def stamp(article, moment):
    """Give an article a last change of ``moment`` (a write no receiver hears, as a test's clock)."""
    Article.objects.filter(pk=article.pk).update(updated_at=moment)


# -- Identify, ListMetadataFormats, ListSets ---------------------------------------------------------
def test_identify_describes_the_repository(client):
    oldest = make_article()
    make_article()
    stamp(oldest, dt.datetime(2019, 5, 6, 7, 8, 9, 500, tzinfo=UTC))
    tree = oai(client, verb="Identify")
    assert texts(tree, "/o:OAI-PMH/o:request") == ["http://testserver/oai/"]
    assert dict(tree.xpath("/o:OAI-PMH/o:request", namespaces=NS)[0].attrib) == {"verb": "Identify"}
    assert [(e.tag.split("}")[1], e.text) for e in tree.find("o:Identify", NS) if e.text] == [
        ("repositoryName", "The Archive"),
        ("baseURL", "http://testserver/oai/"),
        ("protocolVersion", "2.0"),
        ("adminEmail", "archive@archive.example.org"),
        ("earliestDatestamp", "2019-05-06T07:08:09Z"),
        ("deletedRecord", "persistent"),
        ("granularity", "YYYY-MM-DDThh:mm:ssZ"),
    ]
    described = "//o:description/id:oai-identifier/id:"
    assert texts(tree, described + "repositoryIdentifier") == [REPOSITORY]
    assert texts(tree, described + "sampleIdentifier") == [f"oai:{REPOSITORY}:1"]


def test_the_repository_id_is_the_sites_domain_unless_set(client, settings):
    settings.ARCHIVE_OAI_REPOSITORY_ID = ""
    Site.objects.clear_cache()  # another test may have left its domain in the sites framework's cache
    article = make_article()
    tree = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert headers(tree) == [f"oai:example.com:{article.pk}"]


def test_list_metadata_formats_offers_oai_dc(client):
    article = make_article()
    for arguments in ({}, {"identifier": identifier(article.pk)}):
        tree = oai(client, verb="ListMetadataFormats", **arguments)
        assert texts(tree, "//o:metadataFormat/*") == [
            "oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/"
        ]


def test_list_sets_names_every_category_by_its_path(client):
    make_category("Afghanistan", "Politics")
    make_category("Regional Relations")
    tree = oai(client, verb="ListSets")
    assert texts(tree, "//o:set/o:setSpec") == ["afghanistan", "afghanistan:politics", "regional-relations"]
    assert texts(tree, "//o:set/o:setName") == ["Afghanistan", "Afghanistan » Politics", "Regional Relations"]
    assert token_of(tree) is None


def test_list_sets_pages_through_many_categories(client):
    for n in range(105):
        make_category(f"Region {n:03d}")
    first = oai(client, verb="ListSets")
    token = token_of(first)
    assert len(texts(first, "//o:setSpec")) == 100 and token.get("cursor") == "0"
    rest = oai(client, verb="ListSets", resumptionToken=token.text)
    assert texts(rest, "//o:setSpec") == [f"region-{n:03d}" for n in range(100, 105)]
    assert token_of(rest).text is None and token_of(rest).get("cursor") == "100"


# -- records -------------------------------------------------------------------------------------
def test_a_record_carries_the_articles_dublin_core(client):
    category = make_category("Afghanistan", "Politics")
    article = make_article(
        "د کابل سیاست", category=category, authors=[make_author("Thomas Ruttig"), make_author("Ali Yawar Adili")],
        tags=["elections", "Taliban"], summary="A <em>short</em> look\nat the vote.",
        published=dt.datetime(2021, 3, 4, 10, 0, tzinfo=UTC), language="fa",
    )
    tree = oai(client, verb="GetRecord", identifier=identifier(article.pk), metadataPrefix="oai_dc")
    assert headers(tree) == [identifier(article.pk)]
    assert texts(tree, "//o:header/o:setSpec") == ["afghanistan:politics"]
    dc = tree.xpath("//o:metadata/oai_dc:dc", namespaces=NS)[0]
    assert [(e.tag.split("}")[1], e.text) for e in dc] == [
        ("title", "د کابل سیاست"),
        ("creator", "Thomas Ruttig"),
        ("creator", "Ali Yawar Adili"),
        ("subject", "Afghanistan » Politics"),
        ("subject", "elections"),
        ("subject", "Taliban"),
        ("description", "A short look at the vote."),
        ("publisher", "The Archive"),
        ("date", "2021-03-04"),
        ("type", "Text"),
        ("format", "text/html"),
        ("language", "fa"),
        ("identifier", f"http://testserver{article.get_absolute_url()}"),
    ]


def test_the_seed_article_is_harvested_with_its_byline(client, seed_article):
    tree = oai(client, verb="GetRecord", identifier=identifier(seed_article.pk), metadataPrefix="oai_dc")
    assert texts(tree, "//dc:title") == [seed_article.title]
    assert texts(tree, "//dc:creator") == [a.name for a in seed_article.ordered_authors()]
    assert texts(tree, "//dc:date") == [seed_article.published_at.date().isoformat()]


def test_characters_xml_cannot_carry_are_left_out(client):
    article = make_article("Vertical\x0btab and \x01 control")
    tree = oai(client, verb="GetRecord", identifier=identifier(article.pk), metadataPrefix="oai_dc")
    assert texts(tree, "//dc:title") == ["Verticaltab and  control"]


def test_only_published_articles_and_nothing_private_leave(client):
    public = make_article("Public Analysis")
    make_comment(public, email="reader-secret@example.org", body="A private remark")
    for status in ("draft", "pending", "scheduled", "private"):
        make_article(f"Hidden {status}", status=status)
    tree = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert headers(tree) == [identifier(public.pk)]
    body = client.get("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"}).content
    for secret in (b"Hidden", b"reader-secret", b"private remark", b"@example.org"):
        assert secret not in body


def test_list_identifiers_and_list_records_list_the_same_headers_oldest_change_first(client):
    a, b, c = make_article(), make_article(), make_article()
    stamp(a, dt.datetime(2022, 1, 3, tzinfo=UTC))
    stamp(b, dt.datetime(2022, 1, 1, tzinfo=UTC))
    stamp(c, dt.datetime(2022, 1, 2, tzinfo=UTC))
    for verb in ("ListIdentifiers", "ListRecords"):
        tree = oai(client, verb=verb, metadataPrefix="oai_dc")
        assert headers(tree) == [identifier(b.pk), identifier(c.pk), identifier(a.pk)]
        assert texts(tree, "//o:header/o:datestamp") == [
            "2022-01-01T00:00:00Z", "2022-01-02T00:00:00Z", "2022-01-03T00:00:00Z"
        ]
    assert not oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc").xpath("//o:metadata", namespaces=NS)


# -- selective harvesting ------------------------------------------------------------------------
@pytest.fixture
def dated(db):
    """Three articles last changed at known moments."""
    moments = [dt.datetime(2023, 6, 1, 12, 0, 0, 400, tzinfo=UTC), dt.datetime(2023, 6, 1, 12, 0, 1, tzinfo=UTC),
               dt.datetime(2023, 6, 2, 9, 30, tzinfo=UTC)]
    articles = [make_article() for _ in moments]
    for article, moment in zip(articles, moments, strict=True):
        stamp(article, moment)
    return [identifier(a.pk) for a in articles]


@pytest.mark.parametrize(("window", "expected"), [
    ({"from_": "2023-06-01"}, [0, 1, 2]),
    ({"from_": "2023-06-02"}, [2]),
    ({"until": "2023-06-01"}, [0, 1]),  # the whole day
    ({"from_": "2023-06-01T12:00:01Z"}, [1, 2]),
    ({"until": "2023-06-01T12:00:00Z"}, [0]),  # the whole second: 12:00:00.0004 is in it
    ({"from_": "2023-06-01T12:00:00Z", "until": "2023-06-01T12:00:00Z"}, [0]),
    ({"from_": "2023-06-01", "until": "2023-06-02"}, [0, 1, 2]),
])
def test_from_and_until_select_by_last_change_inclusively(client, dated, window, expected):
    tree = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **window)
    assert headers(tree) == [dated[i] for i in expected]


def test_a_set_holds_its_categorys_subtree(client):
    politics = make_category("Afghanistan", "Politics")
    afghanistan = politics.parent
    economy = make_category("Economy")
    in_child, in_parent = make_article(category=politics), make_article(category=afghanistan)
    elsewhere = make_article(category=economy)
    tree = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="afghanistan")
    assert sorted(headers(tree)) == sorted([identifier(in_child.pk), identifier(in_parent.pk)])
    tree = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="afghanistan:politics")
    assert headers(tree) == [identifier(in_child.pk)]
    tree = oai(client, verb="ListRecords", metadataPrefix="oai_dc", set="economy")
    assert headers(tree) == [identifier(elsewhere.pk)]



def test_a_dari_category_is_a_set_named_within_the_protocol_s_letters(client):
    economy = make_category("افغانستان", "اقتصاد")
    article = make_article("د کابل اقتصاد", category=economy, language="fa")
    tree = oai(client, verb="ListSets")
    specs = texts(tree, "//o:set/o:setSpec")
    assert len(specs) == 2 and all(re.fullmatch(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*", s) for s in specs)
    nested = next(spec for spec in specs if ":" in spec)
    tree = oai(client, verb="ListRecords", metadataPrefix="oai_dc", set=nested)
    assert headers(tree) == [identifier(article.pk)]
    assert texts(tree, "//o:header/o:setSpec") == [nested]


OLD = dt.datetime(2020, 1, 1, tzinfo=UTC)


def changed_since(client, moment):
    tree = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", from_=moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return [] if error_codes(tree) == ["noRecordsMatch"] else headers(tree)


def test_new_categories_or_tags_date_a_record_anew(client):
    filed, tagged, untouched = make_article(), make_article(), make_article()
    for article in (filed, tagged, untouched):
        stamp(article, OLD)
    since = timezone.now().replace(microsecond=0)
    Article.objects.get(pk=filed.pk).categories.add(make_category("Economy"))
    Article.objects.get(pk=tagged.pk).tags.add("water")
    assert sorted(changed_since(client, since)) == sorted([identifier(filed.pk), identifier(tagged.pk)])


def test_a_moved_or_renamed_category_dates_its_articles_anew(client):
    politics = make_category("Afghanistan", "Politics")
    inside, outside = make_article(category=politics), make_article(category=make_category("Economy"))
    for article in (inside, outside):
        stamp(article, OLD)
    since = timezone.now().replace(microsecond=0)
    root = politics.parent
    root.name, root.slug = "Afghanistan and Region", "afghanistan-region"
    root.save()
    assert changed_since(client, since) == [identifier(inside.pk)]
    tree = oai(client, verb="GetRecord", identifier=identifier(inside.pk), metadataPrefix="oai_dc")
    assert texts(tree, "//o:setSpec") == ["afghanistan-region:politics"]
    assert texts(tree, "//dc:subject") == ["Afghanistan and Region » Politics"]


# -- resumption tokens ----------------------------------------------------------------------------
@pytest.fixture
def archive_of_250(db):
    call_command("generate_articles", "250", "--seed", "5", stdout=io.StringIO(), stderr=io.StringIO())
    published = Article.objects.published().order_by("updated_at", "pk")
    return [identifier(pk) for pk in published.values_list("pk", flat=True)]


def harvest(client, verb="ListIdentifiers", **arguments):
    """Every page of a list: (identifiers in order, the cursors of the tokens, the trees)."""
    tree = oai(client, verb=verb, metadataPrefix="oai_dc", **arguments)
    found, cursors, trees = headers(tree), [], [tree]
    while (token := token_of(tree)) is not None:
        cursors.append((token.get("cursor"), token.text is not None, token.get("expirationDate") is not None))
        if token.text is None:
            break
        tree = oai(client, verb=verb, resumptionToken=token.text)
        found += headers(tree)
        trees.append(tree)
    return found, cursors, trees


def test_a_long_list_comes_a_hundred_at_a_time(client, archive_of_250):
    published = archive_of_250
    assert 200 < len(published) <= 250  # the generated archive has a few drafts
    for verb in ("ListIdentifiers", "ListRecords"):
        found, cursors, trees = harvest(client, verb)
        assert found == published
        assert [len(headers(tree)) for tree in trees] == [100, 100, len(published) - 200]
        assert cursors == [("0", True, True), ("100", True, True), ("200", False, False)]


def test_a_token_survives_articles_added_and_changed_during_a_harvest(client, archive_of_250):
    first = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    added = [make_article(), make_article()]
    edited = Article.objects.get(pk=int(archive_of_250[150].rsplit(":", 1)[1]))
    edited.title = "Edited while harvested"
    edited.save()
    found = headers(first)
    tree = first
    while token_of(tree) is not None and token_of(tree).text:
        tree = oai(client, verb="ListIdentifiers", resumptionToken=token_of(tree).text)
        found += headers(tree)
    # Every article once, in change order: the new ones at the end, and the one edited after them.
    assert found == [i for i in archive_of_250 if i != identifier(edited.pk)] + [
        *(identifier(a.pk) for a in added), identifier(edited.pk)
    ]


def test_a_token_carries_the_lists_arguments(client, archive_of_250):
    category = Article.objects.published().first().primary_category
    spec = category.path.replace("/", ":")
    found, _, _ = harvest(client, set=spec)
    expected = Article.objects.published().in_category(category).order_by("updated_at", "pk")
    assert found == [identifier(pk) for pk in expected.values_list("pk", flat=True)]


# -- deleted records ----------------------------------------------------------------------------
def deleted_headers(tree):
    return texts(tree, "//o:header[@status='deleted']/o:identifier")


def test_an_unpublished_article_becomes_a_deleted_record_until_published_again(client):
    category = make_category("Afghanistan", "Politics")
    article = make_article(category=category)
    article.status = Article.Status.DRAFT
    article.save()
    tree = oai(client, verb="GetRecord", identifier=identifier(article.pk), metadataPrefix="oai_dc")
    assert deleted_headers(tree) == [identifier(article.pk)]
    assert texts(tree, "//o:header/o:setSpec") == ["afghanistan:politics"]
    assert not tree.xpath("//o:metadata", namespaces=NS)
    assert deleted_headers(oai(client, verb="ListRecords", metadataPrefix="oai_dc", set="afghanistan")) == [
        identifier(article.pk)]
    article.status = Article.Status.PUBLISHED
    article.save()
    assert not DeletedRecord.objects.exists()
    tree = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert headers(tree) == [identifier(article.pk)] and deleted_headers(tree) == []


def test_a_deleted_article_stays_a_deleted_record(client):
    kept, gone = make_article(category=make_category("Economy")), make_article(category=make_category("Economy"))
    gone_id = gone.pk
    gone.delete()
    tree = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert headers(tree) == [identifier(kept.pk), identifier(gone_id)]
    assert deleted_headers(tree) == [identifier(gone_id)]
    assert texts(tree, "//o:header[@status='deleted']/o:setSpec") == ["economy"]
    tree = oai(client, verb="ListMetadataFormats", identifier=identifier(gone_id))
    assert texts(tree, "//o:metadataPrefix") == ["oai_dc"]


def test_articles_deleted_together_or_reverted_leave_deleted_records(client):
    articles = [make_article(), make_article()]
    Article.objects.filter(pk__in=[a.pk for a in articles]).delete()  # the admin's "delete selected"
    assert sorted(DeletedRecord.objects.values_list("article_id", flat=True)) == sorted(a.pk for a in articles)
    other = make_article()
    restored = Article.objects.get(pk=other.pk)
    restored._state.adding = True  # an instance built from a revision, not loaded: its old status is read
    restored.status = Article.Status.DRAFT
    restored.save()
    assert DeletedRecord.objects.filter(article_id=other.pk).exists()


def test_a_draft_never_published_leaves_no_trace(client):
    draft = make_article(status=Article.Status.DRAFT)
    draft.title = "Still a draft"
    draft.save()
    draft.delete()
    assert not DeletedRecord.objects.exists()
    assert error_codes(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")) == ["noRecordsMatch"]


# -- errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("arguments", "code"), [
    ({}, "badVerb"),
    ({"verb": "Harvest"}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),
    ({"verb": "Identify", "extra": "1"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2021-02-30"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2021-01-01T00:00:00.5Z"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2021-01-02", "until": "2021-01-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2021-01-01", "until": "2021-01-02T00:00:00Z"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "not a set"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "bad prefix"}, "badArgument"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": "", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "forged-token"}, "badResumptionToken"),
    ({"verb": "ListSets", "resumptionToken": "forged-token"}, "badResumptionToken"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "IDENT", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "oai:elsewhere.org:1", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": f"oai:{REPOSITORY}:999999", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": "DRAFT", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": f"oai:{REPOSITORY}:x1"}, "idDoesNotExist"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"}, "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "nowhere"}, "noRecordsMatch"),
])
def test_each_bad_request_answers_the_protocols_error(client, arguments, code):
    article = make_article(category=make_category("Economy"))
    draft = make_article(status=Article.Status.DRAFT)
    names = {"IDENT": identifier(article.pk), "DRAFT": identifier(draft.pk)}
    arguments = {k: names.get(v, v) if isinstance(v, str) else v for k, v in arguments.items()}
    tree = oai(client, **arguments)
    assert error_codes(tree) == [code]
    request = tree.xpath("/o:OAI-PMH/o:request", namespaces=NS)[0]
    assert request.text == "http://testserver/oai/"
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}  # the protocol: arguments that were refused are not echoed
    else:
        assert dict(request.attrib) == arguments


def test_without_categories_there_is_no_set_hierarchy(client):
    make_article()
    assert error_codes(oai(client, verb="ListSets")) == ["noSetHierarchy"]
    assert error_codes(oai(client, verb="ListRecords", metadataPrefix="oai_dc", set="any")) == ["noSetHierarchy"]


def test_a_token_of_another_list_or_an_expired_one_is_refused(client, archive_of_250, monkeypatch):
    token = token_of(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")).text
    assert error_codes(oai(client, verb="ListRecords", resumptionToken=token)) == ["badResumptionToken"]
    assert error_codes(oai(client, verb="ListIdentifiers", resumptionToken=token[:-2])) == ["badResumptionToken"]
    later = time.time() + 24 * 3600 + 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    tree = oai(client, verb="ListIdentifiers", resumptionToken=token)
    assert error_codes(tree) == ["badResumptionToken"]
    assert "expired" in texts(tree, "//o:error")[0]


def test_a_record_no_format_describes_has_no_metadata_formats(client, monkeypatch):
    class Nothing(formats.OaiDc):
        def describes(self, article):
            return False

    monkeypatch.setitem(formats.FORMATS, "oai_dc", Nothing())
    article = make_article()
    tree = oai(client, verb="ListMetadataFormats", identifier=identifier(article.pk))
    assert error_codes(tree) == ["noMetadataFormats"]
    tree = oai(client, verb="GetRecord", identifier=identifier(article.pk), metadataPrefix="oai_dc")
    assert error_codes(tree) == ["cannotDisseminateFormat"]


# -- HTTP --------------------------------------------------------------------------------------
def test_a_post_is_answered_as_a_get(client):
    article = make_article()
    response = client.post("/oai/", {"verb": "GetRecord", "identifier": identifier(article.pk),
                                     "metadataPrefix": "oai_dc"})
    assert headers(parsed(response)) == [identifier(article.pk)]
    assert client.head("/oai/", {"verb": "Identify"}).status_code == 200
    assert client.put("/oai/").status_code == 405


def test_responses_are_never_served_stale_from_the_page_cache(client):
    article = make_article("Before")
    arguments = {"verb": "GetRecord", "identifier": identifier(article.pk), "metadataPrefix": "oai_dc"}
    first = client.get("/oai/", arguments)
    assert "X-Archive-Cache" not in first
    article.title = "After"
    article.save()
    assert texts(parsed(client.get("/oai/", arguments)), "//dc:title") == ["After"]


def test_a_page_of_records_costs_the_same_few_queries_at_any_position(client, archive_of_250,
                                                                      django_assert_max_num_queries):
    DeletedRecord.objects.create(article_id=10**9, datestamp=timezone.now())
    with django_assert_max_num_queries(6):
        first = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    with django_assert_max_num_queries(6):
        oai(client, verb="ListRecords", resumptionToken=token_of(first).text)
    with django_assert_max_num_queries(4):
        oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
