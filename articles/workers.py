"""Forked worker processes for CPU-bound write-time work (related posts, stored pages)."""

from __future__ import annotations

import multiprocessing
import signal


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def forked_pool(workers: int, initializer=None):
    """A pool of ``workers`` forked processes.

    Each worker gets SIGTERM's default action back before ``initializer`` runs: a handler the parent
    installed (a command that unwinds cleanly on SIGTERM, the benchmark) would otherwise be
    inherited, and a worker the pool terminates while it waits for the task queue's lock would
    carry on waiting, and the pool with it (seen: a 5-minute rebuild taking 15).
    """
    return multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker, initargs=(initializer,))


def _start_worker(initializer) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if initializer is not None:
        initializer()
