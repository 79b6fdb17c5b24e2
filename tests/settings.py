"""The project's settings for the test suite: the real ones, with test-only secrets and speed-ups."""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from archive.settings import *  # noqa: E402,F403
from archive.settings import BASE_DIR, DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not os.environ.get("TEST_DB_NAME"):
    # A file, not shared-cache memory: threads of the live server then lock the database, not tables.
    # The run's own (its process id): two runs in one checkout would otherwise share it and break each other.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f"test-run-{os.getpid()}.sqlite3")}

# Tasks run in the process that enqueues them, at the commit of the write that needs them (tests that
# check the queue or a real worker say so: tests/test_tasks.py).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Memory local to the test process, emptied before each test (tests/conftest.py): tests count the
# queries of a page, and a database cache would add its own. Tests of the shared caches (Redis, the
# database cache, several server processes) choose theirs.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # The layout's kept parts, as served (archive/settings.py).
    "template_fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "layout"},
}

# Imports never reach the network from tests: media stay pending unless a test turns fetching on
# (tests/test_media_import.py serves its files from a local HTTP server).
ARCHIVE_MEDIA_FETCH = False
# Files a test stores go to a folder of the run's own (tests that look at them set their own).
# (A command a test runs in another process gets its folder from ARCHIVE_MEDIA_ROOT.)
if "ARCHIVE_MEDIA_ROOT" not in os.environ:
    MEDIA_ROOT = tempfile.mkdtemp(prefix="archive-test-media-")
