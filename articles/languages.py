"""The languages the archive publishes in, each a small named policy the rest of the project consults.

A ``Language`` says how its text is written (script, direction, letters only it uses), which words
its publications use where the seed parser reads structure (header labels, "The End", "Ibid", page
locators, publisher and journal words), and how search treats it (text-search configuration).
Adding Uzbek or Arabic is adding one object to ``POLICIES`` and its code to ``ARCHIVE_LANGUAGES``.

Also here, because every reader of Perso-Arabic text needs the same answer: ``ascii_digits``
(Persian and Arabic-Indic digits read as numbers), ``fold_for_search`` (the normalisation search
applies to text and queries alike) and ``readable_slug`` (Unicode slugs for non-Latin titles).
Pure: no database, no models.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.text import slugify
from persiantools import characters, digits
from persiantools.jdatetime import JalaliDate


@dataclass(frozen=True)
class Language:
    code: str  # BCP 47, as in <html lang>
    name: str  # in English, for the admin
    native_name: str = ""  # in itself, for links to a translation: "دری"
    script: str = "latin"  # "latin" or "arabic": detection looks at the letters' script first
    direction: str = "ltr"
    search_config: str = "english"  # PostgreSQL text search configuration of its articles
    # Letters of its script that only this language uses (Pashto's ټ ډ ړ …): detection's clue.
    distinctive_letters: str = ""
    # How a "Language:" header may name it (besides its code), lower-case.
    names: frozenset[str] = frozenset()
    # Seed-format header labels, without the colon, lower-case.
    date_labels: tuple[str, ...] = ()
    author_labels: tuple[str, ...] = ()
    tag_labels: tuple[str, ...] = ()
    summary_labels: tuple[str, ...] = ()
    language_labels: tuple[str, ...] = ()
    # Month names (lower-case) -> month number, with the calendar they belong to.
    months: dict[str, tuple[str, int]] = field(default_factory=dict)
    # The old site's page chrome, as words (``\w+`` runs joined by one space, lower-case).
    chrome: frozenset[str] = frozenset()
    related_headings: frozenset[str] = frozenset()
    # Notes.
    ibid_words: tuple[str, ...] = ()
    locator_words: tuple[str, ...] = ()  # "p.", "ص", "مخ": a page locator's label
    ordinals: tuple[str, ...] = ()  # first, second, third … as words
    # Whole-note cross-references ("پاورقی ۳ را ببینید"): regexes whose group ``ref`` is a number
    # or an ordinal word. (English's own, with its "n." and "3rd" forms, is in the seed parser.)
    cross_references: tuple[str, ...] = ()
    lead_in_words: frozenset[str] = frozenset()  # "For further information read:" is a lead-in
    report_words: tuple[str, ...] = ()  # a work with one of these in its note is a report
    # Function words of three letters or more, which say nothing about a subject (related posts).
    stop_words: frozenset[str] = frozenset()
    publisher_words: frozenset[str] = frozenset()
    organisation_words: frozenset[str] = frozenset()  # publishers that issue reports
    container_words: frozenset[str] = frozenset()  # journals, newspapers, news agencies
    year_suffixes: dict[str, str] = field(default_factory=dict)  # "ش" -> "solar_hijri"

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"


GREGORIAN, SOLAR_HIJRI, LUNAR_HIJRI = "gregorian", "solar_hijri", "lunar_hijri"
CALENDARS = {GREGORIAN: "Gregorian", SOLAR_HIJRI: "Solar Hijri", LUNAR_HIJRI: "Lunar Hijri"}

_ENGLISH_MONTHS = [
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
    ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
    ("november", "nov"), ("december", "dec"),
]  # fmt: skip
# Solar Hijri months: the Afghan (zodiac) names first, then the Iranian ones, month 1 to 12.
AFGHAN_MONTHS = ["حمل", "ثور", "جوزا", "سرطان", "اسد", "سنبله", "میزان", "عقرب", "قوس", "جدی", "دلو", "حوت"]
_IRANIAN_MONTHS = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن",
                   "اسفند"]  # fmt: skip
# Gregorian months as Dari and Pashto write them.
_GREGORIAN_MONTHS_FA = [
    ("جنوری", "ژانویه"), ("فبروری", "فوریه"), ("مارچ", "مارس"), ("اپریل", "آوریل"), ("می", "مه"), ("جون", "ژوئن"),
    ("جولای", "ژوئیه"), ("اگست", "اوت"), ("سپتمبر", "سپتامبر"), ("اکتوبر", "اکتبر"), ("نومبر", "نوامبر"),
    ("دسمبر", "دسامبر"),
]  # fmt: skip


def _month_table(calendar: str, names) -> dict[str, tuple[str, int]]:
    table = {}
    for number, spellings in enumerate(names, start=1):
        for name in (spellings,) if isinstance(spellings, str) else spellings:
            table[name] = (calendar, number)
    return table


_PERSO_ARABIC_MONTHS = {
    **_month_table(SOLAR_HIJRI, AFGHAN_MONTHS),
    **_month_table(SOLAR_HIJRI, _IRANIAN_MONTHS),
    **_month_table(GREGORIAN, _GREGORIAN_MONTHS_FA),
}
_PERSO_ARABIC_YEAR_SUFFIXES = {
    "ش": SOLAR_HIJRI, "هش": SOLAR_HIJRI, "هـش": SOLAR_HIJRI, "هجری شمسی": SOLAR_HIJRI, "خورشیدی": SOLAR_HIJRI,
    "لمریز": SOLAR_HIJRI, "ق": LUNAR_HIJRI, "هق": LUNAR_HIJRI, "هـق": LUNAR_HIJRI, "هجری قمری": LUNAR_HIJRI,
    "م": GREGORIAN, "میلادی": GREGORIAN, "ع": GREGORIAN, "عیسوی": GREGORIAN,
}  # fmt: skip

ENGLISH = Language(
    code="en",
    name="English",
    native_name="English",
    names=frozenset({"english", "انگلیسی", "انګلیسي"}),
    date_labels=("published date", "date published", "published on", "published", "date"),
    author_labels=("authors", "author"),
    tag_labels=("tags",),
    summary_labels=("summary",),
    language_labels=("language",),
    months=_month_table(GREGORIAN, _ENGLISH_MONTHS),
    chrome=frozenset({
        "the end", "leave a reply", "leave a reply cancel reply", "comments are closed",
        "you must be logged in to post a comment", "your email address will not be published",
        "your email address will not be published required fields are marked",
    }),
    related_headings=frozenset({"related post", "related posts"}),
    ibid_words=("ibidem", "ibid"),
    lead_in_words=frozenset({
        "see", "read", "cf", "quoted", "cited", "available", "information", "details", "info", "online",
        "further", "source", "sources", "reference", "references",
    }),
    report_words=("report", "working paper", "briefing paper", "policy brief", "discussion paper"),
    locator_words=("pp.", "p.", "pages", "page"),
    ordinals=("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
              "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
              "eighteenth", "nineteenth", "twentieth"),
    publisher_words=frozenset({
        "press", "publishers", "publisher", "publishing", "publications", "university", "institute",
        "network", "centre", "center", "foundation", "books", "group", "council", "ministry", "agency",
        "office", "analysts", "unit", "organization", "organisation", "commission", "programme", "program",
        "bank", "trust", "society", "association", "company", "ltd", "inc",
    }),
    organisation_words=frozenset({
        "institute", "network", "centre", "center", "foundation", "group", "council", "ministry", "agency",
        "office", "analysts", "unit", "organization", "organisation", "commission", "programme", "program",
        "bank", "trust", "association",
    }),
    container_words=frozenset({
        "journal", "review", "magazine", "newspaper", "quarterly", "bulletin", "gazette", "times", "post",
        "news", "daily", "weekly", "monthly", "herald", "tribune", "affairs", "studies",
    }),
)  # fmt: skip

DARI = Language(
    code="fa",
    name="Dari",
    native_name="دری",
    script="arabic",
    direction="rtl",
    search_config="simple",
    names=frozenset({"dari", "persian", "farsi", "prs", "fa-af", "دری", "فارسی", "فارسي", "دري"}),
    date_labels=("تاریخ نشر", "تاریخ انتشار", "تاریخ"),
    author_labels=("نویسندگان", "نویسنده", "نگارنده", "به قلم"),
    tag_labels=("برچسب‌ها", "برچسبها", "برچسب ها", "برچسب", "کلیدواژه‌ها", "کلیدواژه ها", "واژگان کلیدی"),
    summary_labels=("خلاصه", "چکیده"),
    language_labels=("زبان",),
    months=_PERSO_ARABIC_MONTHS,
    chrome=frozenset({
        "پایان", "پایان مقاله", "دیدگاهی بنویسید", "دیدگاهی بنویسید لغو پاسخ", "دیدگاهتان را بنویسید",
        "دیدگاهتان را بنویسید لغو پاسخ", "لغو پاسخ", "نظر بنویسید", "دیدگاه خود را بنویسید", "نظرات بسته است",
        "نشانی ایمیل شما منتشر نخواهد شد",
        "نشانی ایمیل شما منتشر نخواهد شد. بخش‌های موردنیاز علامت‌گذاری شده‌اند *",
    }),
    related_headings=frozenset({"مطالب مرتبط", "مطلب مرتبط", "مطالب مربوط"}),
    ibid_words=("همانجا", "همان منبع", "همان اثر", "همان"),
    cross_references=(
        r"(?:نگاه کنید به|رجوع کنید به|ببینید)\s+(?:پاورقی|زیرنویس|یادداشت)\s+(?:شماره\s+)?\[?(?P<ref>\w+)\]?",
        r"(?:پاورقی|زیرنویس|یادداشت)\s+(?:شماره\s+)?\[?(?P<ref>\w+)\]?\s+را\s+(?:ببینید|نگاه کنید)",
        r"(?:به\s+)?(?:پاورقی|زیرنویس|یادداشت)\s+(?:شماره\s+)?\[?(?P<ref>\w+)\]?\s+(?:مراجعه|رجوع)\s+(?:شود|کنید)",
    ),
    lead_in_words=frozenset({"بخوانید", "ببینید", "نگاه", "بنگرید", "منبع", "منابع", "رجوع", "مراجعه", "آنلاین",
                             "معلومات", "اطلاعات", "بیشتر"}),
    report_words=("گزارش",),
    stop_words=frozenset("""
        این آن است برای با از که را در به یا هم نیز اما ولی تا بر پس چون اگر هر همه یک دو سه بود بوده باشد
        شده شد کرد کرده کند کنند میشود نمی آنها ایشان وی او ما شما دیگر چنین چنان همین
        همان خود بین پیش روی زیر بالا طی توسط جهت مورد داشت دارد دارند شود شوند کردند گفت گفته هست نیست
        """.split()),
    locator_words=("صص.", "صص", "ص.", "ص", "صفحه", "صفحات"),
    ordinals=("اول", "دوم", "سوم", "چهارم", "پنجم", "ششم", "هفتم", "هشتم", "نهم", "دهم", "یازدهم", "دوازدهم",
              "سیزدهم", "چهاردهم", "پانزدهم", "شانزدهم", "هفدهم", "هجدهم", "نزدهم", "بیستم"),
    publisher_words=frozenset({"انتشارات", "نشر", "بنگاه", "چاپخانه", "دانشگاه", "پوهنتون", "مرکز", "موسسه",
                               "مؤسسه", "بنیاد", "وزارت", "اداره", "انستیتوت", "کمیسیون", "شبکه"}),
    organisation_words=frozenset({"مرکز", "موسسه", "مؤسسه", "بنیاد", "وزارت", "اداره", "انستیتوت", "کمیسیون",
                                  "شبکه"}),
    container_words=frozenset({"روزنامه", "مجله", "هفته‌نامه", "هفته‌نامهٔ", "ماهنامه", "فصلنامه", "خبرگزاری",
                               "سایت", "وبسایت", "نشریه", "گاهنامه"}),
    year_suffixes=_PERSO_ARABIC_YEAR_SUFFIXES,
)  # fmt: skip

PASHTO = Language(
    code="ps",
    name="Pashto",
    native_name="پښتو",
    script="arabic",
    direction="rtl",
    search_config="simple",
    distinctive_letters="ټډړږښګڼېۍځڅ",
    names=frozenset({"pashto", "pushto", "pakhto", "pus", "pbt", "پښتو", "پشتو"}),
    date_labels=("د خپرېدو نېټه", "د خپریدو نیټه", "د خپرولو نېټه", "نېټه", "نیټه"),
    author_labels=("لیکوالان", "لیکوال", "ليکوال"),
    tag_labels=("ټګونه", "ټګ", "کلیدي ټکي"),
    summary_labels=("لنډيز", "لنډیز"),
    language_labels=("ژبه",),
    months=_PERSO_ARABIC_MONTHS,
    chrome=frozenset({"پای", "خپل نظر ولیکئ", "خپل نظر وليکئ", "نظر ولیکئ", "نظر ورکړئ"}),
    related_headings=frozenset({"اړوند مطالب", "اړوند مطلبونه", "اړوندې لیکنې"}),
    ibid_words=("هماغه اثر", "هماغه سرچینه", "هماغه", "همدغه", "همغه"),
    cross_references=(
        r"(?:لمن\s*لیک|لمنلیک|پاورقی)\s+(?:شمېره\s+)?\[?(?P<ref>\w+)\]?\s+(?:وګورئ|وګورې|و ګورئ)",
        r"(?:وګورئ|وګورې)\s+(?:لمن\s*لیک|لمنلیک|پاورقی)\s+(?:شمېره\s+)?\[?(?P<ref>\w+)\]?",
    ),
    lead_in_words=frozenset({"وګورئ", "ولولئ", "سرچینه", "منبع", "معلومات", "انلاین"}),
    report_words=("راپور",),
    stop_words=frozenset("""
        دغه هغه دی دي ده چې چی او په له لپاره سره باندې کې کښې څخه نه هم یو دوه درې شوی شوې شول کړی کړې
        کوي کېږي وو وه وي دا هغوی موږ تاسو زه ته ټول نور بیا خو ولې تر پورې
        """.split()),
    locator_words=("مخونه", "مخ", "ص.", "ص"),
    ordinals=("لومړی", "دوهم", "درېیم", "څلورم", "پنځم", "شپږم", "اووم", "اتم", "نهم", "لسم"),
    publisher_words=frozenset({"خپرندویه", "خپرندوی", "مطبعه", "پوهنتون", "مرکز", "ټولنه", "وزارت", "اداره"}),
    organisation_words=frozenset({"مرکز", "وزارت", "اداره"}),
    container_words=frozenset({"ورځپاڼه", "ورځپاڼې", "مجله", "خبري", "اژانس", "ویبپاڼه", "ویب‌پاڼه"}),
    year_suffixes=_PERSO_ARABIC_YEAR_SUFFIXES,
)  # fmt: skip

# Every language the code knows; ``ARCHIVE_LANGUAGES`` says which ones the archive uses.
POLICIES = {language.code: language for language in (ENGLISH, DARI, PASHTO)}
DEFAULT_LANGUAGE = "en"


def all_stop_words() -> frozenset[str]:
    """Every known language's function words (all policies: read at import time, before settings)."""
    return frozenset(word for language in POLICIES.values() for word in language.stop_words)


