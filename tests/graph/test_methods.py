"""One literal account per escalation method: found when it applies; not found
when the permission is scoped to another resource, denied by a permissions
boundary, or blocked by a condition the graph's context does not satisfy
(MFA: the attacker holds long-term keys without MFA)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from graph_helpers import (
    ACCOUNT,
    ADMIN_DOC,
    ATTACKER,
    ATTACKER_POLICY,
    ELSEWHERE,
    REGION,
    TARGET_ROLE,
    VICTIM,
    allow,
    document,
    role,
    snapshot,
    trust,
    user,
)

from chaincut.graph import ADMIN, METHODS, build_graph
from chaincut.graph.methods._base import PassRoleMethod, WorkloadMethod
from chaincut.snapshot import Group, InlinePolicy, ManagedPolicy, Snapshot, Workload

GROUP = f"arn:aws:iam::{ACCOUNT}:group/team"
ADMIN_GROUP = f"arn:aws:iam::{ACCOUNT}:group/admins"


@dataclass(frozen=True)
class Case:
    method: str
    actions: tuple[str, ...]
    target: str
    build: Callable[[dict[str, Any]], Snapshot]


def _victim(console: bool | None) -> Callable[[dict[str, Any]], Snapshot]:
    return lambda p: snapshot(attacker_policy=p, users=(user(VICTIM, console=console),))


def _self(p: dict[str, Any]) -> Snapshot:
    return snapshot(attacker_policy=p)


def _in_group(p: dict[str, Any]) -> Snapshot:
    return snapshot(
        attacker_policy=p, groups=(Group("team", GROUP),), attacker_groups=("team",)
    )


def _admin_group(p: dict[str, Any]) -> Snapshot:
    group = Group("admins", ADMIN_GROUP, (InlinePolicy("all", ADMIN_DOC),))
    return snapshot(attacker_policy=p, groups=(group,))


def _assumable(p: dict[str, Any]) -> Snapshot:
    return snapshot(
        attacker_policy=p, roles=(role(TARGET_ROLE, trust({"AWS": ACCOUNT})),)
    )


def _assumable_by_attacker(p: dict[str, Any]) -> Snapshot:
    # The trust names the account: the attacker's own policies must allow too.
    return snapshot(
        attacker_policy=p,
        roles=(role(TARGET_ROLE, trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"})),),
    )


def _untrusting(p: dict[str, Any]) -> Snapshot:
    return snapshot(
        attacker_policy=p,
        roles=(role(TARGET_ROLE, trust({"Service": "ec2.amazonaws.com"})),),
    )


def _pass_role(cls: type[PassRoleMethod]) -> Callable[[dict[str, Any]], Snapshot]:
    def build(p: dict[str, Any]) -> Snapshot:
        trusted = role(
            TARGET_ROLE,
            trust({"Service": cls.service}),
            profile=cls.needs_instance_profile,
        )
        return snapshot(attacker_policy=p, roles=(trusted,))

    return build


def _workload(cls: type[WorkloadMethod]) -> Callable[[dict[str, Any]], Snapshot]:
    def build(p: dict[str, Any]) -> Snapshot:
        kind = cls.kind
        arn = f"arn:aws:{kind.value}:{REGION}:{ACCOUNT}:{kind.value}/w"
        workload = Workload(kind, "w", arn, REGION, roles=(TARGET_ROLE,))
        held = role(TARGET_ROLE, trust({"Service": "ec2.amazonaws.com"}))
        return snapshot(attacker_policy=p, roles=(held,), workloads=(workload,))

    return build


def _cases() -> list[Case]:
    cases = [
        Case("iam:CreateAccessKey", ("iam:CreateAccessKey",), VICTIM, _victim(None)),
        Case(
            "iam:CreateLoginProfile",
            ("iam:CreateLoginProfile",),
            VICTIM,
            _victim(False),
        ),
        Case(
            "iam:UpdateLoginProfile", ("iam:UpdateLoginProfile",), VICTIM, _victim(True)
        ),
        Case("iam:PutUserPolicy", ("iam:PutUserPolicy",), ADMIN, _self),
        Case("iam:AttachUserPolicy", ("iam:AttachUserPolicy",), ADMIN, _self),
        Case("iam:PutGroupPolicy", ("iam:PutGroupPolicy",), ADMIN, _in_group),
        Case("iam:AttachGroupPolicy", ("iam:AttachGroupPolicy",), ADMIN, _in_group),
        Case("iam:CreatePolicyVersion", ("iam:CreatePolicyVersion",), ADMIN, _self),
        Case("iam:AddUserToGroup", ("iam:AddUserToGroup",), ADMIN, _admin_group),
        Case(
            "iam:PutRolePolicy",
            ("iam:PutRolePolicy", "sts:AssumeRole"),
            ADMIN,
            _assumable_by_attacker,
        ),
        Case(
            "iam:AttachRolePolicy",
            ("iam:AttachRolePolicy", "sts:AssumeRole"),
            ADMIN,
            _assumable_by_attacker,
        ),
        Case(
            "iam:UpdateAssumeRolePolicy",
            ("iam:UpdateAssumeRolePolicy",),
            TARGET_ROLE,
            _untrusting,
        ),
        Case("sts:AssumeRole", ("sts:AssumeRole",), TARGET_ROLE, _assumable),
    ]
    for name, cls in sorted(METHODS.items()):
        if issubclass(cls, PassRoleMethod):
            cases.append(Case(name, cls.actions, TARGET_ROLE, _pass_role(cls)))
        elif issubclass(cls, WorkloadMethod):
            cases.append(Case(name, cls.actions, TARGET_ROLE, _workload(cls)))
    return cases


CASES = _cases()
IDS = [case.method for case in CASES]


def _found(case: Case, account: Snapshot) -> bool:
    graph = build_graph(account, methods=[case.method])
    return any(
        e.source == ATTACKER and e.target == case.target and e.method == case.method
        for e in graph.edges
    )


def test_every_method_has_a_case() -> None:
    tested = set(IDS) | {"read_credential_holder"}
    assert tested == set(METHODS)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_method_found(case: Case) -> None:
    account = case.build(document(allow(list(case.actions))))
    assert _found(case, account)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_method_scoped_to_another_resource(case: Case) -> None:
    account = case.build(document(allow(list(case.actions), ELSEWHERE)))
    assert not _found(case, account)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_method_denied_by_boundary(case: Case) -> None:
    account = case.build(document(allow(list(case.actions))))
    boundary = ManagedPolicy(
        f"arn:aws:iam::{ACCOUNT}:policy/boundary",
        "boundary",
        "v1",
        document(allow(["s3:GetObject"])),
    )
    attacker = account.iam.users[0]
    bounded = type(attacker)(
        **{**attacker.__dict__, "permissions_boundary": boundary.arn}
    )
    iam = type(account.iam)(
        users=(bounded, *account.iam.users[1:]),
        groups=account.iam.groups,
        roles=account.iam.roles,
        policies=(*account.iam.policies, boundary),
    )
    assert not _found(case, type(account)(**{**account.__dict__, "iam": iam}))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_method_blocked_by_mfa_condition(case: Case) -> None:
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    account = case.build(document(allow(list(case.actions), Condition=mfa)))
    assert not _found(case, account)


def test_edge_carries_the_allowing_statement() -> None:
    statement = allow(["iam:CreateAccessKey"], VICTIM, Sid="Keys")
    account = _victim(None)(document(statement))
    graph = build_graph(account)
    (edge,) = [e for e in graph.edges if e.method == "iam:CreateAccessKey"]
    (call,) = edge.calls
    assert (call.action, call.resource) == ("iam:CreateAccessKey", VICTIM)
    assert [(a.layer, a.policy, a.statement) for a in call.allowed_by] == [
        ("identity", ATTACKER_POLICY, "Keys")
    ]


def test_pass_role_checks_the_passed_to_service() -> None:
    condition = {"StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}}
    policy = document(
        allow(["iam:PassRole"], TARGET_ROLE, Condition=condition),
        allow(["lambda:CreateFunction", "lambda:InvokeFunction"]),
    )
    name = "lambda:CreateFunction+InvokeFunction"
    account = _pass_role(METHODS[name])(policy)  # type: ignore[arg-type]
    assert not _found(Case(name, (), TARGET_ROLE, _self), account)


def test_a_deny_unless_from_the_office_removes_the_edge() -> None:
    office = {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}
    policy = document(
        allow(["iam:CreateAccessKey"]),
        {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": office},
    )
    case = Case("iam:CreateAccessKey", (), VICTIM, _victim(None))
    assert not _found(case, case.build(policy))
