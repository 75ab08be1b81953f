"""Benchmarks: `make bench` (not part of `make test`); they print ratios and never assert timings."""