def enabled() -> list[Language]:
    """The archive's languages (setting ``ARCHIVE_LANGUAGES``), the default first."""
    codes = getattr(settings, "ARCHIVE_LANGUAGES", None) or list(POLICIES)
    return [POLICIES[code] for code in codes if code in POLICIES]


def language_choices() -> list[tuple[str, str]]:
    """``Article.language`` choices: a callable, so the setting decides without a migration."""
    return [(language.code, language.name) for language in enabled()]


def get(code: str) -> Language:
    """The policy of ``code``; an unknown code reads as the default language."""
    return POLICIES.get(code) or POLICIES[DEFAULT_LANGUAGE]


def words(attribute: str) -> set[str]:
    """Union of one word list over every enabled language: the parser reads before it knows the language."""
    found: set[str] = set()
    for language in enabled():
        found.update(getattr(language, attribute))
    return found


def months() -> dict[str, tuple[str, int]]:
    table: dict[str, tuple[str, int]] = {}
    for language in enabled():
        table.update(language.months)
    return table


def year_suffixes() -> dict[str, str]:
    table: dict[str, str] = {}
    for language in enabled():
        table.update(language.year_suffixes)
    return table


def ordinal_number(word: str) -> int | None:
    """1 for "first" / "اول" / "لومړی", … None for a word no language counts with."""
    word = fold_letters(word.casefold())
    for language in enabled():
        ordinals = [fold_letters(o) for o in language.ordinals]
        if word in ordinals:
            return ordinals.index(word) + 1
    return None


