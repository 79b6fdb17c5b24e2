"""The editors' admin, one module per area."""

from . import comments, content, review  # noqa: F401
