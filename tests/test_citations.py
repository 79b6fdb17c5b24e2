"""Cite this article: BibTeX, RIS and CSL-JSON downloads that read back (bibtexparser, rispy,
citeproc-py) with the fields they were written from, for the seed, an article with two authors, one
in Perso-Arabic script and sources of every kind."""

import datetime as dt
import json

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from django.utils import timezone
from pylatexenc.latex2text import LatexNodes2Text

from articles.citations import styles
from articles.models import Footnote, Source
from tests.factories import make_article, make_author, make_category, make_source

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PUBLISHED = timezone.make_aware(dt.datetime(2016, 1, 2, 9, 30))


def get(client, url, media_type):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == f"{media_type}; charset=utf-8"
    return response.content.decode()


def bibtex_entries(text):
    library = bibtexparser.parse_string(
        text, append_middleware=[SeparateCoAuthors(), SplitNameParts(), LatexDecodingMiddleware()]
    )
    assert not library.failed_blocks, library.failed_blocks
    return [
        (entry.entry_type, {f.key: _names(f.value) if f.key == "author" else f.value for f in entry.fields})
        for entry in library.entries
    ]


def _names(value):
    # As a reader of BibTeX does: split the names, then decode each part ("{The Archive}" is one name).
    decode = LatexNodes2Text().latex_to_text
    return [(decode(" ".join(n.last)), decode(" ".join(n.first))) for n in value]


