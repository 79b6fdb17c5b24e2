"""The stored article page's render: CPU per article of ``rendering.refresh``, and what it stored.

    DATABASE_URL=... .venv/bin/python -m tests.benchmarks.bench_render [-n 200] [--runs 3] [--digest]

Reads the first ``-n`` published articles of an existing database (``generate_articles`` and
``rebuild_related`` first), invalidates their stored pages and renders them again ``--runs`` times,
timing each run with ``time.process_time()`` and ``time.perf_counter()``. ``--digest`` also prints
the sha256 of the stored rows (page, comments, section, in id order): two trees that store the same
HTML print the same digest. Run it in each tree, alternating, on a database of its own or the same
one (the digest of the templates is part of what is stored). Prints JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="articles per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--digest", action="store_true", help="print the sha256 of the stored rows")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()
    from articles.models import Article, ArticleRendering
    from articles.pages import rendering

    ids = list(Article.objects.published().order_by("pk").values_list("pk", flat=True)[: args.n])
    runs = []
    for _ in range(args.runs):
        rendering.invalidate(ids)
        cpu, wall = time.process_time(), time.perf_counter()
        stored = rendering.refresh(ids)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        runs.append({"stored": stored, "cpu_ms_per_article": round(cpu * 1000 / len(ids), 2),
                     "wall_ms_per_article": round(wall * 1000 / len(ids), 2)})
    result = {"articles": len(ids), "load_average": [round(x, 2) for x in os.getloadavg()], "runs": runs}
    if args.digest:
        rows = ArticleRendering.objects.filter(article_id__in=ids).order_by("article_id")
        digest = hashlib.sha256()
        for page, comments, section in rows.values_list("page_html", "comments_html", "section_html"):
            digest.update("\x1f".join((page, comments, section)).encode() + b"\x1e")
        result["sha256"] = digest.hexdigest()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
