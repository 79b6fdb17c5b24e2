"""The editors' admin, one module per area."""

from articles.comments import admin as comments_admin  # noqa: F401
from articles.related import admin as related_admin  # noqa: F401

from . import content, review  # noqa: F401
