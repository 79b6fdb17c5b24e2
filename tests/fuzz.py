"""Shared hypothesis settings for the property-based tests."""

import os

from hypothesis import HealthCheck, settings

# ARCHIVE_FUZZ_EXAMPLES=2000 hunts longer, with fresh random examples each run.
HUNT = int(os.environ.get("ARCHIVE_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=HUNT or 40,
    deadline=None,
    derandomize=not HUNT,  # by default the same examples every run: CI stays reproducible
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
