"""The seed-format parse step: bytes in, ParsedArticle out, no database."""

import datetime as dt
import re
from pathlib import Path

import pytest

from articles.importers import seedtext
from articles.importers.base import FootnoteKind, ImportFailed

SEED = Path(__file__).parent / "fixtures" / "seedtext" / "seed.txt"
SEED_NAME = "000_fd95950a8db9ec1e.txt"

HEADER = b"News \xc2\xbb World\n\nA title\n\nPublished Date: March 5, 2017\n\n"


def parse(body: bytes, header: bytes = HEADER, name: str = "x.txt"):
    return seedtext.parse(header + body, name)


def headings(article):
    return re.findall(r"<h2>(.*?)</h2>", article.body_html)


def note(article, number):
    return next(n for n in article.footnotes if n.number == number)


def ref(number, suffix=""):
    return (
        f'<sup class="footnote-ref" id="fnref-{number}{suffix}">'
        f'<a href="#fn-{number}" aria-describedby="footnotes-label">{number}</a></sup>'
    )


# --- the real seed ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed():
    return seedtext.parse(SEED.read_bytes(), f"seeds/{SEED_NAME}")


def test_seed_header_fields(seed):
    assert seed.identity == f"seed:{SEED_NAME}"
    assert seed.title == "The recent Taliban-Russia contacts and its impacts on Kabul-Moscow ties"
    assert seed.category_paths == [["Afghanistan", "Politics"]]
    assert seed.published_at == dt.datetime(2016, 1, 2, tzinfo=dt.UTC)
    assert seed.status == "published"
    assert seed.authors == [] and seed.tags == []


def test_seed_has_exactly_the_five_section_headings(seed):
    assert headings(seed) == [
        "Taliban-Russia Relations during the Taliban Regime",
        "Taliban-Russia Relations: (2001-2014)",
        "ISIS: the common threat",
        "ISIS and impacts on the political-security landscape of Afghanistan",
        "Taliban-Russia Contacts and its impacts on Kabul-Moscow Ties",
    ]


def test_seed_one_line_paragraphs_ending_in_semicolon_or_colon_are_paragraphs(seed):
    assert "<p>First; The presence of Central Asian and Russian fighters in the ranks of ISIS;</p>" in seed.body_html
    assert "<p>Second Probability: Russia would have made contacts with the Taliban due to following reasons:</p>" in (
        seed.body_html
    )


def test_seed_drops_page_chrome(seed):
    for chrome in ("The End", "Related Post", "Leave a Reply", "Your email address"):
        assert chrome not in seed.body_html
    assert not seed.body_html.rstrip().endswith("[9] See online:</p>")
    assert seed.body_html.endswith("threaten the American interests here.</p>")


def test_seed_links_every_marker_and_has_no_warnings(seed):
    for number in range(1, 10):
        assert ref(number) in seed.body_html
    assert "[1]" not in seed.body_html
    assert seed.warnings == []


def test_seed_summary_is_first_paragraph_cut_at_a_word(seed):
    assert seed.summary.startswith("In the last two weeks, the Taliban and Russian recent contacts")
    assert seed.summary.endswith("in an interview with…")
    assert len(seed.summary) <= 300


def test_seed_has_nine_footnotes_of_the_expected_kinds(seed):
    assert [n.number for n in seed.footnotes] == list(range(1, 10))
    assert [n.kind for n in seed.footnotes] == [
        "citation", "ibid", "link", "citation", "link", "cross_reference", "link", "link", "link",
    ]  # fmt: skip


def test_seed_note_1_is_a_book_citation_with_a_lead_in(seed):
    first = note(seed, 1)
    assert first.text == (
        "For further information read: Muzhdah, Waheed, Afghanistan: in the five year of the Taliban "
        "government, Tehran, 2003."
    )
    assert first.prefix == "For further information read:"
    source = first.source
    assert source.authors == ["Muzhdah, Waheed"]
    assert source.title == "Afghanistan: in the five year of the Taliban government"
    assert source.place == "Tehran"
    assert source.publisher == ""
    assert source.year == 2003
    assert source.kind == "book"
    assert source.key == "muzhdah-afghanistan-in-the-five-year-of-the-taliban-government-2003"


