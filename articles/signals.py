"""Signal receivers: work that must follow a write (kept small; the models hold the logic)."""

from . import related_signals  # noqa: E402,F401  (related posts follow every publish, edit and delete)
