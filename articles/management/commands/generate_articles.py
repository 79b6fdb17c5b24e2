"""`manage.py generate_articles N --seed S`: synthetic articles for benchmarks, written in bulk."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.utils.text import slugify
from taggit.models import Tag

from articles.models import Article, ArticleAuthor, Author, Category, Comment, Footnote, Source, TaggedArticle
from articles.pages.cache import invalidate_listings
from articles.progress import progress
from articles.search import refresh_search_vectors
from articles.synthetic import SyntheticArchive


class Command(BaseCommand):
    help = (
        "Write N deterministic synthetic articles (shaped like the seed: ~1,500 words, 9 footnotes, "
        "tags, categories, authors, comments) with bulk inserts. Running it again with the same seed "
        "adds only the articles that are missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="How many articles (e.g. 100000).")
        parser.add_argument("--seed", type=int, default=0, help="Same seed, same articles (default 0).")
        parser.add_argument("--batch-size", type=int, default=500, help="Articles per transaction.")

    def handle(self, *args, count, seed, batch_size, **options):
        if count < 0:
            raise CommandError("N must be 0 or more: the number of articles to generate.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.monotonic()
        summary = generate(count, seed=seed, batch_size=batch_size, stream=self.stderr)
        elapsed = time.monotonic() - started
        rate = summary["created"] / elapsed if elapsed else 0.0
        self.stdout.write(
            f"Generated {summary['created']} articles (seed {seed}; {summary['skipped']} already present), "
            f"{summary['footnotes']} footnotes, {summary['comments']} comments in {elapsed:.1f}s "
            f"({rate:.0f} articles/s)."
        )


def generate(count, *, seed=0, batch_size=500, stream=None):
    """Write articles 0..count-1 of ``seed`` that are not there yet; returns counts."""
    archive = SyntheticArchive(seed)
    shared = _shared_rows(archive)
    totals = {"created": 0, "skipped": 0, "footnotes": 0, "comments": 0}
    batches = range(0, count, batch_size)
    for start in progress(batches, desc="Generating", unit="batch", stream=stream):
        stop = min(start + batch_size, count)
        _write_batch(archive, shared, start, stop, totals)
        reset_queries()  # with DEBUG on, Django keeps every query's SQL: let each batch's go
    if connection.vendor == "postgresql" and totals["created"]:
        # Fresh statistics, or the planner keeps the estimates of the empty tables it saw before; VACUUM
        # also sets the visibility map that lets counts use index-only scans (not possible in a transaction).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    # Bulk inserts send no signals: whatever pages were cached before show none of this.
    invalidate_listings()
    return totals


def _shared_rows(archive):
    """Categories, authors, sources and tags, created once and reused by every article."""
    return {
        "categories": [c.pk for c in _leaf_categories(archive)],
        "authors": _author_ids(archive),
        "sources": _source_ids(archive),
        "tags": _tag_ids(archive),
    }


def _leaf_categories(archive) -> list[Category]:
    """The archive's category tree, found or made level by level; its leaves, in the archive's order."""
    categories = {}
    for synthetic in archive.categories:
        parent = categories.get(synthetic.key.rsplit("/", 1)[0]) if len(synthetic.names) > 1 else None
        slug = slugify(synthetic.names[-1])
        node = Category.objects.filter(parent=parent, slug=slug).first()
        if node is None:
            node = Category(parent=parent, name=synthetic.names[-1], slug=slug)
            node.save()
        categories[synthetic.key] = node
    return [categories[c.key] for c in archive.leaf_categories]


def _author_ids(archive) -> list[int]:
    authors = []
    for name in archive.authors:
        slug = slugify(name)
        author = Author.objects.filter(slug=slug).first()
        if author is None:
            author = Author(name=name, slug=slug)
            author.save()
        authors.append(author.pk)
    return authors


def _source_ids(archive) -> list[int]:
    source_keys = [s.key for s in archive.sources]
    existing = set(Source.objects.filter(key__in=source_keys).values_list("key", flat=True))
    Source.objects.bulk_create(
        [
            Source(key=s.key, kind=s.kind, authors=list(s.authors), title=s.title, publisher=s.publisher, year=s.year)
            for s in archive.sources
            if s.key not in existing
        ],
        batch_size=1000,
    )
    source_ids = dict(Source.objects.filter(key__in=source_keys).values_list("key", "pk"))
    return [source_ids[key] for key in source_keys]


def _tag_ids(archive) -> list[int]:
    tag_slugs = {name: slugify(name) for name in archive.tags}
    existing = set(Tag.objects.filter(name__in=archive.tags).values_list("name", flat=True))
    Tag.objects.bulk_create(
        [Tag(name=name, slug=tag_slugs[name]) for name in archive.tags if name not in existing], batch_size=1000
    )
    tag_ids = dict(Tag.objects.filter(name__in=archive.tags).values_list("name", "pk"))
    return [tag_ids[name] for name in archive.tags]


@transaction.atomic
def _write_batch(archive, shared, start, stop, totals):
    items = _missing_articles(archive, start, stop, totals)
    if not items:
        return
    # The generated body is already in clean_html's output form (see articles/synthetic.py), so the
    # rows are built directly: Article.save() would sanitize each one again.
    rows = Article.objects.bulk_create(
        [
            Article(
                title=a.title,
                slug=a.slug,
                status=a.status,
                published_at=a.published_at,
                summary=a.summary,
                body=a.body,
                primary_category_id=shared["categories"][a.category_index],
                import_key=a.import_key,
            )
            for a in items
        ]
    )
    ArticleCategory = Article.categories.through
    links, authors, tagged, notes, comments = [], [], [], [], []
    for a, row in zip(items, rows, strict=True):
        links.append(ArticleCategory(article_id=row.pk, category_id=shared["categories"][a.category_index]))
        authors.extend(
            ArticleAuthor.for_article(row, author_id=shared["authors"][n], position=p)
            for p, n in enumerate(a.author_indexes)
        )
        tagged.extend(
            TaggedArticle.for_article(row, tag_id=shared["tags"][t]) for t in a.tag_indexes
        )
        notes.extend(_footnote_rows(a, row.pk, shared))
        comments.extend(_comment_rows(a, row.pk))
    ArticleCategory.objects.bulk_create(links)
    ArticleAuthor.objects.bulk_create(authors)
    TaggedArticle.objects.bulk_create(tagged)
    Footnote.objects.bulk_create(notes)
    Comment.objects.bulk_create(comments)
    # Bulk-inserted (no signals): their search vectors in one UPDATE.
    refresh_search_vectors([row.pk for row in rows])
    totals["created"] += len(rows)
    totals["footnotes"] += len(notes)
    totals["comments"] += len(comments)


def _missing_articles(archive, start, stop, totals) -> list:
    """Articles ``start``..``stop - 1`` of the archive not written yet (those present are counted as skipped)."""
    items = [archive.article(i) for i in range(start, stop)]
    present = set(
        Article.objects.filter(import_key__in=[a.import_key for a in items]).values_list("import_key", flat=True)
    )
    totals["skipped"] += len(present)
    return [a for a in items if a.import_key not in present]


def _footnote_rows(article, article_id, shared) -> list[Footnote]:
    return [
        Footnote(
            article_id=article_id,
            number=f.number,
            text=f.text,
            kind=f.kind,
            source_id=shared["sources"][f.source_index] if f.source_index is not None else None,
            locator=f.locator,
            url=f.url,
        )
        for f in article.footnotes
    ]


def _comment_rows(article, article_id) -> list[Comment]:
    return [
        Comment(
            article_id=article_id,
            name=c.name,
            email=c.email,
            body=c.body,
            status=c.status,
            submitted_at=c.submitted_at,
        )
        for c in article.comments
    ]
