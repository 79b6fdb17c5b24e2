"""Request guards that keep malformed URLs from reaching views as errors."""

from django.http import QueryDict

from articles.views.errors import page_not_found


class RefuseNulBytesMiddleware:
    """A NUL byte is never part of a real address, and PostgreSQL cannot even compare text holding one
    (a lookup would fail with a 500). A path holding one gets the ordinary 404 page; NUL bytes in the
    query are dropped, so a search for one gets the calm "no words" page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return page_not_found(request)
        if _nul_in(request.GET):
            request.GET = _without_nul(request.GET)
        return self.get_response(request)


def _nul_in(query):
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


def _without_nul(query):
    cleaned = QueryDict(mutable=True)
    for key, values in query.lists():
        cleaned.setlist(key.replace("\x00", ""), [value.replace("\x00", "") for value in values])
    cleaned._mutable = False
    return cleaned
