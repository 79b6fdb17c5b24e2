"""Dari and Pashto articles in the seed format: Persian digits, Solar Hijri dates, ibid and
cross-references in Dari and Pashto, Persian bibliographic notes, the old site's chrome in both
languages, the language header and its detection, and readable Unicode slugs."""

import datetime as dt
import io
from pathlib import Path
from urllib.parse import quote

import pytest
from django.urls import reverse

from articles.importers import seedtext
from articles.importers.base import ImportFailed
from articles.importers.pipeline import import_path, import_stream
from articles.models import Article, Category, Source
from tests.factories import FIXTURES

DARI_FILE = FIXTURES / "seedtext" / "dari_article.txt"
PASHTO_FILE = FIXTURES / "seedtext" / "pashto_article.txt"
DARI_TITLE = "روابط طالبان و روسیه و تأثیر آن بر مناسبات کابل و مسکو"
DARI_SLUG = "روابط-طالبان-و-روسیه-و-تأثیر-آن-بر-مناسبات-کابل-و-مسکو"
PASHTO_TITLE = "د افغانستان د اوبو مدیریت او د کرنې راتلونکی"
MOZHDAH_KEY = "مژده-افغانستان-و-پنج-سال-سلطه-طالبان-1382"


def parse(path: Path):
    return seedtext.parse(path.read_bytes(), path.name)


def parse_text(text: str, name="article.txt"):
    return seedtext.parse(text.encode("utf-8"), name)


def import_text(text: str, name):
    result = import_stream(io.BytesIO(text.encode("utf-8")), name)
    assert not result.error, result.error
    return Article.objects.get(pk=result.items[0].article_id)


# --------------------------------------------------------------------------------------------
# The parse step
# --------------------------------------------------------------------------------------------


def test_dari_header_solar_hijri_date_authors_tags_and_detected_language():
    article = parse(DARI_FILE)
    assert article.title == DARI_TITLE
    assert article.published_at == dt.datetime(2016, 1, 2, tzinfo=dt.UTC)  # 12 Jadi 1394
    assert article.category_paths == [["افغانستان", "سیاست"]]
    assert [a.name for a in article.authors] == ["احمد کریمی", "مریم رحیمی"]
    assert article.tags == ["طالبان", "روسیه", "داعش"]
    assert article.language == "fa"
    assert article.warnings == []


def test_dari_body_keeps_persian_marker_digits_and_drops_the_old_sites_dari_chrome():
    article = parse(DARI_FILE)
    assert article.body_html.count("<h2>") == 2
    assert "<h2>روابط در دوران حاکمیت طالبان</h2>" in article.body_html
    assert '<a href="#fn-1" aria-describedby="footnotes-label">۱</a>' in article.body_html
    assert '<a href="#fn-4" aria-describedby="footnotes-label">٤</a>' in article.body_html  # Arabic-Indic
    for chrome in ("پایان", "مطالب مرتبط", "نقش چین", "دیدگاهی بنویسید"):
        assert chrome not in article.body_html
    assert article.summary == (
        "در دو هفتهٔ اخیر، تماس\u200cهای طالبان و روسیه در رسانه\u200cهای داخلی و بین\u200cالمللی بازتاب گسترده یافت."
    )


def test_dari_notes_citation_ibid_cross_references_and_lost_link():
    notes = {note.number: note for note in parse(DARI_FILE).footnotes}
    assert sorted(notes) == [1, 2, 3, 4, 5]
    source = notes[1].source
    assert (notes[1].kind, notes[1].locator) == ("citation", "ص ۴۵")
    assert source.key == MOZHDAH_KEY
    assert source.kind == "book"
    assert source.authors == ["مژده, وحید"]
    assert source.title == "افغانستان و پنج سال سلطه طالبان"
    assert (source.place, source.publisher) == ("تهران", "نشر نی")
    assert (source.year, source.calendar) == (1382, "solar_hijri")
    assert (notes[2].kind, notes[2].source, notes[2].locator) == ("ibid", source, "ص ۷۸")
    assert (notes[3].kind, notes[3].refers_to) == ("cross_reference", 1)
    assert (notes[4].kind, notes[4].url_missing, notes[4].url) == ("link", True, "")
    assert (notes[5].kind, notes[5].refers_to) == ("cross_reference", 3)  # "پاورقی سوم": the third


