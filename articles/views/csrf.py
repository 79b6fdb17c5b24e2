"""CSRF_FAILURE_VIEW: a form refused by Django's CSRF check gets the site's own page, not Django's
bare one (whose inline style the CSP blocks), saying why and what to do. A refused comment keeps
what the reader wrote: the article page again, with the form holding their text and a fresh token."""

from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext, gettext_noop

from articles.views.comments import refuse_after_csrf_failure

EXPLANATION = gettext_noop(
    "The page's security check failed: your browser did not send back the cookie this site gave it "
    "with the form, or the form was older than that cookie."
)


def csrf_failure(request, reason=""):
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match is not None and match.view_name == "articles:comment_post":
        response = refuse_after_csrf_failure(request, match.kwargs["slug"], EXPLANATION)
        if response is not None:
            return response
    return render(request, "403_csrf.html", {"explanation": gettext(EXPLANATION)}, status=403)
