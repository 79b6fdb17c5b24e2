"""The reader's CSRF token for a page served from storage (the page cache, the stored article page).

What ``django.middleware.csrf.get_token`` gives and does, with the random characters drawn in one
read of the system's randomness: Django draws each of the 64 with a call of its own, a noticeable
share of serving a cached page.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH


def reader_csrf_token(request) -> str:
    """What ``django.middleware.csrf.get_token(request)`` gives and does: the reader's CSRF secret
    (a new one if they have none, which CsrfViewMiddleware then sets as their cookie), masked as
    Django masks it. The random characters are drawn in one read of the system's randomness, where
    Django draws each of the 64 with a call of its own."""
    secret = request.META.get("CSRF_COOKIE")
    drawn = _random_string(CSRF_SECRET_LENGTH * (2 if secret is None else 1), CSRF_ALLOWED_CHARS)
    if secret is None:
        secret, drawn = drawn[:CSRF_SECRET_LENGTH], drawn[CSRF_SECRET_LENGTH:]
        request.META["CSRF_COOKIE"] = secret
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # sent again, so its expiry is renewed
    return _masked(secret, drawn)


_CSRF_INDEX = {char: i for i, char in enumerate(CSRF_ALLOWED_CHARS)}


def _masked(secret, mask) -> str:
    """The token Django's ``_mask_cipher_secret`` makes of ``secret`` with ``mask``: the mask, then
    each secret character shifted by the mask's (a different token on every page, one secret)."""
    chars, size = CSRF_ALLOWED_CHARS, len(CSRF_ALLOWED_CHARS)
    return mask + "".join(chars[(_CSRF_INDEX[x] + _CSRF_INDEX[y]) % size] for x, y in zip(secret, mask, strict=True))


def _random_string(length, alphabet) -> str:
    """Uniformly random characters of ``alphabet`` (up to 256), from the OS's secure randomness."""
    table, unusable = _byte_maps(alphabet)
    drawn = b""
    while len(drawn) < length:
        # Bytes past the last whole multiple of the alphabet's size would favour some characters.
        drawn += secrets.token_bytes(length * 2).translate(table, unusable)
    return drawn[:length].decode("ascii")


@lru_cache(maxsize=4)
def _byte_maps(alphabet):
    usable = 256 - 256 % len(alphabet)
    table = bytes(ord(alphabet[byte % len(alphabet)]) for byte in range(256))
    return table, bytes(range(usable, 256))
