"""Grouped and narrowed questions give the engine's answers, in linear work.

The builder answers per-resource questions once per group of principals
holding the same statements, narrows with each principal's own variables and
skips Allows whose conditions cannot hold; these tests compare its edges with
asking the engine about every (principal, resource) pair, and count the
engine's evaluations as the account grows.
"""

from __future__ import annotations

from typing import Any

import pytest
from graph_helpers import ACCOUNT, ATTACKER, REGION, allow, document, role, trust

from chaincut.graph import _evaluator, build_graph
from chaincut.graph._evaluator import AttackContext, Evaluator
from chaincut.graph._narrow import PrincipalView, narrow
from chaincut.graph.methods._base import ASSUME_ROLE
from chaincut.policy import evaluate, parse_policy
from chaincut.snapshot import Iam, ManagedPolicy, Role, Snapshot, User

_USER = f"arn:aws:iam::{ACCOUNT}:user/"
_POLICY = f"arn:aws:iam::{ACCOUNT}:policy/"
_POLICIES: dict[str, dict[str, Any]] = {
    "self-keys": document(allow(["iam:CreateAccessKey"], _USER + "${aws:username}")),
    "mfa-admin": document(
        allow(["*"], Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    ),
    "key-maker": document(allow(["iam:CreateAccessKey", "sts:AssumeRole"])),
    "team-keys": document(
        allow(
            ["iam:CreateAccessKey"],
            Condition={"StringEquals": {"aws:PrincipalTag/team": "ops"}},
        )
    ),
    "buddy-keys": document(
        allow(["iam:CreateAccessKey"], _USER + "${aws:PrincipalTag/buddy}")
    ),
    "named": document(allow(["iam:CreateAccessKey"], [_USER + "u1", _USER + "u2"])),
    "no-keys-for-u3": document(
        {"Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": _USER + "u3"}
    ),
    "boundary": document(allow(["iam:*", "sts:*"], _USER + "u*")),
}
_MIXES = (
    ("self-keys",),
    ("self-keys", "mfa-admin"),
    ("key-maker",),
    ("key-maker", "self-keys", "no-keys-for-u3"),
    ("team-keys",),
    ("named", "mfa-admin"),
    ("buddy-keys", "named"),
    ("buddy-keys", "key-maker"),
    (),
)


def _account(count: int, mixes: tuple[tuple[str, ...], ...] = _MIXES) -> Snapshot:
    users = [
        User(
            f"u{i}",
            f"{_USER}u{i}",
            f"AIDA{i:016d}",
            attached_policies=tuple(_POLICY + n for n in mixes[i % len(mixes)]),
            permissions_boundary=_POLICY + "boundary" if i % 11 == 0 else None,
            tags={"team": "ops"} if i % 3 == 0 else {"buddy": f"u{i + 1}"},
        )
        for i in range(count)
    ]
    roles = [
        role(
            f"arn:aws:iam::{ACCOUNT}:role/r{i}",
            trust({"AWS": ACCOUNT} if i % 3 else {"AWS": f"{_USER}u{i}"}),
        )
        for i in range(count // 5)
    ]
    roles += [
        Role(
            "tagged",
            f"arn:aws:iam::{ACCOUNT}:role/tagged",
            "AROATAGGED",
            document(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": ACCOUNT},
                    "Action": ASSUME_ROLE,
                    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ops"}},
                }
            ),
        )
    ]
    return Snapshot(
        account_id=ACCOUNT,
        caller_arn=ATTACKER,
        collected_at="2026-01-01T00:00:00Z",
        regions=(REGION,),
        iam=Iam(
            users=tuple(users),
            roles=tuple(roles),
            policies=tuple(
                ManagedPolicy(_POLICY + name, name, "v1", doc)
                for name, doc in _POLICIES.items()
            ),
        ),
    )


def _asked_one_by_one(
    account: Snapshot, action: str, targets: list[str]
) -> dict[tuple[str, str], object]:
    evaluator = Evaluator(account, AttackContext())
    found: dict[tuple[str, str], object] = {}
    for source in (u.arn for u in account.iam.users):
        for target in targets:
            call = evaluator.call(source, action, target)
            if target != source and call is not None:
                found[(source, target)] = call
    return found


@pytest.mark.parametrize(
    ("method", "targets"),
    [
        ("iam:CreateAccessKey", lambda a: [u.arn for u in a.iam.users]),
        (ASSUME_ROLE, lambda a: [r.arn for r in a.iam.roles]),
    ],
)
def test_grouped_answers_are_the_engine_answers(method: str, targets: Any) -> None:
    account = _account(60)
    graph = build_graph(account, methods=[method])
    edges = {(e.source, e.target): e.calls[0] for e in graph.edges}
    expected = _asked_one_by_one(account, method, targets(account))
    assert edges == expected
    assert edges  # the account is not trivially empty


def test_self_service_keys_reach_only_oneself() -> None:
    account = _account(14)
    graph = build_graph(account, methods=["iam:CreateAccessKey"])
    self_only = f"{_USER}u0"  # holds only self-keys: no edge to anyone else
    assert not [e for e in graph.edges if e.source == self_only]


def _view(arn: str) -> PrincipalView:
    account = _account(14)
    evaluator = Evaluator(account, AttackContext())
    principal = evaluator.principal(arn)
    return PrincipalView(principal, AttackContext().keys(arn, None))


def test_narrowing_resolves_the_principals_own_variables() -> None:
    policy = parse_policy(_POLICIES["self-keys"], name="self-keys")
    users = [f"{_USER}u{i}" for i in range(5)]
    positions = {arn: i for i, arn in enumerate(users)}
    found = narrow(
        (policy,), "iam:CreateAccessKey", users, positions, _view(f"{_USER}u2")
    )
    assert found == [f"{_USER}u2"]


def test_narrowing_drops_allows_whose_conditions_cannot_hold() -> None:
    policy = parse_policy(_POLICIES["mfa-admin"], name="mfa-admin")
    users = [f"{_USER}u{i}" for i in range(5)]
    positions = {arn: i for i, arn in enumerate(users)}
    view = _view(f"{_USER}u1")
    assert narrow((policy,), "iam:CreateAccessKey", users, positions, view) == []


def test_narrowing_keeps_everything_for_a_key_it_cannot_know() -> None:
    regional = parse_policy(
        document(allow(["ssm:GetParameter"], "arn:aws:ssm:${aws:RequestedRegion}:*")),
        name="regional",
    )
    names = ["arn:aws:ssm:us-east-1:1:parameter/a", "arn:aws:ssm:eu-west-1:1:p/b"]
    positions = {arn: i for i, arn in enumerate(names)}
    view = _view(f"{_USER}u1")
    assert narrow((regional,), "ssm:GetParameter", names, positions, view) == names


def _evaluations(count: int, monkeypatch: pytest.MonkeyPatch) -> int:
    asked = 0
    real = evaluate

    def counting(*args: Any) -> Any:
        nonlocal asked
        asked += 1
        return real(*args)

    monkeypatch.setattr(_evaluator, "evaluate", counting)
    # Without team-keys: a wildcard Allow conditioned on the caller's own tag
    # is asked per principal and resource (see ``Evaluator.allowed``).
    build_graph(_account(count, tuple(m for m in _MIXES if "team-keys" not in m)))
    monkeypatch.setattr(_evaluator, "evaluate", real)
    return asked


def test_engine_questions_grow_linearly(monkeypatch: pytest.MonkeyPatch) -> None:
    small = _evaluations(300, monkeypatch)
    large = _evaluations(1200, monkeypatch)
    # Four times the principals; edges (key-makers reach every user) grow
    # faster, but questions per principal must not.
    assert large < 4 * small * 1.5, (small, large)