def render(items, style="chicago-author-date"):
    """What citeproc-py makes of CSL-JSON items (plain text, in the order given)."""
    source = CiteProcJSON(items)
    bibliography = CitationStylesBibliography(styles.style(style), source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


@pytest.fixture
def two_authors():
    return make_article(
        "Kabul and Moscow",
        authors=[make_author("Thomas Ruttig"), make_author("Waheed Muzhdah", orcid="0000-0002-1825-0097")],
        tags=["Taliban", "Russia"],
        category=make_category("Afghanistan", "Politics"),
        summary="Contacts & <b>ties</b>, 100% {examined}.",
        published=PUBLISHED,
    )


@pytest.fixture
def perso_arabic():
    # A zero-width non-joiner inside "می‌خواهد", as Dari writes it.
    return make_article(
        "روسیه می‌خواهد با طالبان تماس داشته باشد",
        authors=[make_author("وحید مژده")],
        tags=["طالبان"],
        published=PUBLISHED,
    )


# -- the article's own reference ---------------------------------------------------------------------
def test_two_authors_bibtex_reads_back_with_every_field(client, two_authors):
    text = get(client, "/articles/kabul-and-moscow/cite.bib", "application/x-bibtex")
    assert bibtex_entries(text) == [(
        "online",
        {
            "author": [("Ruttig", "Thomas"), ("Muzhdah", "Waheed")],
            "title": "Kabul and Moscow",
            "publisher": "The Archive",
            "abstract": "Contacts & ties, 100% {examined}.",
            "keywords": "Russia, Taliban",
            "language": "en",
            "year": "2016",
            "date": "2016-01-02",
            "urldate": TODAY.isoformat(),
            "url": "http://testserver/articles/kabul-and-moscow/",
            "organization": "The Archive",
        },
    )]  # fmt: skip
    assert text.startswith("@online{ruttig2016kabul,")


def test_two_authors_ris_reads_back_with_every_field(client, two_authors):
    text = get(client, "/articles/kabul-and-moscow/cite.ris", "application/x-research-info-systems")
    assert rispy.loads(text) == [{
        "type_of_reference": "RPRT",
        "authors": ["Ruttig, Thomas", "Muzhdah, Waheed"],
        "title": "Kabul and Moscow",
        "publisher": "The Archive",
        "abstract": "Contacts & ties, 100% {examined}.",
        "language": "en",
        "section": "Afghanistan » Politics",
        "keywords": ["Russia", "Taliban"],
        "urls": ["http://testserver/articles/kabul-and-moscow/"],
        "year": "2016",
        "date": "2016/01/02",
        "access_date": TODAY.strftime("%Y/%m/%d"),
    }]  # fmt: skip


def test_two_authors_csl_json_is_the_item_and_citeproc_renders_it(client, two_authors):
    text = get(client, "/articles/kabul-and-moscow/cite.json", "application/vnd.citationstyles.csl+json")
    items = json.loads(text)
    assert items == [{
        "id": "kabul-and-moscow",
        "type": "report",
        "title": "Kabul and Moscow",
        "author": [
            {"family": "Ruttig", "given": "Thomas"},
            {"family": "Muzhdah", "given": "Waheed", "ORCID": "https://orcid.org/0000-0002-1825-0097"},
        ],
        "publisher": "The Archive",
        "URL": "http://testserver/articles/kabul-and-moscow/",
        "language": "en",
        "issued": {"date-parts": [[2016, 1, 2]]},
        "accessed": {"date-parts": [[TODAY.year, TODAY.month, TODAY.day]]},
        "abstract": "Contacts & ties, 100% {examined}.",
        "keyword": "Russia, Taliban",
        "archive_location": "Afghanistan » Politics",
    }]  # fmt: skip
    assert render([styles.for_citeproc(items[0])]) == [
        "Ruttig, Thomas, and Waheed Muzhdah. 2016. Kabul and Moscow. The Archive. Afghanistan » Politics. "
        "http://testserver/articles/kabul-and-moscow/."
    ]
    assert render([styles.for_citeproc(items[0])], "apa") == [
        "Ruttig, T., & Muzhdah, W. (2016). Kabul and Moscow. The Archive. (Afghanistan » Politics). "
        "http://testserver/articles/kabul-and-moscow/"
    ]


def test_article_without_authors_is_credited_to_the_site_as_an_organisation(client, seed_article):
    url = seed_article.get_absolute_url()
    [(entry_type, fields)] = bibtex_entries(get(client, url + "cite.bib", "application/x-bibtex"))
    assert (entry_type, fields["author"], fields["title"], fields["date"]) == (
        "online", [("The Archive", "")],
        "The recent Taliban-Russia contacts and its impacts on Kabul-Moscow ties", "2016-01-02",
    )  # fmt: skip
    assert "author = {{The Archive}}" in get(client, url + "cite.bib", "application/x-bibtex")
    [ris] = rispy.loads(get(client, url + "cite.ris", "application/x-research-info-systems"))
    assert (ris["authors"], ris["section"], ris["date"]) == (["The Archive"], "Afghanistan » Politics", "2016/01/02")
    [item] = json.loads(get(client, url + "cite.json", "application/vnd.citationstyles.csl+json"))
    assert item["author"] == [{"literal": "The Archive"}]
    assert render([item]) == [
        "The Archive. 2016. The Recent Taliban-Russia Contacts and Its Impacts on Kabul-Moscow Ties. The Archive. "
        f"Afghanistan » Politics. http://testserver{url}."
    ]


def test_perso_arabic_article_reads_back_letter_for_letter(client, perso_arabic):
    url = perso_arabic.get_absolute_url()
    [(_, fields)] = bibtex_entries(get(client, url + "cite.bib", "application/x-bibtex"))
    assert (fields["author"], fields["title"], fields["keywords"]) == (
        [("مژده", "وحید")], "روسیه می‌خواهد با طالبان تماس داشته باشد", "طالبان",
    )  # fmt: skip
    [ris] = rispy.loads(get(client, url + "cite.ris", "application/x-research-info-systems"))
    assert (ris["authors"], ris["title"]) == (["مژده, وحید"], "روسیه می‌خواهد با طالبان تماس داشته باشد")
    [item] = json.loads(get(client, url + "cite.json", "application/vnd.citationstyles.csl+json"))
    assert item["author"] == [{"family": "مژده", "given": "وحید"}]
    assert "روسیه می‌خواهد با طالبان تماس داشته باشد" in render([item])[0]


def test_unknown_format_and_unpublished_articles_have_no_citation(client):
    draft = make_article("Draft work", status="draft")
    published = make_article("Shown")
    assert client.get(f"/articles/{draft.slug}/cite.bib").status_code == 404
    assert client.get(f"/articles/{published.slug}/cite.txt").status_code == 404
    assert client.get("/articles/no-such-article/cite.ris").status_code == 404


# -- the page: head, Cite block, structured data ------------------------------------------------------
def test_article_page_announces_each_format_and_carries_citation_meta_tags(client, two_authors):
    html = client.get(two_authors.get_absolute_url()).content.decode()
    for media_type, label, extension in (
        ("application/x-bibtex", "BibTeX", "bib"),
        ("application/x-research-info-systems", "RIS", "ris"),
        ("application/vnd.citationstyles.csl+json", "CSL-JSON", "json"),
    ):
        assert (f'<link rel="alternate" type="{media_type}" title="Citation ({label})" '
                f'href="/articles/kabul-and-moscow/cite.{extension}">') in html
    expected = [
        ("citation_title", "Kabul and Moscow"),
        ("citation_author", "Ruttig, Thomas"),
        ("citation_author", "Muzhdah, Waheed"),
        ("citation_publication_date", "2016/01/02"),
        ("citation_publisher", "The Archive"),
        ("citation_technical_report_institution", "The Archive"),
        ("citation_language", "en"),
        ("citation_keywords", "Russia"),
        ("citation_keywords", "Taliban"),
        ("citation_abstract_html_url", "http://testserver/articles/kabul-and-moscow/"),
        ("citation_fulltext_html_url", "http://testserver/articles/kabul-and-moscow/"),
        ("DC.title", "Kabul and Moscow"),
        ("DC.creator", "Ruttig, Thomas"),
        ("DC.creator", "Muzhdah, Waheed"),
        ("DC.date", "2016-01-02"),
        ("DC.publisher", "The Archive"),
        ("DC.language", "en"),
        ("DC.identifier", "http://testserver/articles/kabul-and-moscow/"),
        ("DC.type", "Text"),
        ("DC.subject", "Russia"),
        ("DC.subject", "Taliban"),
    ]
    tags = "\n".join(f'<meta name="{name}" content="{content}">' for name, content in expected)
    assert tags in html


def test_cite_block_shows_the_reference_in_both_configured_styles(client, two_authors):
    html = client.get(two_authors.get_absolute_url()).content.decode()
    assert '<h2 id="cite-label">Cite this article</h2>' in html
    assert '<h3 id="cite-chicago-author-date-label">Chicago Manual of Style 18th edition (author-date)</h3>' in html
    assert '<h3 id="cite-apa-label">APA Style 7th edition</h3>' in html
    chicago = html.split('<p class="cite-text" id="cite-chicago-author-date">', 1)[1].split("</p>", 1)[0]
    apa = html.split('<p class="cite-text" id="cite-apa">', 1)[1].split("</p>", 1)[0]
    assert chicago == ("Ruttig, Thomas, and Waheed Muzhdah. 2016. <i>Kabul and Moscow</i>. The Archive. "
                       "http://testserver/articles/kabul-and-moscow/.")
    assert apa == ("Ruttig, T., &amp; Muzhdah, W. (2016). <i>Kabul and Moscow</i>. The Archive. "
                   "http://testserver/articles/kabul-and-moscow/")
    assert "style=" not in chicago + apa  # the CSP allows no inline style
    # The copy buttons wait for the script; the text is there to select without it.
    assert ('<button type="button" class="cite-copy" data-copy="cite-apa" aria-describedby="cite-apa-label" '
            "hidden>Copy</button>") in html
    assert 'src="/static/js/cite.js" defer></script>' in html
    assert '<p class="print-only">Permalink: http://testserver/articles/kabul-and-moscow/</p>' in html


def test_citation_styles_are_chosen_in_settings(client, settings):
    settings.ARCHIVE_CITATION_STYLES = ["apa"]
    article = make_article("One style", published=PUBLISHED)
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'id="cite-apa"' in html
    assert 'id="cite-chicago-author-date"' not in html


def test_a_missing_style_is_a_system_check_error(settings):
    from articles.checks import citation_styles_exist

    settings.ARCHIVE_CITATION_STYLES = ["chicago-author-date", "no-such-style"]
    [error] = citation_styles_exist()
    assert error.id == "articles.E001"
    assert "'no-such-style'" in error.msg


def test_shipped_styles_are_csl_files_citeproc_reads():
    for name in ("chicago-author-date", "apa"):
        style = CitationStylesStyle(str(styles.path(name)), validate=False)
        assert style.root.tag == "{http://purl.org/net/xbiblio/csl}style"
        assert style.has_bibliography()


def test_json_ld_carries_author_identities_and_the_sources(client, two_authors):
    source = make_source(kind="article", title="Why Kabul", container="Foreign Affairs", volume="7", issue="3",
                         pages="12–15", doi="10.1000/xyz123", year=2010)
    Footnote.objects.create(article=two_authors, number=1, text="Why Kabul.", kind="citation", source=source)
    html = client.get(two_authors.get_absolute_url()).content.decode()
    data = json.loads(html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0])
    assert data["author"][1]["sameAs"] == ["https://orcid.org/0000-0002-1825-0097"]
    assert "sameAs" not in data["author"][0]
    assert data["inLanguage"] == "en"
    assert data["citation"] == [{
        "@type": "ScholarlyArticle", "name": "Why Kabul", "datePublished": "2010", "isPartOf": "Foreign Affairs",
        "volumeNumber": "7", "issueNumber": "3", "pagination": "12–15", "sameAs": "https://doi.org/10.1000/xyz123",
    }]  # fmt: skip