def test_pashto_article_language_header_date_authors_and_notes():
    article = parse(PASHTO_FILE)
    assert article.title == PASHTO_TITLE
    assert article.language == "ps"
    assert article.published_at == dt.datetime(2016, 3, 24, tzinfo=dt.UTC)  # 5 Hamal 1395
    assert [a.name for a in article.authors] == ["عبدالله ځدراڼ", "ګل احمد"]
    assert article.tags == ["اوبه", "کرنه"]
    for chrome in ("پای", "اړوند مطالب", "د کابل سیند", "خپل نظر ولیکئ"):
        assert chrome not in article.body_html
    notes = {note.number: note for note in article.footnotes}
    source = notes[1].source
    assert (source.authors, source.title) == (["احمدزی, نجیب الله"], "د افغانستان اوبه")
    assert (source.place, source.publisher, source.year, source.calendar) == (
        "کابل", "دانش خپرندویه ټولنه", 1390, "solar_hijri",
    )
    assert (source.kind, notes[1].locator) == ("book", "مخ ۱۲")
    assert (notes[2].kind, notes[2].source, notes[2].locator) == ("ibid", source, "مخ ۳۴")
    assert (notes[3].kind, notes[3].refers_to) == ("cross_reference", 1)
    assert article.warnings == []


HEADER = "عنوان آزمایشی\n\n{date_line}\n{extra}\nمتن مقاله اینجاست.\n"


@pytest.mark.parametrize(
    ("date_line", "expected"),
    [
        ("تاریخ نشر: ۱۲ جدی ۱۳۹۴", dt.date(2016, 1, 2)),
        ("تاريخ: ١٢ جدي ١٣٩٤", dt.date(2016, 1, 2)),  # Arabic letters and Arabic-Indic digits
        ("تاریخ: ۱۲ دی ۱۳۹۴ هـ.ش", dt.date(2016, 1, 2)),  # the Iranian month, marked Solar Hijri
        ("تاریخ نشر: ۱۳۹۴/۱۰/۱۲", dt.date(2016, 1, 2)),
        ("تاریخ نشر: 1 فروردین 1395", dt.date(2016, 3, 20)),
        ("تاریخ نشر: ۲ جنوری ۲۰۱۶", dt.date(2016, 1, 2)),  # a Gregorian month in Dari
        ("د خپرېدو نېټه: ۱ حمل ۱۳۹۵", dt.date(2016, 3, 20)),
        ("نېټه: 2016-01-02", dt.date(2016, 1, 2)),
        ("Published Date: January 2, 2016", dt.date(2016, 1, 2)),
        ("تاریخ نشر: شنبه، ۱۲ جدی ۱۳۹۴", dt.date(2016, 1, 2)),  # with the weekday
        ("تاریخ نشر: جدی ۱۲، ۱۳۹۴", dt.date(2016, 1, 2)),
        ("تاریخ: ۱۲/۱۰/۱۳۹۴", dt.date(2016, 1, 2)),
    ],
)
def test_date_lines_in_dari_pashto_and_english(date_line, expected):
    article = parse_text(HEADER.format(date_line=date_line, extra=""))
    assert article.published_at.date() == expected


def test_an_impossible_solar_hijri_date_says_what_to_write():
    with pytest.raises(ImportFailed) as error:
        parse_text(HEADER.format(date_line="تاریخ نشر: ۳۱ حوت ۱۳۹۴", extra=""), "bad.txt")
    assert str(error.value).startswith('bad.txt: the published date "۳۱ حوت ۱۳۹۴" is not a real date; correct it')


@pytest.mark.parametrize(
    ("extra", "language"),
    [("", "fa"), ("Language: ps", "ps"), ("زبان: دری", "fa"), ("ژبه: پښتو", "ps"), ("Language: English", "en")],
)
def test_language_header_in_any_of_its_spellings_or_detection(extra, language):
    assert parse_text(HEADER.format(date_line="تاریخ: ۱۲ جدی ۱۳۹۴", extra=extra)).language == language


def test_detection_latin_is_english_and_pashto_letters_make_pashto():
    english = "A title\n\nPublished Date: January 2, 2016\n\nPlain English text.\n"
    pashto = "سرلیک\n\nنېټه: ۱ حمل ۱۳۹۵\n\nدا یوه ښه لیکنه ده.\n"
    assert parse_text(english).language == "en"
    assert parse_text(pashto).language == "ps"


