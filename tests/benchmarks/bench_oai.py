"""Benchmark of OAI-PMH harvesting: a whole harvest by a real client (Sickle) in records/s, and what
one response costs the server at any depth of the list (queries, peak memory).

Standalone, against a database of its own (migrated, and given the missing articles of
``generate_articles N --seed S``), served from a thread of this process::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/archive_oai \\
        .venv/bin/python -m tests.benchmarks.bench_oai --articles 10000

``make bench`` (run.py) calls ``measure``: ``harvest`` against its gunicorn, ``response_costs`` in process.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
import tracemalloc

from lxml import etree
from sickle import Sickle

PREFIX = "oai_dc"


def harvest(base_url: str, verb: str = "ListRecords") -> dict:
    """Every item of ``verb``'s list, through resumption tokens, by Sickle over HTTP."""
    sickle = Sickle(base_url.rstrip("/") + "/oai/", max_retries=0, timeout=300)
    seen, count, deleted = set(), 0, 0
    started = time.perf_counter()
    for item in getattr(sickle, verb)(metadataPrefix=PREFIX):
        header = getattr(item, "header", item)  # ListRecords gives records, ListIdentifiers headers
        seen.add(header.identifier)
        count += 1
        deleted += header.deleted
    seconds = time.perf_counter() - started
    return {"verb": verb, "items": count, "unique": len(seen), "deleted": deleted, "seconds": round(seconds, 2),
            "items_per_s": round(count / seconds, 1) if seconds else 0.0}


def response_costs(verb: str = "ListRecords") -> dict:
    """Queries of each response of a whole list, answered in process, and the peak memory of any one."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    namespaces = {"o": "http://www.openarchives.org/OAI/2.0/"}
    client = Client(HTTP_HOST="127.0.0.1")
    queries, peaks = [], []
    arguments = {"verb": verb, "metadataPrefix": PREFIX}
    with override_settings(ALLOWED_HOSTS=["*"]):
        while arguments:
            tracemalloc.start()
            with CaptureQueriesContext(connection) as captured:
                response = client.get("/oai/", arguments)
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
            queries.append(len(captured))
            token = etree.fromstring(response.content).findtext(".//o:resumptionToken", namespaces=namespaces)
            arguments = {"verb": verb, "resumptionToken": token} if token else None
    return {"verb": verb, "responses": len(queries), "queries_min": min(queries), "queries_max": max(queries),
            "peak_mb_first": round(peaks[0] / 2**20, 1), "peak_mb_max": round(max(peaks) / 2**20, 1)}


def measure(base_url: str, verbs=("ListRecords",)) -> dict:
    """What ``make bench`` records: the published articles, a whole harvest of each verb, each response's cost."""
    from articles.models import Article

    return {
        "published": Article.objects.published().count(),
        "harvests": [harvest(base_url, verb) for verb in verbs],
        "costs": [response_costs("ListRecords")],
    }


def lines(results: dict) -> list[str]:
    """The benchmark table's lines for ``results`` (harvests and costs)."""
    out = []
    for run in results.get("harvests", []):
        out.append(f"OAI-PMH {run['verb']} by Sickle: {run['items']} items ({run['unique']} distinct) in "
                   f"{run['seconds']} s, {run['items_per_s']} items/s")
    for cost in results.get("costs", []):
        out.append(f"OAI-PMH {cost['verb']}: {cost['responses']} responses, {cost['queries_min']}-"
                   f"{cost['queries_max']} queries each, peak {cost['peak_mb_max']} MB each "
                   f"(the first: {cost['peak_mb_first']} MB)")
    return out


def _serve():
    """The site on a free port, from a thread of this process: (base URL, server)."""
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10000, help="articles in the archive (default 10000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable")  # the pages' cache, when it is the database (no CACHE_URL)
    call_command("generate_articles", str(args.articles), "--seed", str(args.seed))
    base, server = _serve()
    try:
        results = measure(base, verbs=("ListRecords", "ListIdentifiers"))
    finally:
        server.shutdown()
    published = results["published"]
    print(f"{args.articles} articles, {published} published")
    print("\n".join(lines(results)))
    complete = all(run["items"] == run["unique"] == published for run in results["harvests"])
    print("every published article harvested once" if complete else "HARVEST INCOMPLETE OR DUPLICATED")
    return 0 if complete else 1


if __name__ == "__main__":
    raise SystemExit(main())