# -- sources --------------------------------------------------------------------------------------------
SOURCES = {
    "book": dict(authors=["Muzhdah, Waheed"], title="Afghanistan: in the five year of the Taliban government",
                 publisher="Nashr-e Ney", place="Tehran", year=2003, edition="2", isbn="978-0-300-09519-7"),
    "article": dict(authors=["Smith, John"], title="Why Kabul, Again", container="Foreign Affairs", year=2010,
                    volume="7", issue="3", pages="12–15", doi="10.1000/xyz123"),
    "chapter": dict(authors=["Doe, Jane"], title="The Loya Jirga", container="Afghanistan Since 1978",
                    publisher="Hurst", place="London", year=2005, pages="30–45"),
    "report": dict(authors=["Thomas Ruttig"], title="From Point Zero to ‘New Warmth’",
                   publisher="Afghanistan Analysts Network", year=2014, url="https://example.org/point-zero"),
    "web": dict(title="Taliban voices", year=2015, url="https://example.org/voices", accessed=dt.date(2015, 5, 3)),
    "interview": dict(authors=["Zameer Kabulov"], title="Interview with Zameer Kabulov", container="Interfax",
                      year=2015),
    "statement": dict(authors=["AREU"], title="Statement on the talks", year=2015),
    "other": dict(title="A leaflet", year=1999),
}
BIBTEX_TYPES = {"book": "book", "article": "article", "chapter": "incollection", "report": "techreport",
                "web": "online", "interview": "misc", "statement": "misc", "other": "misc"}
