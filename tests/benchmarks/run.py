"""The benchmark suite: `make bench` (= `python -m tests.benchmarks.run`).

Seeds BENCH_N synthetic articles into a PostgreSQL database of its own, serves it with gunicorn
(2 workers, debug off) and drives every public page with wrk for BENCH_SECONDS each, uncached and
cached, next to the static ceiling (one article page saved as a file and served by whitenoise from
the same gunicorn), and harvests every record by OAI-PMH (tests/benchmarks/bench_oai.py). Then
import throughput, WXR import peak memory, related-posts recompute and search latency. Imports are
measured twice over: the import itself with the default task backend (the articles committed, their
indexing queued as tasks), and until fully indexed (the import plus `manage.py db_worker --batch`
draining the queue). Prints a table and writes JSON to
bench-results/latest.json.

Environment: BENCH_N (10000), BENCH_SECONDS (10), BENCH_CONNECTIONS (8), BENCH_PG (server URL,
postgres://postgres@127.0.0.1:5432), BENCH_DB (archive_bench), BENCH_KEEP_DB=1 (keep it), BENCH_REUSE_DB=1 (keep it, and
start from it when it exists: only the missing articles generated, only stale pages rendered),
BENCH_IMPORT_FILES and BENCH_WXR_ITEMS (N/5, 50..2000),
BENCH_WXR_MEMORY_ITEMS (20000), BENCH_WXR_FULL=1 (import those for real, not --dry-run), BENCH_OUTPUT (JSON path),
BENCH_PEER=1 (also run the Wagtail peer from ../shared/peers/wagtail and print the ratio),
BENCH_LOAD=0 (skip the load test, tests/benchmarks/bench_load.py, run last), BENCH_LOAD_SECONDS (60),
BENCH_DRAIN_WORKERS (1: db_worker processes draining each import's queue side by side; PostgreSQL only),
BENCH_RESTORE=0 (skip the restore of a backup, tests/benchmarks/bench_restore.py), BENCH_RESTORE_N (restore
that many generated articles instead of the bench database's),
CACHE_URL (default redis://127.0.0.1:6379/0 when Redis answers).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from tests.benchmarks import bench_oai

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
WRK = shutil.which("wrk")
STATIC_PAGE = "bench/article.html"

N = int(os.environ.get("BENCH_N", "10000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB_NAME = os.environ.get("BENCH_DB", "archive_bench")
REUSE_DB = os.environ.get("BENCH_REUSE_DB") == "1"
KEEP_DB = REUSE_DB or os.environ.get("BENCH_KEEP_DB") == "1"
# A fifth of N (at least 50) keeps the small CI run short; the full run imports 2,000 files, 20,000 items.
IMPORT_FILES = int(os.environ.get("BENCH_IMPORT_FILES", str(min(2000, max(50, N // 5)))))
WXR_ITEMS = int(os.environ.get("BENCH_WXR_ITEMS", str(min(2000, max(50, N // 5)))))
WXR_MEMORY_ITEMS = int(os.environ.get("BENCH_WXR_MEMORY_ITEMS", "20000"))
OUTPUT = Path(os.environ.get("BENCH_OUTPUT", ROOT / "bench-results" / "latest.json"))
ROTATE_OVER = 1000  # distinct article URLs the article benchmark cycles through
SEED = 1


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def answers(host, port):
    try:
        socket.create_connection((host, port), 1).close()
        return True
    except OSError:
        return False


def exit_on_sigterm():
    """A terminated run still stops its gunicorn and drops its database: SIGTERM unwinds like Ctrl-C."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- environment ------------------------------------------------------------------------------
def server_env(**extra):
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-" + "k" * 50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SETTINGS_MODULE": "archive.settings",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("TEST_DB_NAME", None)
    # Imports queue their indexing for the task worker (the default backend), which the bench times.
    env.pop("ARCHIVE_TASKS_IMMEDIATE", None)
    env.update(extra)
    return env


def cache_url():
    if os.environ.get("CACHE_URL"):
        return os.environ["CACHE_URL"]
    return "redis://127.0.0.1:6379/0" if answers("127.0.0.1", 6379) else ""


def manage(*args, env, check=True, capture=False):
    return subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=check,
        stdout=subprocess.PIPE if capture else None, stderr=subprocess.PIPE if capture else None, text=True,
    )


def close_connections():
    """Django's connections closed, if Django was set up: a run stopped while seeding (before it
    was) still drops its database."""
    from django.conf import settings

    if settings.configured:
        from django.db import connections

        connections.close_all()


def pg_admin(sql):
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def database_exists(name):
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def machine():
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        kb = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    return {"cpus": os.cpu_count(), "cpu_model": cpu, "memory": mem, "python": platform.python_version(),
            "platform": platform.platform()}


