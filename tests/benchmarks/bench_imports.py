"""Import throughput alone: ``run.py``'s ``import_throughput`` against a copy of a database you keep.

    createdb -h 127.0.0.1 -U postgres archive_imp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/archive_imp DJANGO_DEBUG=1 .venv/bin/python manage.py migrate -v0
    ... manage.py createcachetable                      (for Django's DatabaseCache, when there is no Redis)
    ... manage.py generate_articles 10000 --seed 1      (and manage.py rebuild_related, to import
                                                          into an archive whose related posts are built)
    .venv/bin/python -m tests.benchmarks.bench_imports --template archive_imp

Each format is imported with the default task backend (articles committed, their search vectors,
related posts and stored pages queued as tasks), then ``manage.py db_worker --batch`` drains the
queue: the import's own figures and the fully-indexed ones (import plus worker), each with its peak
memory. Each run imports into a fresh copy (``createdb -T``), dropped afterwards, so runs compare. Sizes as
in ``make bench``: BENCH_IMPORT_FILES and BENCH_WXR_ITEMS (N/5, at most 2,000; BENCH_N defaults to
10,000 here), BENCH_WXR_MEMORY_ITEMS (20,000, a --dry-run unless BENCH_WXR_FULL=1). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", required=True, help="database to copy (it is not changed)")
    parser.add_argument("--server", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    args = parser.parse_args()
    os.environ.setdefault("BENCH_N", "10000")
    from tests.benchmarks import run

    server = args.server.rstrip("/")
    copy = f"{args.template}_bench_copy"
    run.PG_SERVER = server
    run.pg_admin(f'DROP DATABASE IF EXISTS "{copy}"')
    run.pg_admin(f'CREATE DATABASE "{copy}" TEMPLATE "{args.template}"')
    env = run.server_env(CACHE_URL=run.cache_url(), CACHE_KEY_PREFIX=f"bench-imports-{os.getpid()}")
    env["DATABASE_URL"] = f"{server}/{copy}"
    os.environ.update(env)  # this process reads the datasets' settings as the imports will
    import django

    django.setup()
    workdir = Path(tempfile.mkdtemp(prefix="archive-bench-imports-"))
    try:
        started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        results = run.import_throughput(env, workdir)
        print(json.dumps({"template": args.template, "date": started, "load_average": os.getloadavg(),
                          "machine": run.machine(), **results}, indent=2))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        from django.db import connections

        connections.close_all()
        run.pg_admin(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
