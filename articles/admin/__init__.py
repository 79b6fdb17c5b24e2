"""The editors' admin, one module per area."""

from . import content  # noqa: F401
