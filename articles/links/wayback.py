"""Archived copies in the Wayback Machine: the address for a date, built without a request, and
the closest snapshot, asked of the availability API where the settings allow it."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlencode

from .fetch import Fetcher, Refused

API_MAX_BYTES = 64 * 1024


def wayback_address(url: str, when: date) -> str:
    """The Wayback Machine's copy of ``url`` closest to ``when`` (its own redirect finds it)."""
    return f"https://web.archive.org/web/{when:%Y%m%d}/{url}"


def closest_snapshot(fetcher: Fetcher, api: str, url: str, when: date) -> str:
    """The address of the snapshot of ``url`` the availability API finds closest to ``when``, or ""
    (none, or the API did not answer as documented)."""
    query = urlencode({"url": url, "timestamp": f"{when:%Y%m%d}"})
    try:
        response = fetcher.request("GET", f"{api}?{query}", read=API_MAX_BYTES)
        closest = json.loads(response.body)["archived_snapshots"]["closest"]
    except (OSError, Refused, ValueError, KeyError, TypeError):
        return ""
    if response.status != 200 or not isinstance(closest, dict) or not closest.get("available"):
        return ""
    found = closest.get("url", "")
    return found if isinstance(found, str) and found.startswith(("https://", "http://")) else ""
