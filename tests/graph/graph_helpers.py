"""Literal snapshots for graph tests: built from dataclasses, no lab."""

from __future__ import annotations

from typing import Any

from chaincut.snapshot import (
    AccessKey,
    Group,
    Iam,
    InlinePolicy,
    ManagedPolicy,
    Role,
    Snapshot,
    User,
    Workload,
)

ACCOUNT = "123456789012"
REGION = "us-east-1"
ATTACKER = f"arn:aws:iam::{ACCOUNT}:user/attacker"
VICTIM = f"arn:aws:iam::{ACCOUNT}:user/victim"
TARGET_ROLE = f"arn:aws:iam::{ACCOUNT}:role/target"
ATTACKER_POLICY = f"arn:aws:iam::{ACCOUNT}:policy/attacker"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/boundary"
ELSEWHERE = "arn:aws:iam::111122223333:user/elsewhere"
ADMIN_DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions: list[str], resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


def trust(principal: dict[str, Any]) -> dict[str, Any]:
    return document(
        {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    )


def user(
    arn: str,
    *,
    policy: dict[str, Any] | None = None,
    groups: tuple[str, ...] = (),
    boundary: str | None = None,
    keys: tuple[AccessKey, ...] = (),
    console: bool | None = None,
) -> User:
    return User(
        name=arn.rsplit("/", 1)[-1],
        arn=arn,
        user_id="AIDA" + arn.rsplit("/", 1)[-1].upper(),
        attached_policies=(ATTACKER_POLICY,) if policy is not None else (),
        groups=groups,
        permissions_boundary=boundary,
        access_keys=keys,
        has_console_password=console,
    )


def role(
    arn: str,
    trust_policy: dict[str, Any],
    *,
    profile: bool = False,
    admin: bool = False,
) -> Role:
    name = arn.rsplit("/", 1)[-1]
    return Role(
        name=name,
        arn=arn,
        role_id="AROA" + name.upper(),
        trust_policy=trust_policy,
        instance_profiles=(name,) if profile else (),
        inline_policies=(InlinePolicy("admin", ADMIN_DOC),) if admin else (),
    )


def snapshot(
    *,
    attacker_policy: dict[str, Any],
    users: tuple[User, ...] = (),
    roles: tuple[Role, ...] = (),
    groups: tuple[Group, ...] = (),
    policies: tuple[ManagedPolicy, ...] = (),
    boundary: dict[str, Any] | None = None,
    attacker_groups: tuple[str, ...] = (),
    **rest: Any,
) -> Snapshot:
    managed = [ManagedPolicy(ATTACKER_POLICY, "attacker", "v1", attacker_policy)]
    if boundary is not None:
        managed.append(ManagedPolicy(BOUNDARY, "boundary", "v1", boundary))
    attacker = user(
        ATTACKER,
        policy=attacker_policy,
        groups=attacker_groups,
        boundary=BOUNDARY if boundary is not None else None,
    )
    return Snapshot(
        account_id=ACCOUNT,
        caller_arn=ATTACKER,
        collected_at="2026-01-01T00:00:00Z",
        regions=(REGION,),
        iam=Iam(
            users=(attacker, *users),
            groups=groups,
            roles=roles,
            policies=(*managed, *policies),
        ),
        **rest,
    )


__all__ = [
    "ACCOUNT",
    "ATTACKER",
    "Workload",
    "allow",
    "document",
    "role",
    "snapshot",
    "trust",
    "user",
]
