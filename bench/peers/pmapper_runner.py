"""Time PMapper's local policy simulation on a chaincut benchmark corpus.

Runs inside the benchmark-only environment ``bench/.peer-pmapper`` (Python 3.9,
``principalmapper==1.1.5``), never in chaincut's own. Usage::

    python pmapper_runner.py CORPUS.json LIMIT PASSES

Reads the corpus written by ``bench.policy_throughput``, builds PMapper
nodes and policies once (untimed, as chaincut's parsing is timed apart), then
times ``local_check_authorization_full`` on the first LIMIT requests, PASSES
times over, and prints one JSON object: requests, the seconds of each pass,
and each decision of the first pass (1 = allowed).
Kept to Python 3.9 syntax.
"""

from __future__ import annotations

import gc
import json
import logging
import sys
import time

from principalmapper.common.nodes import Node
from principalmapper.common.policies import Policy
from principalmapper.querying.query_interface import local_check_authorization_full


def build_nodes(corpus: dict) -> list:
    nodes = []
    for index, principal in enumerate(corpus["principals"]):
        arn = principal["arn"]
        policies = [
            Policy(arn, name, corpus["policies"][name])
            for name in principal["identity_policies"]
        ]
        boundary = principal.get("boundary")
        if boundary is not None:
            boundary = corpus["boundaries"][boundary]
        trust = {"Version": "2012-10-17", "Statement": []} if ":role/" in arn else None
        nodes.append(
            Node(
                arn,
                f"AIDA{index:016d}",
                policies,
                [],
                trust,
                None,
                0,
                False,
                False,
                None if boundary is None else Policy(arn, "boundary", boundary),
                False,
                None,
            )
        )
    return nodes


def main() -> int:
    logging.disable(logging.CRITICAL)
    path, limit = sys.argv[1], int(sys.argv[2])
    with open(path, encoding="utf-8") as handle:
        corpus = json.load(handle)
    nodes = build_nodes(corpus)
    scps = [
        [Policy("scp", f"scp{n}.{i}", d) for i, d in enumerate(level)]
        for n, level in enumerate(corpus["scp_levels"])
    ]
    resource_policies = corpus["resource_policies"]
    account = corpus["account"]
    requests = corpus["requests"][:limit]
    # As chaincut's side does: the long-lived corpus is kept out of the
    # collector's sight.
    gc.freeze()

    passes = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    seconds = []
    decisions = []
    for _ in range(passes):
        start = time.perf_counter()
        decisions = [
            decide(request, nodes, resource_policies, account, scps)
            for request in requests
        ]
        seconds.append(time.perf_counter() - start)

    json.dump(
        {"requests": len(requests), "seconds": seconds, "allowed": decisions},
        sys.stdout,
    )
    return 0


def decide(
    request: dict, nodes: list, resource_policies: dict, account: str, scps: list
) -> int:
    node = nodes[request["principal"]]
    key = request.get("resource_policy")
    allowed = local_check_authorization_full(
        node,
        request["action"],
        request["resource"],
        request["context"],
        None if key is None else resource_policies[key],
        account,
        scps,
        None,
    )
    return 1 if allowed else 0


if __name__ == "__main__":
    sys.exit(main())
