"""Benchmark of related posts: recompute one article, rebuild all, the page's related block.

Not a test. Run it standalone against a PostgreSQL database it may fill::

    .venv/bin/python -m tests.benchmarks.bench_related --articles 100000 \
        --database postgres://postgres@127.0.0.1:5432/archive_bench_related

``--populate`` (default when the database has fewer published articles than asked) empties the
database's articles and fills it with ``_populate_for_benchmark``. ``measure()`` works on any
already-populated database (e.g. one filled by ``manage.py generate_articles``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time


def _setup_django(database_url):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/archive_bench_related")
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        _create_postgres_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)  # for Django's DatabaseCache; a no-op otherwise


def _create_postgres_database(url):
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    admin = psycopg.connect(
        host=config.get("HOST") or "127.0.0.1",
        port=config.get("PORT") or 5432,
        user=config.get("USER") or "postgres",
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


# --------------------------------------------------------------------------------------------
# A local bulk generator, until ``manage.py generate_articles`` is merged
# --------------------------------------------------------------------------------------------

SYLLABLES = "ka ri mo ta ne li su ha po de ma zu ro fi ga te lo ba ni sa vu ke di om ar el us in".split()


def _pseudo_words(rng, count):
    words = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _populate_for_benchmark(n_articles, *, seed=1, stream=sys.stderr):
    """Fill the database with ``n_articles`` realistic published articles, in bulk (no signals).

    ~1,500-word bodies drawn from a 20,000-word vocabulary (Zipf-like: a few words everywhere, most
    rare) mixed with the words of one of 400 subjects; 0-6 tags of 300; 9 footnotes citing a pool of
    Sources; 1-2 of 150 authors; a 3-level category tree (6 × 4 × 3).
    """
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone
    from taggit.models import Tag

    from articles.models import Article, ArticleAuthor, Author, Category, Footnote, Source, TaggedArticle

    rng = random.Random(seed)
    started = time.monotonic()
    with transaction.atomic():
        # Raw deletes, children first: no per-row signals, so refilling 100,000 articles stays quick.
        from articles.models import (
            ArticleTerm,
            Comment,
            ImportRecord,
            RelatedArticle,
            RelatedExclusion,
            RelatedPin,
            TermFrequency,
        )

        for model in (RelatedArticle, RelatedPin, RelatedExclusion, ArticleTerm, TermFrequency,
                      TaggedArticle, Footnote, ArticleAuthor, Article.categories.through, ImportRecord, Comment,
                      Article, Tag, Source, Author):
            model.objects.all()._raw_delete(connection.alias)
        for depth in (2, 1, 0):
            Category.objects.filter(depth=depth)._raw_delete(connection.alias)

        leaves = []
        for r in range(6):
            root = Category.get_or_create_path([f"Region {r}"])
            for c in range(4):
                child = Category.get_or_create_path([root.name, f"Theme {r}.{c}"])
                for g in range(3):
                    leaves.append(Category.get_or_create_path([root.name, child.name, f"Topic {r}.{c}.{g}"]))
        authors = Author.objects.bulk_create(Author(name=f"Author {i}", slug=f"author-{i}") for i in range(150))
        tags = Tag.objects.bulk_create(Tag(name=f"tag {i}", slug=f"tag-{i}") for i in range(300))
        sources = Source.objects.bulk_create(
            Source(key=f"source-{i}", kind="report", authors=[f"Writer{i % 997}, A."], title=f"Work {i}",
                   year=1990 + i % 30)
            for i in range(max(2000, n_articles // 5))
        )
        vocabulary = _pseudo_words(rng, 20000)
        weights = [1.0 / (rank + 1) for rank in range(len(vocabulary))]
        cumulative = []
        total = 0.0
        for w in weights:
            total += w
            cumulative.append(total)
        subjects = [rng.sample(vocabulary[2000:], 40) for _ in range(400)]
        tag_weights = [1.0 / (i + 1) ** 0.8 for i in range(len(tags))]
        source_weights = [1.0 / (i + 1) ** 0.7 for i in range(len(sources))]
        epoch = timezone.make_aware(dt.datetime(2005, 1, 1))

        batch = 1000
        for start in range(0, n_articles, batch):
            rows = []
            plans = []
            for i in range(start, min(start + batch, n_articles)):
                subject = rng.randrange(len(subjects))
                words = rng.choices(vocabulary, cum_weights=cumulative, k=1200)
                words += rng.choices(subjects[subject], k=300)
                rng.shuffle(words)
                paragraphs = ["<p>" + " ".join(words[p : p + 100]) + ".</p>" for p in range(0, len(words), 100)]
                title = " ".join(rng.choices(subjects[subject], k=4) + rng.choices(vocabulary[:3000], k=3))
                category = leaves[(subject * 7 + rng.randrange(3)) % len(leaves)]
                rows.append(
                    Article(
                        title=title.capitalize(),
                        slug=f"bench-{i}",
                        status=Article.Status.PUBLISHED,
                        published_at=epoch + dt.timedelta(hours=i * 1.5),
                        body="".join(paragraphs),
                        primary_category=category,
                    )
                )
                plans.append((subject, category))
            created = Article.objects.bulk_create(rows)
            if not all(a.pk for a in created):
                created = list(Article.objects.filter(slug__in=[a.slug for a in rows]).order_by("pk"))
            through = Article.categories.through
            through.objects.bulk_create(
                through(article_id=a.pk, category_id=category.pk)
                for a, (_, category) in zip(created, plans, strict=True)
            )
            authorships, taggings, notes = [], [], []
            for a, (subject, _) in zip(created, plans, strict=True):
                for position, author in enumerate(rng.sample(authors[(subject % 50) * 3 : (subject % 50) * 3 + 3],
                                                             rng.randint(1, 2))):
                    authorships.append(ArticleAuthor.for_article(a, author_id=author.pk, position=position))
                for tag in {t.pk: t for t in rng.choices(tags, weights=tag_weights, k=rng.randint(0, 6))}.values():
                    taggings.append(TaggedArticle.for_article(a, tag_id=tag.pk))
                cited = rng.choices(sources, weights=source_weights, k=9)
                for number, source in enumerate(cited, start=1):
                    notes.append(Footnote(article_id=a.pk, number=number, text=str(source.title), kind="citation",
                                          source_id=source.pk))
            ArticleAuthor.objects.bulk_create(authorships)
            TaggedArticle.objects.bulk_create(taggings)
            Footnote.objects.bulk_create(notes)
            print(f"\r  populated {start + len(rows)}/{n_articles}", end="", file=stream, flush=True)
    print(file=stream)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.monotonic() - started


# --------------------------------------------------------------------------------------------
# Measurement
# --------------------------------------------------------------------------------------------


def _median_ms(fn, items):
    times = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def measure(*, samples=20, rebuild_all=True, stream=sys.stderr):
    """Time a full rebuild, recompute-one (median of ``samples`` articles) and the page's block."""
    from django.db import connection
    from django.template.loader import render_to_string

    from articles.models import Article, ArticleTerm, RelatedArticle
    from articles.related.engine import recompute
    from articles.related.links import related_shown
    from articles.related.rebuild import rebuild

    results = []
    articles = Article.objects.published().count()
    if rebuild_all:
        summary = rebuild(stream=stream)
        results.append(("full rebuild", f"{summary.seconds:.1f} s", str(summary)))
    rng = random.Random(7)
    ids = list(Article.objects.published().values_list("pk", flat=True))
    chosen = rng.sample(ids, min(samples, len(ids)))

    def save(pk):
        # What an editor's save costs: sanitize, re-index the terms, recompute the list and merge it
        # into the neighbours' lists (outside a transaction the commit callback runs at once).
        Article.objects.get(pk=pk).save()

    for label, fn in (
        ("save(): re-index + recompute one + neighbours", save),
        ("recompute one article + its neighbours", lambda pk: recompute(pk)),
        ("recompute one article alone", lambda pk: recompute(pk, neighbours=False)),
    ):
        median, worst = _median_ms(fn, chosen)
        results.append((label, f"{median:.1f} ms", f"median of {len(chosen)}, max {worst:.1f} ms"))

    page_ids = rng.sample(ids, min(200, len(ids)))
    pages = {pk: Article.objects.get(pk=pk) for pk in page_ids}

    def block(pk):
        article = pages[pk]
        article.__dict__.pop("_related_shown", None)  # the query again, as each page's render runs it
        render_to_string("includes/related_posts.html", {"article": article, "related_posts": related_shown(article)})

    block(page_ids[0])  # template compiled once, as in a running server
    median, worst = _median_ms(block, page_ids)
    results.append(
        ("page: related block (query + render)", f"{median:.2f} ms", f"median of {len(page_ids)}, max {worst:.2f} ms")
    )

    print(f"\nRelated posts on {connection.vendor}, {articles} published articles, "
          f"{ArticleTerm.objects.count()} indexed terms, {RelatedArticle.objects.count()} links")
    width = max(len(r[0]) for r in results)
    for name, value, note in results:
        print(f"  {name:<{width}}  {value:>10}  {note}")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="how many articles (default 2000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default="", help="DATABASE_URL (default: PostgreSQL archive_bench_related)")
    parser.add_argument("--populate", action="store_true", help="refill even when enough articles exist")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--no-rebuild", action="store_true", help="skip the full rebuild (lists must exist)")
    args = parser.parse_args(argv)
    _setup_django(args.database)
    from articles.models import Article

    if args.populate or Article.objects.published().count() < args.articles:
        seconds = _populate_for_benchmark(args.articles, seed=args.seed)
        print(f"populated {args.articles} articles in {seconds:.0f} s", file=sys.stderr)
    measure(samples=args.samples, rebuild_all=not args.no_rebuild)


if __name__ == "__main__":
    main()
