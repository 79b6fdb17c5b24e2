"""Every public page type rendered in process without the page cache: time, queries and their plans.

Not a test. Run it against an already-populated PostgreSQL database (``manage.py generate_articles``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/archive_perf \\
        .venv/bin/python -m tests.benchmarks.bench_pages --repeat 20 [--explain] [--only home,tag]

For each page of ``run.page_types()`` (home, the root category, the busiest tag, author and source,
year and month archives, feeds, sitemaps, a deep listing page, a selective and a broad search) it
renders the page once with an empty cache (``cold``: what the first reader after a write waits for,
counts and recent tags included), then ``--repeat`` times (``p50``, ``max``, and the median
``time.process_time()``, ``CPU``: less moved by other work on the machine), with Django's test
client and ``ARCHIVE_PAGE_CACHE`` off. ``--explain`` prints each query's EXPLAIN (ANALYZE, BUFFERS),
abbreviated to node types, index names and times.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time


def explain_lines(connection, sql, params):
    """The plan of one query, one line per node: its type, relation or index, rows and time."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    lines = [f"total {plan['Execution Time']:.2f} ms"]

    def walk(node, depth):
        what = node["Node Type"]
        if node.get("Index Name"):
            what += f" using {node['Index Name']}"
        if node.get("Relation Name"):
            what += f" on {node['Relation Name']}"
        hit = node.get("Shared Hit Blocks", 0) + node.get("Shared Read Blocks", 0)
        lines.append(f"{'  ' * depth}{what} (rows {node.get('Actual Rows')}, loops {node.get('Actual Loops')}, "
                     f"{node.get('Actual Total Time', 0):.2f} ms, {hit} buffers)")
        for child in node.get("Plans", []):
            walk(child, depth + 1)

    walk(plan["Plan"], 1)
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) every query")
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--output", help="also write the results as JSON here")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    # Debug off, as a server runs (debug keeps every query's SQL and slows templates).
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + "k" * 50)
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("ARCHIVE_PLAIN_STATIC", "1")  # no collected manifest needed
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    import django

    django.setup()
    from django.core.cache import caches
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from tests.benchmarks import run

    pages = run.page_types()
    if args.only:
        pages = {name: url for name, url in pages.items() if name in args.only.split(",")}
    results = {}
    with override_settings(ARCHIVE_PAGE_CACHE=False, ALLOWED_HOSTS=["*"]):
        client = Client(HTTP_HOST="127.0.0.1")
        client.get("/robots.txt")  # whatever loads once per process
        for name, url in pages.items():
            for cache in caches.all():
                cache.clear()
            reset_queries()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            cold = (time.perf_counter() - started) * 1000
            times, cpu = [], []
            for _ in range(args.repeat):
                started, started_cpu = time.perf_counter(), time.process_time()
                client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            reset_queries()
            with CaptureQueriesContext(connection) as warm:
                client.get(url)
            results[name] = {"url": url, "status": response.status_code, "bytes": len(response.content),
                             "queries_cold": len(captured), "queries": len(warm), "cold_ms": round(cold, 1),
                             "p50_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1),
                             "cpu_ms": round(statistics.median(cpu), 2)}
            r = results[name]
            print(f"{name:18} {r['status']} {r['p50_ms']:7.1f} ms p50 {r['max_ms']:7.1f} max {r['cold_ms']:7.1f} cold"
                  f" {r['cpu_ms']:6.2f} ms CPU"
                  f"  {r['queries']} queries ({r['queries_cold']} cold) {r['bytes']:>8} B  {url}", flush=True)
            if args.explain:
                for query in captured.captured_queries:
                    sql = query["sql"]
                    if sql.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                        continue
                    print(f"    -- {sql[:300]}")
                    try:
                        print("\n".join("    " + line for line in explain_lines(connection, sql, None)))
                    except Exception as exc:  # a query the captured SQL cannot replay: say so, go on
                        print(f"    (not explained: {exc})")
    if args.output:
        with open(args.output, "w") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