def code_named(value: str) -> str | None:
    """The code of the language a "Language:" header names ("fa", "Dari", "دری"), or None."""
    value = fold_letters(value.strip().casefold())
    code, _, _region = value.replace("_", "-").partition("-")  # "fa-AF", "ps_AF", "en-GB"
    if _region and code in POLICIES and code in {lang.code for lang in enabled()}:
        return code
    for language in enabled():
        if value == language.code or value in {fold_letters(n) for n in language.names}:
            return language.code
        if value == language.name.casefold():
            return language.code
    return None


# --------------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------------


def _script(char: str) -> str | None:
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    if name.startswith("LATIN"):
        return "latin"
    if name.startswith("ARABIC"):
        return "arabic"
    return None


def detect(text: str) -> str:
    """The language of ``text`` by its letters: the script most of them are in, then, among that
    script's languages, the first whose distinctive letters occur, else the script's first language."""
    counts = _letters_by_script(text)
    if not counts:
        return DEFAULT_LANGUAGE
    script = max(counts, key=counts.get)
    candidates = [language for language in enabled() if language.script == script]
    if not candidates:
        return DEFAULT_LANGUAGE
    for language in candidates:
        if any(letter in text for letter in language.distinctive_letters):
            return language.code
    plain = [language for language in candidates if not language.distinctive_letters]
    return (plain or candidates)[0].code


