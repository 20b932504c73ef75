"""Benchmarks: figures and ratios against targets and named peers, never asserts."""
