"""Peers measured by the benchmarks, each in an environment of its own."""
