"""The editors' admin, one module per area."""

from . import comments, content  # noqa: F401
