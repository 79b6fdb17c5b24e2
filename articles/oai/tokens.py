"""Resumption tokens: what a list request asked for and where its next page starts, signed.

A token is ``django.core.signing``'s signed, timestamped form of a small dict: the list's arguments
and the keyset position of the last item sent (datestamp and id), never an offset, so articles
added or changed during a harvest shift nothing the harvester has not seen yet. It is valid for
``LIFETIME``; an expired, altered or foreign token answers ``badResumptionToken``.
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.utils import timezone

from .errors import OAIError

SALT = "articles.oai.resumption-token"
LIFETIME = dt.timedelta(days=1)


def issue(verb: str, state: dict) -> str:
    return signing.dumps({"verb": verb, **state}, salt=SALT, compress=True)


def expiration() -> dt.datetime:
    return timezone.now() + LIFETIME


def read(token: str, verb: str) -> dict:
    """The state a token of ``verb`` carries; ``badResumptionToken`` when it is not one we issued."""
    try:
        state = signing.loads(token, salt=SALT, max_age=LIFETIME)
    except signing.SignatureExpired:
        raise OAIError(
            "badResumptionToken",
            "This resumption token has expired (they last a day): start the list again without it.",
        ) from None
    except signing.BadSignature:
        raise OAIError(
            "badResumptionToken",
            "This resumption token is not one this repository issued "
            "(or it was cut short): start the list again without it.",
        ) from None
    if not isinstance(state, dict) or state.pop("verb", None) != verb:
        raise OAIError("badResumptionToken", f"This resumption token continues another list, not {verb}.")
    return state
