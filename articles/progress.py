"""A progress bar for long commands, shown only on a terminal (logs and tests stay clean)."""

import sys

from tqdm import tqdm


def progress(iterable, *, desc, unit="item", total=None, stream=None, min_items=2):
    stream = stream or sys.stderr
    raw = getattr(stream, "_out", stream)  # Django's OutputWrapper keeps the real stream here
    if total is None:
        try:
            total = len(iterable)
        except TypeError:
            total = None
    on_terminal = hasattr(raw, "isatty") and raw.isatty()
    if not on_terminal or (total is not None and total < min_items):
        return iterable
    return tqdm(iterable, desc=desc, unit=unit, total=total, file=raw, leave=False, dynamic_ncols=True)
