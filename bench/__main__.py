"""``make bench``: run every benchmark in turn and print what each measured."""

from __future__ import annotations

import importlib
import sys

# Each module has a ``main()`` that prints its figures and returns nothing.
BENCHMARKS = ("bench.lab_collect", "bench.policy_throughput", "bench.graph_vs_pmapper")


def main() -> int:
    for name in BENCHMARKS:
        print(f"\n== {name} ==", flush=True)
        importlib.import_module(name).main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
