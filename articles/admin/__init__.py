"""The editors' admin, one module per area."""

from . import backlog, comments, content, related, review  # noqa: F401