_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_ASCII_NOT_LETTERS = bytes(code for code in range(128) if not chr(code).isalpha())


def _letters_by_script(text: str) -> dict[str, int]:
    """{script: how many of the letters of ``text`` are in it}, in the order the scripts' first
    letters come (``max`` keeps the first of a tie). An article has ~10,000 letters but ~100
    distinct characters: the ASCII letters (Latin) are counted in C, and the script of each other
    character is looked up once."""
    found = []  # (where the script's first letter is, script, letters)
    ascii_letters = len(text.encode("ascii", "ignore").translate(None, _ASCII_NOT_LETTERS))
    if ascii_letters:
        found.append((_ASCII_LETTER.search(text).start(), "latin", ascii_letters))
    counts: dict[str, int] = {}
    firsts: dict[str, str] = {}
    for char, times in Counter(_ASCII_RUNS.sub("", text)).items():
        script = _script(char)
        if script:
            counts[script] = counts.get(script, 0) + times
            firsts.setdefault(script, char)
    found += [(text.index(firsts[script]), script, letters) for script, letters in counts.items()]
    merged: dict[str, int] = {}
    for _, script, letters in sorted(found):
        merged[script] = merged.get(script, 0) + letters
    return merged


# --------------------------------------------------------------------------------------------
# Digits, letters, search folding and slugs
# --------------------------------------------------------------------------------------------


