"""Benchmark harness (`make bench`): ratios against a bare endpoint in the same run."""
