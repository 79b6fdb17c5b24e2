"""The reader's address, worked out one way for everything that counts readers: the comments' rate
limit and the admin's login lockout (django-axes' ``AXES_CLIENT_IP_CALLABLE``).

Behind the documented reverse proxy every request comes from the proxy, so ``REMOTE_ADDR`` is the
proxy's address for everyone. ``ARCHIVE_CLIENT_IP_HEADER`` (one setting: the proxy is trusted to
set it) names the header the proxy writes the client's address into. In an ``X-Forwarded-For``
list the proxy appends what it saw, so the last entry is the one to trust: what a client wrote
before it is its own claim. A value that is not an address falls back to ``REMOTE_ADDR``.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """The client's IP address as text (None when even ``REMOTE_ADDR`` is missing or not one)."""
    header = getattr(settings, "ARCHIVE_CLIENT_IP_HEADER", "")
    value = request.META.get(header, "") if header else ""
    claimed = value.split(",")[-1].strip() if value else ""
    return _address(claimed) or _address(request.META.get("REMOTE_ADDR", ""))


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None