def ascii_digits(text: str) -> str:
    """Persian (۰–۹) and Arabic-Indic (٠–٩) digits as ASCII ones (persiantools)."""
    return digits.fa_to_en(digits.ar_to_fa(text))


def persian_digits(text: str) -> str:
    """ASCII digits written as Persian ones, as Dari and Pashto pages show numbers."""
    return digits.en_to_fa(text)


# persiantools' one-letter replacements only, so a folded line keeps every index of the original.
_LETTER_TABLE = str.maketrans({a: b for a, b in characters.CHARACTER_MAP_AR_TO_FA.items() if len(a) == 1})


def fold_letters(text: str) -> str:
    """Arabic letter forms as Persian ones (ي ى → ی, ك → ک), character for character."""
    return text.translate(_LETTER_TABLE)


# Search folding, the same on both sides: written once as a table, applied by Python to queries
# (and to text on SQLite) and compiled into SQL ``translate()`` for PostgreSQL's stored vectors.
_SEARCH_REPLACE = {
    **{a: b for a, b in characters.CHARACTER_MAP_AR_TO_FA.items() if len(a) == 1},
    "ۀ": "ه", "ة": "ه", "ۂ": "ه", "أ": "ا", "إ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ی",
    **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian digits
    **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
}  # fmt: skip
# Harakat and other marks, the superscript alef, tatweel, and the zero-width non-joiner (so that
# "می‌شود" is indexed as "میشود"; "می شود" is joined by ``_SPLIT_PREFIX_RE``).
_SEARCH_DELETE = "".join(chr(c) for c in range(0x064B, 0x0653)) + "\u0670\u0640\u200c\u200d"
SEARCH_FOLD_FROM = "".join(_SEARCH_REPLACE) + _SEARCH_DELETE
SEARCH_FOLD_TO = "".join(_SEARCH_REPLACE.values())
_SEARCH_TABLE = str.maketrans(SEARCH_FOLD_FROM, SEARCH_FOLD_TO + "\0" * len(_SEARCH_DELETE))
# The verbal prefixes written apart ("می شود") are joined to their verb, as with the non-joiner.
SPLIT_PREFIX_PATTERN = r"(^|\s)(ن?می)\s+"
_SPLIT_PREFIX_RE = re.compile(SPLIT_PREFIX_PATTERN)


def fold_for_search(text: str) -> str:
    """What search compares: letter variants, digits, marks and the non-joiner folded."""
    folded = text.translate(_SEARCH_TABLE).replace("\0", "")
    return _SPLIT_PREFIX_RE.sub(r"\1\2", folded)


def solar_hijri_date(day: dt.date) -> str:
    """A Gregorian day as Dari and Pashto pages show it: "۱۲ جدی ۱۳۹۴" (persiantools converts)."""
    solar = JalaliDate(day)
    return persian_digits(f"{solar.day} {AFGHAN_MONTHS[solar.month - 1]} {solar.year}")


def readable_slug(text: str, max_length: int = 240) -> str:
    """A URL slug that keeps a title readable: ASCII for Latin text (as before), Unicode letters
    (Django's ``allow_unicode``) when the text has letters of another script. May be empty."""
    has_other_script = any(char.isalpha() and _script(char) != "latin" for char in text)
    if has_other_script:
        slug = slugify(ascii_digits(fold_letters(text)), allow_unicode=True)
    else:
        slug = slugify(text)
    return slug[:max_length].strip("-")
