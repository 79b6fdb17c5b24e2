"""The editors' admin, one module per area."""

from . import content, related  # noqa: F401
