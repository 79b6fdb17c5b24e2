"""Checking one URL politely: robots.txt first (once per site and run), HEAD, GET where HEAD is
refused, redirects followed by hand (loops and chains told apart), nothing written."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from articles.models.links import LinkCheck

from .fetch import Fetcher, Refused
from .policy import LinkCheckPolicy, Result

OK, FAILED, SKIPPED = LinkCheck.Outcome.OK, LinkCheck.Outcome.FAILED, LinkCheck.Outcome.SKIPPED


class LinkChecker:
    def __init__(self, policy: LinkCheckPolicy, fetcher: Fetcher):
        self.policy, self.fetcher = policy, fetcher
        self._robots: dict[str, RobotFileParser | None] = {}  # origin: its rules (None: check nothing)

    def check(self, url: str) -> Result:
        try:
            if not self.robots_allow(url):
                return Result(SKIPPED, error="robots.txt asks not to check it")
            result = self._follow("HEAD", url)
            if result.status in self.policy.get_after_head:
                result = self._follow("GET", url)
        except Refused as exc:
            return Result(SKIPPED, error=str(exc)[:300])
        result.outcome = FAILED if self.policy.is_failure(result) else OK
        return result

    def _follow(self, method: str, url: str) -> Result:
        """The answer at the end of the redirects (``final_url``: where they led, if anywhere)."""
        status, final, error = self._chain(method, url)
        return Result("", method, status, final if final != url else "", error)

    def _chain(self, method: str, url: str, *, read: int = 0):
        """(status or None, the last URL asked, error); with ``read``, the body instead of the URL."""
        seen, current = {url}, url
        for _ in range(self.policy.max_redirects + 1):
            try:
                response = self.fetcher.request(method, current, read=read)
            except TimeoutError:
                return None, current, f"no answer within {self.policy.timeout:g} s"
            except OSError as exc:
                return None, current, f"could not connect: {exc}"[:300]
            if not (300 <= response.status < 400 and response.location):
                return response.status, (response.body if read else current), ""
            current = urljoin(current, response.location)
            if current in seen:
                return None, current, "redirect loop"
            seen.add(current)
        return None, current, f"more than {self.policy.max_redirects} redirects"

    def robots_allow(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        rules = self._robots[origin]
        return rules is not None and rules.can_fetch(self.fetcher.user_agent, url)

    def _read_robots(self, origin: str) -> RobotFileParser | None:
        """The site's rules: none found allows everything (as does a site that does not answer: the
        check itself tells that); 401 or 403 allows nothing, as a server error does (RFC 9309)."""
        rules = RobotFileParser(origin + "/robots.txt")
        try:
            status, body, _ = self._chain("GET", origin + "/robots.txt", read=self.policy.robots_max_bytes)
        except Refused:
            status, body = None, b""
        if status in (401, 403) or (status is not None and status >= 500):
            return None
        found = status is not None and 200 <= status < 300
        rules.parse(body.decode("utf-8", "replace").splitlines() if found else [])  # no rules: all allowed
        return rules
