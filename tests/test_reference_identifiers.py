"""Identifiers of authors (ORCID, Wikidata) and sources (DOI, ISBN): checked in the admin, written in
one form, shown on the public pages."""

import pytest
from django.urls import reverse

from articles.models import Author, Source
from tests.adminform import form_data
from tests.factories import make_author, make_source

pytestmark = pytest.mark.django_db


def post_author(staff_client, author, **changes):
    url = reverse("admin:articles_author_change", args=[author.pk])
    data = form_data(staff_client.get(url).content.decode(), "author_form")
    data.update(changes)
    return staff_client.post(url, data)


def test_admin_stores_an_orcid_given_as_its_url_in_its_short_form(staff_client):
    author = make_author("Thomas Ruttig")
    response = post_author(staff_client, author, orcid="https://orcid.org/0000-0002-1825-0097", wikidata="q42")
    assert response.status_code == 302
    author.refresh_from_db()
    assert (author.orcid, author.wikidata) == ("0000-0002-1825-0097", "Q42")


def test_admin_refuses_an_orcid_whose_checksum_is_wrong_and_saves_nothing(staff_client):
    author = make_author("Thomas Ruttig")
    response = post_author(staff_client, author, orcid="0000-0002-1825-0096")
    assert response.status_code == 200
    assert "This ORCID iD&#x27;s last character does not match its checksum" in response.content.decode()
    assert Author.objects.get(pk=author.pk).orcid == ""


def test_admin_refuses_a_malformed_wikidata_id(staff_client):
    response = post_author(staff_client, make_author("A. Writer"), wikidata="42")
    assert "A Wikidata id is Q followed by digits" in response.content.decode()


def test_author_page_shows_orcid_and_wikidata(client):
    author = make_author("Thomas Ruttig", orcid="0000-0002-1825-0097", wikidata="Q42")
    html = client.get(author.get_absolute_url()).content.decode()
    assert ('<li>ORCID iD: <a href="https://orcid.org/0000-0002-1825-0097" rel="me noopener">'
            "https://orcid.org/0000-0002-1825-0097</a></li>") in html
    assert '<li>Wikidata: <a href="https://www.wikidata.org/wiki/Q42" rel="noopener">Q42</a></li>' in html


def test_admin_checks_a_sources_isbn_and_doi_and_writes_them_in_one_form(staff_client):
    source = make_source(key="rubin-2002", kind="book", title="The Fragmentation of Afghanistan", year=2002)
    url = reverse("admin:articles_source_change", args=[source.pk])
    data = form_data(staff_client.get(url).content.decode(), "source_form")
    refused = staff_client.post(url, {**data, "isbn": "978-0-300-09519-8", "doi": "xyz"})
    html = refused.content.decode()
    assert "This is not a valid ISBN" in html
    assert "A DOI starts with 10." in html
    saved = staff_client.post(url, {**data, "isbn": "9780300095197", "doi": "https://doi.org/10.1000/XYZ123",
                                    "volume": "2", "edition": "3", "kind": "chapter", "accessed": "2015-05-03"})
    assert saved.status_code == 302
    source = Source.objects.get(pk=source.pk)
    assert (source.isbn, source.doi, source.volume, source.edition, source.kind, str(source.accessed)) == (
        "978-0-300-09519-7", "10.1000/XYZ123", "2", "3", "chapter", "2015-05-03")
