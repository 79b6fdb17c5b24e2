"""The benchmark suite (`make bench`): not tests, not collected by pytest."""
