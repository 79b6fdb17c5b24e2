"""Settings for the archive, read from the environment (see README, "Operators")."""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

# Commands that only read the code (no request, no signing) run without a secret anywhere, e.g. a
# `makemigrations --check` in a build step; everything else refuses to start without one.
CODE_ONLY_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate", "help"}

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and sys.argv[1:2] and sys.argv[1] in CODE_ONLY_COMMANDS:
        SECRET_KEY = "code-only-command-" + "x" * 40
    elif not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string in production, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    else:
        SECRET_KEY = "insecure-development-key-only-used-when-DJANGO_DEBUG-is-on"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.contrib.redirects",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "taggit",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "articles",
]

MIDDLEWARE = [
    # Outermost: the security headers on responses answered before the rest ran (static files, a bad Host).
    "articles.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Refuses a body larger than ARCHIVE_MAX_REQUEST_BYTES before anything reads it (CSRF's check would).
    "articles.middleware.RequestSizeLimitMiddleware",
    # Before the page cache: a reader served from it still gets their CSRF cookie for the reply form.
    "django.middleware.csrf.CsrfViewMiddleware",
    # Serves anonymous readers' pages from the shared cache: readers without a session at once,
    # others once authentication has run (its process_view).
    # Before the page cache: the language (from the URL's prefix) decides how a path resolves.
    "articles.i18n.PathLocaleMiddleware",
    "articles.pages.cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in user's responses are Cache-Control: private (after authentication, which it asks).
    "articles.middleware.PrivateForStaffMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Records who made each change, for the revision history (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: it turns a login refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Innermost, so a refused request still gets every security header from the middleware above.
    "articles.middleware.RefuseNulBytesMiddleware",
    # Sees the final 404: old URLs of imported articles answer 301 (articles/middleware.py).
    "articles.middleware.OldUrlRedirectMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: it refuses a login from a locked-out username and address before a password is checked.
    "articles.auth.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "archive.urls"
# After signing in with a `next` that is refused (another site's address), or none: the admin's home.
LOGIN_REDIRECT_URL = "admin:index"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "archive.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock instead of failing at once when several threads or processes post.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
# Parallel test runs (several checkouts on one PostgreSQL server) each name their own test database.
if os.environ.get("TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DB_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
# The interface's languages are the articles' (ARCHIVE_LANGUAGES, below): /fa/… and /ps/… are in Dari
# and Pashto, unprefixed URLs in English (i18n_patterns, archive/urls.py). The catalogues are in
# locale/, compiled by `make run`, `make test` and the test suite's start (docs/architecture.md).
_LANGUAGE_NAMES = {"en": "English", "fa": "Dari", "ps": "Pashto"}
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django's own list has no Pashto: its direction is said here.
LANGUAGES_BIDI = ["he", "ar", "ar-dz", "ckb", "fa", "ps", "ug", "ur"]
USE_TZ = True

SITE_ID = 1
SITE_NAME = os.environ.get("ARCHIVE_SITE_NAME", "The Archive")
SITE_DESCRIPTION = os.environ.get(
    "ARCHIVE_SITE_DESCRIPTION", "Analytical articles from the research centre's archive."
)

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded and imported files (the media library); `manage.py backup` copies them, `restore` puts them back.
MEDIA_ROOT = os.environ.get("ARCHIVE_MEDIA_ROOT", str(BASE_DIR / "media"))
# The media library's files (articles/media/) are served from here: by runserver with DEBUG on, by the
# web server (or the storage's own host) in production (docs/operations.md).
MEDIA_URL = os.environ.get("ARCHIVE_MEDIA_URL", "/media/")
# Imports fetch the files bodies show (a task per file): at most this many bytes, this many seconds,
# and never from a private, loopback or link-local address unless ARCHIVE_MEDIA_ALLOW_PRIVATE allows it
# (1: any; or a comma-separated list of networks, e.g. 10.0.5.0/24 for an old site on the intranet).
ARCHIVE_MEDIA_FETCH = env_bool("ARCHIVE_MEDIA_FETCH", True)
ARCHIVE_MEDIA_MAX_BYTES = int(os.environ.get("ARCHIVE_MEDIA_MAX_BYTES", str(200 * 1024 * 1024)))
ARCHIVE_MEDIA_TIMEOUT = float(os.environ.get("ARCHIVE_MEDIA_TIMEOUT", "20"))
_ALLOW_PRIVATE = os.environ.get("ARCHIVE_MEDIA_ALLOW_PRIVATE", "").strip()
ARCHIVE_MEDIA_ALLOW_PRIVATE = env_bool("ARCHIVE_MEDIA_ALLOW_PRIVATE") or [
    network.strip() for network in _ALLOW_PRIVATE.split(",") if "/" in network
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if env_bool("ARCHIVE_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The admin lives where the operator says; a non-obvious path keeps bots off the login form.
ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/").strip("/") + "/"
# Where `manage.py ensure_admin` keeps the local admin's generated password, so `make run` can show it
# again (mode 600, git-ignored; docs/operations.md says why a file and not the database).
ARCHIVE_ADMIN_PASSWORD_FILE = Path(os.environ.get("ARCHIVE_ADMIN_PASSWORD_FILE", BASE_DIR / ".admin-password"))

# Caching: Redis when CACHE_URL names one. Otherwise the database (Django's DatabaseCache; its table is
# made by `manage.py createcachetable`, which `make run` runs and the test runner runs itself): every
# web process and every management command shares it, so an import from the command line is on every
# process's pages at once. Never memory local to one process: a process would go on serving pages that
# another one, or a command, has made stale (`manage.py check` warns of such a cache with DEBUG off).
CACHE_URL = os.environ.get("CACHE_URL", "")
_DATABASE_CACHE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "archive_cache",
    # Django's default of 300 entries would keep a few hundred pages at most (an article page
    # is ~28 KB): past MAX_ENTRIES a write first drops a third of the entries.
    "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "10000"))},
}
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        # Fails open (articles/cache_backends.py): while Redis cannot be reached, the database's cache
        # stands in, so pages, sessions and rate limits go on; a warning is logged once a minute.
        "default": {
            "BACKEND": "articles.cache_backends.FailOpenRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "archive"),
            "OPTIONS": {"FALLBACK": "database"},
        },
        "database": _DATABASE_CACHE,
    }
    # Sessions live in the shared cache, backed by the database: any web machine serves any reader.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": _DATABASE_CACHE}
# The layout's parts alike on every page in a language (head links, site name and menu, footer:
# templates/base.html's {% cache %} blocks, keyed on language and script prefix) are kept in each
# process's memory, as its compiled templates are: they change only with a deploy, which restarts it.
# Not with DEBUG on: runserver takes an edited template without a restart, and so must the layout.
# ("template_fragments" is the alias the {% cache %} tag uses when there is one, else "default".)
CACHES["template_fragments"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache" if DEBUG
                                else "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "layout"}
# Whole pages for anonymous readers, never stale (articles/pages/cache.py). ARCHIVE_PAGE_CACHE=0 turns it off.
ARCHIVE_PAGE_CACHE = env_bool("ARCHIVE_PAGE_CACHE", True)
# HTTP caching for a front cache (CDN, nginx, Varnish) and browsers (articles/pages/http.py): a page
# alike for every reader may be kept MAX_AGE seconds by browsers, S_MAXAGE by shared caches, then
# served stale while one request revalidates it (a 304 when unchanged).
ARCHIVE_HTTP_MAX_AGE = int(os.environ.get("ARCHIVE_HTTP_MAX_AGE") or 0)
ARCHIVE_HTTP_S_MAXAGE = int(os.environ.get("ARCHIVE_HTTP_S_MAXAGE") or 60)
ARCHIVE_HTTP_STALE_WHILE_REVALIDATE = int(os.environ.get("ARCHIVE_HTTP_STALE_WHILE_REVALIDATE") or 30)
# Where a write's purge goes once committed (articles/pages/purge.py), by a task: empty, none is sent.
# METHOD to URL with the page cache's scopes in KEY_HEADER, space-separated, KEYS_PER_REQUEST at most.
ARCHIVE_PURGE_URL = os.environ.get("ARCHIVE_PURGE_URL", "")
ARCHIVE_PURGE_METHOD = os.environ.get("ARCHIVE_PURGE_METHOD", "PURGE")
ARCHIVE_PURGE_KEY_HEADER = os.environ.get("ARCHIVE_PURGE_KEY_HEADER", "Surrogate-Key")
ARCHIVE_PURGE_KEYS_PER_REQUEST = int(os.environ.get("ARCHIVE_PURGE_KEYS_PER_REQUEST") or 100)

# Background work (articles/*/tasks.py): Django's tasks API (the django-tasks backport), stored in the
# database with the writes that need it, run by `manage.py db_worker`. ARCHIVE_TASKS_IMMEDIATE=1 runs
# each task in the process that enqueues it instead (no worker; scheduled tasks wait for maintenance).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if env_bool("ARCHIVE_TASKS_IMMEDIATE")
        else "django_tasks_db.DatabaseBackend",
    }
}

# Security headers; `manage.py check --deploy` passes with DJANGO_DEBUG off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # the admin reads the token from the form, never from JavaScript
# A form refused by the CSRF check gets the site's page, and a refused comment keeps its text.
CSRF_FAILURE_VIEW = "articles.views.csrf.csrf_failure"

# Content-Security-Policy (django-csp): scripts, styles and fonts from this site only, so no inline
# script or style runs even if something slipped past the HTML allowlist. JSON-LD
# (<script type="application/ld+json">) is a data block, never executed, so it needs no exception.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Article images may still live on the old site or elsewhere on the web.
        "img-src": ["'self'", "https:", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Admin login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is locked out for AXES_COOLOFF_TIME hours; a success resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("DJANGO_LOGIN_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client's address as the comments' rate limit sees it: behind the proxy, from the header named
# by ARCHIVE_CLIENT_IP_HEADER (articles/clientip.py), so one reader's failures never lock out another.
AXES_CLIENT_IP_CALLABLE = "articles.clientip.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "archive@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --- The archive's own settings -------------------------------------------------------------
ARCHIVE_PAGE_SIZE = 20
# The languages articles are written in, the default first: codes of the policies in
# articles/languages.py (en English, fa Dari, ps Pashto). Adding one is adding its policy there.
ARCHIVE_LANGUAGES = env_list("ARCHIVE_LANGUAGES") or ["en", "fa", "ps"]
LANGUAGES = [(code, _LANGUAGE_NAMES.get(code, code)) for code in ARCHIVE_LANGUAGES]
# PostgreSQL text-search configuration for the stored search vector (stemming, stop words).
ARCHIVE_SEARCH_CONFIG = os.environ.get("ARCHIVE_SEARCH_CONFIG", "english")
# A search counts, ranks and lists at most this many matches. Up to it every match is ranked on its
# whole text; a query matching more (a word found in most articles) lists this many: title and
# summary matches first, then the newest, and the page says "more than".
ARCHIVE_SEARCH_LIMIT = int(os.environ.get("ARCHIVE_SEARCH_LIMIT", "1000"))
# Entries per feed.
ARCHIVE_FEED_SIZE = 20
ARCHIVE_IMPORT_MAX_BYTES = int(os.environ.get("ARCHIVE_IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
# The largest request body taken at all, judged from its Content-Length before any of it is read
# (articles.middleware.RequestSizeLimitMiddleware): an upload of the largest import plus its form.
ARCHIVE_MAX_REQUEST_BYTES = int(os.environ.get("ARCHIVE_MAX_REQUEST_BYTES") or ARCHIVE_IMPORT_MAX_BYTES + (1 << 20))
# Form fields other than files (an article's text in the admin, a comment): at most this much.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024 // 2)))
# The two reference styles of the article page's "Cite" block: file names (without .csl) of the CSL
# styles in articles/citations/styles/ (`manage.py check` says when one is missing).
ARCHIVE_CITATION_STYLES = env_list("ARCHIVE_CITATION_STYLES", "chicago-author-date,apa")

# --- Comments and their moderation (see README, "Comments") ----------------------------------
def env_int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Replies nest this deep; deeper replies are shown at the last level.
ARCHIVE_COMMENTS_MAX_DEPTH = env_int("ARCHIVE_COMMENTS_MAX_DEPTH", 3)
# Comments close this many days after publication; 0 keeps them open (each article has its own switch too).
ARCHIVE_COMMENTS_CLOSE_AFTER_DAYS = env_int("ARCHIVE_COMMENTS_CLOSE_AFTER_DAYS", 0)
# A comment sent sooner than this after the form was shown is taken for a robot's (stored as spam).
ARCHIVE_COMMENTS_MIN_SECONDS = env_int("ARCHIVE_COMMENTS_MIN_SECONDS", 3)
# A form older than this is refused with a request to send it again (the signed timestamp expires).
ARCHIVE_COMMENTS_MAX_FORM_AGE = env_int("ARCHIVE_COMMENTS_MAX_FORM_AGE", 2 * 24 * 3600)
# More links than this in one comment: stored as spam.
ARCHIVE_COMMENTS_MAX_LINKS = env_int("ARCHIVE_COMMENTS_MAX_LINKS", 2)
# Words or phrases (comma-separated, case-insensitive) that mark a comment as spam.
ARCHIVE_COMMENTS_BLOCKED_WORDS = env_list("ARCHIVE_COMMENTS_BLOCKED_WORDS")
# At most this many comments from one address per window (seconds); 0 lifts the limit.
ARCHIVE_COMMENTS_RATE_LIMIT = env_int("ARCHIVE_COMMENTS_RATE_LIMIT", 5)
ARCHIVE_COMMENTS_RATE_WINDOW = env_int("ARCHIVE_COMMENTS_RATE_WINDOW", 600)
# Publish at once a comment whose email already has an approved comment.
ARCHIVE_COMMENTS_AUTO_APPROVE_KNOWN = env_bool("ARCHIVE_COMMENTS_AUTO_APPROVE_KNOWN", False)
# Moderators get at most one "comments are waiting" mail per this many minutes.
ARCHIVE_COMMENTS_NOTIFY_EVERY_MINUTES = env_int("ARCHIVE_COMMENTS_NOTIFY_EVERY_MINUTES", 15)
# The request header holding the reader's address when a proxy sits in front (e.g. HTTP_X_FORWARDED_FOR
# or HTTP_X_REAL_IP; of a list, the last entry, the one the proxy added); empty: REMOTE_ADDR. The one
# trusted-proxy setting: the comments' rate limit and the login lockout both use it (articles/clientip.py).
# Comments store only a keyed hash of the address.
ARCHIVE_CLIENT_IP_HEADER = os.environ.get("ARCHIVE_CLIENT_IP_HEADER", "")
# Set on a reader who has just posted (their next page shows a personal message): a shared cache
# must not serve or store pages for requests carrying it.
ARCHIVE_PRIVATE_COOKIE = "archive_private"
MANAGERS = [("Moderators", addr) for addr in env_list("DJANGO_MANAGERS")]
# A .zip uploaded in the admin: at most this many files, unpacking to at most this many bytes.
ARCHIVE_IMPORT_ZIP_MAX_MEMBERS = int(os.environ.get("ARCHIVE_IMPORT_ZIP_MAX_MEMBERS", "2000"))
ARCHIVE_IMPORT_ZIP_MAX_BYTES = int(os.environ.get("ARCHIVE_IMPORT_ZIP_MAX_BYTES", str(200 * 1024 * 1024)))
# An import's report lists its first items of every outcome and, after them, at most as many more
# that failed or carry warnings; the counts cover every item. Its memory stays flat in the file's size.
ARCHIVE_IMPORT_REPORT_ITEMS = int(os.environ.get("ARCHIVE_IMPORT_REPORT_ITEMS", "1000"))
# OAI-PMH (/oai/, docs/harvesting.md): the repository's id in every identifier (oai:<id>:<article id>;
# empty: the site's domain; set it before the first harvest and keep it) and the address Identify
# gives harvesters' operators to write to.
ARCHIVE_OAI_REPOSITORY_ID = os.environ.get("ARCHIVE_OAI_REPOSITORY_ID", "")
ARCHIVE_OAI_ADMIN_EMAIL = os.environ.get("ARCHIVE_OAI_ADMIN_EMAIL", DEFAULT_FROM_EMAIL)
# The link check (articles/links, docs/operations.md#the-link-check): a timeout per request, seconds
# between two requests to one host, links per run, days before a link that answered (or failed) is
# checked again. Private and loopback addresses are never checked unless allowed (tests' servers).
ARCHIVE_LINK_CHECK_TIMEOUT = float(os.environ.get("ARCHIVE_LINK_CHECK_TIMEOUT", "10"))
ARCHIVE_LINK_CHECK_HOST_INTERVAL = float(os.environ.get("ARCHIVE_LINK_CHECK_HOST_INTERVAL", "2"))
ARCHIVE_LINK_CHECK_BATCH = env_int("ARCHIVE_LINK_CHECK_BATCH", 200)
ARCHIVE_LINK_CHECK_EVERY_DAYS = env_int("ARCHIVE_LINK_CHECK_EVERY_DAYS", 30)
ARCHIVE_LINK_RECHECK_FAILED_DAYS = env_int("ARCHIVE_LINK_RECHECK_FAILED_DAYS", 1)
ARCHIVE_LINK_CHECK_ALLOW_PRIVATE = env_bool("ARCHIVE_LINK_CHECK_ALLOW_PRIVATE", False)
# A dead link's closest snapshot asked of the Wayback Machine's availability API (a request to
# archive.org per dead link); off, the notes offer the archive's address for the article's date.
ARCHIVE_WAYBACK_LOOKUP = env_bool("ARCHIVE_WAYBACK_LOOKUP", False)
ARCHIVE_WAYBACK_API_URL = os.environ.get("ARCHIVE_WAYBACK_API_URL", "https://archive.org/wayback/available")