def test_seed_note_2_is_ibid_of_note_1(seed):
    second = note(seed, 2)
    assert second.kind == FootnoteKind.IBID
    assert second.source is note(seed, 1).source
    assert second.locator == ""


def test_seed_lost_links_are_flagged(seed):
    for number in (3, 5, 7, 8, 9):
        lost = note(seed, number)
        assert (lost.kind, lost.url, lost.url_missing) == ("link", "", True)
    assert note(seed, 7).text == "In this regard, please read the full statement of the Taliban at:"


def test_seed_note_4_is_a_report_citation(seed):
    source = note(seed, 4).source
    assert note(seed, 4).prefix == ""
    assert source.authors == ["Thomas Ruttig"]
    assert source.title == "From Point Zero to ‘New Warmth’: Russian-Afghan relations since 1989"
    assert source.publisher == "Afghanistan Analysts Network"
    assert source.year == 2014
    assert source.kind == "report"


def test_seed_note_6_cross_references_note_3(seed):
    assert note(seed, 6).kind == FootnoteKind.CROSS_REFERENCE
    assert note(seed, 6).refers_to == 3


# --- detection ----------------------------------------------------------------------------------


def test_detect_accepts_a_date_line_near_the_top_whatever_the_name():
    assert seedtext.detect(SEED.read_bytes(), "upload.bin") is True


def test_detect_claims_txt_files_so_parse_can_explain_what_is_wrong():
    assert seedtext.detect(b"just some words", "notes.TXT") is True


def test_detect_rejects_xml_and_other_files():
    assert seedtext.detect(b'<?xml version="1.0"?><rss></rss>', "export.txt") is False
    assert seedtext.detect(b"just some words", "notes.md") is False


# --- decoding -----------------------------------------------------------------------------------


def test_crlf_and_cr_line_ends_are_normalised():
    crlf = SEED.read_bytes().replace(b"\n", b"\r\n")
    cr = SEED.read_bytes().replace(b"\n", b"\r")
    expected = seedtext.parse(SEED.read_bytes(), SEED_NAME)
    assert seedtext.parse(crlf, SEED_NAME) == expected
    assert seedtext.parse(cr, SEED_NAME) == expected


def test_utf8_bom_is_ignored():
    article = seedtext.parse(b"\xef\xbb\xbf" + SEED.read_bytes(), SEED_NAME)
    assert article.category_paths == [["Afghanistan", "Politics"]]


def test_windows_1252_bytes_are_decoded():
    data = b"Title \x93quoted\x94\nPublished Date: May 1, 2015\n\nIt\x92s caf\xe9 time.\n"
    article = seedtext.parse(data, "w.txt")
    assert article.title == "Title “quoted”"
    assert article.body_html == "<p>It’s café time.</p>"


def test_empty_file_fails():
    for data in (b"", b"  \n\r\n\t\n", b"\xef\xbb\xbf\n"):
        with pytest.raises(ImportFailed, match=r"^e\.txt: the file is empty"):
            seedtext.parse(data, "e.txt")


def test_binary_file_fails():
    with pytest.raises(ImportFailed, match=r"^b\.txt: the file is binary, not a text export"):
        seedtext.parse(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "b.txt")


# --- header -------------------------------------------------------------------------------------


def test_missing_title_fails():
    with pytest.raises(ImportFailed, match=r"^t\.txt: no title"):
        seedtext.parse(b"Published Date: May 1, 2015\n\nBody.\n", "t.txt")


def test_missing_date_fails_naming_the_file_and_the_fix():
    with pytest.raises(ImportFailed) as failure:
        seedtext.parse(b"A \xc2\xbb B\n\nTitle\n\nBody text.\n", "dir/000.txt")
    assert str(failure.value).startswith(
        '000.txt: no "Published Date:" line found in the first lines; add one like "Published Date: January 2, 2016"'
    )


@pytest.mark.parametrize("value", ["February 30, 2016", "sometime", "2016-13-01"])
def test_unreadable_or_impossible_date_fails_quoting_the_value(value):
    with pytest.raises(ImportFailed) as failure:
        seedtext.parse(f"Title\nPublished Date: {value}\n\nBody.\n".encode(), "d.txt")
    message = str(failure.value)
    assert message.startswith("d.txt: ")
    assert f'"{value}"' in message
    assert '"January 2, 2016"' in message and '"2016-01-02"' in message


@pytest.mark.parametrize(
    "line",
    [
        "Published Date: January 2, 2016",
        "Published Date: Jan 2, 2016",
        "Published Date: 2 January 2016",
        "Published Date: 2016-01-02",
        "Published: Jan. 2nd, 2016",
        "Date: 02 Jan 2016",
    ],
)
def test_date_forms_and_labels(line):
    article = seedtext.parse(f"Title\n{line}\n\nBody.\n".encode(), "d.txt")
    assert article.published_at == dt.datetime(2016, 1, 2, tzinfo=dt.UTC)
    assert article.published_at.tzinfo is not None


def test_breadcrumb_of_three_levels_and_other_separators():
    for crumb in ("Asia » Afghanistan » Politics", "Asia >> Afghanistan>>Politics", "Asia > Afghanistan > Politics"):
        article = seedtext.parse(f"{crumb}\n\nTitle\n\nPublished Date: May 1, 2015\n\nBody.\n".encode(), "b.txt")
        assert article.category_paths == [["Asia", "Afghanistan", "Politics"]]
        assert article.title == "Title"


def test_no_breadcrumb_when_the_second_line_is_the_date():
    article = seedtext.parse(b"A plain title\n\nPublished Date: May 1, 2015\n\nBody.\n", "b.txt")
    assert article.category_paths == []
    assert article.title == "A plain title"


def test_a_category_path_directly_above_the_date_means_the_title_is_missing():
    with pytest.raises(ImportFailed, match="b.txt: no title"):
        seedtext.parse("Afghanistan » Politics\n\nPublished Date: May 1, 2015\n\nBody.\n".encode(), "b.txt")


def test_author_tags_and_summary_headers():
    data = (
        b"Title\nPublished Date: May 1, 2015\n\nTags: Taliban, Russia , ,Taliban\n\n"
        b"Author: Jane Doe; Ahmad Shah\nSummary: A short\nsummary.\n\nBody: first paragraph.\n"
    )
    article = seedtext.parse(data, "h.txt")
    assert [a.name for a in article.authors] == ["Jane Doe", "Ahmad Shah"]
    assert article.tags == ["Taliban", "Russia"]
    assert article.summary == "A short summary."
    assert article.body_html == "<p>Body: first paragraph.</p>"


def test_unknown_key_value_lines_are_body_text():
    article = seedtext.parse(b"Title\nPublished Date: May 1, 2015\nSource: the ministry said so.\n", "h.txt")
    assert article.body_html == "<p>Source: the ministry said so.</p>"
    assert article.authors == [] and article.summary == "Source: the ministry said so."


# --- body ---------------------------------------------------------------------------------------


def test_paragraph_lines_are_joined_and_text_is_escaped():
    article = parse(b"One line\nand the next <b>&</b>.\n")
    assert article.body_html == "<p>One line and the next &lt;b&gt;&amp;&lt;/b&gt;.</p>"


def test_heading_rules():
    article = parse(
        b"Background (2001)\n\nHe said \xe2\x80\x9cno.\xe2\x80\x9d\n\nWhy now?\n\n"
        b"(Not a heading)\n\nA line\nthat wraps\n\nMarked heading[1]\n\n[1] A note.\n"
    )
    assert headings(article) == ["Background (2001)", f"Marked heading{ref(1)}"]


