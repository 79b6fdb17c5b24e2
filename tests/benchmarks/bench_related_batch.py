"""Benchmark of the related-posts task on one batch of new articles: its CPU, wall time and queries.

Not a test. Run it against a database filled by ``manage.py generate_articles N``, related posts
rebuilt (``rebuild_related``), then ``generate_articles N+250`` (the batch: articles the term index
has not counted yet)::

    DJANGO_DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/archive_x \
        .venv/bin/python -m tests.benchmarks.bench_related_batch --batch 250 --runs 2

Each run is rolled back, so runs repeat on the same archive. ``--profile`` prints the top of cProfile.
"""

from __future__ import annotations

import argparse
import os
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--queries", action="store_true", help="print each query's time")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Exists, OuterRef

    from articles.models import Article, ArticleTerm
    from articles.related.tasks import update_related_posts

    counted = ArticleTerm.objects.filter(article_id=OuterRef("pk"))
    batch = list(
        Article.objects.filter(~Exists(counted), status=Article.Status.PUBLISHED)
        .order_by("pk").values_list("pk", flat=True)[: args.batch]
    )
    total = Article.objects.count()
    print(f"archive {total} articles, batch {len(batch)} uncounted")
    for run in range(args.runs):
        timings = []

        def timed(execute, sql, params, many, context, timings=timings):
            started = time.monotonic()
            try:
                return execute(sql, params, many, context)
            finally:
                timings.append((time.monotonic() - started, sql[:160]))

        profiler = None
        if args.profile and run == args.runs - 1:
            import cProfile

            profiler = cProfile.Profile()
        with transaction.atomic(), connection.execute_wrapper(timed):
            cpu, wall = time.process_time(), time.monotonic()
            if profiler:
                profiler.enable()
            update_related_posts.call(batch)
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.monotonic() - wall
            transaction.set_rollback(True)
        sql = sum(t for t, _ in timings)
        print(f"run {run}: wall {wall:.2f}s cpu {cpu:.2f}s ({1000 * wall / len(batch):.1f} ms/article wall, "
              f"{1000 * cpu / len(batch):.1f} ms cpu), {len(timings)} queries, {sql:.2f}s in SQL; "
              f"load {os.getloadavg()[0]:.2f}")
        if args.queries:
            for t, q in sorted(timings, reverse=True)[:15]:
                print(f"  {t * 1000:8.1f} ms  {q}")
        if profiler:
            import pstats

            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


if __name__ == "__main__":
    main()
