"""`make bench`: run every ``bench_*.py`` module's ``main()`` with its defaults, one after another."""

import importlib
import pkgutil
import sys
from pathlib import Path


def main():
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    for name in names:
        print(f"== {name}", file=sys.stderr)
        importlib.import_module(f"tests.benchmarks.{name}").main([])


if __name__ == "__main__":
    main()
