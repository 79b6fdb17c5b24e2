"""The site under load: mixed reads with comment posts at the side, zero 5xx, every accepted comment stored.

    .venv/bin/python -m tests.benchmarks.bench_load [--seconds 60] [--articles 500]

Seeds a PostgreSQL database of its own with `generate_articles`, serves it with gunicorn (2 workers,
debug off, Redis cache under a key prefix of its own, the comment rate limit and the "sent too soon"
check lifted) and, for a fixed time, drives it with a bounded Python client: reader threads GET a mix
of article, home, category, tag, year, search and feed pages while poster threads comment through the
real form (GET the article, take the form token from the page, POST; the form comes back to confirm
with the reader's CSRF cookie and token, POST again).
Every status is counted. It fails (exit 1) on any 5xx, any socket error, no comment accepted,
or when the comments whose POST answered 302 are not exactly the ones stored in the database.

`make bench` runs it after the main suite (BENCH_LOAD=0 skips it; BENCH_LOAD_SECONDS, default 60).
Reuses the helpers of tests/benchmarks/run.py (server env, database, seeding, gunicorn, cache clean-up).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import sys
import threading
import time
import uuid
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from tests.benchmarks import run

# Relative weights of the reader mix (an endpoint this branch lacks drops out).
READ_MIX = {"article": 50, "home": 10, "category": 10, "tag": 10, "year": 5, "search": 10, "feed": 5}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="token" value="([^"]+)"')
FORM_ACTION = re.compile(r'<form class="comment-form" method="post" action="([^"]+)"')
NO_FORM = "article page without a comment form"
TIMEOUT = 10


class Tally:
    """Statuses and latencies, merged from every thread under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = Counter()
        self.latencies = []
        self.socket_errors = []

    def merge(self, statuses, latencies, socket_errors):
        with self.lock:
            self.statuses.update(statuses)
            self.latencies.extend(latencies)
            self.socket_errors.extend(socket_errors)

    def summary(self, elapsed):
        latencies = sorted(self.latencies)

        def pick(q):
            return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 2) if latencies else 0.0

        requests = sum(self.statuses.values())
        return {"requests": requests, "rps": round(requests / elapsed, 1), "p50_ms": pick(0.5), "p99_ms": pick(0.99),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "socket_errors": len(self.socket_errors), "first_socket_errors": self.socket_errors[:3]}


class Connection:
    """One keep-alive HTTP connection with a cookie jar (http.client reopens it when the server closes)."""

    def __init__(self, base):
        host = urlsplit(base)
        self.conn = http.client.HTTPConnection(host.hostname, host.port, timeout=TIMEOUT)
        self.cookies = {}

    def request(self, method, path, form=None):
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()  # the next request opens a fresh connection
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, content


def reader(base, paths, stop_at, tally, seed):
    """GET pages until ``stop_at``: an endpoint drawn by READ_MIX weight, then one of its URLs."""
    rng = random.Random(seed)
    names = [name for name in READ_MIX if paths.get(name)]
    weights = [READ_MIX[name] for name in names]
    conn = Connection(base)
    statuses, latencies, errors = Counter(), [], []
    while time.monotonic() < stop_at:
        path = rng.choice(paths[rng.choices(names, weights)[0]])
        started = time.perf_counter()
        try:
            status, _ = conn.request("GET", path)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"GET {path}: {exc!r}")
            continue
        latencies.append(time.perf_counter() - started)
        statuses[status] += 1
    tally.merge(statuses, latencies, errors)


def poster(base, article_paths, stop_at, reads, posts, accepted, marker, number):
    """Comment through the form as a reader does: the article's GET counts with the reads, the POST with
    the posts; the bodies of the comments answered 302 go to ``accepted``."""
    rng = random.Random(number)
    conn = Connection(base)
    read_statuses, read_latencies, post_statuses, post_latencies, errors, mine = Counter(), [], Counter(), [], [], []
    n = 0
    while time.monotonic() < stop_at:
        path = rng.choice(article_paths)
        started = time.perf_counter()
        try:
            status, page = conn.request("GET", path)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"GET {path}: {exc!r}")
            continue
        read_latencies.append(time.perf_counter() - started)
        read_statuses[status] += 1
        page = page.decode()
        token, action = FORM_TOKEN.search(page), FORM_ACTION.search(page)
        if status != 200 or not (token and action):
            post_statuses[NO_FORM] += 1
            continue
        n += 1
        body = f"{marker} poster {number} comment {n}: a reader's thoughts on this analysis."
        form = {"token": token.group(1), "name": f"Load reader {number}",
                "email": f"reader{number}@example.org", "website": "", "body": body, "parent": "", "homepage": ""}
        # The shared page's form has no CSRF token: its first POST comes back to confirm, with the
        # reader's token and cookie; both POSTs count with the posts.
        for attempt in ("confirm", "send"):
            started = time.perf_counter()
            try:
                status, answer = conn.request("POST", action.group(1), form)
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"POST {action.group(1)}: {exc!r}")
                status = None
                break
            post_latencies.append(time.perf_counter() - started)
            post_statuses[status] += 1
            csrf = CSRF_INPUT.search(answer.decode()) if attempt == "confirm" and status == 200 else None
            if csrf is None or "csrftoken" not in conn.cookies:
                break
            form["csrfmiddlewaretoken"] = csrf.group(1)
        if status is None:
            continue
        if status == 302:
            mine.append(body)
    reads.merge(read_statuses, read_latencies, [])
    posts.merge(post_statuses, post_latencies, errors)
    with posts.lock:
        accepted.extend(mine)


