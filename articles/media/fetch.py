"""Fetching a file from the old site, safely: http(s) only, a timeout, a size limit, the content
type sniffed from the bytes, and never a private, loopback or link-local address (every hop of a
redirect checked) unless ``ARCHIVE_MEDIA_ALLOW_PRIVATE`` allows it: True for any, or a list of
networks (tests serve files on 127.0.0.1; an operator may allow the old site's internal address).

The connection goes to the very address that was checked (no second DNS lookup that could answer
differently), with the URL's host name for the Host header and TLS.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from articles.outbound import addresses_of, ip_of, pinned_connection

MAX_REDIRECTS = 5
USER_AGENT = "archive-media-fetcher/1.0"


class FetchRefused(Exception):
    """The file was not fetched; the message says why (kept as the Media row's ``problem``)."""


# (magic bytes at an offset, content type). SVG is left out on purpose: it can carry scripts.
_SIGNATURES = (
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"OggS", "audio/ogg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"\x1a\x45\xdf\xa3", "video/webm"),
)


def sniff(head: bytes) -> str:
    """The content type the bytes say they are (image, audio or video), or "" if none we keep."""
    for offset, magic, content_type in _SIGNATURES:
        if head[offset:offset + len(magic)] == magic:
            return content_type
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE"):
        return "image/webp" if head[8:12] == b"WEBP" else "audio/wav"
    if head[4:8] == b"ftyp":
        return "audio/mp4" if head[8:11] == b"M4A" else "video/mp4"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:  # an MPEG audio frame
        return "audio/mpeg"
    return ""


@dataclass
class Fetched:
    data: bytes
    content_type: str
    url: str  # after redirects


def fetch(url: str) -> Fetched:
    """The file at ``url``, or ``FetchRefused`` saying why not."""
    for _ in range(MAX_REDIRECTS + 1):
        status, location, data = _get(url)
        if status in (301, 302, 303, 307, 308) and location:
            url = urljoin(url, location)
            continue
        if status != 200:
            raise FetchRefused(f"the server answered HTTP {status}")
        content_type = sniff(data[:64])
        if not content_type:
            raise FetchRefused("not an image, audio or video file the archive keeps (by its first bytes)")
        return Fetched(data, content_type, url)
    raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")


def checked_address(host: str, port: int) -> str:
    """The address ``host`` resolves to, refused if any of its addresses is not public."""
    try:
        addresses = addresses_of(host, port)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchRefused(f"the host {host!r} cannot be resolved") from exc
    for address in addresses:
        ip = ip_of(address)
        if not ip.is_global and not _allowed(ip):
            raise FetchRefused(f"{host} resolves to {address}, a private, loopback or link-local address")
    return addresses[0]


def _allowed(ip) -> bool:
    """``ARCHIVE_MEDIA_ALLOW_PRIVATE``: True allows every address, a list of networks only those."""
    allowed = settings.ARCHIVE_MEDIA_ALLOW_PRIVATE
    if allowed is True:
        return True
    return any(ip in ipaddress.ip_network(network, strict=False) for network in allowed or ())


def _get(url: str) -> tuple[int, str, bytes]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused("only http and https URLs are fetched")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = checked_address(parts.hostname, port)
    timeout = settings.ARCHIVE_MEDIA_TIMEOUT
    connection = pinned_connection(parts.scheme, parts.hostname, port, [address], timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "image/*, audio/*, video/*"})
        response = connection.getresponse()
        if response.status != 200:
            return response.status, response.getheader("Location", ""), b""
        return 200, "", _read_limited(response)
    except (OSError, http.client.HTTPException) as exc:
        raise FetchRefused(f"the request failed: {exc}") from exc
    finally:
        connection.close()


def _read_limited(response) -> bytes:
    limit = settings.ARCHIVE_MEDIA_MAX_BYTES
    declared = response.getheader("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchRefused(f"the file is {int(declared):,} bytes, over the limit of {limit:,}")
    data = response.read(limit + 1)
    if len(data) > limit:
        raise FetchRefused(f"the file is over the limit of {limit:,} bytes")
    return data
