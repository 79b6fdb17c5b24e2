"""Forked workers of write-time work: they die when their pool terminates them, and share pure work."""

import os
import signal

import pytest

from articles.workers import can_fork, forked_pool, in_two_processes


def _sigterm_action():
    return signal.getsignal(signal.SIGTERM)


@pytest.mark.skipif(not can_fork(), reason="no fork on this platform")
def test_workers_get_sigterms_default_action_whatever_the_parent_installed():
    def unwind(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, unwind)
    try:
        with forked_pool(2) as pool:
            actions = [pool.apply(_sigterm_action) for _ in range(2)]
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert actions == [signal.SIG_DFL, signal.SIG_DFL]


def _squares_with_pid(items):
    return {item: (item * item, os.getpid()) for item in items}


@pytest.mark.skipif(not can_fork(), reason="no fork on this platform")
def test_two_processes_give_the_dict_one_gives_half_of_it_computed_in_a_child():
    result = in_two_processes(_squares_with_pid, range(10))
    assert {k: square for k, (square, _) in result.items()} == {n: n * n for n in range(10)}
    assert {pid for _, pid in result.values()} == {os.getpid(), result[9][1]} and result[9][1] != os.getpid()
    assert all(result[n][1] == os.getpid() for n in range(5))


def test_few_items_are_computed_here_alone():
    result = in_two_processes(_squares_with_pid, [1, 2, 3], min_items=4)
    assert result == {n: (n * n, os.getpid()) for n in (1, 2, 3)}


@pytest.mark.skipif(not can_fork(), reason="no fork on this platform")
def test_a_failing_child_leaves_its_half_to_the_parent(caplog):
    parent = os.getpid()

    def only_here(items):
        if os.getpid() != parent:
            raise RuntimeError("the child breaks")
        return {item: item + 1 for item in items}

    assert in_two_processes(only_here, range(6)) == {n: n + 1 for n in range(6)}
    assert "the child breaks" in caplog.text
