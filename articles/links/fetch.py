"""One polite HTTP request at a time: a timeout, the site's User-Agent, a pause between requests to
the same host, and never an address on a private or loopback network unless allowed.

The host name is resolved and its addresses checked once, and the connection made to them (the TLS
handshake still names the host), so a name that resolves differently a moment later cannot lead a
check inside the network. No body is read but what is asked for (robots.txt, the Wayback API).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from articles.outbound import addresses_of, ip_of, pinned_connection

# What stays as written in a request's path (the rest is percent-encoded: a Dari path is UTF-8).
_PATH_SAFE = "/%?=&;:@!$'()*+,~-._"


class Refused(Exception):
    """The request was not made (a private address, a scheme other than http(s), no host)."""


@dataclass
class Response:
    status: int
    location: str
    body: bytes


class HostPacer:
    """Waits so that a request to a host begins at least ``interval`` seconds after the last one
    to it ended."""

    def __init__(self, interval: float, clock=time.monotonic, sleep=time.sleep):
        self.interval, self.clock, self.sleep = interval, clock, sleep
        self._last: dict[str, float] = {}

    def wait(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None:
            remaining = last + self.interval - self.clock()
            if remaining > 0:
                self.sleep(remaining)

    def done(self, host: str) -> None:
        self._last[host] = self.clock()


def public_addresses(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The addresses ``host`` resolves to, checked: every one must be public unless ``allow_private``."""
    try:
        addresses = addresses_of(host, port)
    except (socket.gaierror, UnicodeError) as exc:
        raise OSError(f"the host name {host!r} does not resolve") from exc
    if not allow_private:
        for address in addresses:
            if not ip_of(address).is_global:
                raise Refused(f"{host} is a private or local address ({address}): not checked")
    return addresses


@dataclass
class Fetcher:
    user_agent: str
    timeout: float
    pacer: HostPacer
    allow_private: bool = False

    def request(self, method: str, url: str, *, read: int = 0) -> Response:
        """One request, no redirect followed; ``read``: how many bytes of the body to keep.
        Raises ``Refused``, or ``OSError`` (``TimeoutError`` among them) when there is no answer."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Refused(f"not an http(s) address: {url[:100]}")
        https = parts.scheme == "https"
        port = parts.port or (443 if https else 80)
        addresses = public_addresses(parts.hostname, port, allow_private=self.allow_private)
        host = parts.hostname.lower()
        self.pacer.wait(host)
        connection = pinned_connection(parts.scheme, parts.hostname, port, addresses, self.timeout)
        path = quote(parts.path or "/", safe=_PATH_SAFE)
        if parts.query:
            path += "?" + quote(parts.query, safe=_PATH_SAFE)
        try:
            connection.request(method, path, headers={"User-Agent": self.user_agent, "Accept": "*/*"})
            response = connection.getresponse()
            body = response.read(read) if read else b""
            return Response(response.status, response.getheader("Location", ""), body)
        except (http.client.HTTPException, ssl.SSLError) as exc:
            raise OSError(f"{type(exc).__name__}: {exc}"[:200]) from exc
        finally:
            connection.close()
            self.pacer.done(host)
