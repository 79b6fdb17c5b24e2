"""Sources as references: the note parser reads a work's volume, issue, pages, edition, ISBN and DOI
off the note, and says when a work is a chapter, an interview or a statement; the import keeps them."""

import io

import pytest

from articles.importers import seedtext
from articles.importers.pipeline import import_stream
from articles.models import Source

HEADER = b"News \xc2\xbb World\n\nA title\n\nPublished Date: March 5, 2017\n\n"


def source_of(note_text: str):
    [article] = [seedtext.parse(HEADER + b"A[1].\n\n[1] " + note_text.encode() + b"\n", "x.txt")]
    [note] = article.footnotes
    return note


def test_journal_article_volume_issue_pages_and_doi():
    note = source_of("Smith, John, “Why Kabul, Again”, Foreign Affairs, vol. 7, no. 3, pp. 12–15, March 2010, "
                     "doi:10.1000/xyz123.")
    source = note.source
    assert (source.kind, source.container, source.volume, source.issue, source.pages, source.doi, source.year) == (
        "article", "Foreign Affairs", "7", "3", "12–15", "10.1000/xyz123", 2010)
    assert note.locator == ""  # the span of the article, not a page the note points to


def test_book_edition_and_isbn_and_the_page_cited():
    note = source_of("Barnett Rubin, The Fragmentation of Afghanistan, 2nd ed., New Haven: Yale University Press, "
                     "2002, ISBN 978-0-300-09519-7, p. 42.")
    source = note.source
    assert (source.kind, source.authors, source.edition, source.isbn, source.place, source.publisher) == (
        "book", ["Barnett Rubin"], "2", "978-0-300-09519-7", "New Haven", "Yale University Press")
    assert note.locator == "p. 42"


def test_a_page_range_in_a_book_is_what_the_note_points_to():
    note = source_of("Muzhdah, Waheed, Afghanistan under the Taliban, Tehran, 2003, pp. 3–5.")
    assert (note.source.pages, note.locator) == ("", "pp. 3–5")


def test_chapter_in_a_book():
    source = source_of("Jane Doe, “The Loya Jirga”, in Afghanistan Since 1978, London: Hurst, 2005, pp. 30-45.").source
    assert (source.kind, source.title, source.container, source.pages, source.publisher) == (
        "chapter", "The Loya Jirga", "Afghanistan Since 1978", "30–45", "Hurst")


def test_interview_and_statement_are_named_by_the_note():
    interview = source_of("Interview with Zameer Kabulov, Interfax, 2015, http://example.org/interview").source
    statement = source_of("Taliban statement on the talks, 2015, http://example.org/statement").source
    assert (interview.kind, statement.kind) == ("interview", "statement")


def test_doi_link_gives_the_doi_and_a_number_that_only_looks_like_an_isbn_is_not_one():
    source = source_of(
        "Smith, John, Kabul Notes, Journal of Asian Studies, 2011, https://doi.org/10.1017/S0021911811000012"
    ).source
    assert source.doi == "10.1017/S0021911811000012"
    wrong = source_of(
        "Barnett Rubin, The Fragmentation of Afghanistan, Yale University Press, 2002, ISBN 978-0-300-09519-8."
    )
    assert wrong.source.isbn == ""


@pytest.mark.django_db
def test_imported_source_keeps_its_details():
    note = ("Smith, John, “Why Kabul, Again”, Foreign Affairs, vol. 7, no. 3, pp. 12–15, March 2010, "
            "doi:10.1000/xyz123.")
    result = import_stream(io.BytesIO(HEADER + b"A[1].\n\n[1] " + note.encode() + b"\n"), "details.txt")
    assert not result.failed, result.summary()
    source = Source.objects.get()
    assert (source.kind, source.volume, source.issue, source.pages, source.doi) == (
        "article", "7", "3", "12–15", "10.1000/xyz123")
