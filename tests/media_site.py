"""An old WordPress site's uploads for the media tests: files made here, served by a local HTTP
server in a thread (127.0.0.1, a free port) for the length of a test."""

from __future__ import annotations

import hashlib
import io
import threading
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "media" / "media-posts.xml"
UPLOADS = "wp-content/uploads/2020/01"


def image_bytes(size, color, fmt) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def make_uploads(root: Path) -> dict[str, bytes]:
    """The old site's files under ``root`` (lost.jpg is not among them); {name: bytes}."""
    valley = image_bytes((1200, 800), (40, 90, 160), "JPEG")
    files = {
        "valley.jpg": valley,
        "valley-copy.jpg": valley,  # the same bytes under another name: stored once
        "river.png": image_bytes((300, 200), (10, 120, 60), "PNG"),
        "hills.png": image_bytes((200, 100), (120, 100, 30), "PNG"),
        "map.gif": image_bytes((40, 30), (200, 200, 200), "GIF"),
        "interview.mp3": b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 4,
        "clip.mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(2048),
    }
    folder = root / UPLOADS
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextmanager
def serving(root: Path, handler=QuietHandler):
    """``root`` served over HTTP on 127.0.0.1 (or whatever ``handler`` answers); yields the base URL."""
    files = issubclass(handler, SimpleHTTPRequestHandler)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)) if files else handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def export_for(base_url: str, destination: Path) -> Path:
    """The fixture export with its URLs on ``base_url``."""
    path = destination / "media-posts.xml"
    path.write_bytes(FIXTURE.read_bytes().replace(b"OLD_SITE", base_url.encode()))
    return path
