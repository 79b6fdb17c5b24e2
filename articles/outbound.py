"""Requests the archive makes to other sites (media fetched, links checked): a host's addresses
resolved once, and HTTP(S) connections pinned to the addresses the caller checked, so a name that
resolves elsewhere between the check and the connection (DNS rebinding) reaches nothing unchecked."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl


def addresses_of(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in the resolver's order, once each (raises ``socket.gaierror``
    or ``UnicodeError`` when it does not resolve)."""
    return list(dict.fromkeys(info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))


def ip_of(address: str):
    """An address as ``ipaddress`` reads it (an IPv6 zone such as ``%eth0`` left out)."""
    return ipaddress.ip_address(address.split("%", 1)[0])


def _connect(addresses: list[str], port: int, timeout: float) -> socket.socket:
    """A connection to the first of ``addresses`` that answers (IPv6 and IPv4 alike)."""
    error = OSError("no address to connect to")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except TimeoutError:
            raise
        except OSError as exc:
            error = exc
    raise error


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the addresses already checked, whatever the name resolves to now."""

    def __init__(self, host, port, addresses, timeout):
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses

    def connect(self):
        self.sock = _connect(self.addresses, self.port, self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS, the certificate checked against the host name asked for."""

    def __init__(self, host, port, addresses, timeout):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.addresses = addresses

    def connect(self):
        self.sock = self.tls.wrap_socket(_connect(self.addresses, self.port, self.timeout), server_hostname=self.host)


def pinned_connection(scheme: str, host: str, port: int, addresses: list[str], timeout: float):
    connection_class = PinnedHTTPSConnection if scheme == "https" else PinnedHTTPConnection
    return connection_class(host, port, addresses, timeout)
