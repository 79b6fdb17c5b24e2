"""`make bench`: run every tests/benchmarks/bench_*.py module's main() in turn."""

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).parent
    failed = 0
    for module in sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_")):
        # One process per benchmark, so each one's peak memory is its own.
        name = f"tests.benchmarks.{module}"
        importlib.util.find_spec(name)
        failed += subprocess.call([sys.executable, "-m", name]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