def test_detection_counts_every_letter_not_each_letter_once():
    # Few distinct Latin letters written many times against more distinct Dari letters written once.
    latin_majority = "Aaaa\n\nPublished Date: January 2, 2016\n\naaaa aaaa aaaa aaaa aaaa بپتثجچحخ.\n"
    dari_majority = "کابل\n\nتاریخ: ۱۲ جدی ۱۳۹۴\n\nکابل کابل کابل کابل در Kabul, Herat and Mazar.\n"
    assert parse_text(latin_majority).language == "en"
    assert parse_text(dari_majority).language == "fa"


def test_an_unknown_language_header_is_refused_with_the_choices():
    with pytest.raises(ImportFailed) as error:
        parse_text(HEADER.format(date_line="تاریخ: ۱۲ جدی ۱۳۹۴", extra="Language: Klingon"), "x.txt")
    assert str(error.value) == (
        'x.txt: the language "Klingon" is not one the archive publishes in; write one of en (English), '
        "fa (Dari), ps (Pashto), or leave the Language: line out to have it detected from the text."
    )


def test_authors_and_tags_with_persian_and_latin_separators():
    article = parse_text(HEADER.format(date_line="تاریخ: ۱۲ جدی ۱۳۹۴",
                                       extra="نویسنده: الف؛ ب، ج; د\nبرچسب‌ها: یک، دو؛ سه, چهار"))
    assert [a.name for a in article.authors] == ["الف", "ب", "ج", "د"]
    assert article.tags == ["یک", "دو", "سه", "چهار"]


@pytest.mark.parametrize(
    ("text", "locator"), [("همان منبع، ص ۱۲", "ص ۱۲"), ("همانجا.", ""), ("هماغه اثر، مخ ۵", "مخ ۵")]
)
def test_ibid_forms_with_their_locators(text, locator):
    cited = seedtext.classify_note(1, "مژده، وحید، افغانستان، تهران: نشر نی، ۱۳۸۲", [], [])
    note = seedtext.classify_note(2, text, [cited], [])
    assert (note.kind, note.source, note.locator) == ("ibid", cited.source, locator)


def test_dari_ibid_word_starting_a_sentence_is_not_ibid():
    warnings = []
    note = seedtext.classify_note(2, "همان گونه که در بالا گفته شد، روسیه نگران است.", [], warnings)
    assert note.kind == "note"


@pytest.mark.parametrize(
    ("text", "refers_to"),
    [("نگاه کنید به پاورقی ۲", 2), ("پاورقی دوم را ببینید", 2), ("پاورقی شماره ۱ را ببینید.", 1),
     ("به پاورقی ۳ مراجعه شود.", 3), ("لمن لیک دوهم وګورئ", 2), ("See the first footnote.", 1)],
)
def test_cross_reference_forms(text, refers_to):
    note = seedtext.classify_note(4, text, [], [])
    assert (note.kind, note.refers_to) == ("cross_reference", refers_to)


def test_a_persian_note_with_a_gregorian_year_and_a_journal():
    note = seedtext.classify_note(1, "احمد رشید، «طالبان و روسیه»، مجله سیاست خارجی، ۲۰۱۴، ص. ۱۲.", [], [])
    source = note.source
    assert (source.kind, source.title, source.container) == ("article", "طالبان و روسیه", "مجله سیاست خارجی")
    assert (source.authors, source.year, source.calendar, note.locator) == (["احمد رشید"], 2014, "gregorian", "ص. ۱۲")


# --------------------------------------------------------------------------------------------
# The load step and the pages
# --------------------------------------------------------------------------------------------


@pytest.fixture
def dari_article(db):
    result = import_path(DARI_FILE)
    assert not result.error, result.error
    return Article.objects.get(pk=result.items[0].article_id)


@pytest.mark.django_db
def test_dari_article_loads_with_its_language_unicode_slug_category_and_source(dari_article):
    assert dari_article.language == "fa"
    assert dari_article.slug == DARI_SLUG
    assert dari_article.primary_category.path == "افغانستان/سیاست"
    assert [a.slug for a in dari_article.authors.all()] == ["احمد-کریمی", "مریم-رحیمی"]
    source = Source.objects.get()
    assert (source.key, source.year, source.calendar) == (MOZHDAH_KEY, 1382, "solar_hijri")
    assert source.short_label() == "مژده 1382 SH"
    notes = {n.number: n for n in dari_article.footnotes.select_related("refers_to")}
    assert notes[2].source_id == source.pk
    assert notes[5].refers_to == notes[3]


