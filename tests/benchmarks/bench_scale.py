"""Pages at two sizes of archive: a large archive copied from a generated one, and wrk over both.

Generating 1,000,000 articles takes hours (``generate_articles`` writes ~150 a second here); copying a
generated 100,000 ten times over in SQL takes minutes, and gives the shape a larger archive of the
same site has: each article's copies share its categories, authors, tags and sources (ten times as
many articles each), its date (a second apart), its text and search vectors, and its stored cards;
the copies' pages are stored at their first read (the pages step warms every page it drives).

    python -m tests.benchmarks.bench_scale copy bench100k bench1m --copies 10
    python -m tests.benchmarks.bench_scale pages bench100k bench1m --rounds 2

``copy`` makes the database TARGET from SOURCE (created as a template copy; SOURCE must have no
other connection). ``pages`` serves each database in turn with gunicorn (2 workers, page cache
off) and drives every page type of ``run.endpoints`` with wrk, rounds alternating the order, and
prints p50, p99 (ms) and requests/s per page and database. Environment: BENCH_PG (server URL),
BENCH_SECONDS, BENCH_CONNECTIONS, CACHE_URL (Redis, each archive under a key prefix of its own).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import uuid

import psycopg

from tests.benchmarks import run

# Rows copied with each article: (table, column holding the article id, the other columns copied,
# whether the row carries its article's listing key: then its date moves with the copy's).
# A note's "ibid." link (refers_to) is left out: it names another note's id, not an article's.
FOLLOWERS = [
    ("articles_article_categories", "article_id", "category_id", False),
    ("articles_articleauthor", "article_id", "position, author_id, status", True),
    ("articles_taggedarticle", "content_object_id", "tag_id, status", True),
    ("articles_footnote", "article_id",
     "number, text, kind, prefix, locator, url, url_missing, source_id, found_url, found_where", False),
]
ARTICLE_COLUMNS = ("title, status, summary, body, comments_open, sticky, original_url, import_hash, created_at, "
                   "updated_at, primary_category_id, search_vector, search_head, language, edited_at, "
                   "status_before_trash, trashed_at")
SEARCH_INDEXES = {"article_search_idx": "search_vector", "article_search_head_idx": "search_head"}


def copy_archive(source, target, copies):
    started = time.monotonic()
    with psycopg.connect(f"{run.PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
        admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    with psycopg.connect(f"{run.PG_SERVER}/{target}", autocommit=True) as db:
        last = db.execute("SELECT max(id) FROM articles_article").fetchone()[0]
        # Copy k's ids are k * last + the original's: as dense as the original's, as a real archive's
        # are (a power of ten above ``last`` left nine ids in ten unused at 1,000,000, and the
        # article sitemap, paged by id ranges, listed nine times its pages, most of them empty).
        step = last
        for name in SEARCH_INDEXES:  # built once at the end: far quicker than a million inserts into GIN
            db.execute(f"DROP INDEX {name}")
        for k in range(1, copies):
            with db.transaction():
                _copy_once(db, k, step, last)
            run.log(f"copy {k} of {copies - 1} done in {time.monotonic() - started:.0f} s")
        for table in ("articles_article", "articles_article_categories", "articles_articleauthor",
                      "articles_taggedarticle", "articles_footnote"):
            db.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        db.execute("DELETE FROM archive_cache")  # lists kept for the smaller archive
        db.execute("SET maintenance_work_mem = '1GB'")
        for name, column in SEARCH_INDEXES.items():
            db.execute(f"CREATE INDEX {name} ON articles_article USING gin ({column})")
        db.execute("VACUUM ANALYZE")
        total = db.execute("SELECT count(*) FROM articles_article").fetchone()[0]
    run.log(f"{target}: {total:,} articles in {time.monotonic() - started:.0f} s")


def _copy_once(db, k, step, last):
    offset = k * step
    db.execute(
        f"INSERT INTO articles_article (id, slug, published_at, import_key, import_guid, {ARTICLE_COLUMNS}) "
        f"SELECT id + %s, slug || %s, published_at + make_interval(secs => %s), import_key || %s, "
        f"import_guid || %s, {ARTICLE_COLUMNS} FROM articles_article WHERE id <= %s",
        [offset, f"-{k}", k, f"#{k}", f"#{k}", last],
    )
    for table, article, columns, keyed in FOLLOWERS:
        if keyed:  # the copy's date, a second apart as the article's
            db.execute(f"INSERT INTO {table} ({article}, {columns}, published_at) SELECT {article} + %s, {columns}, "
                       f"published_at + make_interval(secs => %s) FROM {table} WHERE {article} <= %s",
                       [offset, k, last])
        else:
            db.execute(f"INSERT INTO {table} ({article}, {columns}) SELECT {article} + %s, {columns} FROM {table} "
                       f"WHERE {article} <= %s", [offset, last])
    # The cards as stored (the lists read them); the page itself is rendered at its first read.
    db.execute(
        "INSERT INTO articles_articlerendering (article_id, generation, page_html, comments_html, section_html, "
        "comments_open, digest, cards, cards_digest, rendered_at) SELECT article_id + %s, 1, '', '', '', "
        "comments_open, '', cards, cards_digest, rendered_at FROM articles_articlerendering WHERE article_id <= %s",
        [offset, last],
    )


def page_paths(database):
    """{page: [paths]} of ``run.endpoints`` on ``database``, asked of a process set up for it."""
    env = run.server_env(DATABASE_URL=f"{run.PG_SERVER}/{database}")
    code = ("import json, os; from tests.benchmarks import run; "
            "run.setup_django(run.server_env(DATABASE_URL=os.environ['DATABASE_URL'])); "
            "print(json.dumps(run.endpoints()[0]))")
    out = subprocess.run([run.PYTHON, "-c", code], env=env, cwd=run.ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def drive_pages(databases, rounds, only):
    # The pages link the stylesheets by their hashed names: without the manifest each answers 500.
    run.manage("collectstatic", "--noinput", "-v0", env=run.server_env())
    paths = {database: page_paths(database) for database in databases}
    # Each archive's kept lists apart from the other's, and forgotten afterwards, as ``run`` does.
    prefixes = {database: f"scale-{uuid.uuid4().hex[:12]}" for database in databases}
    try:
        results = _drive(databases, rounds, only, paths, prefixes)
    finally:
        for prefix in prefixes.values():
            run.forget_cache(run.cache_url(), prefix)
    _print_table(databases, results)


def _drive(databases, rounds, only, paths, prefixes):
    results = {}
    for n in range(rounds):
        for database in databases if n % 2 == 0 else list(reversed(databases)):
            env = run.server_env(DATABASE_URL=f"{run.PG_SERVER}/{database}", ARCHIVE_PAGE_CACHE="0",
                                 CACHE_URL=run.cache_url(), CACHE_KEY_PREFIX=prefixes[database])
            with run.gunicorn(env) as base:
                for page, page_list in paths[database].items():
                    if only and page not in only:
                        continue
                    run.prewarm(base, page_list * 2)
                    measured = run.drive(base, page_list, run.SECONDS)
                    if measured["non_2xx"]:
                        raise SystemExit(f"{page} on {database}: {measured['non_2xx']} answers were errors "
                                         f"(4xx or 5xx), so its times are not a page's. Ask {base}{page_list[0]} "
                                         "and read the server's log.")
                    results.setdefault(page, {}).setdefault(database, []).append(measured)
                    run.log(f"round {n + 1} {database} {page}: p50 {measured['p50_ms']} ms, "
                            f"p99 {measured['p99_ms']} ms, {measured['rps']} req/s, non-2xx {measured['non_2xx']}")
    return results


def _print_table(databases, results):
    print(f"\n| page | {' | '.join(f'{d} p50 / p99 ms, req/s' for d in databases)} |")
    print(f"|---|{'---|' * len(databases)}")
    for page, by_database in results.items():
        cells = []
        for database in databases:
            runs = by_database.get(database, [])
            p50 = " / ".join(f"{r['p50_ms']:.1f}" for r in runs)
            cells.append(f"{p50}; p99 {statistics.median(r['p99_ms'] for r in runs):.1f}; "
                         f"{statistics.median(r['rps'] for r in runs):.0f}/s")
        print(f"| {page} | {' | '.join(cells)} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    steps = parser.add_subparsers(dest="step", required=True)
    copy = steps.add_parser("copy", help="make TARGET: SOURCE's articles, each COPIES times")
    copy.add_argument("source")
    copy.add_argument("target")
    copy.add_argument("--copies", type=int, default=10)
    pages = steps.add_parser("pages", help="wrk over every page type of each database")
    pages.add_argument("databases", nargs="+")
    pages.add_argument("--rounds", type=int, default=2)
    pages.add_argument("--only", default="", help="page names, comma-separated (default: all)")
    options = parser.parse_args()
    if options.step == "copy":
        copy_archive(options.source, options.target, options.copies)
    else:
        drive_pages(options.databases, options.rounds, {p for p in options.only.split(",") if p})


if __name__ == "__main__":
    sys.exit(main())
