"""Secrets Manager rules on literal snapshots."""

from __future__ import annotations

from typing import Any

from rules_helpers import (
    ACCOUNT,
    REGION,
    allow,
    doc,
    gap,
    role,
    run,
    snapshot,
    statuses,
    user,
)

from chaincut.rules import ErrorEvidence, Status
from chaincut.rules.secrets import RotationEvidence, SecretAccessEvidence
from chaincut.snapshot import Iam, Secret

ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app/db-AbCdEf"
APP = f"arn:aws:iam::{ACCOUNT}:role/app"
ADMIN = f"arn:aws:iam::{ACCOUNT}:user/admin"


def secret(**fields: Any) -> Secret:
    return Secret(name="app/db", arn=ARN, region=REGION, **fields)


def test_rotation() -> None:
    good = secret(rotation_enabled=True, rotation_days=30, last_rotated="2025-05-20")
    overdue = secret(rotation_enabled=True, rotation_days=30, last_rotated="2025-03-01")
    too_slow = secret(
        rotation_enabled=True, rotation_days=365, last_rotated="2025-05-20"
    )
    for found, expected in ((good, "PASS"), (overdue, "FAIL"), (too_slow, "FAIL"),
                            (secret(), "FAIL")):  # fmt: skip
        assert statuses(run("secrets-rotation", snapshot(secrets=(found,)))) == {
            ARN: expected
        }
    (result,) = run("secrets-rotation", snapshot(secrets=(overdue,)))
    assert isinstance(result.evidence, RotationEvidence)
    assert result.evidence.overdue


def test_unlisted_secrets_are_an_error() -> None:
    snap = snapshot(gaps=(gap("secretsmanager", "ListSecrets"),))
    for rule_id in ("secrets-rotation", "secrets-resource-policy", "secrets-access"):
        assert [r.status for r in run(rule_id, snap)] == [Status.ERROR]


def test_resource_policy() -> None:
    with_policy = secret(resource_policy=_only_app_policy())
    assert statuses(
        run("secrets-resource-policy", snapshot(secrets=(with_policy,)))
    ) == {ARN: "PASS"}
    assert statuses(run("secrets-resource-policy", snapshot(secrets=(secret(),)))) == {
        ARN: "FAIL"
    }
    unreadable = snapshot(
        secrets=(secret(),), gaps=(gap("secretsmanager", "GetResourcePolicy", ARN),)
    )
    assert statuses(run("secrets-resource-policy", unreadable)) == {ARN: "ERROR"}


def _only_app_policy() -> dict[str, Any]:
    return doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": APP},
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        },
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "secretsmanager:*",
            "Resource": "*",
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": APP}},
        },
    )


def _iam() -> Iam:
    return Iam(
        users=(user("admin", allow("*")), user("dev", allow("ec2:Describe*"))),
        roles=(
            role(
                "app", "ec2.amazonaws.com", allow("secretsmanager:GetSecretValue", ARN)
            ),
        ),
    )


def test_access_without_policy_lists_every_reader_and_rotator() -> None:
    (result,) = run("secrets-access", snapshot(iam=_iam(), secrets=(secret(),)))
    assert result.status is Status.FAIL
    evidence = result.evidence
    assert isinstance(evidence, SecretAccessEvidence)
    assert {a.principal for a in evidence.readers} == {ADMIN, APP}
    assert {(a.principal, a.action) for a in evidence.rotators} == {
        (ADMIN, "secretsmanager:RotateSecret"),
        (ADMIN, "secretsmanager:PutSecretValue"),
    }
    assert evidence.principals_checked == 3
    assert not any(a.intended for a in evidence.readers)


def test_access_with_a_policy_admitting_only_the_app_passes() -> None:
    found = secret(resource_policy=_only_app_policy())
    (result,) = run("secrets-access", snapshot(iam=_iam(), secrets=(found,)))
    assert result.status is Status.PASS
    assert isinstance(result.evidence, SecretAccessEvidence)
    assert [(a.principal, a.intended) for a in result.evidence.readers] == [(APP, True)]
    assert result.evidence.intended == (APP,)


def test_access_with_a_malformed_policy_is_an_error() -> None:
    broken = secret(resource_policy={"Statement": [{"Effect": "Maybe"}]})
    (result,) = run("secrets-access", snapshot(iam=_iam(), secrets=(broken,)))
    assert result.status is Status.ERROR
    assert isinstance(result.evidence, ErrorEvidence)
    assert result.evidence.error_type == "PolicyError"
