"""A backup's restore: ``export_articles`` of a generated archive, restored into an empty database.

    .venv/bin/python -m tests.benchmarks.bench_restore                 (BENCH_N articles, PostgreSQL)
    .venv/bin/python -m tests.benchmarks.bench_restore --source DB     (export an archive you keep)
    .venv/bin/python -m tests.benchmarks.bench_restore --sqlite        (SQLite files in a temporary folder)

Without ``--source``, BENCH_N (10,000) articles are generated first (``generate_articles``, untimed)
into a database of their own. Measured, each in a child process with its peak memory: the export
(``export_articles --include-private``), the restore (``import_articles FILE.jsonl``: its own
transactions, a batch at a time, the derived data queued as tasks), ``db_worker --batch`` draining
the queue (search vectors, related posts, stored pages), and the same file restored a second time
(every article ``unchanged``, nothing duplicated). With ``--drain-limit`` the workers stop after
that long and the drain is projected from the tasks' own times. ``make bench`` runs it after the other figures
(``BENCH_RESTORE=0`` skips it, ``BENCH_RESTORE_N`` sets its size). Prints JSON.
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

SEED = 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", help="PostgreSQL database to export (kept as it is); else one is generated")
    parser.add_argument("--sqlite", action="store_true", help="SQLite databases instead of PostgreSQL")
    parser.add_argument("-n", type=int, default=int(os.environ.get("BENCH_N", "10000")), help="articles to generate")
    parser.add_argument("--server", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--output", help="also write the JSON here")
    parser.add_argument("--drain-limit", type=float, default=float(os.environ.get("BENCH_DRAIN_LIMIT", "0")) or None,
                        help="stop the draining workers after this many seconds and project the rest "
                             "(BENCH_DRAIN_LIMIT; BENCH_DRAIN_WORKERS sets how many drain)")
    args = parser.parse_args()
    from tests.benchmarks import run

    run.PG_SERVER = args.server.rstrip("/")
    run.exit_on_sigterm()  # a stopped run still drops its databases
    workdir = Path(tempfile.mkdtemp(prefix="archive-bench-restore-"))
    databases = _Databases(run, workdir, sqlite=args.sqlite)
    try:
        results = measure(run, databases, workdir, source=args.source, n=args.n, drain_limit=args.drain_limit)
    finally:
        databases.drop()
        shutil.rmtree(workdir, ignore_errors=True)
    text = json.dumps(results, indent=2)
    if args.output:
        Path(args.output).write_text(text + "\n")
    print(text)
    return 0 if results["ok"] else 1


def measure(run, databases, workdir, *, source, n, drain_limit=None):
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results = {"date": started, "database": databases.vendor, "machine": run.machine(),
               "load_average_before": [round(x, 2) for x in os.getloadavg()]}
    source_env = databases.env(source or databases.create("source"))
    if source is None:
        run.log(f"restore benchmark: generating {n} articles (untimed)")
        run.manage("generate_articles", str(n), "--seed", str(SEED), env=source_env, capture=True)
    backup = workdir / "backup.jsonl"
    run.log("restore benchmark: export_articles --include-private")
    exported = run._measured(source_env, ["export_articles", "--include-private", "-o", str(backup)])
    count = sum(1 for _ in backup.open("rb"))
    results["export"] = {**exported, "articles": count, "bytes": backup.stat().st_size,
                         "articles_per_s": round(count / exported["seconds"], 1)}
    target_env = databases.env(databases.create("target"))
    run.manage("collectstatic", "--noinput", "-v0", env=target_env)  # the stored pages name hashed files
    os.environ.update(target_env)  # this process reads the target's queue and articles
    import django

    django.setup()
    run.log(f"restore benchmark: import_articles of {count} articles into an empty database, then the queue")
    results["restore"], results["restore_indexed"] = run._import_then_drain(target_env, backup, count, "items",
                                                                               drain_limit=drain_limit)
    run.log("restore benchmark: the same file restored again")
    again = run._measured_import(target_env, backup)
    results["restore_again"] = {**again, "articles_per_s": round(count / again["seconds"], 1)}
    results["articles_after"] = _articles()
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    drained = results["restore_indexed"]
    projected = bool(drained.get("projected", {}).get("drain_seconds"))
    results["ok"] = (results["restore"]["ok"] and (_indexed(drained, databases.vendor) or projected)
                     and again["ok"] and results["articles_after"] == count
                     and again["summary"].endswith(f"0 created, 0 updated, {count} unchanged, 0 failed"))
    return results


def _indexed(figures, vendor) -> bool:
    """The queue drained without a failure, every restored article's terms counted and (on
    PostgreSQL: SQLite searches without a stored vector) its search vector written."""
    missing = figures["not_indexed"]
    return (figures["queue_left"] == 0 and figures["tasks_failed"] == 0 and missing["terms"] == 0
            and (vendor == "sqlite" or missing["search_vector"] == 0))


def _articles():
    from articles.models import Article

    return Article.objects.count()


class _Databases:
    """The benchmark's source and target databases (PostgreSQL databases or SQLite files), migrated,
    dropped at the end."""

    def __init__(self, run, workdir, *, sqlite):
        self.run, self.workdir, self.vendor = run, workdir, "sqlite" if sqlite else "postgresql"
        self.made = []

    def create(self, role):
        # Named after the bench database (BENCH_DB), so runs from parallel checkouts never drop each other's.
        name = f"{self.run.DB_NAME}_restore_{role}"
        if self.vendor == "postgresql":
            self.run.pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.run.pg_admin(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        env = self.env(name)
        self.run.manage("migrate", "-v0", env=env)
        self.run.manage("createcachetable", env=env)
        return name

    def env(self, name):
        url = (f"sqlite:///{self.workdir / name}.sqlite3" if self.vendor == "sqlite"
               else f"{self.run.PG_SERVER}/{name}")
        return self.run.server_env(DATABASE_URL=url, CACHE_URL=self.run.cache_url(),
                                   CACHE_KEY_PREFIX=f"bench-restore-{os.getpid()}")

    def drop(self):
        from django.conf import settings

        if settings.configured:
            from django.db import connections

            connections.close_all()
        if self.vendor == "postgresql":
            for name in self.made:
                self.run.pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
