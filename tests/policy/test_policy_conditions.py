"""Condition operators, one table row per behaviour."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from policy_helpers import ALICE, ALLOW, EXPLICIT, IMPLICIT, allow, decide, deny, doc

from chaincut.policy import ContextValue, Decision, parse_policy

# id, Condition block, request context, expected decision of an Allow with it.
OPERATORS: list[tuple[str, dict[str, Any], dict[str, ContextValue], Decision]] = [
    # String
    ("StringEquals match", {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
     {"aws:RequestedRegion": "eu-west-1"}, ALLOW),
    ("StringEquals is case-sensitive", {"StringEquals": {"s3:prefix": "Home"}},
     {"s3:prefix": "home"}, IMPLICIT),
    ("StringEquals on a missing key", {"StringEquals": {"s3:prefix": "home"}},
     {}, IMPLICIT),
    ("StringEquals any of the values", {"StringEquals": {"s3:prefix": ["a", "b"]}},
     {"s3:prefix": "b"}, ALLOW),
    ("StringNotEquals differs", {"StringNotEquals": {"s3:prefix": "secret"}},
     {"s3:prefix": "home"}, ALLOW),
    ("StringNotEquals equal", {"StringNotEquals": {"s3:prefix": "secret"}},
     {"s3:prefix": "secret"}, IMPLICIT),
    ("StringNotEquals on a missing key matches",
     {"StringNotEquals": {"s3:prefix": "secret"}}, {}, ALLOW),
    ("StringEqualsIgnoreCase", {"StringEqualsIgnoreCase": {"aws:username": "ALICE"}},
     {}, ALLOW),
    ("StringNotEqualsIgnoreCase",
     {"StringNotEqualsIgnoreCase": {"aws:username": "ALICE"}}, {}, IMPLICIT),
    ("StringLike star", {"StringLike": {"s3:prefix": "home/*"}},
     {"s3:prefix": "home/alice/notes"}, ALLOW),
    ("StringLike question mark", {"StringLike": {"s3:prefix": "v?"}},
     {"s3:prefix": "v10"}, IMPLICIT),
    ("StringLike is case-sensitive", {"StringLike": {"s3:prefix": "home/*"}},
     {"s3:prefix": "HOME/x"}, IMPLICIT),
    ("StringNotLike", {"StringNotLike": {"s3:prefix": "secret*"}},
     {"s3:prefix": "secrets/x"}, IMPLICIT),
    # Numeric
    ("NumericLessThan", {"NumericLessThan": {"s3:max-keys": "10"}},
     {"s3:max-keys": "5"}, ALLOW),
    ("NumericLessThan fails", {"NumericLessThan": {"s3:max-keys": "10"}},
     {"s3:max-keys": 10}, IMPLICIT),
    ("NumericLessThanEquals", {"NumericLessThanEquals": {"s3:max-keys": 10}},
     {"s3:max-keys": "10"}, ALLOW),
    ("NumericGreaterThan decimal", {"NumericGreaterThan": {"n": "1.5"}},
     {"n": "1.75"}, ALLOW),
    ("NumericGreaterThanEquals", {"NumericGreaterThanEquals": {"n": "3"}},
     {"n": "2"}, IMPLICIT),
    ("NumericEquals", {"NumericEquals": {"n": "3"}}, {"n": "3.0"}, ALLOW),
    ("NumericNotEquals", {"NumericNotEquals": {"n": "3"}}, {"n": "4"}, ALLOW),
    ("NumericEquals with a non-number in the request",
     {"NumericEquals": {"n": "3"}}, {"n": "three"}, IMPLICIT),
    # Date
    ("DateGreaterThan ISO against ISO",
     {"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}},
     {"aws:CurrentTime": "2024-06-01T12:00:00Z"}, ALLOW),
    ("DateLessThan ISO against epoch",
     {"DateLessThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}},
     {"aws:CurrentTime": "1704067199"}, ALLOW),
    ("DateLessThan epoch policy value",
     {"DateLessThan": {"aws:EpochTime": "1704067200"}},
     {"aws:EpochTime": 1704067200}, IMPLICIT),
    ("DateEquals a date alone is midnight UTC",
     {"DateEquals": {"aws:CurrentTime": "2024-01-01"}},
     {"aws:CurrentTime": "2024-01-01T00:00:00Z"}, ALLOW),
    ("DateGreaterThanEquals with an offset",
     {"DateGreaterThanEquals": {"aws:CurrentTime": "2024-01-01T02:00:00+02:00"}},
     {"aws:CurrentTime": "2024-01-01T00:00:00Z"}, ALLOW),
    # Bool
    ("Bool true", {"Bool": {"aws:SecureTransport": "true"}},
     {"aws:SecureTransport": True}, ALLOW),
    ("Bool false", {"Bool": {"aws:SecureTransport": "true"}},
     {"aws:SecureTransport": "false"}, IMPLICIT),
    ("Bool policy value as JSON boolean",
     {"Bool": {"aws:MultiFactorAuthPresent": True}},
     {"aws:MultiFactorAuthPresent": "TRUE"}, ALLOW),
    ("Bool on a missing key", {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
     {}, IMPLICIT),
    ("BoolIfExists on a missing key",
     {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}, {}, ALLOW),
    ("BoolIfExists present and false",
     {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
     {"aws:MultiFactorAuthPresent": False}, IMPLICIT),
    # Binary
    ("BinaryEquals", {"BinaryEquals": {"k": "QmluYXJ5VmFsdWU="}},
     {"k": "QmluYXJ5VmFsdWU="}, ALLOW),
    ("BinaryEquals differs", {"BinaryEquals": {"k": "QmluYXJ5VmFsdWU="}},
     {"k": "T3RoZXI="}, IMPLICIT),
    # IP
    ("IpAddress inside an IPv4 CIDR", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
     {"aws:SourceIp": "203.0.113.5"}, ALLOW),
    ("IpAddress outside", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
     {"aws:SourceIp": "198.51.100.1"}, IMPLICIT),
    ("IpAddress single address", {"IpAddress": {"aws:SourceIp": "203.0.113.5"}},
     {"aws:SourceIp": "203.0.113.5"}, ALLOW),
    ("IpAddress IPv6 CIDR", {"IpAddress": {"aws:SourceIp": "2001:db8::/32"}},
     {"aws:SourceIp": "2001:db8:1234::1"}, ALLOW),
    ("IpAddress IPv4 address against IPv6 CIDR",
     {"IpAddress": {"aws:SourceIp": "2001:db8::/32"}},
     {"aws:SourceIp": "203.0.113.5"}, IMPLICIT),
    ("IpAddress mixed list",
     {"IpAddress": {"aws:SourceIp": ["2001:db8::/32", "10.0.0.0/8"]}},
     {"aws:SourceIp": "10.1.2.3"}, ALLOW),
    ("NotIpAddress outside", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
     {"aws:SourceIp": "198.51.100.1"}, ALLOW),
    ("NotIpAddress inside", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
     {"aws:SourceIp": "203.0.113.9"}, IMPLICIT),
    ("NotIpAddress on a missing key matches",
     {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {}, ALLOW),
    # ARN
    ("ArnLike with wildcards",
     {"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:role/*"}},
     {"aws:SourceArn": "arn:aws:iam::111122223333:role/ops/admin"}, ALLOW),
    ("ArnEquals also takes wildcards",
     {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-?:111122223333:t"}},
     {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}, ALLOW),
    ("ArnLike wildcards stay inside their segment",
     {"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-*:t"}},
     {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}, IMPLICIT),
    ("ArnLike is case-sensitive",
     {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:Topic"}},
     {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic"}, IMPLICIT),
    ("ArnNotLike", {"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*:*:t"}},
     {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}, IMPLICIT),
    ("ArnNotEquals on a missing key matches",
     {"ArnNotEquals": {"aws:SourceArn": "arn:aws:sns:*:*:t"}}, {}, ALLOW),
    # Null
    ("Null true on a missing key", {"Null": {"aws:TokenIssueTime": "true"}}, {}, ALLOW),
    ("Null true on a present key", {"Null": {"aws:TokenIssueTime": "true"}},
     {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"}, IMPLICIT),
    ("Null false on a present key", {"Null": {"aws:TokenIssueTime": False}},
     {"aws:TokenIssueTime": "2024-01-01T00:00:00Z"}, ALLOW),
    ("Null false on a missing key", {"Null": {"aws:TokenIssueTime": "false"}},
     {}, IMPLICIT),
    # IfExists
    ("StringEqualsIfExists present and different",
     {"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}},
     {"ec2:InstanceType": "m5.large"}, IMPLICIT),
    ("StringEqualsIfExists missing",
     {"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}},
     {}, ALLOW),
    # Keys, AND and OR
    ("condition keys are case-insensitive",
     {"IpAddress": {"AWS:SOURCEIP": "10.0.0.0/8"}},
     {"aws:sourceip": "10.0.0.1"}, ALLOW),
    ("AND across operators: one fails",
     {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
      "Bool": {"aws:SecureTransport": "true"}},
     {"aws:SourceIp": "10.0.0.1", "aws:SecureTransport": "false"}, IMPLICIT),
    ("AND across operators: both hold",
     {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
      "Bool": {"aws:SecureTransport": "true"}},
     {"aws:SourceIp": "10.0.0.1", "aws:SecureTransport": "true"}, ALLOW),
    ("AND across keys of one operator",
     {"StringEquals": {"s3:prefix": "home", "aws:RequestedRegion": "eu-west-1"}},
     {"s3:prefix": "home", "aws:RequestedRegion": "us-east-1"}, IMPLICIT),
]  # fmt: skip


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [row[1:] for row in OPERATORS],
    ids=[row[0] for row in OPERATORS],
)
def test_operator(
    condition: dict[str, Any], context: dict[str, ContextValue], expected: Decision
) -> None:
    """Follows the IAM User Guide page "IAM JSON policy elements: Condition
    operators": each family's comparison, the IfExists forms, Null, negated
    operators matching a missing key, and AND/OR between keys and values."""
    policy = doc(allow(Condition=condition))
    assert decide(ALICE, context=context, identity=(policy,)) is expected


FAIL_CLOSED = [
    ("unknown operator", {"StringSortOf": {"s3:prefix": "home"}}),
    ("misspelt set operator", {"ForAllValue:StringEquals": {"aws:TagKeys": "a"}}),
    ("unreadable number", {"NumericLessThan": {"s3:max-keys": "ten"}}),
    ("unreadable CIDR", {"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}),
    ("unreadable date", {"DateLessThan": {"aws:CurrentTime": "yesterday"}}),
    ("Null of neither true nor false", {"Null": {"s3:prefix": "maybe"}}),
]


@pytest.mark.parametrize(
    "condition", [row[1] for row in FAIL_CLOSED], ids=[row[0] for row in FAIL_CLOSED]
)
def test_unparseable_condition_fails_closed(
    condition: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """An Allow with a condition we cannot read never allows; a Deny with one
    still denies; both are logged, so the gap is visible."""
    with caplog.at_level(logging.WARNING, logger="chaincut.policy"):
        allowing = doc(allow(Condition=condition))
        denying = doc(allow(), deny(Condition=condition))
        # The satisfying context for the readable form of each condition.
        context: dict[str, ContextValue] = {"s3:prefix": "home", "aws:TagKeys": ["a"]}
        assert decide(context=context, identity=(allowing,)) is IMPLICIT
        assert decide(context=context, identity=(denying,)) is EXPLICIT
    assert any("fails closed" in record.getMessage() for record in caplog.records)


def test_broken_condition_is_visible_on_the_statement() -> None:
    policy = parse_policy(doc(allow(Condition={"Nope": {"k": "v"}})))
    assert policy.statements[0].fails_closed
    assert not parse_policy(doc(allow())).statements[0].fails_closed
