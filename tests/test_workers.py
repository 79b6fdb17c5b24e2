"""Forked workers of write-time work die when their pool terminates them."""

import signal

import pytest

from articles.workers import can_fork, forked_pool


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
