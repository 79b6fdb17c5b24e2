"""Progress bars for long commands, shown only on a terminal (logs and tests stay clean)."""

import sys

from tqdm import tqdm


def _raw(stream):
    return getattr(stream, "_out", stream)  # Django's OutputWrapper keeps the real stream here


def on_terminal(stream) -> bool:
    raw = _raw(stream)
    return hasattr(raw, "isatty") and raw.isatty()


def progress(iterable, *, desc, unit="item", total=None, stream=None, min_items=2):
    stream = stream or sys.stderr
    if total is None:
        try:
            total = len(iterable)
        except TypeError:
            total = None
    if not on_terminal(stream) or (total is not None and total < min_items):
        return iterable
    return tqdm(iterable, desc=desc, unit=unit, total=total, file=_raw(stream), leave=False, dynamic_ncols=True)


class ItemProgress:
    """Items counted as they are done, with a bar on ``stream`` when it is a terminal (and ``shown``),
    and lines written to ``out`` as they happen, around the bar (never into it)."""

    def __init__(self, *, desc, unit, stream, out, shown=True):
        self.out = out
        self.bar = None
        if shown and on_terminal(stream):
            self.bar = tqdm(desc=desc, unit=unit, file=_raw(stream), leave=False, dynamic_ncols=True)

    def update(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def write(self, lines) -> None:
        """Write ``lines`` (already styled) now: flushed, so a log or a pipe has them as they happen."""
        if not lines:
            return
        if self.bar is None:
            self._write(lines)
        else:
            with tqdm.external_write_mode(file=_raw(self.out)):
                self._write(lines)

    def _write(self, lines) -> None:
        for line in lines:
            self.out.write(line)
        self.out.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