# --- gunicorn ------------------------------------------------------------------------------------
@contextmanager
def gunicorn(env, workers=2):
    port = free_port()
    logfile = tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [GUNICORN, "archive.wsgi:application", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning"],
        env=env, cwd=ROOT, stdout=logfile, stderr=logfile,
    )
    try:
        deadline = time.monotonic() + 30
        while not answers("127.0.0.1", port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start:\n" + Path(logfile.name).read_text()[-3000:])
            time.sleep(0.1)
        _until_answering(port, proc, logfile.name, deadline + 60)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        logfile.close()
        os.unlink(logfile.name)


def _until_answering(port, proc, logname, deadline):
    """The port is bound before a worker has loaded Django (seconds on a busy machine): wait for an
    HTTP answer (any status), so a short first measurement does not time a server still booting."""
    import http.client

    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/robots.txt")
            conn.getresponse().read()
            conn.close()
            return
        except (OSError, http.client.HTTPException):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer:\n" + Path(logname).read_text()[-3000:]) from None
            time.sleep(0.2)


# --- load generation -------------------------------------------------------------------------
def drive(base, paths, seconds, connections=CONNECTIONS):
    """requests/s, p50 and p99 (ms), non-2xx responses: wrk when installed, else a Python client."""
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as f:
        f.write("\n".join(paths) + "\n")
    try:
        if WRK:
            if seconds >= 5:  # short (CI) runs skip the warm-up; wrk takes whole seconds
                _wrk(base, f.name, min(3, round(seconds / 4)), connections)
            return _wrk(base, f.name, seconds, connections)
        return _python_client(base, paths, seconds, connections)
    finally:
        os.unlink(f.name)


def _wrk(base, paths_file, seconds, connections):
    out = subprocess.run(
        [WRK, "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "5s",
         "-s", str(HERE / "rotate.lua"), base],
        env={**os.environ, "WRK_PATHS": paths_file}, capture_output=True, text=True, check=True,
    ).stdout
    match = re.search(r"^RESULT (\S+) (\S+) (\S+) (\d+) (\d+) (\d+)", out, re.M)
    if not match:
        raise RuntimeError(f"wrk printed no RESULT line:\n{out}")
    rps, p50, p99, non2xx, requests, socket_errors = match.groups()
    return {"rps": float(rps), "p50_ms": float(p50), "p99_ms": float(p99), "non_2xx": int(non2xx),
            "requests": int(requests), "socket_errors": int(socket_errors), "client": "wrk"}


def prewarm(base, paths, connections=CONNECTIONS):
    import http.client
    from urllib.parse import urlsplit

    host = urlsplit(base)

    def fetch(share):
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        for path in share:
            conn.request("GET", path)
            conn.getresponse().read()

    threads = [threading.Thread(target=fetch, args=(paths[n::connections],)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _python_client(base, paths, seconds, connections):
    """A bounded fallback: `connections` threads with keep-alive, each timing its own requests."""
    import http.client
    from urllib.parse import urlsplit

    host = urlsplit(base)
    latencies, errors, lock = [], [0], threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(offset):
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=5)
        i, mine, bad = offset, [], 0
        while time.monotonic() < stop_at and len(mine) < 1_000_000:
            started = time.perf_counter()
            conn.request("GET", paths[i % len(paths)])
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            bad += response.status >= 300
            i += connections
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {"rps": len(latencies) / elapsed, "p50_ms": pick(0.5), "p99_ms": pick(0.99), "non_2xx": errors[0],
            "requests": len(latencies), "socket_errors": 0, "client": "python"}


# --- the pages -------------------------------------------------------------------------------------
def setup_django(env):
    os.environ.update({k: v for k, v in env.items() if k not in os.environ or k in (
        "DATABASE_URL", "DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DJANGO_SECURE_SSL_REDIRECT",
        "DJANGO_SETTINGS_MODULE", "CACHE_URL", "CACHE_KEY_PREFIX")})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def endpoints():
    """Path lists per endpoint, resolved by URL name; pages this branch lacks are left out."""
    from django.urls import NoReverseMatch, reverse

    from articles.models import Article

    published = Article.objects.published()
    total = published.count()
    step = max(1, total // ROTATE_OVER)
    ids = list(published.order_by("pk").values_list("slug", flat=True)[::step][:ROTATE_OVER]) if total else []
    candidates = {"article": lambda: [reverse("articles:article", kwargs={"slug": s}) for s in ids]}
    # The same page types bench_pages.py renders in process: one URL each, search with two words.
    candidates.update({name: (lambda build=build: [build()]) for name, build in _page_builders().items()
                       if not name.startswith("search")})
    candidates["search"] = lambda: [_page_builders()[name]() for name in ("search_selective", "search_broad")]
    resolved, skipped = {}, {}
    for name, build in candidates.items():
        try:
            resolved[name] = build()
        except NoReverseMatch:
            skipped[name] = "no URL of that name on this branch"
        except (IndexError, AttributeError, TypeError):
            skipped[name] = "no data for it"
    return resolved, skipped


# The page of a listing that issue 25 times deep in the archive.
DEEP_PAGE = 2000
# A word in one generated title in a thousand, and one in nearly every article (articles.synthetic).
SELECTIVE_WORD, BROAD_WORD = "wakhan", "government"


def _page_builders():
    """Every public page type, each a callable giving its URL on the current database: the busiest
    tag, author and source (the pages whose cost grows with a row's share of the archive)."""
    from django.db.models import Count
    from django.urls import reverse
    from taggit.models import Tag

    from articles.models import Article, Author, Category, Source

    def newest():
        return Article.objects.published().order_by("-published_at").first().published_at

    def busiest(model, relation):
        return model.objects.annotate(n=Count(relation)).order_by("-n", "pk").first()

    return {
        "home": lambda: reverse("articles:home"),
        "category": lambda: Category.objects.roots().order_by("path").first().get_absolute_url(),
        "tag": lambda: reverse("articles:tag", kwargs={"slug": busiest(Tag, "articles_taggedarticle_items").slug}),
        "author": lambda: busiest(Author, "articles").get_absolute_url(),
        "source": lambda: busiest(Source, "footnotes").get_absolute_url(),
        "year": lambda: reverse("articles:archive_year", kwargs={"year": newest().year - 1}),
        "month": lambda: _month_url(newest().year - 1),
        "feed": lambda: reverse("articles:feed_rss"),
        "feed_atom": lambda: reverse("articles:feed_atom"),
        "sitemap": lambda: reverse("articles:sitemap"),
        "sitemap_articles": lambda: reverse("articles:sitemap_section", kwargs={"section": "articles"}),
        "sitemap_articles_last": lambda: _last_sitemap_page(),
        "deep_page_number": lambda: _deep_page(follow=False),
        "deep_page": lambda: _deep_page(follow=True),
        "search_selective": lambda: reverse("articles:search") + f"?q={SELECTIVE_WORD}",
        "search_broad": lambda: reverse("articles:search") + f"?q={BROAD_WORD}",
    }


def _month_url(year):
    from django.urls import reverse

    from articles.models import Article

    month = Article.objects.published().filter(published_at__year=year).earliest("published_at").published_at.month
    return reverse("articles:archive_month", kwargs={"year": year, "month": month})


def _deep_page(follow):
    """Page DEEP_PAGE of the home listing (the last page of a smaller archive) by number, and where
    that address leads (a branch that reads deep pages from a cursor redirects it there)."""
    from django.conf import settings
    from django.test import Client

    from articles.models import Article

    pages = max(1, Article.objects.published().count() // settings.ARCHIVE_PAGE_SIZE)
    url = f"/?page={min(DEEP_PAGE, pages)}"
    if follow:
        response = Client(HTTP_HOST="127.0.0.1").get(url)
        if response.status_code in (301, 302):
            return response["Location"]
    return url


def _last_sitemap_page():
    from django.urls import reverse

    from articles.sitemaps import SITEMAPS

    pages = SITEMAPS["articles"]().paginator.num_pages
    return reverse("articles:sitemap_section", kwargs={"section": "articles"}) + f"?p={pages}"


def page_types():
    """{name: URL} of every public page type (``_page_builders``), for bench_pages.py."""
    return {name: build() for name, build in _page_builders().items()}


def page_costs(paths):
    """Queries and bytes per page, rendered in process without the page cache."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client(HTTP_HOST="127.0.0.1")
    costs = {}
    with override_settings(ARCHIVE_PAGE_CACHE=False):
        for name, urls in paths.items():
            client.get(urls[0])  # warm up whatever is lazily loaded once per process
            with CaptureQueriesContext(connection) as queries:
                response = client.get(urls[-1])
            costs[name] = {"status": response.status_code, "queries": len(queries), "bytes": len(response.content)}
    return costs


def save_static_page(env, article_path):
    """The ceiling: an article page as a file under STATIC_ROOT, which whitenoise serves."""
    from django.conf import settings
    from django.test import Client

    content = Client(HTTP_HOST="127.0.0.1").get(article_path).content
    target = Path(settings.STATIC_ROOT) / STATIC_PAGE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return "/" + settings.STATIC_URL.strip("/") + "/" + STATIC_PAGE, target


# --- the rest: imports, memory, related, search ---------------------------------------------------
# What an import enqueues at commit (one task per batch of <= 1,000 articles per kind), short names.
INDEX_TASKS = {
    "articles.search.tasks.update_search_vectors": "search_vectors",
    "articles.related.tasks.update_related_posts": "related_posts",
    "articles.pages.tasks.render_article_pages": "article_pages",
    "articles.pages.tasks.render_article_cards": "article_cards",
}
DRAIN = ["db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*", "-v0"]
# Workers draining an import's queue side by side, as an operator runs one per core (SQLite: one).
DRAIN_WORKERS = int(os.environ.get("BENCH_DRAIN_WORKERS", "1"))


def import_throughput(env, workdir):
    """Each format imported once, as ``import_articles`` does with the default task backend
    (``django_tasks_db.DatabaseBackend``): the articles are committed and, at commit, one task per
    batch of articles per kind is queued (search vectors, related posts, stored pages). Measured:
    the import alone (files/s or items/s, its peak memory), then ``db_worker --batch`` draining the
    queue (its time and peak memory), and the two together: the time until the imported articles
    are fully indexed (items/s)."""
    from tests.benchmarks.datasets import write_seed_files, write_wxr

    results = {"queue_before": _drain_leftovers(env)}
    files = IMPORT_FILES
    seed_dir = workdir / "seed-files"
    write_seed_files(seed_dir, files, seed=SEED + 1)
    results["seed_files"], results["seed_files_indexed"] = _import_then_drain(env, seed_dir, files, "files")

    try:
        from articles.importers import wxr

        assert callable(getattr(wxr, "parse", None))
    except (ImportError, AssertionError):
        results["wxr"] = {"skipped": "articles.importers.wxr has no parse(): the WXR importer is not on this branch"}
        return results
    wxr_path = write_wxr(workdir / "export.xml", WXR_ITEMS, seed=SEED + 2)
    results["wxr"], results["wxr_indexed"] = _import_then_drain(env, wxr_path, WXR_ITEMS, "items")
    results["wxr"]["bytes"] = wxr_path.stat().st_size
    # Peak memory of a 20,000-item export: a full import when BENCH_WXR_FULL=1, else --dry-run, which
    # parses and checks every item like the import does (the memory at stake) but writes nothing.
    big = write_wxr(workdir / "export-20000.xml", WXR_MEMORY_ITEMS, seed=SEED + 3)
    run = _measured_import(env, big, dry_run=os.environ.get("BENCH_WXR_FULL") != "1")
    results["wxr_memory"] = {"items": WXR_MEMORY_ITEMS, "bytes": big.stat().st_size, **run}
    return results


def _drain_leftovers(env):
    """Tasks queued before the imports (the related-posts figures' recomputes queue page renders):
    run untimed, so the first import's worker does only that import's work."""
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.ready().count()
    if ready:
        log(f"draining {ready} task(s) queued before the imports (untimed)")
        _measured(env, DRAIN)
    return {"ready": ready, "left": DBTaskResult.objects.ready().count()}


def _import_then_drain(env, path, count, unit, drain_limit=None):
    """``import_articles`` (tasks queued, not run), then ``db_worker --batch`` until the queue is
    empty; returns the import's figures and the fully-indexed figures, each with its peak memory.
    With ``drain_limit`` (seconds) the workers stop then: the figures say how much of the queue ran
    and project the whole drain from the tasks' own times (the batches are of one size)."""
    from django.db.models import Max
    from django.utils import timezone

    from articles.models import Article

    before_pk = Article.objects.aggregate(top=Max("pk"))["top"] or 0
    since = timezone.now()
    imported = _measured_import(env, path)
    queued = _tasks(since)
    imported_entry = {
        unit: count, "seconds": imported["seconds"], f"{unit}_per_s": round(count / imported["seconds"], 1),
        "peak_memory_mb": imported["peak_memory_mb"], "ok": imported["ok"], "summary": imported["summary"],
        "tasks_queued": {"total": sum(queued["by_task"].values()), **queued["by_task"]},
    }
    worker = _drained(env, drain_limit)
    done = _tasks(since)
    total = imported["seconds"] + worker["seconds"]
    indexed = {
        "items": count, "import_seconds": imported["seconds"], "worker_seconds": worker["seconds"],
        "worker_peak_memory_mb": worker["peak_memory_mb"], "workers": worker["workers"],
        "seconds": round(total, 2),
        "items_per_s": round(count / total, 1),
        "tasks_run": done["successful"] + done["failed"], "tasks_failed": done["failed"],
        "task_seconds": done["seconds"],
        "queue_left": done["ready"] + done["running"],
        "not_indexed": _not_indexed(before_pk),
    }
    if worker["stopped"]:
        indexed["stopped_after_s"] = drain_limit
        indexed["projected"] = _projected(imported_entry["tasks_queued"], done, worker["workers"], imported["seconds"],
                                          count)
    indexed["ok"] = (imported["ok"] and worker["ok"] and indexed["tasks_failed"] == 0 and indexed["queue_left"] == 0
                     and indexed["not_indexed"]["search_vector"] == 0 and indexed["not_indexed"]["terms"] == 0)
    indexed["summary"] = worker["summary"] if not worker["ok"] else (
        "; ".join(done["failures"]) or f"{indexed['tasks_run']} task(s) run, {indexed['queue_left']} left")
    return imported_entry, indexed


def _drained(env, limit=None):
    """``db_worker --batch`` until the queue is empty (or ``limit`` seconds), in DRAIN_WORKERS
    processes at once: the wall time until the last one stops, the largest peak memory of any."""
    workers = 1 if env["DATABASE_URL"].startswith("sqlite") else max(1, DRAIN_WORKERS)
    runs = [None] * workers

    def one(index):
        runs[index] = _measured(env, DRAIN, limit=limit)

    threads = [threading.Thread(target=one, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = [r for r in runs if not r["ok"]]
    return {"seconds": max(r["seconds"] for r in runs), "peak_memory_mb": max(r["peak_memory_mb"] for r in runs),
            "ok": not failed, "summary": (failed or runs)[0]["summary"], "workers": workers,
            "stopped": any(r["stopped"] for r in runs)}


def _projected(queued, done, workers, import_seconds, count):
    """The whole drain projected from a stopped one: each kind's task time per task so far times
    its tasks queued, summed, shared by the workers (the related-posts tasks run one at a time).
    No projection when a kind queued has not finished a task yet (the limit was too short)."""
    per_kind = {}
    for short, queued_tasks in queued.items():
        ran = done["finished_by_task"].get(short, 0)
        if short != "total" and queued_tasks:
            per_kind[short] = round(done["seconds"][short] / ran * queued_tasks, 1) if ran else None
    if None in per_kind.values():
        return {"task_seconds_by_kind": per_kind, "drain_seconds": None, "items_per_s": None}
    drain = max(sum(per_kind.values()) / workers, per_kind.get("related_posts", 0))
    return {"task_seconds_by_kind": per_kind, "drain_seconds": round(drain, 1),
            "items_per_s": round(count / (import_seconds + drain), 1)}


def _tasks(since):
    """The task queue since ``since``: tasks by kind, finished ones, and what is still to run (any)."""
    from django_tasks_db.models import DBTaskResult

    mine = DBTaskResult.objects.filter(enqueued_at__gte=since)
    by_task = {short: 0 for short in INDEX_TASKS.values()}
    for task_path in mine.values_list("task_path", flat=True):
        short = INDEX_TASKS.get(task_path, task_path.rsplit(".", 1)[-1])
        by_task[short] = by_task.get(short, 0) + 1
    failed = mine.failed()
    # Where the worker's time went: each kind's tasks, started to finished, summed.
    seconds, finished_by_task = {}, {}
    for task_path, started, finished in mine.finished().values_list("task_path", "started_at", "finished_at"):
        if started and finished:
            short = INDEX_TASKS.get(task_path, task_path.rsplit(".", 1)[-1])
            seconds[short] = round(seconds.get(short, 0) + (finished - started).total_seconds(), 2)
            finished_by_task[short] = finished_by_task.get(short, 0) + 1
    return {"by_task": by_task, "seconds": seconds, "finished_by_task": finished_by_task,
            "successful": mine.successful().count(), "failed": failed.count(),
            "failures": [f"{r.task_path}: {r.exception_class_path}" for r in failed[:3]],
            "ready": DBTaskResult.objects.ready().count(), "running": DBTaskResult.objects.running().count()}


def _not_indexed(before_pk):
    """The imported (published) articles still lacking what follows a write: a search vector, terms
    in the related-posts index, a related list, a stored page. The first two must be none; a list
    can be empty and a stored page can be invalidated again after its render (then rendered by its
    first reader), so those two are reported, not required."""
    from articles.models import Article

    imported = Article.objects.published().filter(pk__gt=before_pk)
    return {
        "articles": imported.count(),
        "search_vector": imported.filter(search_vector__isnull=True).count(),
        "terms": imported.filter(related_terms__isnull=True).count(),
        "related": imported.filter(related_links__isnull=True).count(),
        "stored_page": imported.exclude(rendering__page_html__gt="").count(),
    }


def _measured_import(env, path, dry_run=False):
    return {**_measured(env, ["import_articles", str(path), *(["--dry-run"] if dry_run else [])]),
            "dry_run": dry_run}


_PROBE = """
import resource, subprocess, sys, time
limit = float(sys.argv[1]) or None
started = time.monotonic()
child = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
try:
    out, err = child.communicate(timeout=limit)
    stopped = 0
except subprocess.TimeoutExpired:
    child.terminate()  # db_worker finishes the task it runs, then stops
    out, err = child.communicate()
    stopped = 1
print(child.returncode, time.monotonic() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, stopped)
lines = [line for line in out.strip().splitlines() if "follow as queued tasks" not in line]
print(lines[-1] if lines and child.returncode == 0 else (err or out)[-500:].replace(chr(10), " "))
"""


def _measured(env, arguments, limit=None):
    """Run a manage.py command in a child process: wall time, the child's peak resident memory
    (ru_maxrss, what /usr/bin/time reports as maximum resident set size), and the summary (the last
    line of its output that is not the note that the indexes follow as queued tasks). With ``limit``
    (seconds), the command is asked to stop (SIGTERM) when it runs longer, and ``stopped`` says so."""
    command = [PYTHON, str(ROOT / "manage.py"), *arguments]
    out = subprocess.run([PYTHON, "-c", _PROBE, str(limit or 0), *command], env=env, cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.splitlines()
    code, seconds, maxrss_kb, stopped = out[0].split()
    return {"seconds": round(float(seconds), 2), "peak_memory_mb": round(int(maxrss_kb) / 1024, 1),
            "ok": code == "0", "summary": out[1] if len(out) > 1 else "", "stopped": stopped == "1"}


def related_recompute():
    """Related posts: a full rebuild (which also indexes the generated articles' terms), then the
    recompute that follows one article's save, as the median of a few articles."""
    from articles.models import Article
    from articles.related.engine import recompute
    from articles.related.rebuild import rebuild

    started = time.perf_counter()
    rebuild()
    all_s = time.perf_counter() - started
    timings = []
    for article_id in Article.objects.published().order_by("pk").values_list("pk", flat=True)[:15:3]:
        started = time.perf_counter()
        recompute(article_id)
        timings.append((time.perf_counter() - started) * 1000)
    return {"one_ms": round(statistics.median(timings), 1), "all_s": round(all_s, 1)}


def search_latency(base, paths):
    """Sequential single requests (no concurrency): what one reader waits for a search."""
    import http.client
    from urllib.parse import urlsplit

    if "search" not in paths:
        return {"skipped": "no search page on this branch"}
    host = urlsplit(base)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    times = []
    for _ in range(4):
        for path in paths["search"]:
            started = time.perf_counter()
            conn.request("GET", path)
            conn.getresponse().read()
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"requests": len(times), "p50_ms": round(statistics.median(times), 2), "max_ms": round(times[-1], 2)}


# --- the Wagtail peer ----------------------------------------------------------------------------------------
def run_peer():
    peer = ROOT.parent.parent / "shared" / "peers" / "wagtail"
    if not peer.is_dir():
        peer = Path("/work/shared/peers/wagtail")
    if not (peer / "bench.sh").exists():
        return {"skipped": f"no Wagtail peer at {peer}"}
    peer_db = f"{DB_NAME}_peer"
    pg_admin(f'DROP DATABASE IF EXISTS "{peer_db}"')
    pg_admin(f'CREATE DATABASE "{peer_db}"')
    # The peer is another Django project: none of our settings may leak into its environment.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "ARCHIVE_", "CACHE_", "BENCH_")) and k != "PYTHONPATH"}
    env["DATABASE_URL"] = f"{PG_SERVER}/{peer_db}"
    try:
        log(f"peer: setup.sh {N} (seeding the Wagtail site)")
        setup = subprocess.run(["bash", str(peer / "setup.sh"), str(N)], env=env, capture_output=True, text=True)
        if setup.returncode != 0:
            return {"skipped": "the peer's setup.sh failed: " + (setup.stderr or setup.stdout)[-800:]}
        log("peer: bench.sh")
        out = subprocess.run(["bash", str(peer / "bench.sh")], env=env, capture_output=True, text=True).stdout
    finally:
        if not KEEP_DB:
            pg_admin(f'DROP DATABASE IF EXISTS "{peer_db}"')
    rows = {}
    for line in out.splitlines():
        m = re.match(r"(\w+)\s+([\d.]+) req/s\s+p50\s+([\d.,]+) ms\s+p99\s+([\d.,]+) ms", line)
        if m:
            rows[m.group(1)] = {"rps": float(m.group(2)), "p50_ms": float(m.group(3).replace(",", "")),
                                "p99_ms": float(m.group(4).replace(",", ""))}
    return rows or {"skipped": "the peer's bench printed no results", "output": out[-2000:]}


# --- the table ----------------------------------------------------------------------------------------------
def table(results):
    ceiling = results["static_ceiling"]["rps"] or 1
    lines = [
        f"archive benchmark, N={results['n']}, {results['seconds']:g} s per endpoint, {CONNECTIONS} connections, "
        f"{results['machine']['cpus']} CPUs ({results['machine']['cpu_model']}), {results['date']}",
        f"{'endpoint':<18} {'variant':<9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ceiling':>8} "
        f"{'queries':>7} {'bytes':>8} {'non-2xx':>7}",
    ]
    static = results["static_ceiling"]
    lines.append(f"{'static ceiling':<18} {'file':<9} {static['rps']:>9.1f} {static['p50_ms']:>8.2f} "
                 f"{static['p99_ms']:>8.2f} {'1.00':>8} {0:>7} {static['bytes']:>8} {static['non_2xx']:>7}")
    for name, variants in results["endpoints"].items():
        cost = results["page_costs"].get(name, {})
        for variant in ("uncached", "cached"):
            r = variants.get(variant)
            if r:
                lines.append(
                    f"{name:<18} {variant:<9} {r['rps']:>9.1f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
                    f"{r['rps'] / ceiling:>8.2f} {cost.get('queries', '-'):>7} {cost.get('bytes', '-'):>8} "
                    f"{r['non_2xx']:>7}"
                )
    for name, why in results["skipped_endpoints"].items():
        lines.append(f"{name:<18} skipped: {why}")
    seeding = results["seeding"]
    lines.append(f"seeding: {seeding['articles']} articles in {seeding['seconds']} s "
                 f"({seeding['articles_per_s']} articles/s)")
    rendering = results.get("rendering")
    if rendering:
        lines.append(f"article pages rendered for storage: {rendering['articles']} in {rendering['seconds']} s "
                     f"({rendering['articles_per_s']} articles/s)")
    lines.extend(import_lines(results["imports"]))
    lines.extend(restore_lines(results.get("restore")))
    rel = results["related"]
    lines.append("related recompute: " + (f"skipped: {rel['skipped']}" if "skipped" in rel else
                                         f"one article {rel['one_ms']} ms, all {rel['all_s']} s"))
    sl = results["search_latency"]
    lines.append("search latency (sequential): " + (
        f"skipped: {sl['skipped']}" if "skipped" in sl
        else f"p50 {sl['p50_ms']} ms, max {sl['max_ms']} ms over {sl['requests']}"
    ))
    lines.extend(bench_oai.lines(results.get("oai", {})))
    peer = results.get("peer")
    if peer:
        if "article" in peer:
            ours = results["endpoints"]["article"]["uncached"]["rps"]
            lines.append(f"Wagtail peer article: {peer['article']['rps']} req/s; ours uncached {ours:.1f} req/s = "
                         f"{ours / peer['article']['rps']:.1f}x (target >= 4x)")
        else:
            lines.append(f"Wagtail peer: skipped: {peer.get('skipped')}")
    return "\n".join(lines)


def import_lines(imports):
    """The import figures: the import itself (tasks queued), then until fully indexed (queue drained)."""
    lines = []
    q = imports.get("queue_before", {})
    if q.get("ready"):
        lines.append(f"(tasks queued before the imports, drained untimed: {q['ready']}, left {q['left']})")
    for key, unit, label in (("seed_files", "files", "seed-format"), ("wxr", "items", "WXR")):
        r = imports.get(key)
        if not r:
            continue
        if "skipped" in r:
            lines.append(f"{label} import: skipped: {r['skipped']}")
            continue
        queued = r["tasks_queued"]
        kinds = ", ".join(f"{n} {kind}" for kind, n in queued.items() if kind != "total")
        size = f" ({r['bytes'] / 1e6:.1f} MB)" if "bytes" in r else ""
        lines.append(
            f"{label} import: {r[unit]} {unit}{size} in {r['seconds']} s = {r[f'{unit}_per_s']} {unit}/s, "
            f"peak {r['peak_memory_mb']} MB; {queued['total']} task(s) queued ({kinds})"
            + ("" if r["ok"] else f" FAILED: {r['summary']}")
        )
        f = imports.get(f"{key}_indexed")
        if f:
            missing = f["not_indexed"]
            lines.append(
                f"{label} fully indexed: import {f['import_seconds']} s + db_worker --batch {f['worker_seconds']} s "
                f"(peak {f['worker_peak_memory_mb']} MB, {f['tasks_run']} task(s): "
                + ", ".join(f"{kind} {s} s" for kind, s in f.get("task_seconds", {}).items())
                + f"; queue left {f['queue_left']}) "
                f"= {f['items_per_s']} items/s; of {missing['articles']} published, without search vector "
                f"{missing['search_vector']}, terms {missing['terms']}, related list {missing['related']}, "
                f"stored page {missing['stored_page']}" + ("" if f["ok"] else f" FAILED: {f['summary']}")
            )
    m = imports.get("wxr_memory")
    if m:
        lines.append(f"WXR {m['items']}-item export ({m['bytes'] / 1e6:.1f} MB)"
                     f"{' --dry-run' if m['dry_run'] else ''}: peak memory {m['peak_memory_mb']} MB "
                     f"in {m['seconds']} s ({'ok' if m['ok'] else 'FAILED: ' + m['summary']})")
    return lines


def restore_benchmark(workdir):
    """tests/benchmarks/bench_restore.py in a process of its own: the bench database exported and
    restored into an empty one (BENCH_RESTORE_N: that many articles generated for it instead)."""
    if os.environ.get("BENCH_RESTORE", "1") == "0":
        return {"skipped": "BENCH_RESTORE=0"}
    log("restore of a backup (tests/benchmarks/bench_restore.py)")
    out = workdir / "restore.json"
    size = ["-n", os.environ["BENCH_RESTORE_N"]] if os.environ.get("BENCH_RESTORE_N") else ["--source", DB_NAME]
    close_connections()  # the export reads the bench database from another process
    done = subprocess.run([PYTHON, "-m", "tests.benchmarks.bench_restore", *size, "--output", str(out)], cwd=ROOT,
                          env=server_env(), stdout=subprocess.DEVNULL)
    if not out.exists():
        return {"skipped": f"bench_restore exited with {done.returncode} before measuring"}
    return json.loads(out.read_text())


def restore_lines(restore):
    if not restore:
        return []
    if "skipped" in restore:
        return [f"restore of a backup: skipped: {restore['skipped']}"]
    e, r, f, again = restore["export"], restore["restore"], restore["restore_indexed"], restore["restore_again"]
    return [
        f"export_articles: {e['articles']} articles ({e['bytes'] / 1e6:.0f} MB) in {e['seconds']} s "
        f"= {e['articles_per_s']} articles/s, peak {e['peak_memory_mb']} MB",
        f"restore into an empty database: {r['items']} in {r['seconds']} s = {r['items_per_s']} articles/s, "
        f"peak {r['peak_memory_mb']} MB; {r['tasks_queued']['total']} task(s) queued"
        + ("" if r["ok"] else f" FAILED: {r['summary']}"),
        f"restore fully indexed: + {f.get('workers', 1)} db_worker --batch {f['worker_seconds']} s "
        f"(peak {f['worker_peak_memory_mb']} MB) "
        f"= {f['seconds']} s, {f['items_per_s']} articles/s; queue left {f['queue_left']}"
        + (f"; stopped after {f['stopped_after_s']} s, the whole drain projected at "
           f"{f['projected']['drain_seconds']} s "
           f"({f['projected']['items_per_s']} articles/s fully done)" if "projected" in f else "")
        + ("" if f["ok"] else f" FAILED: {f['summary']}"),
        f"the same backup restored again: {again['seconds']} s = {again['articles_per_s']} articles/s, "
        f"{restore['articles_after']} articles ({again['summary']})",
    ]


# --- main ----------------------------------------------------------------------------------------------
def main():
    from urllib.parse import urlsplit

    exit_on_sigterm()
    server = urlsplit(PG_SERVER)
    if not answers(server.hostname or "127.0.0.1", server.port or 5432):
        sys.exit(f"PostgreSQL does not answer at {PG_SERVER}: start it or set BENCH_PG to a server URL.")
    started_all = time.monotonic()
    prefix = f"bench-{uuid.uuid4().hex[:12]}"
    url = cache_url()
    env = server_env(CACHE_URL=url, CACHE_KEY_PREFIX=prefix)
    if not url:
        log("Redis does not answer on 127.0.0.1:6379: the workers share the cache in the database")
    results = {"n": N, "seconds": SECONDS, "connections": CONNECTIONS, "machine": machine(),
               "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "cache": url or "database"}
    workdir = Path(tempfile.mkdtemp(prefix="archive-bench-"))
    static_file = None
    results["reused_database"] = REUSE_DB and database_exists(DB_NAME)  # then seeding and rendering only top it up
    if not results["reused_database"]:
        pg_admin(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        pg_admin(f'CREATE DATABASE "{DB_NAME}"')
    try:
        log(f"database {DB_NAME}: migrate, generate {N} articles")
        manage("migrate", "-v0", env=env)
        # The cache table, for when the cache is Django's DatabaseCache (no Redis): a no-op otherwise.
        manage("createcachetable", env=env)
        t = time.monotonic()
        manage("generate_articles", str(N), "--seed", str(SEED), env=env, capture=True)
        seconds = time.monotonic() - t
        results["seeding"] = {"articles": N, "seconds": round(seconds, 1), "articles_per_s": round(N / seconds, 1)}
        # The stored pages link to the stylesheets by their hashed names: collected first.
        manage("collectstatic", "--noinput", "-v0", env=env)
        # Generated articles are bulk-inserted: render their pages as a save would (articles.pages.rendering).
        log("render_articles (the pages a save or import renders at write time)")
        t = time.monotonic()
        manage("render_articles", env=env, capture=True)
        seconds = time.monotonic() - t
        results["rendering"] = {"articles": N, "seconds": round(seconds, 1), "articles_per_s": round(N / seconds, 1)}
        setup_django(env)
        paths, skipped = endpoints()
        results["skipped_endpoints"] = skipped
        results["page_costs"] = page_costs(paths)
        static_path, static_file = save_static_page(env, paths["article"][0])
        results["endpoints"] = {name: {} for name in paths}

        for variant, flag in (("uncached", "0"), ("cached", "1")):
            with gunicorn(server_env(CACHE_URL=url, CACHE_KEY_PREFIX=prefix, ARCHIVE_PAGE_CACHE=flag)) as base:
                if variant == "uncached":
                    log("static ceiling")
                    static = drive(base, [static_path], SECONDS)
                    static["bytes"] = static_file.stat().st_size
                    results["static_ceiling"] = static
                for name, urls in paths.items():
                    if variant == "cached":
                        prewarm(base, urls)  # the steady state: every rotated page rendered once
                    log(f"{name} ({variant}, {len(urls)} path(s))")
                    results["endpoints"][name][variant] = drive(base, urls, SECONDS)
                if variant == "uncached":
                    results["search_latency"] = search_latency(base, paths)
                    log("OAI-PMH: a whole harvest by Sickle, then each response's cost in process")
                    results["oai"] = bench_oai.measure(base)

        _save(results, partial=True)  # the HTTP figures survive an interrupted import phase
        # Related posts first: imports then write into an archive whose lists and term index are
        # built, as every real archive's are (imported before, they cost half as much at 100,000).
        log("related posts")
        results["related"] = related_recompute()
        log("import throughput")
        results["imports"] = import_throughput(env, workdir)
        _save(results, partial=True)
        results["restore"] = restore_benchmark(workdir)
        if os.environ.get("BENCH_PEER") == "1":
            results["peer"] = run_peer()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if static_file is not None:
            static_file.unlink(missing_ok=True)
        close_connections()
        if not KEEP_DB:
            pg_admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        forget_cache(url, prefix)
    results["total_seconds"] = round(time.monotonic() - started_all, 1)
    _save(results)
    print(table(results))
    print(f"(JSON: {OUTPUT}; {results['total_seconds']} s in all)")
    if os.environ.get("BENCH_LOAD", "1") != "0":
        # Its own process: it seeds its own database and sets Django up afresh.
        log("load test (tests/benchmarks/bench_load.py)")
        load = subprocess.run([PYTHON, "-m", "tests.benchmarks.bench_load",
                               "--seconds", os.environ.get("BENCH_LOAD_SECONDS", "60")], cwd=ROOT)
        if load.returncode:
            sys.exit(load.returncode)


def _save(results, partial=False):
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps({**results, "partial": partial}, indent=2) + "\n")


def forget_cache(url, prefix):
    if not url.startswith("redis"):
        return
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"{prefix}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start:start + 1000])


if __name__ == "__main__":
    main()
