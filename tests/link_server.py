"""A local HTTP server a link-check test runs for itself (http.server in a thread): every answer a
checker meets on the web, and a stand-in for the Wayback Machine's availability API. Never the internet."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ROBOTS = b"User-agent: *\nDisallow: /private/\n"
SLOW_SECONDS = 2.0


class _Handler(BaseHTTPRequestHandler):
    server_version = "LinkTestServer"

    def log_message(self, format, *args):  # quiet: the test reads ``requests`` instead
        pass

    def do_HEAD(self):
        self._answer(body=False)

    def do_GET(self):
        self._answer(body=True)

    def _answer(self, *, body: bool):
        server = self.server
        parts = urlsplit(self.path)
        server.requests.append((time.monotonic(), self.command, self.path, self.headers.get("User-Agent", ""),
                                self.headers.get("Host", "").split(":")[0]))
        path = parts.path
        if path == "/robots.txt":
            return self._send(200, ROBOTS, body, "text/plain")
        if path in server.broken:
            return self._send(404, b"Not found", body)
        if path == "/slow":
            time.sleep(SLOW_SECONDS)
            return self._send(200, b"Late", body)
        if path == "/no-head" and self.command == "HEAD":
            return self._send(405, b"", body)
        if path == "/wayback/available":
            query = parse_qs(parts.query)
            server.wayback_asked.append((query["url"][0], query["timestamp"][0]))
            snapshot = {"available": True, "status": "200", "timestamp": query["timestamp"][0] + "120000",
                        "url": f"http://web.archive.org/web/{query['timestamp'][0]}120000/{query['url'][0]}"}
            return self._send(200, json.dumps({"url": query["url"][0], "archived_snapshots": {"closest": snapshot}})
                              .encode(), body, "application/json")
        redirect = {"/a": "/b", "/b": "/c", "/c": "/ok", "/loop-1": "/loop-2", "/loop-2": "/loop-1"}.get(path)
        if redirect:
            self.send_response(301)
            self.send_header("Location", redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        status = {"/ok": 200, "/no-head": 200, "/missing": 404, "/gone": 410, "/error": 500}.get(path, 200)
        return self._send(status, b"Page", body)

    def _send(self, status, data, body, content_type="text/html"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)


class LinkServer:
    """``url(path)`` on 127.0.0.1 (``host="localhost"`` for a second host name); ``requests``: what
    was asked, in order (monotonic time, method, path, User-Agent, host name); ``broken``: paths answered 404."""

    def __init__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.requests = self.requests = []
        self.httpd.broken = self.broken = set()
        self.httpd.wayback_asked = self.wayback_asked = []
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.httpd.server_address[1]}{path}"

    def asked(self, method=None) -> list[tuple[str, str]]:
        return [(m, p) for _, m, p, _, _ in self.requests if method is None or m == method]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
