"""The test suite's own settings (tests/settings.py)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRINT_TEST_DATABASE = "from tests import settings; print(settings.DATABASES['default']['TEST']['NAME'])"


def test_two_sqlite_runs_in_one_checkout_each_have_their_own_database():
    """Two runs sharing one file corrupt each other ("readonly database", "disk I/O error")."""
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DB_NAME", "DATABASE_URL")}
    env["DATABASE_URL"] = f"sqlite:///{ROOT / 'test.sqlite3'}"
    names = [subprocess.run([sys.executable, "-c", PRINT_TEST_DATABASE], cwd=ROOT, env=env, capture_output=True,
                            text=True, check=True, timeout=60).stdout.strip() for _ in range(2)]
    assert names[0] != names[1]
    assert all(Path(name).parent == ROOT and Path(name).name.startswith("test-run-") for name in names)