def test_bullet_and_numbered_lists():
    article = parse(b"- one\n* two\n\xe2\x80\xa2 three\n\n1. first\n2) second\n\n- alone\n\n- merged\n")
    assert article.body_html == (
        "<ul><li>one</li><li>two</li><li>three</li></ul>\n"
        "<ol><li>first</li><li>second</li></ol>\n"
        "<ul><li>alone</li><li>merged</li></ul>"
    )


def test_chrome_after_footnotes_and_related_post_titles_are_dropped():
    article = parse(
        b"Body text[1].\n\nThe End\n\n[1] A note.\n\nRelated Posts:\n\nSome other article title\n\n"
        b"Another one\n\nLeave a reply\n\nYour email address will not be published.  Required fields are marked *\n\n"
        b"Comments are closed.\n\nYou must be logged in to post a comment.\n"
    )
    assert article.body_html == f"<p>Body text{ref(1)}.</p>"
    assert [n.text for n in article.footnotes] == ["A note."]


def test_chrome_words_inside_the_body_are_kept():
    article = parse(b"The End\n\nLeave a Reply\n\nReal text continues here.\n")
    # Short lines without closing punctuation: headings by the heading rule, but not dropped.
    assert article.body_html == "<h2>The End</h2>\n<h2>Leave a Reply</h2>\n<p>Real text continues here.</p>"


def test_summary_is_cut_at_a_word_boundary():
    article = parse(b"word " * 100)
    assert len(article.summary) <= 300
    assert article.summary.endswith("word…")


# --- footnotes ----------------------------------------------------------------------------------


def test_repeated_marker_gets_a_numbered_id():
    article = parse(b"A[1] and again[1].\n\n[1] Note.\n")
    assert article.body_html == f"<p>A{ref(1)} and again{ref(1, '-2')}.</p>"


def test_dangling_marker_and_unreferenced_note_warn():
    article = parse(b"Text[1] and [2].\n\n[1] One.\n[3] Three.\n")
    assert f"Text{ref(1)} and [2]." in article.body_html
    assert article.warnings == ["marker [2] in the text has no note", "note [3] is not referenced in the text"]


def test_several_notes_in_one_paragraph_are_split_and_duplicates_warn():
    article = parse(b"A[1][2].\n\n[1] One\ncontinued.\n[2] Two.\n[2] Again.\n")
    assert [(n.number, n.text) for n in article.footnotes] == [(1, "One continued."), (2, "Two.")]
    assert article.warnings == ["note [2] appears more than once; the first one was kept"]


def test_ibid_with_a_page_locator_uses_the_nearest_earlier_source():
    article = parse(
        b"A[1][2][3][4].\n\n[1] Barnett Rubin, The Fragmentation of Afghanistan, Yale University Press, 2002.\n"
        b"[2] Just a remark.\n[3] Ibid, p. 42\n[4] ibid., pp. 3-5.\n"
    )
    assert note(article, 3).kind == "ibid"
    assert note(article, 3).source is note(article, 1).source
    assert note(article, 3).locator == "p. 42"
    assert note(article, 4).locator == "pp. 3-5"
    assert note(article, 1).source.kind == "book"
    assert note(article, 1).source.publisher == "Yale University Press"


def test_ibid_without_an_earlier_source_is_a_note_with_a_warning():
    article = parse(b"A[1].\n\n[1] Ibid.\n")
    assert note(article, 1).kind == "note"
    assert article.warnings == ["note [1] says Ibid but no earlier note names a source"]


@pytest.mark.parametrize(
    "text", ["See footnote 3", "See note 3.", "See n. 3", "See the third footnote", "see the 3rd note"]
)
def test_cross_reference_forms(text):
    article = parse(f"A[1][2][3].\n\n[1] {text}\n[2] x\n[3] y\n".encode())
    assert (note(article, 1).kind, note(article, 1).refers_to) == ("cross_reference", 3)
    assert article.warnings == []


def test_cross_reference_to_a_missing_note_warns():
    article = parse(b"A[1].\n\n[1] See the first footnote\n".replace(b"first", b"second"))
    assert note(article, 1).refers_to == 2
    assert article.warnings == ["note [1] refers to note [2], which does not exist"]


