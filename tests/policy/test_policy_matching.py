"""Action and resource matching: case, wildcards, ARN segments, Not- elements."""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import ACCOUNT, ALICE, ALLOW, IMPLICIT, allow, decide, doc

from chaincut.policy import Decision

ACTIONS: list[tuple[str, Any, str, Decision]] = [
    ("exact", "iam:CreateAccessKey", "iam:CreateAccessKey", ALLOW),
    ("case-insensitive", "IAM:createaccesskey", "iam:CreateAccessKey", ALLOW),
    ("prefix star", "iam:Create*", "iam:CreateAccessKey", ALLOW),
    ("prefix star, other verb", "iam:Create*", "iam:DeleteAccessKey", IMPLICIT),
    ("question mark", "iam:?etUser", "iam:GetUser", ALLOW),
    ("question mark is one character", "iam:?etUser", "iam:GeetUser", IMPLICIT),
    ("service star", "s3:*", "s3:GetObject", ALLOW),
    ("service star is not a prefix of another service", "s3:*", "s3express:Get",
     IMPLICIT),
    ("middle star", "ec2:*Subnets", "ec2:DescribeSubnets", ALLOW),
    ("list of actions", ["s3:GetObject", "iam:GetUser"], "iam:GetUser", ALLOW),
    ("star", "*", "kms:Decrypt", ALLOW),
]  # fmt: skip


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [row[1:] for row in ACTIONS],
    ids=[row[0] for row in ACTIONS],
)
def test_actions(pattern: Any, action: str, expected: Decision) -> None:
    """Follows "IAM JSON policy elements: Action": case-insensitive names
    with ``*`` and ``?`` wildcards."""
    assert decide(action=action, identity=(doc(allow(pattern)),)) is expected


def test_not_action_allows_everything_else() -> None:
    policy = doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert decide(action="s3:GetObject", identity=(policy,)) is ALLOW
    assert decide(action="iam:GetUser", identity=(policy,)) is IMPLICIT


USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
INSTANCE = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0abc"
RESOURCES: list[tuple[str, Any, str, Decision]] = [
    ("exact", USER, USER, ALLOW),
    ("case-sensitive", USER.replace("alice", "Alice"), USER, IMPLICIT),
    ("account wildcard", "arn:aws:iam::*:user/*", USER, ALLOW),
    ("resource segment star crosses slashes",
     f"arn:aws:iam::{ACCOUNT}:*", f"arn:aws:iam::{ACCOUNT}:user/dev/alice", ALLOW),
    ("bucket star covers its objects", "arn:aws:s3:::elasticbeanstalk*",
     "arn:aws:s3:::elasticbeanstalk-us-east-1-111122223333/app.zip", ALLOW),
    ("region star stays in the region segment",
     "arn:aws:ec2:*:instance/*", INSTANCE, IMPLICIT),
    ("region and account stars", "arn:aws:ec2:*:*:instance/*", INSTANCE, ALLOW),
    ("question mark in the region", "arn:aws:ec2:us-east-?:*:instance/*", INSTANCE,
     ALLOW),
    ("star in the service segment does not eat colons",
     f"arn:aws:*:{ACCOUNT}:instance/*", INSTANCE, IMPLICIT),
    ("resource segment may hold colons",
     "arn:aws:logs:*:*:log-group:app:*",
     f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:app:log-stream:x", ALLOW),
    ("short pattern: last segment runs to the end", "arn:aws:ec2:*", INSTANCE, ALLOW),
    ("other partition", "arn:aws-cn:ec2:*:*:instance/*", INSTANCE, IMPLICIT),
    ("plain star matches a non-ARN resource", "*", "*", ALLOW),
    ("list of resources", ["arn:aws:s3:::a", USER], USER, ALLOW),
]  # fmt: skip


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [row[1:] for row in RESOURCES],
    ids=[row[0] for row in RESOURCES],
)
def test_resources(pattern: Any, resource: str, expected: Decision) -> None:
    """Follows "IAM JSON policy elements: Resource" and "IAM identifiers"
    (ARN format): case-sensitive, segment by segment, wildcards of the first
    five segments never crossing a colon."""
    policy = doc(allow("*", pattern))
    assert decide(ALICE, "ec2:StartInstances", resource, identity=(policy,)) is expected


def test_not_resource() -> None:
    policy = doc(
        {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret*"}
    )
    assert decide(resource="arn:aws:s3:::public/x", identity=(policy,)) is ALLOW
    assert decide(resource="arn:aws:s3:::secret/x", identity=(policy,)) is IMPLICIT


def test_trust_policy_without_resource_covers_the_role() -> None:
    trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )
    role = f"arn:aws:iam::{ACCOUNT}:role/app"
    assert (
        decide("ec2.amazonaws.com", "sts:AssumeRole", role, resource_policy=trust)
        is ALLOW
    )
    assert (
        decide("lambda.amazonaws.com", "sts:AssumeRole", role, resource_policy=trust)
        is IMPLICIT
    )
