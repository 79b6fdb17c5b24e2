"""Error pages in the site's own look. They must never fail themselves, so they query nothing."""

from django.conf import settings
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def request_too_large(request, size):
    return render(request, "413.html", {
        "size": size, "limit": settings.ARCHIVE_MAX_REQUEST_BYTES, "import_limit": settings.ARCHIVE_IMPORT_MAX_BYTES,
    }, status=413)


def server_error(request):
    # No request context: context processors may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
