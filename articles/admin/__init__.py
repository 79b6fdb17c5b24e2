"""The editors' admin, one module per area."""

from . import content, review  # noqa: F401
