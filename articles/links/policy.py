"""How links are checked, in one place: timeouts, pauses, what counts as a failure, when a link is
dead and when it is checked again. Every value is read from settings when used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings


@dataclass
class Result:
    """What one check found. ``outcome`` is a ``LinkCheck.Outcome`` value."""

    outcome: str
    method: str = ""
    status: int | None = None
    final_url: str = ""
    error: str = ""


class LinkCheckPolicy:
    """The link check's rules, as hooks (overridable one at a time, like ``CommentModerator``)."""

    # HEAD answered with these: asked again with GET (servers that refuse or mishandle HEAD).
    get_after_head = frozenset({400, 403, 405, 501})
    max_redirects = 10
    robots_max_bytes = 512 * 1024
    dead_after = 2  # failed checks in a row

    def setting(self, name, default):
        return getattr(settings, name, default)

    @property
    def timeout(self) -> float:
        return float(self.setting("ARCHIVE_LINK_CHECK_TIMEOUT", 10))

    @property
    def host_interval(self) -> float:
        """Seconds between two requests to one host."""
        return float(self.setting("ARCHIVE_LINK_CHECK_HOST_INTERVAL", 2))

    @property
    def batch(self) -> int:
        """Links checked by one run of the task (it queues the next run at once if more are due)."""
        return int(self.setting("ARCHIVE_LINK_CHECK_BATCH", 200))

    @property
    def allow_private(self) -> bool:
        """Checking private and loopback addresses (only tests' local servers should need it)."""
        return bool(self.setting("ARCHIVE_LINK_CHECK_ALLOW_PRIVATE", False))

    @property
    def wayback_lookup(self) -> bool:
        """Whether the Wayback Machine's availability API is asked for a dead link's closest snapshot."""
        return bool(self.setting("ARCHIVE_WAYBACK_LOOKUP", False))

    @property
    def wayback_api(self) -> str:
        return self.setting("ARCHIVE_WAYBACK_API_URL", "https://archive.org/wayback/available")

    def user_agent(self, domain: str) -> str:
        return f"{settings.SITE_NAME} link checker (+https://{domain}/)"

    def is_failure(self, result: Result) -> bool:
        """No answer, a redirect that never ends, gone (404, 410) or a server error. Other refusals
        (401, 403, 429, 451) say the page may well be there: not a failure."""
        if result.status is None:
            return True
        return result.status in (404, 410) or result.status >= 500

    # A run in which no site at all answered (this many hosts or more) says our network is down,
    # not that the links are: its failures are not counted against them.
    offline_after_hosts = 3

    def network_seems_down(self, checked: list[tuple[str, Result]]) -> bool:
        """``checked``: (host, result) of a run. True when several hosts were asked and not one
        answered with any HTTP status (a machine offline, a broken resolver, a firewall)."""
        hosts = {host for host, _ in checked}
        return len(hosts) >= self.offline_after_hosts and all(result.status is None for _, result in checked)

    def next_check_after(self, failures_in_row: int) -> timedelta:
        """A link that answered is checked again in a month; a failing one the next day, so that a
        short outage is not taken for a dead link and a dead one is told soon."""
        if failures_in_row:
            return timedelta(days=int(self.setting("ARCHIVE_LINK_RECHECK_FAILED_DAYS", 1)))
        return timedelta(days=int(self.setting("ARCHIVE_LINK_CHECK_EVERY_DAYS", 30)))


policy = LinkCheckPolicy()


def get_policy() -> LinkCheckPolicy:
    return policy
