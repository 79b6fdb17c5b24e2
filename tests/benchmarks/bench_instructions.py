"""Instructions a page costs, counted by valgrind's callgrind: a figure other work on the machine does
not move, where times (even CPU times) move by 10-30 % on two shared cores.

Not a test. Needs valgrind (``apt-get install valgrind``) and a populated database, as bench_pages::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/archive_perf \\
        .venv/bin/python -m tests.benchmarks.bench_instructions [--requests 20] [--only home,tag] [URL ...]

Runs itself under ``valgrind --tool=callgrind`` (about 50 times slower: a minute to start Django, a
few seconds a page), serves each page ``--warm`` times through Django's WSGI handler with the page
cache off, then ``--requests`` times between a zeroing and a dump of the counters
(``callgrind_control``), and prints the millions of instructions a request for each page. With no
URL, the page types of ``run.page_types()``. Compare two trees on the same database, or one tree
before and after a change: each count is the same from run to run within about 0.1 %, for the
same list of pages. The order of pages in one process can move a count by more (an author page
read 21.0 M after the list pages, 18.5 M alone): compare counts made with the same arguments.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from io import BytesIO
from pathlib import Path

UNDER_VALGRIND = "BENCH_UNDER_CALLGRIND"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--warm", type=int, default=8)
    parser.add_argument("--only", default="", help="comma-separated page names of run.page_types()")
    parser.add_argument("urls", nargs="*")
    args = parser.parse_args(argv)
    if os.environ.get(UNDER_VALGRIND):
        measure(args)
    else:
        report(args)


def report(args):
    """Run this module under callgrind, then print each page's instructions a request."""
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "callgrind.out"
        env = {**os.environ, UNDER_VALGRIND: "1"}
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, "-m",
                   "tests.benchmarks.bench_instructions", *sys.argv[1:]]
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        dumps = sorted(Path(directory).glob("callgrind.out.*"), key=lambda path: int(path.suffix[1:]))
        for dump in dumps:
            url, total = _dump_figures(dump.read_text())
            print(f"{url:45} {total / args.requests / 1e6:8.2f} M instructions a request", flush=True)


def _dump_figures(text):
    url = total = None
    for line in text.splitlines():
        if line.startswith("desc: Trigger: dump "):
            url = line.removeprefix("desc: Trigger: dump ")
        elif line.startswith("summary: "):
            total = int(line.split()[1])
    return url, total


def measure(args):
    """Inside callgrind: each page warmed, then counted between a zeroing and a dump."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + "k" * 50)
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("ARCHIVE_PLAIN_STATIC", "1")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    from tests.benchmarks import run

    urls = args.urls
    if not urls:
        pages = run.page_types()
        urls = [url for name, url in pages.items() if not args.only or name in args.only.split(",")]
    app = WSGIHandler()
    with override_settings(ARCHIVE_PAGE_CACHE=False):
        for url in urls:
            for _ in range(args.warm):
                _serve(app, url)
            _control("--zero")
            for _ in range(args.requests):
                _serve(app, url)
            _control(f"--dump={url}")


def _serve(app, url):
    path, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_ACCEPT_ENCODING": "gzip", "wsgi.input": BytesIO(), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http",
    }
    response = app(environ, lambda status, headers, exc_info=None: None)
    try:
        b"".join(response)
    finally:
        response.close()


def _control(command):
    """``callgrind_control`` on this process. Callgrind reads the command while this process runs
    code, not while it waits in a system call: spin until the command has been taken."""
    control = subprocess.Popen(["callgrind_control", command, str(os.getpid())], stdout=subprocess.DEVNULL)
    while control.poll() is None:
        sum(range(100))


if __name__ == "__main__":
    main()
