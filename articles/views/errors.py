"""Error pages in the site's own look. They must never fail themselves, so they query nothing."""

from django.conf import settings
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def bad_request(request, exception=None):
    """A request Django could not take (a form in another charset than UTF-8, form data past
    DATA_UPLOAD_MAX_MEMORY_SIZE, a Host not allowed). Unlike Django's default, it never reads the
    request again (its CSRF check would read the body that just failed, and answer 500), and its
    page names no address built from the Host."""
    return render(request, "400.html", status=400)


def request_too_large(request, size):
    return render(request, "413.html", {
        "size": size, "limit": settings.ARCHIVE_MAX_REQUEST_BYTES, "import_limit": settings.ARCHIVE_IMPORT_MAX_BYTES,
    }, status=413)


def server_error(request):
    # No request context: context processors may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
