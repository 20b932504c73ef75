"""Decisions across layers: SCPs, resource, identity, boundary, session policies."""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import (
    ACCOUNT,
    ADMIN_ROLE,
    ADMIN_SESSION,
    ALICE,
    ALLOW,
    BOB,
    CAROL,
    EXPLICIT,
    IMPLICIT,
    OTHER_ACCOUNT,
    allow,
    decide,
    deny,
    doc,
    grant,
    policy_set,
)

from chaincut.policy import Decision, Layer, Outcome, Request, evaluate

SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:db-AbCdEf"
BUCKET = "arn:aws:s3:::logs-bucket"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
OTHER_ROOT = f"arn:aws:iam::{OTHER_ACCOUNT}:root"
READ = "secretsmanager:GetSecretValue"

# Each row: id, keyword arguments of ``decide``, expected decision.
SINGLE_ACCOUNT: list[tuple[str, dict[str, Any], Decision]] = [
    ("nothing applies: implicit deny", {}, IMPLICIT),
    ("identity allow", {"identity": (doc(allow(READ, SECRET)),)}, ALLOW),
    (
        "allow in one policy, deny in another",
        {"identity": (doc(allow()), doc(deny(READ)))},
        EXPLICIT,
    ),
    (
        "deny in the same policy wins over allow",
        {"identity": (doc(allow(READ), deny("secretsmanager:*")),)},
        EXPLICIT,
    ),
    (
        "every SCP level allows",
        {"identity": (doc(allow()),), "scp_levels": ((doc(allow()),), (doc(allow()),))},
        ALLOW,
    ),
    (
        "one SCP level without an allow",
        {
            "identity": (doc(allow()),),
            "scp_levels": ((doc(allow()),), (doc(allow("iam:*")),)),
        },
        IMPLICIT,
    ),
    (
        "an SCP deny",
        {"identity": (doc(allow()),), "scp_levels": ((doc(allow(), deny(READ)),),)},
        EXPLICIT,
    ),
    (
        "SCPs never grant on their own",
        {"scp_levels": ((doc(allow()),),)},
        IMPLICIT,
    ),
    (
        "boundary without the action",
        {"identity": (doc(allow()),), "boundaries": (doc(allow("s3:*")),)},
        IMPLICIT,
    ),
    (
        "boundary alone grants nothing",
        {"boundaries": (doc(allow()),)},
        IMPLICIT,
    ),
    (
        "identity and boundary both allow",
        {
            "identity": (doc(allow(READ)),),
            "boundaries": (doc(allow("secretsmanager:*")),),
        },
        ALLOW,
    ),
    (
        "session policy limits the identity policy",
        {"identity": (doc(allow()),), "session": doc(allow("s3:*"))},
        IMPLICIT,
    ),
    (
        "session policy deny",
        {"identity": (doc(allow()),), "session": doc(allow(), deny(READ))},
        EXPLICIT,
    ),
    (
        "resource policy naming the user: enough on its own",
        {"resource_policy": doc(grant({"AWS": ALICE}, READ))},
        ALLOW,
    ),
    (
        "resource policy naming the user: boundary does not limit it",
        {
            "resource_policy": doc(grant({"AWS": ALICE}, READ)),
            "boundaries": (doc(allow("s3:*")),),
        },
        ALLOW,
    ),
    (
        "resource policy naming the user: a boundary deny still wins",
        {
            "resource_policy": doc(grant({"AWS": ALICE}, READ)),
            "boundaries": (doc(allow(), deny(READ)),),
        },
        EXPLICIT,
    ),
    (
        "resource policy naming the account: identity must allow",
        {"resource_policy": doc(grant({"AWS": ROOT}, READ))},
        IMPLICIT,
    ),
    (
        "resource policy naming the account as a bare ID: identity must allow",
        {"resource_policy": doc(grant({"AWS": ACCOUNT}, READ))},
        IMPLICIT,
    ),
    (
        "resource policy naming the account, identity allows",
        {
            "resource_policy": doc(grant({"AWS": ROOT}, READ)),
            "identity": (doc(allow(READ)),),
        },
        ALLOW,
    ),
    (
        "resource policy naming someone else",
        {"resource_policy": doc(grant({"AWS": BOB}, READ))},
        IMPLICIT,
    ),
    (
        "resource policy deny of the user",
        {
            "identity": (doc(allow()),),
            "resource_policy": doc(grant({"AWS": ALICE}, READ, "Deny")),
        },
        EXPLICIT,
    ),
    (
        "resource policy deny of another user leaves alice alone",
        {
            "identity": (doc(allow()),),
            "resource_policy": doc(grant({"AWS": BOB}, READ, "Deny")),
        },
        ALLOW,
    ),
    (
        "resource policy with Principal '*'",
        {"resource_policy": doc(grant("*", READ))},
        ALLOW,
    ),
    (
        "resource policy with {'AWS': '*'}",
        {"resource_policy": doc(grant({"AWS": "*"}, READ))},
        ALLOW,
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [row[1:] for row in SINGLE_ACCOUNT],
    ids=[row[0] for row in SINGLE_ACCOUNT],
)
def test_single_account(kwargs: dict[str, Any], expected: Decision) -> None:
    """Follows the IAM User Guide page "Policy evaluation logic": an explicit
    deny anywhere wins; SCPs, boundaries and session policies only limit;
    within one account, an identity or a resource policy may grant, and a
    resource policy naming the user is not limited by the boundary."""
    assert decide(action=READ, resource=SECRET, **kwargs) is expected


def test_not_principal_deny_excludes_the_named_user() -> None:
    resource_policy = doc(
        {"Effect": "Deny", "NotPrincipal": {"AWS": ALICE}, "Action": "*"}
    )
    identity = (doc(allow()),)
    assert (
        decide(ALICE, READ, SECRET, identity=identity, resource_policy=resource_policy)
        is ALLOW
    )
    assert (
        decide(BOB, READ, SECRET, identity=identity, resource_policy=resource_policy)
        is EXPLICIT
    )


ROLES: list[tuple[str, dict[str, Any], Decision]] = [
    (
        "identity policy of the role",
        {"identity": (doc(allow(READ)),)},
        ALLOW,
    ),
    (
        "resource policy naming the role ARN (with its path)",
        {"resource_policy": doc(grant({"AWS": ADMIN_ROLE}, READ))},
        ALLOW,
    ),
    (
        "resource policy naming the role ARN: the boundary limits it",
        {
            "resource_policy": doc(grant({"AWS": ADMIN_ROLE}, READ)),
            "boundaries": (doc(allow("s3:*")),),
        },
        IMPLICIT,
    ),
    (
        "resource policy naming the role ARN: the session policy limits it",
        {
            "resource_policy": doc(grant({"AWS": ADMIN_ROLE}, READ)),
            "session": doc(allow("s3:*")),
        },
        IMPLICIT,
    ),
    (
        "resource policy naming the session ARN: the session policy does not",
        {
            "resource_policy": doc(grant({"AWS": ADMIN_SESSION}, READ)),
            "session": doc(allow("s3:*")),
        },
        ALLOW,
    ),
    (
        "resource policy naming another role of the same name elsewhere",
        {
            "resource_policy": doc(
                grant({"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:role/admin"}, READ)
            )
        },
        IMPLICIT,
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [row[1:] for row in ROLES],
    ids=[row[0] for row in ROLES],
)
def test_role_sessions(kwargs: dict[str, Any], expected: Decision) -> None:
    """Follows "Policy evaluation logic" (resource-based policies and
    permissions boundaries): a grant to the role ARN is limited by the
    session's boundary and session policy, a grant to the session ARN is not."""
    assert decide(ADMIN_SESSION, READ, SECRET, **kwargs) is expected


CROSS_ACCOUNT: list[tuple[str, dict[str, Any], Decision]] = [
    ("identity allows, no resource policy", {"identity": (doc(allow()),)}, IMPLICIT),
    (
        "resource policy allows the account, identity does not",
        {"resource_policy": doc(grant({"AWS": OTHER_ROOT}, READ))},
        IMPLICIT,
    ),
    (
        "resource policy names the account and identity allows",
        {
            "resource_policy": doc(grant({"AWS": OTHER_ACCOUNT}, READ)),
            "identity": (doc(allow(READ, SECRET)),),
        },
        ALLOW,
    ),
    (
        "resource policy names the user and identity allows",
        {
            "resource_policy": doc(grant({"AWS": CAROL}, READ)),
            "identity": (doc(allow(READ)),),
        },
        ALLOW,
    ),
    (
        "resource policy names the user, but the boundary does not allow",
        {
            "resource_policy": doc(grant({"AWS": CAROL}, READ)),
            "identity": (doc(allow(READ)),),
            "boundaries": (doc(allow("s3:*")),),
        },
        IMPLICIT,
    ),
    (
        "resource policy names a different account",
        {
            "resource_policy": doc(grant({"AWS": "999988887777"}, READ)),
            "identity": (doc(allow()),),
        },
        IMPLICIT,
    ),
    (
        "the caller's SCP denies",
        {
            "resource_policy": doc(grant({"AWS": OTHER_ROOT}, READ)),
            "identity": (doc(allow()),),
            "scp_levels": ((doc(allow(), deny("secretsmanager:*")),),),
        },
        EXPLICIT,
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [row[1:] for row in CROSS_ACCOUNT],
    ids=[row[0] for row in CROSS_ACCOUNT],
)
def test_cross_account(kwargs: dict[str, Any], expected: Decision) -> None:
    """Follows "Cross-account policy evaluation logic": the caller's identity
    side and the resource owner's resource policy must both allow."""
    assert decide(CAROL, READ, SECRET, **kwargs) is expected


def test_bucket_without_account_belongs_to_the_callers_account() -> None:
    policy = doc(grant({"AWS": ALICE}, "s3:ListBucket", Resource=BUCKET))
    assert decide(ALICE, "s3:ListBucket", BUCKET, resource_policy=policy) is ALLOW
    # Said to be owned elsewhere, the same grant is no longer enough.
    assert (
        decide(
            ALICE,
            "s3:ListBucket",
            BUCKET,
            resource_policy=policy,
            resource_account=OTHER_ACCOUNT,
        )
        is IMPLICIT
    )


@pytest.mark.parametrize(
    ("service", "expected"),
    [("cloudtrail.amazonaws.com", ALLOW), ("config.amazonaws.com", IMPLICIT)],
)
def test_service_principal_needs_the_resource_policy(
    service: str, expected: Decision
) -> None:
    bucket_policy = doc(
        grant({"Service": "cloudtrail.amazonaws.com"}, "s3:PutObject", Resource="*")
    )
    assert (
        decide(
            service,
            "s3:PutObject",
            f"{BUCKET}/AWSLogs/x",
            resource_policy=bucket_policy,
            identity=(doc(allow()),),
            scp_levels=((doc(deny()),),),
        )
        is expected
    )


def test_account_root_in_its_own_account() -> None:
    assert decide(ROOT, READ, SECRET) is ALLOW
    assert decide(ROOT, READ, SECRET, scp_levels=((doc(deny(READ)),),)) is EXPLICIT
    other_secret = SECRET.replace(ACCOUNT, OTHER_ACCOUNT)
    assert decide(ROOT, READ, other_secret) is IMPLICIT


def test_reasons_name_every_matching_deny() -> None:
    policies = policy_set(
        identity=(doc(allow(), {**deny(READ), "Sid": "NoSecrets"}),),
        scp_levels=((doc(allow()),), (doc(allow(), deny("secretsmanager:Get*")),)),
    )
    result = evaluate(Request(ALICE, READ, SECRET), policies)
    assert result.decision is EXPLICIT
    found = {(r.layer, r.policy, r.statement, r.scp_level) for r in result.reasons}
    assert found == {
        (Layer.IDENTITY, "identity0", "NoSecrets", None),
        (Layer.SCP, "scp1.0", "1", 1),
    }
    assert all(r.outcome is Outcome.DENIED for r in result.reasons)


def test_reasons_name_each_layer_without_an_allow() -> None:
    policies = policy_set(
        identity=(doc(allow("s3:*")),),
        boundaries=(doc(allow("iam:*")),),
        scp_levels=((doc(allow()),), (doc(allow("ec2:*")),)),
    )
    result = evaluate(Request(ALICE, READ, SECRET), policies)
    assert result.decision is IMPLICIT
    assert [(r.outcome, r.layer, r.scp_level) for r in result.reasons] == [
        (Outcome.NO_ALLOW, Layer.SCP, 1),
        (Outcome.NO_ALLOW, Layer.IDENTITY, None),
        (Outcome.NO_ALLOW, Layer.BOUNDARY, None),
    ]


def test_reasons_of_an_allow_name_each_granting_statement() -> None:
    policies = policy_set(
        identity=(doc(allow("s3:*"), {**allow(READ), "Sid": "Read"}),),
        boundaries=(doc(allow()),),
        scp_levels=((doc(allow()),),),
    )
    result = evaluate(Request(ALICE, READ, SECRET), policies)
    assert result.allowed
    assert {(r.layer, r.policy, r.statement) for r in result.reasons} == {
        (Layer.SCP, "scp0.0", "0"),
        (Layer.IDENTITY, "identity0", "Read"),
        (Layer.BOUNDARY, "boundary0", "0"),
    }


ROLE_TO_ASSUME = f"arn:aws:iam::{ACCOUNT}:role/deploy"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
MANDATORY: list[tuple[str, str, str, dict[str, Any], Decision]] = [
    ("assume role: identity policy alone", "sts:AssumeRole", ROLE_TO_ASSUME,
     {"identity": (doc(allow("sts:AssumeRole")),)}, IMPLICIT),
    ("assume role: trust names the account, identity allows", "sts:AssumeRole",
     ROLE_TO_ASSUME,
     {"identity": (doc(allow("sts:AssumeRole")),),
      "resource_policy": doc(grant({"AWS": ROOT}, "sts:AssumeRole"))}, ALLOW),
    ("assume role: trust names the account, no identity allow", "sts:AssumeRole",
     ROLE_TO_ASSUME, {"resource_policy": doc(grant({"AWS": ROOT}, "sts:AssumeRole"))},
     IMPLICIT),
    ("assume role: trust names the user", "sts:AssumeRole", ROLE_TO_ASSUME,
     {"resource_policy": doc(grant({"AWS": ALICE}, "sts:AssumeRole"))}, ALLOW),
    ("KMS: identity policy alone", "kms:Decrypt", KEY,
     {"identity": (doc(allow("kms:*")),)}, IMPLICIT),
    ("KMS: key policy delegates to the account", "kms:Decrypt", KEY,
     {"identity": (doc(allow("kms:*")),),
      "resource_policy": doc(grant({"AWS": ROOT}, "kms:*"))}, ALLOW),
]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "resource", "kwargs", "expected"),
    [row[1:] for row in MANDATORY],
    ids=[row[0] for row in MANDATORY],
)
def test_trust_and_key_policies_must_allow(
    action: str, resource: str, kwargs: dict[str, Any], expected: Decision
) -> None:
    """Follows "Policy evaluation logic" on roles and the KMS key policy page:
    a role's trust policy and a key's policy must allow even in the account;
    naming the account delegates to IAM policies, naming the user suffices."""
    assert decide(ALICE, action, resource, **kwargs) is expected
