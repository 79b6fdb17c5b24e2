"""Benchmark of the search page, in-process: what one reader waits for, and the plans behind it.

Not a test. Run it against an already-populated PostgreSQL database (``manage.py generate_articles``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/archive_search \\
        .venv/bin/python -m tests.benchmarks.bench_search --repeat 8 --explain

Renders ``/search/?q=...`` with the Django test client (page cache off, so every request runs its
queries) for the same words as ``run.py``'s ``search_latency``, ``--repeat`` times each, one after
the other, and prints p50 per query and overall. ``--explain`` then prints EXPLAIN (ANALYZE) of
each search statement one request runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

# The words of run.py's search endpoint: each is found in ~98% of generated articles.
BENCH_QUERIES = ("government", "water corridor", "refugees return", "border trade", "election")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the search statements")
    parser.add_argument("--page", type=int, default=1)
    parser.add_argument("queries", nargs="*", default=BENCH_QUERIES)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    with override_settings(ARCHIVE_PAGE_CACHE=False, ALLOWED_HOSTS=["*"]):
        client = Client()

        def get(q):
            response = client.get("/search/", {"q": q, "page": args.page})
            assert response.status_code == 200, (q, response.status_code)
            return response

        for q in args.queries:  # warm
            get(q)
        times = {q: [] for q in args.queries}
        for _ in range(args.repeat):
            for q in args.queries:
                started = time.perf_counter()
                get(q)
                times[q].append((time.perf_counter() - started) * 1000)
        for q, ms in times.items():
            print(f"{q!r:28} p50 {statistics.median(ms):7.1f} ms   min {min(ms):7.1f}   max {max(ms):7.1f}")
        every = [t for ms in times.values() for t in ms]
        print(f"all {len(every)} requests: p50 {statistics.median(every):.1f} ms, max {max(every):.1f} ms")

        if args.explain:
            for q in args.queries:
                print(f"\n=== {q}")
                with connection.execute_wrapper(explain_search_statements):
                    get(q)


def explain_search_statements(execute, sql, params, many, context):
    """EXPLAIN (ANALYZE) each search statement just before it runs, on its connection: with the
    planner settings the search made for it (its count's) in force, as a separate EXPLAIN would not."""
    if any(word in sql for word in ("search_vector", "search_head", "ts_headline")):
        raw = context["cursor"].cursor  # the driver's own cursor: not through this wrapper again
        raw.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
        print("\n".join(row[0] for row in raw.fetchall()))
    return execute(sql, params, many, context)


if __name__ == "__main__":
    main()