def test_url_note_is_a_link_with_its_lead_in():
    article = parse(b"A[1][2].\n\n[1] See: https://example.org/page.\n[2] (http://example.org/x?a=1).\n")
    assert (note(article, 1).kind, note(article, 1).prefix, note(article, 1).url) == (
        "link", "See:", "https://example.org/page",
    )  # fmt: skip
    assert (note(article, 2).kind, note(article, 2).url, note(article, 2).source) == (
        "link", "http://example.org/x?a=1", None,
    )  # fmt: skip


def test_citation_with_a_url_keeps_the_url_on_its_source():
    article = parse(
        b"A[1].\n\n[1] Thomas Ruttig, From Point Zero, Afghanistan Analysts Network, 2014. "
        b"Available at: https://www.afghanistan-analysts.org/x (accessed 3 May 2015)\n"
    )
    citation = note(article, 1)
    assert citation.kind == "citation"
    assert citation.source.url == "https://www.afghanistan-analysts.org/x"
    assert citation.source.title == "From Point Zero"
    assert citation.source.kind == "report"


def test_bibliographic_text_with_only_a_url_is_a_web_source():
    article = parse(b"A[1].\n\n[1] Taliban voices, 2015, http://example.org/voices\n")
    assert note(article, 1).kind == "citation"
    assert note(article, 1).source.kind == "web"
    assert note(article, 1).source.year == 2015


def test_quoted_title_with_a_container_is_an_article():
    article = parse(
        b"A[1].\n\n[1] Smith, John, \xe2\x80\x9cWhy Kabul, Again\xe2\x80\x9d, Foreign Affairs, March 2010.\n"
    )
    source = note(article, 1).source
    assert (source.kind, source.title, source.container, source.year) == (
        "article", "Why Kabul, Again", "Foreign Affairs", 2010,
    )  # fmt: skip
    assert source.authors == ["Smith, John"]


def test_several_authors_and_place_colon_publisher():
    article = parse(b"A[1].\n\n[1] Cf. John Smith and Jane Doe, The Great Game, London: Routledge, 2001, p. 12.\n")
    footnote = note(article, 1)
    assert footnote.prefix == "Cf."
    assert footnote.locator == "p. 12"
    source = footnote.source
    assert (source.authors, source.place, source.publisher, source.kind) == (
        ["John Smith", "Jane Doe"], "London", "Routledge", "book",
    )  # fmt: skip


def test_prose_note_is_a_plain_note():
    article = parse(b"A[1].\n\n[1] The Taliban denied this, according to their spokesman, in 2015.\n")
    assert (note(article, 1).kind, note(article, 1).source) == ("note", None)


def test_source_keys_match_for_differently_typed_citations_of_one_book():
    first = parse(
        b"A[1].\n\n[1] Muzhdah, Waheed, Afghanistan: in the five year of the Taliban government, Tehran, 2003.\n"
    )
    second = parse(
        "A[1].\n\n[1] Waheed Muzhdah,  “Afghanistan: In the  Five Year of the Taliban Government”, "
        "Tehran, 2003\n".encode()
    )
    assert note(first, 1).source.key == note(second, 1).source.key
    assert note(first, 1).source.key == "muzhdah-afghanistan-in-the-five-year-of-the-taliban-government-2003"


def test_source_key_ignores_accents_and_quote_styles():
    curly = parse("A[1].\n\n[1] José Pérez, Karzai’s Café in the War, Kabul, 2010.\n".encode())
    straight = parse(b"A[1].\n\n[1] Jose Perez, Karzai's cafe in  the war, Kabul, 2010.\n")
    assert note(curly, 1).source.key == note(straight, 1).source.key == "perez-karzais-cafe-in-the-war-2010"


def test_url_only_source_key_is_a_hash_of_the_url():
    source = seedtext.ParsedSource(key="", url="https://Example.org/page/")
    key = seedtext.source_key(source)
    assert re.fullmatch(r"url-[0-9a-f]{12}", key)
    assert key == seedtext.source_key(seedtext.ParsedSource(key="", url="https://example.org/page"))