RIS_TYPES = {"book": "BOOK", "article": "JOUR", "chapter": "CHAP", "report": "RPRT", "web": "ELEC",
             "interview": "GEN", "statement": "GEN", "other": "GEN"}


@pytest.fixture
def sources():
    return {kind: make_source(key=f"{kind}-work", kind=kind, **fields) for kind, fields in SOURCES.items()}


def test_every_source_kind_reads_back_from_bibtex(client, sources):
    for kind, source in sources.items():
        [(entry_type, fields)] = bibtex_entries(get(client, f"/sources/{source.key}/cite.bib", "application/x-bibtex"))
        assert entry_type == BIBTEX_TYPES[kind], kind
        assert fields["title"] == source.title
        assert fields["year"] == str(source.year)
        assert fields.get("author", []) == [_split(name) for name in source.authors], kind
    [(_, book)] = bibtex_entries(get(client, "/sources/book-work/cite.bib", "application/x-bibtex"))
    assert (book["publisher"], book["address"], book["edition"], book["isbn"]) == (
        "Nashr-e Ney", "Tehran", "2", "978-0-300-09519-7")
    [(_, article)] = bibtex_entries(get(client, "/sources/article-work/cite.bib", "application/x-bibtex"))
    assert (article["journal"], article["volume"], article["number"], article["pages"], article["doi"]) == (
        "Foreign Affairs", "7", "3", "12–15", "10.1000/xyz123")
    [(_, chapter)] = bibtex_entries(get(client, "/sources/chapter-work/cite.bib", "application/x-bibtex"))
    assert chapter["booktitle"] == "Afghanistan Since 1978"
    [(_, web)] = bibtex_entries(get(client, "/sources/web-work/cite.bib", "application/x-bibtex"))
    assert (web["url"], web["urldate"]) == ("https://example.org/voices", "2015-05-03")
    [(_, statement)] = bibtex_entries(get(client, "/sources/statement-work/cite.bib", "application/x-bibtex"))
    assert (statement["author"], statement["type"]) == ([("AREU", "")], "Statement")


