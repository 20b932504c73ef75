"""Literal snapshots for rule tests: small builders, no AWS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chaincut.rules import Result, get_rule, run_checks
from chaincut.secrets import MaskedValue
from chaincut.snapshot import (
    AccessKey,
    CoverageGap,
    DetectedValue,
    GapKind,
    InlinePolicy,
    OptionSetting,
    Role,
    Snapshot,
    User,
)

ACCOUNT = "123456789012"
REGION = "us-east-1"
COLLECTED = "2025-06-01T00:00:00+00:00"
# A copy of the shared corpus with its licence, so a clean clone tests alone.
STRATUS = Path(__file__).parents[1] / "data/cloudtrail/stratus-red-team"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str | list[str], resource: str | list[str] = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def deny(action: str | list[str], resource: str | list[str] = "*") -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource}


def trust(service: str) -> dict[str, Any]:
    return doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole",
        }
    )


def user(
    name: str, *statements: dict[str, Any], keys: tuple[AccessKey, ...] = ()
) -> User:
    return User(
        name=name,
        arn=f"arn:aws:iam::{ACCOUNT}:user/{name}",
        user_id=f"AIDA{name.upper():0<16}"[:20],
        inline_policies=(InlinePolicy("inline", doc(*statements)),)
        if statements
        else (),
        access_keys=keys,
    )


def role(
    name: str,
    service: str,
    *statements: dict[str, Any],
    profiles: tuple[str, ...] = (),
    last_used: str | None = None,
) -> Role:
    return Role(
        name=name,
        arn=f"arn:aws:iam::{ACCOUNT}:role/{name}",
        role_id=f"AROA{name.upper():0<16}"[:20],
        trust_policy=trust(service),
        inline_policies=(InlinePolicy("inline", doc(*statements)),)
        if statements
        else (),
        instance_profiles=profiles,
        last_used=last_used,
    )


def flagged(namespace: str, name: str, value: str, detector: str) -> OptionSetting:
    """A setting as the collector keeps it when a detector flags ``value``."""
    kept = value if detector == "aws_access_key_id" else None
    return OptionSetting(
        namespace, name, kept, DetectedValue(detector, MaskedValue.of(value))
    )


def gap(
    service: str, operation: str, resource: str = "", region: str = REGION
) -> CoverageGap:
    return CoverageGap(
        service, operation, region, GapKind.ACCESS_DENIED, "AccessDenied", resource
    )


def snapshot(**parts: Any) -> Snapshot:
    return Snapshot(
        account_id=ACCOUNT,
        caller_arn=f"arn:aws:iam::{ACCOUNT}:user/auditor",
        collected_at=COLLECTED,
        regions=(REGION,),
        **parts,
    )


def run(rule_id: str, snap: Snapshot, accepted: tuple[str, ...] = ()) -> list[Result]:
    return list(run_checks(snap, accepted=accepted, rules=[get_rule(rule_id)]))


def statuses(results: list[Result]) -> dict[str, str]:
    """resource -> status value."""
    return {r.resource: r.status.value for r in results}


def stratus(name: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(
        (STRATUS / f"{name}.json").read_text(encoding="utf-8")
    )
    return records


def stratus_names() -> list[str]:
    return sorted(p.stem for p in STRATUS.glob("*.json"))
