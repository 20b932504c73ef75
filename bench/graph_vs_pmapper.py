"""Collect plus attack graph: chaincut against ``pmapper graph create``.

Synthetic accounts of 100, 1,000 and 5,000 principals (``bench.synthetic``)
are built in the lab; both tools then read the same lab over its API, in its
home region only (``--include-regions``), and build their graphs. chaincut
runs in this process, sharing the interpreter with the lab's server; PMapper
runs in its own process (and environment, see ``bench.peers.environment``),
so the lab's work on its behalf runs on the other core: that favours PMapper.

Printed per size: chaincut's collect and graph times, PMapper's wall time
(less its measured start-up), the ratio, and chaincut's time per principal,
so growth from 1,000 to 5,000 can be read as near-linear or not. Targets: at
least 5 times faster than PMapper at 1,000 principals; near-linear growth to
5,000. PMapper is given ``PMAPPER_TIMEOUT`` seconds per size; a size it does
not finish is reported as a lower bound on the ratio. Figures are printed,
never asserted.

    .venv/bin/python -m bench.graph_vs_pmapper [--sizes 100,1000,5000]
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.peers.environment import pmapper_python
from bench.synthetic import populate
from chaincut.collect import collect
from chaincut.graph import build_graph
from chaincut.lab import LAB_REGION, Lab

SIZES = (100, 1000, 5000)
PMAPPER_TIMEOUT = 600.0
TARGET_RATIO = 5.0


def _pmapper(lab: Lab, python: Path) -> tuple[float | None, str]:
    """PMapper's wall time for ``graph create`` against the lab, and a note."""
    keys = lab.defender_keys
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": keys.access_key_id,
            "AWS_SECRET_ACCESS_KEY": keys.secret_access_key,
            "AWS_DEFAULT_REGION": LAB_REGION,
            "HOME": home,
            "XDG_DATA_HOME": home,
        }
        env.pop("AWS_PROFILE", None)
        command = [
            str(python.parent / "pmapper"), "graph", "create",
            "--localstack-endpoint", lab.endpoint_url,
            "--include-regions", LAB_REGION,
        ]  # fmt: skip
        started = time.perf_counter()
        try:
            done = subprocess.run(
                command, env=env, capture_output=True, text=True,
                timeout=PMAPPER_TIMEOUT, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return None, f"did not finish in {PMAPPER_TIMEOUT:.0f} s"
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        return None, "failed: " + done.stderr.strip().splitlines()[-1][:120]
    counts = [
        found.group(1) if found else "?"
        for found in (
            re.search(r"# of Nodes:\s+(\d+)", done.stdout),
            re.search(r"# of Edges:\s+(\d+)", done.stdout),
        )
    ]
    return elapsed, f"{counts[0]} nodes, {counts[1]} edges"


def _startup(python: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(python.parent / "pmapper"), "--help"], capture_output=True, check=False
    )
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    args = parser.parse_args(argv if argv is not None else [])
    sizes = [int(size) for size in args.sizes.split(",")]
    logging.getLogger("chaincut").setLevel(logging.ERROR)

    python = pmapper_python()
    startup = _startup(python) if python else 0.0
    if python:
        print(f"PMapper start-up (pmapper --help): {startup:.2f} s, subtracted below")
    lab = Lab(scenario_name=None)
    lab.start()
    per_principal: dict[int, float] = {}
    try:
        for size in sizes:
            lab.rebuild()
            populate(lab, size)
            started = time.perf_counter()
            snapshot = collect(lab.defender(), regions=[LAB_REGION])
            collected = time.perf_counter() - started
            graph = build_graph(snapshot)
            total = time.perf_counter() - started
            per_principal[size] = total / size
            edges = len(graph.edges)
            print(
                f"{size:>5} principals  chaincut: collect {collected:6.2f} s"
                f"  graph {total - collected:6.2f} s  total {total:6.2f} s"
                f"  ({edges} edges, {1000 * total / size:.2f} ms/principal)",
                flush=True,
            )
            if python is None:
                continue
            peer, note = _pmapper(lab, python)
            if peer is None:
                bound = (
                    f">= {PMAPPER_TIMEOUT / total:.1f}x" if "finish" in note else "n/a"
                )
                print(f"{'':>5}             PMapper: {note}; ratio {bound}", flush=True)
                continue
            peer -= startup
            print(
                f"{'':>5}             PMapper: {peer:6.2f} s ({note});"
                f"  ratio {peer / total:5.1f}x  (target >= {TARGET_RATIO:.0f}x"
                " at 1,000)",
                flush=True,
            )
    finally:
        lab.stop()
    if 1000 in per_principal and 5000 in per_principal:
        growth = per_principal[5000] / per_principal[1000]
        print(
            f"chaincut time per principal, 5,000 vs 1,000: {growth:.2f}x"
            " (1.0 is linear)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