def _split(name):
    if "," in name:
        family, given = name.split(", ")
        return family, given
    *given, family = name.split()
    return family, " ".join(given)


def test_every_source_kind_reads_back_from_ris(client, sources):
    for kind, source in sources.items():
        [entry] = rispy.loads(get(client, f"/sources/{source.key}/cite.ris", "application/x-research-info-systems"))
        assert entry["type_of_reference"] == RIS_TYPES[kind], kind
        assert (entry["title"], entry["year"]) == (source.title, str(source.year))
    [article] = rispy.loads(get(client, "/sources/article-work/cite.ris", "application/x-research-info-systems"))
    assert (article["authors"], article["secondary_title"], article["volume"], article["number"],
            article["start_page"], article["end_page"], article["doi"]) == (
        ["Smith, John"], "Foreign Affairs", "7", "3", "12", "15", "10.1000/xyz123")  # fmt: skip
    [book] = rispy.loads(get(client, "/sources/book-work/cite.ris", "application/x-research-info-systems"))
    assert (book["issn"], book["edition"], book["place_published"]) == ("978-0-300-09519-7", "2", "Tehran")
    [web] = rispy.loads(get(client, "/sources/web-work/cite.ris", "application/x-research-info-systems"))
    assert (web["urls"], web["access_date"]) == (["https://example.org/voices"], "2015/05/03")
    [interview] = rispy.loads(get(client, "/sources/interview-work/cite.ris", "application/x-research-info-systems"))
    assert interview["type_of_work"] == "Interview"


def test_every_source_kind_renders_from_csl_json(client, sources):
    for kind, source in sources.items():
        [item] = json.loads(get(client, f"/sources/{source.key}/cite.json", "application/vnd.citationstyles.csl+json"))
        [reference] = render([item])
        assert source.title.split(":")[0].lower() in reference.lower(), (kind, reference)
        assert str(source.year) in reference, (kind, reference)
    [article] = json.loads(get(client, "/sources/article-work/cite.json", "application/vnd.citationstyles.csl+json"))
    assert render([article]) == ["Smith, John. 2010. “Why Kabul, Again”. Foreign Affairs 7 (3): 12–15. "
                                 "https://doi.org/10.1000/xyz123."]


