"""Signal receivers: work that must follow a write (kept small; the models hold the logic)."""