def stored_bodies(marker):
    from articles.models import Comment

    return list(Comment.objects.filter(body__startswith=marker).values_list("body", flat=True))


def load(base, paths, seconds, readers, posters, marker):
    # Daemon threads: an interrupted run (Ctrl-C, SIGTERM) stops its server without waiting for them.
    reads, posts, accepted = Tally(), Tally(), []
    stop_at = time.monotonic() + seconds
    threads = [threading.Thread(target=reader, args=(base, paths, stop_at, reads, n), daemon=True)
               for n in range(readers)]
    threads += [
        threading.Thread(target=poster, args=(base, paths["article"], stop_at, reads, posts, accepted, marker, n),
                         daemon=True)
        for n in range(posters)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {"seconds": round(elapsed, 1), "reads": reads.summary(elapsed), "posts": posts.summary(elapsed),
            "accepted": accepted}


def failures(results):
    problems = []
    for side in ("reads", "posts"):
        r = results[side]
        server_errors = {k: v for k, v in r["statuses"].items() if k.isdigit() and int(k) >= 500}
        if server_errors:
            problems.append(f"{side}: server errors {server_errors}")
        if r["statuses"].get(NO_FORM):
            problems.append(f"{side}: {r['statuses'][NO_FORM]} times the {NO_FORM}")
        if r["socket_errors"]:
            problems.append(f"{side}: {r['socket_errors']} socket errors, e.g. {r['first_socket_errors']}")
    if results["reads"]["requests"] == 0:
        problems.append("no read was answered")
    c = results["comments"]
    if c["accepted"] == 0:
        problems.append("no comment was accepted (302)")
    if c["stored_of_accepted"] != c["accepted"]:
        problems.append(f"{c['accepted']} comments accepted but {c['stored_of_accepted']} of them stored")
    return problems


def table(results):
    lines = [f"load: {results['articles']} articles, {results['seconds']} s, {results['readers']} reader + "
             f"{results['posters']} poster threads, gunicorn 2 workers, cache {results['cache']}",
             f"{'':<8} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  statuses"]
    for side in ("reads", "posts"):
        r = results[side]
        statuses = ", ".join(f"{k}: {v}" for k, v in r["statuses"].items())
        if r["socket_errors"]:
            statuses += f", socket errors: {r['socket_errors']}"
        lines.append(f"{side:<8} {r['requests']:>9} {r['rps']:>8.1f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f}  "
                     f"{statuses}")
    c = results["comments"]
    lines.append(f"comments: {c['accepted']} accepted (302), {c['stored_of_accepted']} of them stored, "
                 f"{c['stored_total']} stored in all")
    lines.append("result: " + ("PASS" if not results["failures"] else "FAIL: " + "; ".join(results["failures"])))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="How long to drive the site (default 60).")
    parser.add_argument("--articles", type=int, default=500, help="Articles to generate (default 500).")
    parser.add_argument("--readers", type=int, default=6, help="Reader threads (default 6).")
    parser.add_argument("--posters", type=int, default=2, help="Comment-posting threads (default 2).")
    parser.add_argument("--db", default=f"{run.DB_NAME}_load",
                        help="Database to create and drop (default %(default)s).")
    parser.add_argument("--output", type=Path, help="Also write the results as JSON here.")
    args = parser.parse_args(argv)
    run.exit_on_sigterm()

    server = urlsplit(run.PG_SERVER)
    if not run.answers(server.hostname or "127.0.0.1", server.port or 5432):
        sys.exit(f"PostgreSQL does not answer at {run.PG_SERVER}: start it or set BENCH_PG to a server URL.")
    url = run.cache_url()
    if not url:
        sys.exit("Redis does not answer on 127.0.0.1:6379: the load test runs gunicorn workers sharing a Redis cache.")
    prefix = f"load-{uuid.uuid4().hex[:12]}"
    env = run.server_env(
        DATABASE_URL=f"{run.PG_SERVER}/{args.db}", CACHE_URL=url, CACHE_KEY_PREFIX=prefix,
        ARCHIVE_PLAIN_STATIC="1", ARCHIVE_COMMENTS_RATE_LIMIT="0", ARCHIVE_COMMENTS_MIN_SECONDS="0",
    )
    marker = f"[{prefix}]"
    results = {"articles": args.articles, "readers": args.readers, "posters": args.posters, "cache": url}
    run.pg_admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    run.pg_admin(f'CREATE DATABASE "{args.db}"')
    try:
        run.log(f"database {args.db}: migrate, generate {args.articles} articles")
        run.manage("migrate", "-v0", env=env)
        run.manage("createcachetable", env=env)  # for Django's DatabaseCache; a no-op with Redis
        run.manage("generate_articles", str(args.articles), "--seed", str(run.SEED), env=env, capture=True)
        run.setup_django(env)
        paths, skipped = run.endpoints()
        if "article" not in paths:
            sys.exit(f"no article pages to load: {skipped.get('article')}")
        with run.gunicorn(env, workers=2) as base:
            run.log(f"{args.seconds:g} s of reads ({', '.join(paths)}) with comment posts at the side")
            measured = load(base, paths, args.seconds, args.readers, args.posters, marker)
        accepted = measured.pop("accepted")
        stored = stored_bodies(marker)
        results.update(measured)
        results["comments"] = {"accepted": len(accepted), "stored_of_accepted": len(set(stored) & set(accepted)),
                               "stored_total": len(stored)}
    finally:
        run.close_connections()
        run.pg_admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        run.forget_cache(url, prefix)
    results["failures"] = failures(results)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    return 1 if results["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
