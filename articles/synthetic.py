"""Deterministic synthetic articles shaped like the seed, for benchmarks and load tests.

Pure: no database. ``SyntheticArchive(seed)`` describes the shared rows (a three-level category
tree, authors, a pool of sources, a tag vocabulary) and ``article(i)`` returns the i-th article as
plain data. The same seed and index always give the same article, whatever else was generated.

The body HTML is built from a closed vocabulary and fixed markup, so it is already what
``articles.sanitize.clean_html`` would return (a test holds it to that): the bulk writer stores it
as-is instead of sanitizing every body one by one.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field

from articles.sanitize import LINK_REL

PARAGRAPHS = 12
HEADINGS = 3
FOOTNOTES = 9
WORDS_PER_ARTICLE = 1500
MAX_TAGS = 6
TAG_VOCABULARY = 300
SOURCE_POOL = 2000
AUTHORS = 40
# Roots × children × grandchildren: 6 × 4 × 3 = 72 leaves, 102 categories in all.
CATEGORY_SHAPE = (6, 4, 3)
# The pages whose cost grows with one row's share of the archive, at 100,000 articles: one author on
# about 5,000 articles (every author's natural share is about 4,200) and one source cited by about
# 10,000 notes (a pool source's share is about 450).
LEAD_AUTHOR_EVERY = 120
CITED_SOURCE_EVERY = 90
# A word outside the vocabulary in one title in a thousand: a selective search (every vocabulary word
# is in nearly every article).
RARE_WORD = "Wakhan"
RARE_WORD_EVERY = 1000
COMMENTED_SHARE = 0.3
DRAFT_SHARE = 0.02
FIRST_DATE = dt.datetime(2000, 1, 1, 8, 0, tzinfo=dt.UTC)
DATE_SPAN_DAYS = 25 * 365

# A closed vocabulary of plain ASCII words: nothing in a generated body needs escaping.
_WORDS = (
    "the of and to in a is that for on with as by was at from this be are which it an or has have "
    "government province security district council election ministry policy reform border trade "
    "agreement talks negotiation peace process conflict region neighbour relations strategy report "
    "analysis economy budget revenue investment water energy agriculture drought harvest market "
    "refugees migration return displacement education school university health clinic hospital "
    "women youth rights justice court law constitution parliament assembly commission committee "
    "president minister governor envoy delegation embassy cooperation assistance donor programme "
    "project infrastructure road railway corridor pipeline transit customs tariff currency inflation "
    "employment labour industry mining resources opium narcotics smuggling insurgency militia army "
    "police training transition withdrawal mission coalition alliance summit conference declaration "
    "statement interview survey data figures estimate percent million thousand year month week "
    "recent previous current future long short term local national regional international public "
    "private political economic social cultural religious ethnic tribal urban rural northern "
    "southern eastern western central major minor important significant serious limited growing "
    "declining stable fragile effective weak strong new old first last several many few most "
    "however therefore moreover although because while since after before during despite among "
    "between within without across toward against through under over about around would could "
    "should might must will can may also only still even already often rarely generally largely"
).split()
_CAPITALISED = [w.capitalize() for w in _WORDS]
_GIVEN = "Ahmad Farida Nasir Laila Omar Zahra Karim Mina Rahim Sara Yusuf Nadia Hamid Parwin Tariq".split()
_FAMILY = "Rahimi Karimi Ahmadzai Barakzai Hashimi Noori Sadat Wardak Popal Amiri Haidari Stanekzai".split()
_CATEGORY_WORDS = (
    "Afghanistan Pakistan Iran Central-Asia Region Global Politics Economy Security Society Culture "
    "Diplomacy Elections Reform Trade Energy Water Health Education Migration Justice Media Rights "
    "Insurgency Peace Development Aid Agriculture Governance Parliament Provinces"
).split()
_PUBLISHERS = ("Centre for Strategic Studies", "Kabul University Press", "Regional Policy Institute",
               "Oxford University Press", "The Analysts Network", "Ministry of Economy")  # fmt: skip


@dataclass(frozen=True)
class SyntheticCategory:
    names: tuple[str, ...]  # root first

    @property
    def key(self) -> str:
        return "/".join(self.names)


@dataclass(frozen=True)
class SyntheticSource:
    key: str
    kind: str
    authors: tuple[str, ...]
    title: str
    publisher: str
    year: int


@dataclass(frozen=True)
class SyntheticFootnote:
    number: int
    text: str
    kind: str
    source_index: int | None
    locator: str
    url: str


@dataclass(frozen=True)
class SyntheticComment:
    name: str
    email: str
    body: str
    status: str
    submitted_at: dt.datetime


@dataclass(frozen=True)
class SyntheticArticle:
    index: int
    import_key: str
    slug: str
    title: str
    status: str
    published_at: dt.datetime
    summary: str
    body: str
    category_index: int  # into SyntheticArchive.leaf_categories
    author_indexes: tuple[int, ...]
    tag_indexes: tuple[int, ...]
    footnotes: tuple[SyntheticFootnote, ...]
    comments: tuple[SyntheticComment, ...] = field(default=())

    @property
    def word_count(self) -> int:
        return len(re.sub(r"<[^>]+>", " ", self.body).split())


class SyntheticArchive:
    """Everything generated for one seed; shared rows are computed once, articles on demand."""

    def __init__(self, seed: int = 0):
        self.seed = seed
        rng = random.Random(f"archive:{seed}")
        self.categories = self._categories(rng)
        self.leaf_categories = [c for c in self.categories if len(c.names) == len(CATEGORY_SHAPE)]
        self.authors = self._authors(rng)
        self.tags = self._tags(rng)
        self.sources = [self._source(rng, n) for n in range(SOURCE_POOL)]

    # -- shared rows ----------------------------------------------------------------------------
    @staticmethod
    def _categories(rng):
        words = list(_CATEGORY_WORDS)
        rng.shuffle(words)
        out = []
        roots, children, grandchildren = CATEGORY_SHAPE
        for r in range(roots):
            root = (words[r].replace("-", " "),)
            out.append(SyntheticCategory(root))
            for c in range(children):
                child = root + (words[(roots + r * children + c) % len(words)],)
                out.append(SyntheticCategory(child))
                for g in range(grandchildren):
                    topic = _CAPITALISED[40 + (r * 31 + c * 7 + g * 3) % (len(_WORDS) - 40)]
                    out.append(SyntheticCategory(child + (f"{topic} {g + 1}",)))
        return out

    @staticmethod
    def _authors(rng):
        names = []
        for n in range(AUTHORS):
            names.append(f"{_GIVEN[n % len(_GIVEN)]} {_FAMILY[(n * 5 + n // len(_GIVEN)) % len(_FAMILY)]} {n + 1}")
        return names

    @staticmethod
    def _tags(rng):
        tags, seen = [], set()
        while len(tags) < TAG_VOCABULARY:
            tag = " ".join(rng.sample(_WORDS[40:], 2))
            if tag not in seen:
                seen.add(tag)
                tags.append(tag)
        return tags

    @staticmethod
    def _source(rng, n):
        who = (f"{rng.choice(_FAMILY)}, {rng.choice(_GIVEN)}",)
        title = " ".join(rng.choice(_CAPITALISED[40:]) for _ in range(rng.randint(3, 7)))
        return SyntheticSource(
            key=f"synthetic-source-{n}",
            kind=rng.choice(("book", "report", "article", "web")),
            authors=who,
            title=title,
            publisher=rng.choice(_PUBLISHERS),
            year=rng.randint(1970, 2024),
        )

    # -- articles -------------------------------------------------------------------------------
    def article(self, index: int) -> SyntheticArticle:
        rng = random.Random(f"article:{self.seed}:{index}")
        title_words = [rng.choice(_WORDS[40:]) for _ in range(rng.randint(5, 10))]
        title = " ".join([title_words[0].capitalize(), *title_words[1:]])
        if index % RARE_WORD_EVERY == RARE_WORD_EVERY // 2:
            title += f" in {RARE_WORD}"
        slug = "-".join(title_words[:6]) + f"-{self.seed}-{index}"
        published_at = FIRST_DATE + dt.timedelta(
            days=(index * 9973 + self.seed) % DATE_SPAN_DAYS, minutes=rng.randrange(600)
        )
        body, summary = self._body(rng)
        footnotes = tuple(self._footnote(rng, n, index) for n in range(1, FOOTNOTES + 1))
        n_authors = rng.choice((1, 1, 1, 2, 2, 3))
        authors = tuple(rng.sample(range(AUTHORS), n_authors))
        if index % LEAD_AUTHOR_EVERY == 0 and 0 not in authors:
            authors += (0,)
        tags = tuple(sorted(rng.sample(range(TAG_VOCABULARY), rng.randint(0, MAX_TAGS))))
        comments = ()
        if rng.random() < COMMENTED_SHARE:
            comments = tuple(self._comment(rng, published_at, c) for c in range(rng.randint(1, 5)))
        return SyntheticArticle(
            index=index,
            import_key=f"synthetic:{self.seed}:{index}",
            slug=slug,
            title=title,
            status="draft" if rng.random() < DRAFT_SHARE else "published",
            published_at=published_at,
            summary=summary,
            body=body,
            category_index=rng.randrange(len(self.leaf_categories)),
            author_indexes=authors,
            tag_indexes=tags,
            footnotes=footnotes,
            comments=comments,
        )

    @staticmethod
    def _sentence(rng, words):
        chosen = rng.choices(_WORDS, k=words)
        chosen[0] = chosen[0].capitalize()
        return " ".join(chosen) + "."

    def _body(self, rng):
        per_paragraph = WORDS_PER_ARTICLE // PARAGRAPHS
        # Headings before paragraphs 3, 6 and 9; footnote refs spread over paragraphs 1-11.
        heading_before = {3, 6, 9}
        note_after = {p: [] for p in range(PARAGRAPHS)}
        for number in range(1, FOOTNOTES + 1):
            note_after[1 + (number - 1) * (PARAGRAPHS - 2) // FOOTNOTES].append(number)
        parts, summary = [], ""
        for p in range(PARAGRAPHS):
            if p in heading_before:
                heading = " ".join(rng.choice(_WORDS[40:]) for _ in range(rng.randint(3, 6)))
                parts.append(f"<h2>{heading.capitalize()}</h2>")
            sentences, words = [], 0
            while words < per_paragraph:
                n = rng.randint(12, 28)
                sentences.append(self._sentence(rng, n))
                words += n
            if p == 0:
                summary = sentences[0]
            text = " ".join(sentences)
            refs = "".join(_footnote_ref(n) for n in note_after[p])
            parts.append(f"<p>{text}{refs}</p>")
        return "\n".join(parts), summary

    def _footnote(self, rng, number, index):
        source_index = rng.randrange(SOURCE_POOL)
        if (index * FOOTNOTES + number) % CITED_SOURCE_EVERY == 0:
            source_index = 0  # drawn all the same: the rest of the article stays as it was
        source = self.sources[source_index]
        locator = f"p. {rng.randint(1, 400)}"
        if number % 4 == 0:
            url = f"https://example.org/reports/{source.key}"
            return SyntheticFootnote(number, f"See {source.title}, {url}", "link", source_index, "", url)
        text = f"{'; '.join(source.authors)}, {source.title}, {source.publisher}, {source.year}, {locator}."
        return SyntheticFootnote(number, text, "citation", source_index, locator, "")

    @staticmethod
    def _comment(rng, published_at, n):
        given = rng.choice(_GIVEN)
        return SyntheticComment(
            name=f"{given} {rng.choice(_FAMILY)}",
            email=f"{given.lower()}{n}@example.org",
            body=" ".join(rng.choices(_WORDS, k=rng.randint(15, 60))).capitalize() + ".",
            status="pending" if rng.random() < 0.1 else "approved",
            submitted_at=published_at + dt.timedelta(hours=rng.randint(1, 24 * 60)),
        )


def _footnote_ref(number: int) -> str:
    # With the rel clean_html gives every link, so the stored body is exactly the sanitized form.
    return (
        f'<sup class="footnote-ref" id="fnref-{number}">'
        f'<a href="#fn-{number}" aria-describedby="footnotes-label" rel="{LINK_REL}">{number}</a></sup>'
    )


def seed_format_text(article: SyntheticArticle, archive: SyntheticArchive) -> str:
    """The article as a seed-format text file (breadcrumb, title, date, paragraphs with [n] refs)."""
    category = archive.leaf_categories[article.category_index]
    body = re.sub(r'<sup class="footnote-ref"[^>]*><a [^>]*>(\d+)</a></sup>', r"[\1]", article.body)
    blocks = [re.sub(r"</?(?:p|h2)>", "", block) for block in body.split("\n")]
    notes = [f"[{note.number}] {note.text}" for note in article.footnotes]
    date = f"{article.published_at:%B} {article.published_at.day}, {article.published_at.year}"
    return "\n\n".join([" » ".join(category.names), article.title, f"Published Date: {date}", *blocks, *notes]) + "\n"
