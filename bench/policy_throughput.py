"""Decisions per second of chaincut.policy, against PMapper's local simulation.

Generates a deterministic corpus (seeded) of at least 100,000 requests from
200 principals, each with several identity policies mixing exact actions,
wildcards, conditions and denies; some with a permission boundary; S3 buckets
and secrets with resource policies; two SCP levels. chaincut parses every
policy once and decides every request; PMapper 1.1.5 decides the same
requests (the first ``--pmapper-limit`` of them) in its own environment.

Rounds alternate the tools on the same requests and the median ratio is
reported, because a shared machine's load moves both figures by tens of
percent from one minute to the next.

PMapper is never a chaincut dependency: on first run this script creates
``bench/.peer-pmapper`` with Python 3.9 and installs ``principalmapper==1.1.5``
there, then runs ``bench/peers/pmapper_runner.py`` with it. If that fails the
chaincut figures are still printed. Figures are printed, never asserted.

    .venv/bin/python -m bench.policy_throughput [--requests N] [--pmapper-limit N]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.peers.environment import pmapper_python
from chaincut.policy import PolicyKind, PolicySet, Request, evaluate, parse_policy

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "peers" / "pmapper_runner.py"
SEED = 20240611
ACCOUNT = "111122223333"

ACTIONS = {
    "s3": ["GetObject", "PutObject", "DeleteObject", "ListBucket"],
    "iam": ["CreateAccessKey", "GetUser", "ListUsers", "PassRole", "DeleteUser"],
    "secretsmanager": ["GetSecretValue", "PutSecretValue", "DescribeSecret"],
    "ec2": ["DescribeInstances", "RunInstances", "TerminateInstances"],
    "elasticbeanstalk": ["DescribeConfigurationSettings", "UpdateEnvironment"],
}
ACTION_PATTERNS = [
    "s3:*",
    "s3:Get*",
    "s3:*Object",
    "iam:Get*",
    "iam:List*",
    "iam:*AccessKey*",
    "secretsmanager:Get*",
    "secretsmanager:Describe*",
    "ec2:Describe*",
    "elasticbeanstalk:Describe*",
    "*",
]
RESOURCE_PATTERNS = [
    "*",
    "arn:aws:s3:::bucket-1*",
    "arn:aws:s3:::bucket-2/*",
    "arn:aws:s3:::elasticbeanstalk-*",
    f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
    f"arn:aws:iam::{ACCOUNT}:user/team-*",
    f"arn:aws:secretsmanager:*:{ACCOUNT}:secret:app-*",
    f"arn:aws:ec2:*:{ACCOUNT}:instance/*",
]
CONDITIONS: list[dict[str, Any]] = [
    {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
    {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "public/*"]}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "env"]}},
    {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
    {"NumericLessThan": {"s3:max-keys": "100"}},
    {"StringNotEquals": {"aws:RequestedRegion": "ap-south-1"}},
]


def _statement(rng: random.Random) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Deny" if rng.random() < 0.2 else "Allow",
        "Action": rng.sample(ACTION_PATTERNS, rng.randint(1, 3))
        + [f"{s}:{rng.choice(a)}" for s, a in rng.sample(sorted(ACTIONS.items()), 1)],
        "Resource": rng.sample(RESOURCE_PATTERNS, rng.randint(1, 2)),
    }
    if rng.random() < 0.35:
        statement["Condition"] = rng.choice(CONDITIONS)
    return statement


def _document(rng: random.Random, size: int) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [_statement(rng) for _ in range(size)],
    }


def _resource(rng: random.Random, service: str, action: str) -> tuple[str, str | None]:
    """A resource for the action, and the key of its resource policy, if any."""
    if service == "s3":
        bucket = f"bucket-{rng.randint(0, 29)}"
        key = bucket if int(bucket.split("-")[1]) % 3 == 0 else None
        if action == "ListBucket":
            return f"arn:aws:s3:::{bucket}", key
        return f"arn:aws:s3:::{bucket}/home/u{rng.randint(0, 9)}/f.txt", key
    if service == "iam":
        if action == "ListUsers":
            return "*", None
        return f"arn:aws:iam::{ACCOUNT}:user/team-{rng.randint(0, 50)}", None
    if service == "secretsmanager":
        name = rng.choice(["app-db", "app-api", "ops-root"])
        arn = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{name}-AbCdEf"
        return arn, name
    if service == "ec2" and action != "DescribeInstances":
        return (
            f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-{rng.randint(0, 99):04x}",
            None,
        )
    return "*", None


def _context(rng: random.Random) -> dict[str, Any]:
    context: dict[str, Any] = {
        "aws:SourceIp": rng.choice(["10.1.2.3", "203.0.113.7", "198.51.100.9"]),
        "aws:SecureTransport": rng.choice(["true", "false"]),
        "aws:RequestedRegion": rng.choice(["us-east-1", "eu-west-1", "ap-south-1"]),
        "aws:CurrentTime": "2025-06-01T12:00:00Z",
    }
    if rng.random() < 0.5:
        context["aws:TagKeys"] = rng.sample(["team", "env", "owner"], rng.randint(1, 2))
    if rng.random() < 0.3:
        context["s3:prefix"] = rng.choice(["public/a", "home/x/", "private/"])
    return context


def _resource_policies(rng: random.Random) -> dict[str, dict[str, Any]]:
    policies: dict[str, dict[str, Any]] = {}
    for index in range(0, 30, 3):
        bucket = f"arn:aws:s3:::bucket-{index}"
        policies[f"bucket-{index}"] = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": f"arn:aws:iam::{ACCOUNT}:user/u{rng.randint(0, 99)}"
                    },
                    "Action": ["s3:GetObject", "s3:ListBucket"],
                    "Resource": [bucket, f"{bucket}/*"],
                },
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket, f"{bucket}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        }
    for name in ("app-db", "app-api", "ops-root"):
        policies[name] = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": f"arn:aws:iam::{ACCOUNT}:role/r{rng.randint(0, 99)}"
                    },
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": "*",
                }
            ],
        }
    return policies


def build_corpus(requests: int = 100_000, seed: int = SEED) -> dict[str, Any]:
    """The whole corpus as plain JSON-ready data, identical for a given seed."""
    rng = random.Random(seed)
    policies = {f"managed-{i}": _document(rng, rng.randint(1, 4)) for i in range(80)}
    boundaries: dict[str, dict[str, Any]] = {}
    principals = []
    for index in range(200):
        kind = "user/u" if index < 100 else "role/r"
        boundary = None
        if rng.random() < 0.2:
            boundary = f"boundary-{index}"
            boundaries[boundary] = _document(rng, 2)
        principals.append(
            {
                "arn": f"arn:aws:iam::{ACCOUNT}:{kind}{index % 100}",
                "identity_policies": rng.sample(sorted(policies), rng.randint(2, 4)),
                "boundary": boundary,
            }
        )
    scp_levels = [
        [
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            }
        ],
        [
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {
                        "Effect": "Deny",
                        "Action": ["iam:DeleteUser", "ec2:TerminateInstances"],
                        "Resource": "*",
                        "Condition": {
                            "StringNotEquals": {"aws:RequestedRegion": "us-east-1"}
                        },
                    },
                ],
            }
        ],
    ]
    cases = []
    services = sorted(ACTIONS)
    for _ in range(requests):
        service = rng.choice(services)
        action = rng.choice(ACTIONS[service])
        resource, policy_key = _resource(rng, service, action)
        cases.append(
            {
                "principal": rng.randrange(len(principals)),
                "action": f"{service}:{action}",
                "resource": resource,
                "resource_policy": policy_key,
                "context": _context(rng),
            }
        )
    return {
        "account": ACCOUNT,
        "policies": policies,
        "boundaries": boundaries,
        "principals": principals,
        "scp_levels": scp_levels,
        "resource_policies": _resource_policies(rng),
        "requests": cases,
    }


class Chaincut:
    """The corpus parsed once, and policy sets kept per (principal, resource policy)."""

    def __init__(self, corpus: dict[str, Any]) -> None:
        start = time.perf_counter()
        # Each managed policy is parsed once, however many principals it is
        # attached to, as a snapshot would hold it.
        managed = {
            name: parse_policy(d, name=name) for name, d in corpus["policies"].items()
        }
        boundaries = {
            name: parse_policy(d, name=name, kind=PolicyKind.BOUNDARY)
            for name, d in corpus["boundaries"].items()
        }
        self.scps = tuple(
            tuple(parse_policy(d, name=f"scp{n}", kind=PolicyKind.SCP) for d in level)
            for n, level in enumerate(corpus["scp_levels"])
        )
        self.resource_policies = {
            key: parse_policy(d, name=key, kind=PolicyKind.RESOURCE)
            for key, d in corpus["resource_policies"].items()
        }
        self.principals = [
            (
                principal["arn"],
                tuple(managed[name] for name in principal["identity_policies"]),
                ()
                if principal["boundary"] is None
                else (boundaries[principal["boundary"]],),
            )
            for principal in corpus["principals"]
        ]
        self.parse_seconds = time.perf_counter() - start
        self.sets: dict[tuple[int, str | None], PolicySet] = {}

    def run(self, cases: list[dict[str, Any]]) -> tuple[float, list[int]]:
        """Seconds to decide ``cases``, and each decision (1 = allowed)."""
        decisions = []
        start = time.perf_counter()
        for case in cases:
            who = case["principal"]
            key = case["resource_policy"]
            policies = self.sets.get((who, key))
            if policies is None:
                _, identity, boundaries = self.principals[who]
                policies = PolicySet(
                    identity=identity,
                    resource=None if key is None else self.resource_policies[key],
                    boundaries=boundaries,
                    scp_levels=self.scps,
                )
                self.sets[(who, key)] = policies
            request = Request(
                self.principals[who][0],
                case["action"],
                case["resource"],
                resource_account=ACCOUNT,
                context=case["context"],
            )
            decisions.append(1 if evaluate(request, policies).allowed else 0)
        return time.perf_counter() - start, decisions


def time_pmapper(path: Path, limit: int) -> dict[str, Any] | None:
    """One timed pass of PMapper over the first ``limit`` requests of ``path``."""
    python = pmapper_python()
    if python is None:
        return None
    done = subprocess.run(
        [str(python), str(RUNNER), str(path), str(limit), "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"PMapper: runner failed: {done.stderr.strip().splitlines()[-1:]}")
        return None
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _rate(requests: int, seconds: float) -> str:
    return f"{requests / seconds:>9,.0f} decisions/s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--pmapper-limit", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-pmapper", action="store_true")
    # Called without arguments (``python -m bench`` runs every bench's main),
    # the defaults apply whatever the process's own command line says.
    args = parser.parse_args([] if argv is None else argv)

    corpus = build_corpus(args.requests, args.seed)
    # The corpus is millions of objects that live to the end: out of the
    # collector's sight, as the PMapper runner does too, so neither tool's
    # timing pays for traversing the other's input.
    gc.freeze()
    total = len(corpus["requests"])
    limit = min(args.pmapper_limit, total)
    print(
        f"policy throughput: {total} requests, {len(corpus['principals'])} "
        f"principals, seed {args.seed}"
    )
    # The first pass starts with empty plan caches: reported on its own.
    ours = Chaincut(corpus)
    cold, decisions = ours.run(corpus["requests"])
    print(f"  chaincut parse, all policies once: {ours.parse_seconds * 1000:.1f} ms")
    print(f"  chaincut, first pass (cold caches): {_rate(total, cold)}")
    if args.no_pmapper:
        warm = min(ours.run(corpus["requests"])[0] for _ in range(args.rounds))
        print(f"  chaincut, best warm pass:           {_rate(total, warm)}")
        return 0
    if limit < total:
        print(f"  PMapper is slow: the rounds below decide the first {limit} only")

    # Rounds alternate the two tools on the same requests, so that a busy
    # machine slows both alike; the ratio is taken per round.
    subset = corpus["requests"][:limit]
    ratios: list[float] = []
    peer: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "corpus.json"
        path.write_text(json.dumps(corpus), encoding="utf-8")
        for round_number in range(1, args.rounds + 1):
            ours_seconds = ours.run(subset)[0]
            peer = time_pmapper(path, limit)
            if peer is None:
                return 0
            peer_seconds = peer["seconds"][0]
            ratios.append(peer_seconds / ours_seconds)
            print(
                f"  round {round_number}: chaincut {_rate(limit, ours_seconds)}, "
                f"PMapper 1.1.5 {_rate(limit, peer_seconds)}, "
                f"ratio {ratios[-1]:.1f}x"
            )
    ratios.sort()
    print(
        f"  ratio: chaincut is {ratios[len(ratios) // 2]:.1f}x PMapper per request "
        f"(median of {len(ratios)} rounds; target >= 10x)"
    )
    if peer is None:
        return 0
    agree = sum(a == b for a, b in zip(decisions, peer["allowed"], strict=False))
    print(f"  same allowed/denied answer on {agree} of {peer['requests']} requests")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
