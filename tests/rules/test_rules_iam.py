"""IAM rules on literal snapshots: credentials of others, least privilege."""

from __future__ import annotations

from rules_helpers import ACCOUNT, allow, deny, gap, role, run, snapshot, statuses, user

from chaincut.rules import Status
from chaincut.rules.iam_credentials import CredentialGrantsEvidence
from chaincut.rules.iam_privilege import (
    Risk,
    RiskyActionsEvidence,
    UsageEvidence,
    WildcardEvidence,
    WildcardKind,
)
from chaincut.snapshot import AccessKey, Iam

ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"
ADMIN = f"arn:aws:iam::{ACCOUNT}:user/admin"
SELF_ONLY = "arn:aws:iam::*:user/${aws:username}"
IAM_GAP = gap("iam", "GetAccountAuthorizationDetails", region="aws-global")


def test_create_access_key_on_star_fails_for_each_other_user() -> None:
    iam = Iam(
        users=(user("alice", allow("iam:CreateAccessKey")), user("bob"), user("admin"))
    )
    results = {
        r.resource: r for r in run("iam-credentials-for-others", snapshot(iam=iam))
    }
    assert results[ALICE].status is Status.FAIL
    evidence = results[ALICE].evidence
    assert isinstance(evidence, CredentialGrantsEvidence)
    assert {(g.action, g.target) for g in evidence.grants} == {
        ("iam:CreateAccessKey", BOB),
        ("iam:CreateAccessKey", ADMIN),
    }
    assert evidence.grants[0].allowed_by[0].policy.endswith(":inline")
    assert evidence.users_checked == 2
    assert results[BOB].status is Status.PASS


def test_scoped_to_self_or_denied_passes() -> None:
    iam = Iam(
        users=(
            user("alice", allow(["iam:CreateAccessKey", "iam:UpdateLoginProfile"],
                                SELF_ONLY)),
            user("bob", allow("iam:*"), deny("iam:CreateAccessKey"),
                 deny(["iam:CreateLoginProfile", "iam:UpdateLoginProfile"])),
        )
    )  # fmt: skip
    assert statuses(run("iam-credentials-for-others", snapshot(iam=iam))) == {
        ALICE: "PASS",
        BOB: "PASS",
    }


def test_login_profile_reset_by_a_role_fails() -> None:
    iam = Iam(
        users=(user("alice"),),
        roles=(
            role("ops", "ec2.amazonaws.com", allow("iam:UpdateLoginProfile", ALICE)),
        ),
    )
    (result,) = [
        r
        for r in run("iam-credentials-for-others", snapshot(iam=iam))
        if ":role/" in r.resource
    ]
    assert result.status is Status.FAIL
    assert isinstance(result.evidence, CredentialGrantsEvidence)
    assert [(g.action, g.target) for g in result.evidence.grants] == [
        ("iam:UpdateLoginProfile", ALICE)
    ]


def test_iam_rules_are_errors_without_iam() -> None:
    snap = snapshot(gaps=(IAM_GAP,))
    for rule_id in (
        "iam-credentials-for-others",
        "iam-wildcard-grants",
        "iam-risky-actions",
        "iam-unused-grants",
    ):
        assert [r.status for r in run(rule_id, snap)] == [Status.ERROR], rule_id


def test_wildcards_by_kind() -> None:
    iam = Iam(
        users=(
            user(
                "alice",
                allow("s3:*", "arn:aws:s3:::bucket*"),
                allow("iam:CreateAccessKey"),
            ),
            user(
                "bob",
                allow("ec2:DescribeSubnets"),
                allow("s3:GetObject", "arn:aws:s3:::b/*"),
            ),
            user("admin", allow("*")),
        )
    )
    results = {r.resource: r for r in run("iam-wildcard-grants", snapshot(iam=iam))}
    evidence = results[ALICE].evidence
    assert isinstance(evidence, WildcardEvidence)
    assert {(w.kind, w.patterns) for w in evidence.wildcards} == {
        (WildcardKind.SERVICE_ACTIONS, ("s3:*",)),
        (WildcardKind.ALL_RESOURCES, ("iam:CreateAccessKey",)),
    }
    assert results[BOB].status is Status.PASS  # a read on "*" cannot be scoped
    admin = results[ADMIN].evidence
    assert isinstance(admin, WildcardEvidence)
    assert WildcardKind.ALL_ACTIONS in {w.kind for w in admin.wildcards}


def test_risky_actions_grouped_by_risk_and_denies_respected() -> None:
    iam = Iam(
        users=(
            user(
                "alice",
                allow(["elasticbeanstalk:Describe*", "ec2:DescribeSubnets"]),
                allow("s3:*", "arn:aws:s3:::elasticbeanstalk*"),
            ),
            user(
                "bob", allow("secretsmanager:*"), deny("secretsmanager:GetSecretValue")
            ),
            user("admin", allow("ec2:DescribeSubnets")),
        )
    )
    results = {r.resource: r for r in run("iam-risky-actions", snapshot(iam=iam))}
    evidence = results[ALICE].evidence
    assert isinstance(evidence, RiskyActionsEvidence)
    groups = {g.risk: {x.action for x in g.grants} for g in evidence.groups}
    assert (
        "elasticbeanstalk:DescribeConfigurationSettings"
        in groups[Risk.CREDENTIAL_EXPOSURE]
    )
    assert "s3:GetObject" in groups[Risk.DATA_EXFILTRATION]
    assert "s3:PutBucketPolicy" in groups[Risk.RESOURCE_EXPOSURE]
    bob = results[BOB].evidence
    assert isinstance(bob, RiskyActionsEvidence)
    bob_actions = {x.action for g in bob.groups for x in g.grants}
    assert "secretsmanager:GetSecretValue" not in bob_actions
    assert "secretsmanager:PutResourcePolicy" in bob_actions
    assert results[ADMIN].status is Status.PASS


def test_unused_grants_from_key_last_use() -> None:
    recent = AccessKey(
        "AKIA1", "Active", "2025-01-01", "2025-05-30T00:00:00+00:00", "s3"
    )
    stale = AccessKey(
        "AKIA2", "Active", "2024-01-01", "2024-06-01T00:00:00+00:00", "ec2"
    )
    iam = Iam(
        users=(
            user(
                "alice", allow(["s3:GetObject", "ec2:DescribeSubnets"]), keys=(recent,)
            ),
            user("bob", allow("s3:GetObject"), keys=(recent,)),
            user("admin", allow("ec2:DescribeSubnets"), keys=(stale,)),
        )
    )
    results = {r.resource: r for r in run("iam-unused-grants", snapshot(iam=iam))}
    alice = results[ALICE].evidence
    assert isinstance(alice, UsageEvidence)
    assert (results[ALICE].status, alice.not_seen_used_services) == (
        Status.FAIL,
        ("ec2",),
    )
    assert results[BOB].status is Status.PASS
    admin = results[ADMIN].evidence
    assert isinstance(admin, UsageEvidence)
    assert admin.stale and results[ADMIN].status is Status.FAIL


def test_unused_grants_error_when_a_users_keys_are_unreadable() -> None:
    iam = Iam(users=(user("alice", allow("s3:GetObject")),))
    snap = snapshot(iam=iam, gaps=(gap("iam", "ListAccessKeys", ALICE, "aws-global"),))
    assert statuses(run("iam-unused-grants", snap)) == {ALICE: "ERROR"}
