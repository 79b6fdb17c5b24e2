"""`make bench`: run every tests/benchmarks/bench_*.py module, each in a process of its own."""

import pkgutil
import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).parent
    modules = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    # A process per benchmark, so each one's peak memory is its own.
    failed = [name for name in modules if subprocess.call([sys.executable, "-m", f"tests.benchmarks.{name}"]) != 0]
    if failed:
        print("benchmarks that failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
