"""``/healthz``: whether this process can serve, for load balancers and monitoring.

200 while the database answers, with the cache reported as ``degraded`` when Redis cannot be
reached (pages then render live or from the database's cache, and the site still answers);
503 when the database does not answer, as then nothing can be served.
"""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from articles.pages.cache import page_cache


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "down"
    return "ok"


def _cache() -> str:
    cache = page_cache()
    ping = getattr(cache, "ping", None)  # a cache that fails open says whether it is in use
    if ping is not None:
        return "ok" if ping() else "degraded"
    try:
        cache.get("healthz")
    except Exception:  # any backend's failure, reported rather than raised
        return "degraded"
    return "ok"


@never_cache
def healthz(request):
    checks = {"database": _database(), "cache": _cache()}
    if checks["database"] != "ok":
        status = "down"
    else:
        status = "ok" if checks["cache"] == "ok" else "degraded"
    return JsonResponse({"status": status, **checks}, status=503 if status == "down" else 200)
