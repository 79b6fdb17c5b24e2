"""The benchmark suite runs end to end at a small size, so it cannot rot (PostgreSQL runs only)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the benchmark seeds PostgreSQL: runs in the PostgreSQL pass of make test",
)
def test_benchmark_suite_runs_end_to_end_at_300_articles(tmp_path):
    output = tmp_path / "bench.json"
    test_db = connection.settings_dict.get("TEST", {}).get("NAME") or "test_archive"
    env = {
        **os.environ,
        "BENCH_N": "300",
        "BENCH_SECONDS": "2",
        "BENCH_OUTPUT": str(output),
        "BENCH_DB": f"{test_db}_bench",  # parallel checkouts each use their own
        "BENCH_PEER": "0",
        "BENCH_WXR_MEMORY_ITEMS": "100",
        "BENCH_LOAD": "0",  # tests/test_load_smoke.py runs the load test
    }
    run = subprocess.run([sys.executable, "-m", "tests.benchmarks.run"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(output.read_text())
    assert results["n"] == 300
    assert results["seeding"]["articles"] == 300
    assert results["static_ceiling"]["rps"] > 0
    for name in ("article", "home", "category", "tag"):
        assert results["page_costs"][name]["status"] == 200
        assert 0 < results["page_costs"][name]["queries"] <= 8
        for variant in ("uncached", "cached"):
            measured = results["endpoints"][name][variant]
            assert measured["requests"] > 0 and measured["non_2xx"] == 0, (name, variant, measured)
    harvested = results["oai"]["harvests"][0]
    assert harvested["items"] == harvested["unique"] == results["oai"]["published"] > 250
    assert harvested["items_per_s"] > 0
    assert results["oai"]["costs"][0]["queries_max"] <= 8
    imports = results["imports"]
    assert imports["wxr_memory"]["ok"] and imports["wxr_memory"]["peak_memory_mb"] > 0
    for key, unit in (("seed_files", "files"), ("wxr", "items")):
        # The import itself: articles committed, their indexing queued as tasks (one per batch and kind).
        imported = imports[key]
        assert imported["ok"], imported
        assert f": {imported[unit]} created, 0 updated" in imported["summary"], imported["summary"]
        assert imported[f"{unit}_per_s"] > 0 and imported["peak_memory_mb"] > 0
        assert imported["tasks_queued"]["total"] >= 3, imported["tasks_queued"]
        for kind in ("search_vectors", "related_posts", "article_pages"):
            assert imported["tasks_queued"][kind] >= 1, imported["tasks_queued"]
        # Until fully indexed: the import plus `db_worker --batch`, which drains the queue to zero.
        indexed = imports[f"{key}_indexed"]
        assert indexed["ok"], indexed
        assert indexed["items"] == imported[unit]
        assert indexed["queue_left"] == 0 and indexed["tasks_failed"] == 0, indexed
        assert indexed["tasks_run"] >= imported["tasks_queued"]["total"], indexed
        assert indexed["not_indexed"]["articles"] == imported[unit]
        assert indexed["not_indexed"]["search_vector"] == 0 and indexed["not_indexed"]["terms"] == 0, indexed
        assert indexed["worker_peak_memory_mb"] > 0
        assert imported[f"{unit}_per_s"] > indexed["items_per_s"] > 0
    # The bench database exported and restored into an empty one, then restored again: nothing doubled.
    restore = results["restore"]
    assert restore["ok"], restore
    assert restore["restore"]["items"] == restore["export"]["articles"] == restore["articles_after"] > 300
    assert restore["restore_indexed"]["queue_left"] == 0 and restore["restore_indexed"]["tasks_failed"] == 0
    assert restore["restore"]["tasks_queued"]["related_posts"] >= 1
    assert "restore into an empty database" in run.stdout
    assert "fully indexed" in run.stdout
    assert "static ceiling" in run.stdout and "article" in run.stdout
