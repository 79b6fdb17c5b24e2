"""The load test runs end to end for a few seconds, so it cannot rot (PostgreSQL runs only, Redis needed)."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def _redis_answers():
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the load test seeds PostgreSQL: runs in the PostgreSQL pass of make test",
)
@pytest.mark.skipif(not _redis_answers(), reason="Redis does not answer on 127.0.0.1:6379: the load test needs it")
def test_eight_seconds_of_mixed_reads_and_comment_posts_give_no_5xx_and_store_every_accepted_comment(tmp_path):
    output = tmp_path / "load.json"
    test_db = connection.settings_dict.get("TEST", {}).get("NAME") or "test_archive"
    env = {**os.environ, "CACHE_URL": "redis://127.0.0.1:6379/0"}
    run = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.bench_load", "--seconds", "8", "--articles", "200",
         "--db", f"{test_db}_load", "--output", str(output)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    results = json.loads(output.read_text())
    assert results["failures"] == []
    reads, posts, comments = results["reads"], results["posts"], results["comments"]
    assert reads["requests"] > 0 and reads["statuses"] == {"200": reads["requests"]}
    assert reads["socket_errors"] == 0 and posts["socket_errors"] == 0
    assert comments["accepted"] > 0
    # Each comment sent twice: from the shared page (200, back to confirm with the reader's token), then confirmed.
    assert posts["statuses"] == {"200": comments["accepted"], "302": comments["accepted"]}
    assert comments["stored_of_accepted"] == comments["accepted"] == comments["stored_total"]
    assert "result: PASS" in run.stdout
