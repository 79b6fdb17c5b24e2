"""Fetching a file from the old site: http(s) only, public addresses only (each redirect checked),
a timeout, a size limit, and the content type sniffed from the bytes; a refusal marks the file missing."""

import socket
import time
from http.server import BaseHTTPRequestHandler

import pytest

from articles.media.fetch import FetchRefused, fetch, sniff
from articles.media.tasks import fetch_media
from articles.models import Media
from tests.media_site import image_bytes, serving

PNG = image_bytes((20, 10), (1, 2, 3), "PNG")


class Handler(BaseHTTPRequestHandler):
    """/png, /html (a page called .jpg), /big, /slow, /to-private (a redirect), /to-png."""

    def do_GET(self):
        if self.path == "/to-private":
            return self._answer(302, b"", location="http://10.1.2.3/secret.png")
        if self.path == "/to-png":
            return self._answer(301, b"", location="/png")
        if self.path == "/slow":
            time.sleep(1.5)
        body = {"/png": PNG, "/slow": PNG, "/html.jpg": b"<html><script>alert(1)</script></html>",
                "/big": PNG + bytes(5000)}.get(self.path)
        if body is None:
            return self._answer(404, b"not here")
        return self._answer(200, body)

    def _answer(self, status, body, location=""):
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except BrokenPipeError:
            pass  # the client gave up (the timeout test)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def server(tmp_path):
    with serving(tmp_path, handler=Handler) as base_url:
        yield base_url


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/x.jpg", "http://localhost/x.jpg", "http://10.0.0.7/x.jpg", "http://192.168.1.1/x.jpg",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]/x.jpg", "http://0.0.0.0/x.jpg",
])
def test_private_loopback_and_link_local_addresses_are_refused_without_the_setting(settings, url):
    settings.ARCHIVE_MEDIA_ALLOW_PRIVATE = False
    with pytest.raises(FetchRefused, match="a private, loopback or link-local address"):
        fetch(url)


def test_a_host_name_resolving_to_a_private_address_is_refused(settings, monkeypatch):
    settings.ARCHIVE_MEDIA_ALLOW_PRIVATE = False
    answers = {"files.example": "10.20.30.40"}
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(FetchRefused, match=r"files\.example resolves to 10\.20\.30\.40, a private"):
        fetch("https://files.example/photo.jpg")


@pytest.mark.parametrize("url", ["ftp://old.example/x.jpg", "file:///etc/passwd", "gopher://old.example/x",
                                 "javascript:alert(1)", "http:///nohost.jpg"])
def test_only_http_and_https_urls_are_fetched(url):
    with pytest.raises(FetchRefused, match="only http and https URLs are fetched"):
        fetch(url)


def test_a_redirect_to_a_private_address_is_not_followed(settings, server):
    settings.ARCHIVE_MEDIA_ALLOW_PRIVATE = ["127.0.0.1/32"]  # the test's server only, not 10.x
    with pytest.raises(FetchRefused, match=r"10\.1\.2\.3 resolves to 10\.1\.2\.3, a private"):
        fetch(f"{server}/to-private")


def test_redirects_are_followed_and_the_type_comes_from_the_bytes(settings, server):
    settings.ARCHIVE_MEDIA_ALLOW_PRIVATE = True
    fetched = fetch(f"{server}/to-png")
    assert (fetched.data, fetched.content_type, fetched.url) == (PNG, "image/png", f"{server}/png")


def test_a_page_that_is_not_an_image_audio_or_video_is_refused(settings, server):
    settings.ARCHIVE_MEDIA_ALLOW_PRIVATE = True
    with pytest.raises(FetchRefused, match="not an image, audio or video file the archive keeps"):
        fetch(f"{server}/html.jpg")


def test_a_file_over_the_size_limit_is_refused(settings, server):
    settings.ARCHIVE_MEDIA_ALLOW_PRIVATE = True
    settings.ARCHIVE_MEDIA_MAX_BYTES = 1000
    with pytest.raises(FetchRefused, match=f"the file is {len(PNG) + 5000:,} bytes, over the limit of 1,000"):
        fetch(f"{server}/big")


def test_a_server_slower_than_the_timeout_is_given_up(settings, server):
    settings.ARCHIVE_MEDIA_ALLOW_PRIVATE = True
    settings.ARCHIVE_MEDIA_TIMEOUT = 0.3
    with pytest.raises(FetchRefused, match="the request failed: timed out"):
        fetch(f"{server}/slow")


def test_the_fetch_task_marks_a_refused_file_missing_with_the_reason(db, settings):
    settings.ARCHIVE_MEDIA_ALLOW_PRIVATE = False
    media = Media.objects.create(original_url="http://169.254.169.254/latest/meta-data/iam.jpg")
    assert fetch_media.call(media.pk) == "missing"
    media.refresh_from_db()
    assert (media.status, media.problem, media.file.name) == (
        "missing", "169.254.169.254 resolves to 169.254.169.254, a private, loopback or link-local address", "")


@pytest.mark.parametrize(("head", "content_type"), [
    (b"\xff\xd8\xff\xe0", "image/jpeg"), (PNG[:16], "image/png"), (b"GIF89a", "image/gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"), (b"ID3\x04", "audio/mpeg"), (b"OggS\x00", "audio/ogg"),
    (b"\x00\x00\x00\x20ftypisom", "video/mp4"), (b"\x00\x00\x00\x20ftypM4A ", "audio/mp4"),
    (b"\x1a\x45\xdf\xa3", "video/webm"), (b"<svg onload=alert(1)>", ""), (b"<html>", ""), (b"%PDF-1.4", ""),
])
def test_sniffing_names_the_media_types_kept_and_nothing_else(head, content_type):
    assert sniff(head) == content_type
