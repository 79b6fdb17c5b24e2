"""Forked worker processes for CPU-bound write-time work (related posts, stored pages)."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal

logger = logging.getLogger(__name__)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def forked_pool(workers: int, initializer=None):
    """A pool of ``workers`` forked processes.

    Each worker gets SIGTERM's default action back before ``initializer`` runs: a handler the parent
    installed (a command that unwinds cleanly on SIGTERM, the benchmark) would otherwise be
    inherited, and a worker the pool terminates while it waits for the task queue's lock would
    carry on waiting, and the pool with it.
    """
    return multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker, initargs=(initializer,))


def _start_worker(initializer) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if initializer is not None:
        initializer()


def in_two_processes(compute, items, *, min_items=2):
    """``compute(items)`` (a dict per item), its second half worked out in a forked process.

    For pure computation on data this process has already read: the child inherits it by fork,
    copy-on-write, never touches the database connection, and sends its dict back through a pipe.
    Fewer than ``min_items`` items, no fork on this platform, or a child that fails: all here.
    """
    items = list(items)
    if len(items) < max(min_items, 2) or not can_fork() or (os.cpu_count() or 1) < 2:
        return compute(items)
    half = len(items) // 2
    mine, theirs = items[:half], items[half:]
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_compute_and_send, args=(compute, theirs, sending), daemon=True)
    child.start()
    sending.close()
    try:
        result = compute(mine)
        try:
            outcome, value = receiving.recv()
        except (EOFError, OSError):
            outcome, value = "failed", "the process stopped without an answer"
    finally:
        receiving.close()
        child.join()
    if outcome != "done":
        logger.warning("Forked computation failed (%s); done here instead.", value)
        value = compute(theirs)
    result.update(value)
    return result


def _compute_and_send(compute, items, sending):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        answer = ("done", compute(items))
    except BaseException as exc:  # said to the parent, which computes these items itself
        answer = ("failed", repr(exc))
    sending.send(answer)
    sending.close()
