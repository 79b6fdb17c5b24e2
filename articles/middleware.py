"""Request guards that keep malformed URLs from reaching views as errors."""

from articles.views.errors import page_not_found


class RefuseNulBytesMiddleware:
    """A NUL byte is never part of a real address, and PostgreSQL cannot even compare text holding one
    (a lookup would fail with a 500). Such a request gets the ordinary 404 page instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", "") or _nul_in(request.GET):
            return page_not_found(request)
        return self.get_response(request)


def _nul_in(query):
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())
