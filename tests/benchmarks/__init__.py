"""Benchmarks: not tests. Run with `make bench` or each module on its own (see its docstring)."""
