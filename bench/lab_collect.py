"""Lab start plus scenario build, and collect, on the embedded lab.

Targets on a 2-core machine: lab start with the scenario built under 3 s, a
collect of the whole lab account (every enabled region) under 2 s. There is no
peer for these: they bound how long every lab-backed command and test waits.
Each figure is the best and the median of several runs in this one process;
the first run (which also loads moto's service modules) is shown on its own.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable

START_TARGET = 3.0
COLLECT_TARGET = 2.0
RUNS = 5


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _line(label: str, first: float, rest: list[float], target: float) -> None:
    best, median = min(rest), statistics.median(rest)
    print(
        f"{label:<34} first {first:6.2f} s  best {best:6.2f} s  median {median:6.2f} s"
        f"  target {target:.1f} s  median/target {median / target:4.2f}"
    )


def main() -> None:
    # The attacker's collect warns about its gaps; that is expected here.
    logging.getLogger("chaincut").setLevel(logging.ERROR)
    started = time.perf_counter()
    from chaincut.collect import collect
    from chaincut.lab import Lab

    imported = time.perf_counter() - started
    lab = Lab()
    first_start = imported + _timed(lab.start)
    starts = []
    for _ in range(RUNS):
        starts.append(_timed(lab.rebuild))
    _line("lab start + scenario build", first_start, starts, START_TARGET)
    print(f"  of which importing chaincut.lab (moto): {imported:.2f} s")

    first_collect = _timed(lambda: collect(lab.defender()))
    collects = [_timed(lambda: collect(lab.defender())) for _ in range(RUNS)]
    _line("collect, defender, all regions", first_collect, collects, COLLECT_TARGET)

    attacker = [_timed(lambda: collect(lab.attacker())) for _ in range(RUNS)]
    _line("collect, attacker (gaps)", attacker[0], attacker[1:], COLLECT_TARGET)
    lab.stop()
    print(
        "note: 'first' is a cold start in a new process (imports included);"
        " 'best' and 'median' are later runs in the same process, as in a test run."
    )


if __name__ == "__main__":
    main()