def test_article_offers_all_its_sources_in_one_file_each_format(client, seed_article):
    url = seed_article.get_absolute_url()
    bib = bibtex_entries(get(client, url + "sources.bib", "application/x-bibtex"))
    assert [(entry_type, fields["title"]) for entry_type, fields in bib] == [
        ("book", "Afghanistan: in the five year of the Taliban government"),
        ("techreport", "From Point Zero to ‘New Warmth’: Russian-Afghan relations since 1989"),
    ]
    ris = rispy.loads(get(client, url + "sources.ris", "application/x-research-info-systems"))
    assert [(e["type_of_reference"], e["authors"]) for e in ris] == [
        ("BOOK", ["Muzhdah, Waheed"]), ("RPRT", ["Ruttig, Thomas"])]
    items = json.loads(get(client, url + "sources.json", "application/vnd.citationstyles.csl+json"))
    assert [item["type"] for item in items] == ["book", "report"]
    assert len(render(items)) == 2
    html = client.get(url).content.decode()
    assert f'<a href="{url}sources.ris" type="application/x-research-info-systems" download>RIS</a>' in html


def test_source_page_offers_its_downloads_and_shows_its_details(client, sources):
    Footnote.objects.create(article=make_article("Citing"), number=1, text="x", kind="citation",
                            source=sources["article"])
    html = client.get("/sources/article-work/").content.decode()
    assert '<a href="/sources/article-work/cite.bib" type="application/x-bibtex" download>BibTeX</a>' in html
    assert ('<link rel="alternate" type="application/vnd.citationstyles.csl+json" title="Citation (CSL-JSON)" '
            'href="/sources/article-work/cite.json">') in html
    assert "<dt>Volume</dt><dd>7</dd>" in html
    assert ('<dt>DOI</dt><dd><a href="https://doi.org/10.1000/xyz123" rel="nofollow noopener">10.1000/xyz123</a>'
            "</dd>") in html


# -- cache and queries ----------------------------------------------------------------------------------
def test_citation_downloads_go_stale_with_the_article(client, two_authors):
    first = client.get("/articles/kabul-and-moscow/cite.ris")
    assert first["X-Archive-Cache"] == "miss"
    assert client.get("/articles/kabul-and-moscow/cite.ris")["X-Archive-Cache"] == "hit"
    two_authors.title = "Kabul and Moscow, again"
    two_authors.save()
    again = client.get("/articles/kabul-and-moscow/cite.ris")
    assert again["X-Archive-Cache"] == "miss"
    assert "TI  - Kabul and Moscow, again" in again.content.decode()


def test_sources_download_goes_stale_when_a_note_or_its_source_changes(client, seed_article):
    url = seed_article.get_absolute_url() + "sources.ris"
    assert client.get(url)["X-Archive-Cache"] == "miss"
    Footnote.objects.filter(article=seed_article, number=4).update(source=None)
    Footnote.objects.get(article=seed_article, number=4).save()  # a note edited in the admin
    assert "Ruttig" not in client.get(url).content.decode()
    source = Source.objects.get(title__startswith="Afghanistan: in the five")
    source.volume = "2"
    source.save()
    assert "VL  - 2" in client.get(url).content.decode()


def test_an_article_citation_cached_yesterday_is_not_served_today(client, two_authors, monkeypatch):
    yesterday = TODAY - dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: yesterday)
    assert yesterday.strftime("%Y/%m/%d") in client.get("/articles/kabul-and-moscow/cite.ris").content.decode()
    monkeypatch.undo()
    response = client.get("/articles/kabul-and-moscow/cite.ris")
    assert response["X-Archive-Cache"] == "miss"
    assert f"Y2  - {TODAY.strftime('%Y/%m/%d')}" in response.content.decode()


@pytest.mark.parametrize("suffix", ["cite.bib", "sources.ris", "cite.json"])
def test_citation_downloads_cost_a_few_queries(client, settings, seed_article, suffix, django_assert_max_num_queries):
    settings.ARCHIVE_PAGE_CACHE = False
    with django_assert_max_num_queries(5):
        assert client.get(seed_article.get_absolute_url() + suffix).status_code == 200
