"""Small helpers that build rows for tests, with sensible defaults and exact values."""

import datetime as dt
import itertools
import time
from pathlib import Path

from django.utils import timezone

from articles.comments.forms import form_token
from articles.importers.pipeline import import_path
from articles.models import Article, Author, Category, Comment, Footnote, Source

FIXTURES = Path(__file__).parent / "fixtures"
SEED_FILE = FIXTURES / "seedtext" / "seed.txt"
_counter = itertools.count(1)


def make_category(*names):
    return Category.get_or_create_path(names or ("Region",))


def make_author(name=None, **fields):
    author = Author(name=name or f"Author {next(_counter)}", **fields)
    author.save()
    return author


def make_source(key=None, **fields):
    n = next(_counter)
    fields.setdefault("title", f"A Work {n}")
    return Source.objects.create(key=key or f"work-{n}", **fields)


def make_article(title=None, *, status=Article.Status.PUBLISHED, category=None, authors=(), tags=(),
                 published=None, body="<p>Body text.</p>", footnotes=0, **fields):
    n = next(_counter)
    article = Article(
        title=title or f"Article {n}",
        status=status,
        published_at=published or timezone.make_aware(dt.datetime(2020, 1, 1)) + dt.timedelta(days=n),
        body=body,
        primary_category=category,
        **fields,
    )
    article.save()
    if category is not None:
        article.categories.add(category)
    if authors:
        article.set_authors(authors)
    if tags:
        article.tags.add(*tags)
    for number in range(1, footnotes + 1):
        Footnote.objects.create(article=article, number=number, text=f"Note {number}.")
    return article


def import_seed():
    """Import the seed article through the real importer; returns the Article."""
    result = import_path(SEED_FILE)
    assert not result.error, result.error
    assert result.items[0].outcome == "created", result.items[0]
    return Article.objects.get(pk=result.items[0].article_id)


def make_comment(article, *, status="approved", parent=None, name=None, email="reader@example.org",
                 body="A thoughtful comment.", submitted=None, **fields):
    n = next(_counter)
    return Comment.objects.create(
        article=article,
        parent=parent,
        name=name or f"Reader {n}",
        email=email,
        body=body,
        status=status,
        submitted_at=submitted or timezone.make_aware(dt.datetime(2021, 1, 1)) + dt.timedelta(minutes=n),
        **fields,
    )


def comment_form_data(article, *, seconds_ago=60, **fields):
    """What a reader's browser posts: the fields, plus a form token signed ``seconds_ago``."""
    data = {
        "name": "Ada Reader",
        "email": "ada@example.org",
        "website": "",
        "body": "Thank you for this analysis.",
        "parent": "",
        "homepage": "",
        "token": form_token(article, now=time.time() - seconds_ago),
    }
    data.update(fields)
    return data