@pytest.mark.django_db
def test_dari_article_page_answers_at_its_percent_encoded_url_right_to_left(client, dari_article):
    url = dari_article.get_absolute_url()
    assert url.startswith("/fa/articles/%D8%B1%D9%88%D8%A7%D8%A8%D8%B7-")  # "روابط-", percent-encoded
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fa" dir="rtl">' in html
    assert f"<h1>{DARI_TITLE}</h1>" in html
    assert '<a class="footnote-back" href="#fnref-1" aria-label="بازگشت به ارجاع ۱">↪</a>' in html
    assert ">مژده 1382 SH</a>, ص ۴۵</span>" in html
    assert '"inLanguage": "fa"' in html  # the JSON-LD


@pytest.mark.django_db
def test_english_page_stays_left_to_right_and_lists_wrap_dari_titles(client, seed_article, dari_article):
    html = client.get(seed_article.get_absolute_url()).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "↩</a>" in html
    home = client.get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in home
    assert f'<h2 class="card-title" lang="fa" dir="auto"><a href="{dari_article.get_absolute_url()}">' in home
    assert '<h2 class="card-title" lang="en" dir="auto">' in home


@pytest.mark.django_db
def test_source_category_and_author_pages_answer_for_persian_slugs(client, dari_article):
    source = Source.objects.get()
    html = client.get(source.get_absolute_url()).content.decode()
    assert "<dt>Year</dt><dd>1382 SH</dd>" in html
    assert client.get(dari_article.primary_category.get_absolute_url()).status_code == 200
    assert client.get(dari_article.authors.first().get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_slugs_are_never_item_never_empty_never_shared(db):
    first = import_text(HEADER.format(date_line="تاریخ: ۱۲ جدی ۱۳۹۴", extra=""), "a.txt")
    second = import_text(HEADER.format(date_line="تاریخ: ۱۲ جدی ۱۳۹۴", extra=""), "b.txt")
    punctuation = import_text("؟!\n\nتاریخ: ۱۲ جدی ۱۳۹۴\n\nمتن.\n", "c.txt")
    assert (first.slug, second.slug, punctuation.slug) == ("عنوان-آزمایشی", "عنوان-آزمایشی-2", "article")
    typed = Article(title="مقاله ای از ويرايشگر", body="<p>متن</p>")
    typed.save()
    assert typed.slug == "مقاله-ای-از-ویرایشگر"  # Arabic yeh folded to the Persian one


@pytest.mark.django_db
def test_two_dari_categories_do_not_share_a_slug(db):
    politics = Category.get_or_create_path(["سیاست"])
    economy = Category.get_or_create_path(["اقتصاد"])
    assert (politics.path, economy.path) == ("سیاست", "اقتصاد")


@pytest.mark.django_db
def test_dari_page_shows_both_calendars(client, dari_article):
    html = client.get(dari_article.get_absolute_url()).content.decode()
    # Every number on a Dari page in Persian digits, the Gregorian months as Afghanistan writes them.
    assert '<time datetime="2016-01-02"><bdi lang="fa">۱۲ جدی ۱۳۹۴</bdi> (۲ جنوری ۲۰۱۶)</time>' in html


@pytest.mark.django_db
def test_the_cite_block_shows_a_dari_permalink_in_its_letters_and_the_downloads_keep_it_a_uri(client):
    article = Article.objects.get(pk=import_path(DARI_FILE).items[0].article_id)
    html = client.get(article.get_absolute_url()).content.decode()
    cite_block = html[html.index("استناد به این مقاله"):]
    assert f"/fa/articles/{DARI_SLUG}/" in cite_block
    bibtex = client.get(reverse("articles:article_cite", kwargs={"slug": article.slug, "extension": "bib"}))
    assert f"/fa/articles/{quote(DARI_SLUG)}/" in bibtex.content.decode()


@pytest.mark.django_db
def test_a_dari_article_is_cited_and_described_in_dari(client):
    article = Article.objects.get(pk=import_path(DARI_FILE).items[0].article_id)
    csl = client.get(reverse("articles:article_cite", kwargs={"slug": article.slug, "extension": "json"})).json()
    assert [item["language"] for item in csl] == ["fa"]
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<meta name="citation_language" content="fa">' in html
    assert '<meta name="DC.language" content="fa">' in html
