"""An article's card in the lists, rendered when the article is written, not when a list is read.

Home, category, tag, author, source, date archive and search pages show each article as a card
(``includes/article_card.html``: category, title, date, byline, summary; a search shows an excerpt
in place of the summary, ``with_text``). A card is the same on
every list in a given interface language, so it is rendered for each of ``settings.LANGUAGES`` by the
task that renders the article's page (``rendering``), or on its own (``refresh``) when only what a
card shows changed, and stored beside the page (``ArticleRendering.cards``). A list page reads its
language's cards in the query that lists the articles (``Article.objects.for_cards``) and emits
them as they are (``attach``): one variable a card instead of two templates.

Never stale, as the stored page is not: every write that changes what a card shows (the article,
its byline, an author's or a category's name or address) empties the cards in the writing
transaction (``rendering.invalidate``) and they are rendered again once it commits; the generation
guards against a rendering begun before such a write. A card missing, emptied or made from other
templates, translations or settings (``digest``) is rendered live, exactly as it would be stored.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.db.models import prefetch_related_objects
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from articles.i18n import catalogues_digest
from articles.models import Article, ArticleRendering
from articles.models.article import byline_prefetch

CARD_TEMPLATE = "includes/article_card.html"
# Around a card's text (its summary): a search result is the card with its excerpt there instead.
TEXT_START, TEXT_END = "<!--archive:card-text-->", "<!--/archive:card-text-->"
TEMPLATES = (CARD_TEMPLATE, "includes/article_meta.html")
# Raise when the Python that shapes a card changes (the date and digit filters, addresses, full_name).
FORMAT_VERSION = "1"
BATCH = 500


def languages() -> list[str]:
    """The interface languages a card is stored in."""
    return [code for code, _ in settings.LANGUAGES]


@lru_cache(maxsize=1)
def digest() -> str:
    parts = [FORMAT_VERSION, settings.TIME_ZONE, *languages()]
    for code in languages():  # each language's prefix and the script prefix, in every address
        with translation.override(code):
            parts.append(reverse("articles:home"))
    parts += [loader.get_template(name).template.source for name in TEMPLATES]
    # The separators and month names of the byline and dates are the catalogues'.
    parts.append(catalogues_digest())
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def render(article) -> dict[str, str]:
    """The cards of ``article`` (its primary category and byline loaded), {language: HTML}."""
    template = loader.get_template(CARD_TEMPLATE)
    cards = {}
    for code in languages():
        with translation.override(code):
            cards[code] = template.render({"article": article})
    return cards


def attach(articles) -> None:
    """Give each article of a list page (fetched with ``for_cards(language, digest())``) its
    ``card``: the stored one when current, else rendered now in the active language (their
    categories and bylines read then, a query each)."""
    live = []
    for article in articles:
        stored = getattr(article, "stored_card", None)
        if stored:
            article.card = mark_safe(stored)  # noqa: S308  (rendered from our templates, escaped there)
        else:
            live.append(article)
    if live:
        prefetch_related_objects(live, "primary_category", byline_prefetch())
        template = loader.get_template(CARD_TEMPLATE)
        for article in live:
            article.card = template.render({"article": article})


def with_text(card, text):
    """``card`` (from ``attach``) with ``text`` (HTML) in place of its own, as a search shows it."""
    before, _, rest = card.partition(TEXT_START)
    _, _, after = rest.partition(TEXT_END)
    return mark_safe("".join((before, TEXT_START, text, TEXT_END, after)))  # noqa: S308  (both escaped)


# -- writing ---------------------------------------------------------------------------------------
def json_value(placeholder="%s") -> str:
    """A placeholder for a JSON column's text in raw SQL (PostgreSQL reads it as jsonb only when told)."""
    return f"{placeholder}::jsonb" if connection.vendor == "postgresql" else placeholder


def refresh(article_ids) -> int:
    """Render and store the cards of these articles alone (their pages are left as they are): after
    a write that changes a card but no page's other parts. Returns how many were stored."""
    ids = sorted(set(article_ids))
    stored = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        generations = dict(
            ArticleRendering.objects.filter(article_id__in=chunk).values_list("article_id", "generation")
        )
        rows = [(article.pk, generations.get(article.pk), render(article))
                for article in Article.objects.for_listing().filter(pk__in=chunk)]
        with transaction.atomic():
            stored += store_many(rows)
    return stored


def store_many(rows) -> int:
    """Store (article id, generation read before rendering, cards) rows: over rows still at that
    generation, or as a new row (an empty page, rendered by its own task or reader) where there was
    none and none has been made since."""
    table = connection.ops.quote_name(ArticleRendering._meta.db_table)
    updates = [row for row in rows if row[1] is not None]
    inserts = [row for row in rows if row[1] is None]
    stored = 0
    with connection.cursor() as cursor:
        if updates:
            values = ", ".join(["(%s, %s, %s)"] * len(updates))
            cursor.execute(
                f"UPDATE {table} SET cards = {json_value('v.column3')}, cards_digest = %s FROM (VALUES {values}) AS v "
                f"WHERE {table}.article_id = v.column1 AND {table}.generation = v.column2",
                [digest()] + [value for pk, generation, cards in updates for value in (pk, generation, _json(cards))],
            )
            stored += cursor.rowcount
        if inserts:
            values = ", ".join([f"(%s, 0, '', '', '', %s, '', {json_value()}, %s)"] * len(inserts))
            cursor.execute(
                f"INSERT INTO {table} (article_id, generation, page_html, comments_html, section_html, comments_open, "
                f"digest, cards, cards_digest) VALUES {values} ON CONFLICT (article_id) DO NOTHING",
                [value for pk, _, cards in inserts for value in (pk, False, _json(cards), digest())],
            )
            stored += cursor.rowcount
    return stored


def _json(cards) -> str:
    return json.dumps(cards, ensure_ascii=False)


def stale_ids(queryset):
    """Ids of these articles whose stored cards are missing or stale, in id order."""
    current = ArticleRendering.objects.filter(cards_digest=digest())
    return queryset.exclude(pk__in=current.values("article_id")).order_by("pk").values_list("pk", flat=True)

