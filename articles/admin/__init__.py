"""The editors' admin, one module per area."""

from . import comments, content, related, review  # noqa: F401
