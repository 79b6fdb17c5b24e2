"""A real task worker (`manage.py db_worker`) run as its own process against the test database."""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def run_db_worker(timeout=300) -> subprocess.CompletedProcess:
    """Run every queued task with the project's own settings (its database cache included, whose
    table the suite's in-memory cache never made), then exit."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "archive.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "createcachetable"], cwd=ROOT, env=env, check=True, capture_output=True,
                   timeout=timeout)
    return subprocess.run(
        [*manage, "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )
