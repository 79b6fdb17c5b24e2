"""The OAI-PMH endpoint: GET, or POST as a form (the protocol allows both), answered as XML.

Outside the page cache (its URLs are not the ``articles`` namespace's): each response carries its
own ``responseDate`` and reads the rows as they are now, a few indexed queries.
"""

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import identifiers
from .document import CONTENT_TYPE
from .formats import Context
from .verbs import Harvest, respond


def harvest_for(request) -> Harvest:
    return Harvest(
        base_url=request.build_absolute_uri(reverse("oai:endpoint")),
        repository=identifiers.repository_id(),
        context=Context(publisher=settings.SITE_NAME, absolute=request.build_absolute_uri),
    )


# A harvester's POST changes nothing and carries no cookie: no CSRF token to ask for.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request):
    query = request.POST if request.method == "POST" else request.GET
    return HttpResponse(respond(query, harvest_for(request)), content_type=CONTENT_TYPE)
