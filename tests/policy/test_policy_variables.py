"""Policy variables in resources and conditions, and derived principal keys."""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import (
    ACCOUNT,
    ADMIN_SESSION,
    ALICE,
    ALLOW,
    BOB,
    EXPLICIT,
    IMPLICIT,
    allow,
    decide,
    deny,
    doc,
    policy_set,
)

from chaincut.policy import ContextValue, Decision, Request, evaluate

USERS = f"arn:aws:iam::{ACCOUNT}:user"
OWN_USER = f"{USERS}/${{aws:username}}"
BUCKET = "arn:aws:s3:::home"

# id, policy version, Resource pattern, requested resource, context, decision.
RESOURCES: list[tuple[str, str | None, str, str, dict[str, ContextValue], Decision]] = [
    ("own user", "2012-10-17", OWN_USER, f"{USERS}/alice", {}, ALLOW),
    ("another user", "2012-10-17", OWN_USER, f"{USERS}/bob", {}, IMPLICIT),
    ("2008 version keeps the text literal", "2008-10-17", OWN_USER,
     f"{USERS}/alice", {}, IMPLICIT),
    ("2008 version matches the literal text", "2008-10-17", OWN_USER,
     f"{USERS}/${{aws:username}}", {}, ALLOW),
    ("no Version keeps the text literal", None, OWN_USER, f"{USERS}/alice", {},
     IMPLICIT),
    ("variable with wildcard after it", "2012-10-17", f"{BUCKET}/${{aws:username}}/*",
     f"{BUCKET}/alice/notes.txt", {}, ALLOW),
    ("tag variable", "2012-10-17", f"{BUCKET}/${{aws:PrincipalTag/team}}/*",
     f"{BUCKET}/red/x", {"aws:PrincipalTag/team": "red"}, ALLOW),
    ("tag variable without a value: no match", "2012-10-17",
     f"{BUCKET}/${{aws:PrincipalTag/team}}/*", f"{BUCKET}/red/x", {}, IMPLICIT),
    ("default used when the key is missing", "2012-10-17",
     f"{BUCKET}/${{aws:PrincipalTag/team, 'shared'}}/*", f"{BUCKET}/shared/x", {},
     ALLOW),
    ("default ignored when the key is present", "2012-10-17",
     f"{BUCKET}/${{aws:PrincipalTag/team, 'shared'}}/*", f"{BUCKET}/shared/x",
     {"aws:PrincipalTag/team": "red"}, IMPLICIT),
    ("${*} is a literal star", "2012-10-17", f"{BUCKET}/${{*}}", f"{BUCKET}/*", {},
     ALLOW),
    ("${*} is not a wildcard", "2012-10-17", f"{BUCKET}/${{*}}", f"{BUCKET}/x", {},
     IMPLICIT),
    ("${?} is a literal question mark", "2012-10-17", f"{BUCKET}/a${{?}}",
     f"{BUCKET}/ab", {}, IMPLICIT),
    ("${$} is a literal dollar", "2012-10-17", f"{BUCKET}/${{$}}x", f"{BUCKET}/$x",
     {}, ALLOW),
    ("a variable's value is literal, not a wildcard", "2012-10-17",
     f"{BUCKET}/${{aws:PrincipalTag/team}}", f"{BUCKET}/anything",
     {"aws:PrincipalTag/team": "*"}, IMPLICIT),
    ("variable keys are case-insensitive", "2012-10-17", f"{USERS}/${{AWS:UserName}}",
     f"{USERS}/alice", {}, ALLOW),
]  # fmt: skip


@pytest.mark.parametrize(
    ("version", "pattern", "resource", "context", "expected"),
    [row[1:] for row in RESOURCES],
    ids=[row[0] for row in RESOURCES],
)
def test_resource_variables(
    version: str | None,
    pattern: str,
    resource: str,
    context: dict[str, ContextValue],
    expected: Decision,
) -> None:
    """Follows the IAM User Guide page "IAM policy elements: Variables and
    tags": variables only under Version 2012-10-17, defaults after a comma,
    ${*}, ${?} and ${$} for the literal characters, and a variable without a
    value making its element not match."""
    policy = doc(allow("s3:*", pattern), version=version)
    decision = decide(
        ALICE, "s3:GetObject", resource, context=context, identity=(policy,)
    )
    assert decision is expected


CONDITIONS: list[tuple[str, dict[str, Any], dict[str, ContextValue], Decision]] = [
    ("tag variable equals the resource tag",
     {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
     {"aws:ResourceTag/team": "red", "aws:PrincipalTag/team": "red"}, ALLOW),
    ("tag variable differs from the resource tag",
     {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
     {"aws:ResourceTag/team": "blue", "aws:PrincipalTag/team": "red"}, IMPLICIT),
    ("tag variable without a value does not match",
     {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
     {"aws:ResourceTag/team": ""}, IMPLICIT),
    ("negated operator left without values does not match either",
     {"StringNotEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
     {"aws:ResourceTag/team": "blue"}, IMPLICIT),
    ("variable inside StringLike",
     {"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
     {"s3:prefix": "home/alice/docs"}, ALLOW),
    ("variable inside StringLike, another user's prefix",
     {"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
     {"s3:prefix": "home/bob/docs"}, IMPLICIT),
    ("variable inside ArnLike",
     {"ArnLike": {"aws:SourceArn": "arn:aws:iam::${aws:PrincipalAccount}:*"}},
     {"aws:SourceArn": f"arn:aws:iam::{ACCOUNT}:role/x"}, ALLOW),
    ("derived aws:PrincipalType",
     {"StringEquals": {"aws:PrincipalType": "User"}}, {}, ALLOW),
    ("derived aws:PrincipalArn", {"ArnEquals": {"aws:PrincipalArn": ALICE}}, {}, ALLOW),
    ("a given key wins over the derived one",
     {"StringEquals": {"aws:username": "alice"}}, {"aws:username": "mallory"},
     IMPLICIT),
]  # fmt: skip


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [row[1:] for row in CONDITIONS],
    ids=[row[0] for row in CONDITIONS],
)
def test_condition_variables(
    condition: dict[str, Any], context: dict[str, ContextValue], expected: Decision
) -> None:
    """Follows "IAM policy elements: Variables and tags" (variables in
    condition values, principal tags) and "AWS global condition context keys"
    (keys AWS fills in from the principal)."""
    policy = doc(allow(Condition=condition))
    assert decide(ALICE, context=context, identity=(policy,)) is expected


def test_deny_with_an_unresolved_variable_does_not_apply() -> None:
    policy = doc(allow(), deny("s3:*", f"{BUCKET}/${{aws:PrincipalTag/team}}/*"))
    assert decide(resource=f"{BUCKET}/red/x", identity=(policy,)) is ALLOW
    context: dict[str, ContextValue] = {"aws:PrincipalTag/team": "red"}
    decision = decide(resource=f"{BUCKET}/red/x", context=context, identity=(policy,))
    assert decision is EXPLICIT


def test_role_session_keys() -> None:
    """A session's aws:PrincipalArn is its role's ARN; it has no aws:username."""
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/admin"
    condition = {
        "ArnEquals": {"aws:PrincipalArn": role_arn},
        "StringEquals": {"aws:PrincipalType": "AssumedRole"},
        "Null": {"aws:username": "true"},
    }
    policy = doc(allow(Condition=condition))
    assert decide(ADMIN_SESSION, identity=(policy,)) is ALLOW
    assert decide(BOB, identity=(policy,)) is IMPLICIT


def test_userid_comes_from_the_principal_id() -> None:
    policy = doc(allow(Condition={"StringLike": {"aws:userid": "AIDA*"}}))
    assert decide(ALICE, identity=(policy,)) is IMPLICIT
    assert decide(ALICE, identity=(policy,), principal_id="AIDAEXAMPLE") is ALLOW


TEAM = "aws:PrincipalTag/team"
TEAM_BUCKET = f"{BUCKET}/${{aws:PrincipalTag/team}}/*"
RED = {TEAM: "red"}
BLUE = {TEAM: "blue"}

# id, statements, action and resource, asks (principal, context) in order,
# and the decision of each: one policy set, asked again and again, so the later
# answers come from checks narrowed to the resource (see ``_plan``), which
# must keep every check a variable's value can change.
ASKED_AGAIN: list[tuple[str, list[dict[str, Any]], str, str,
                        list[tuple[str, dict[str, ContextValue]]], list[Decision]]] = [
    ("own user, then another caller",
     [allow("iam:*", OWN_USER)], "iam:GetUser", f"{USERS}/alice",
     [(ALICE, {}), (BOB, {}), (ALICE, {}), (BOB, {})],
     [ALLOW, IMPLICIT, ALLOW, IMPLICIT]),
    ("tag variable takes each request's value",
     [allow("s3:*", TEAM_BUCKET)], "s3:GetObject", f"{BUCKET}/red/x",
     [(ALICE, RED), (ALICE, BLUE), (ALICE, {}), (ALICE, RED)],
     [ALLOW, IMPLICIT, IMPLICIT, ALLOW]),
    ("NotResource with a variable",
     [{"Effect": "Allow", "Action": "s3:*", "NotResource": TEAM_BUCKET}],
     "s3:GetObject", f"{BUCKET}/red/x",
     [(ALICE, RED), (ALICE, BLUE), (ALICE, RED), (ALICE, BLUE)],
     [IMPLICIT, ALLOW, IMPLICIT, ALLOW]),
    ("NotResource with a variable that cannot reach the resource",
     [{"Effect": "Allow", "Action": "s3:*", "NotResource": TEAM_BUCKET}],
     "s3:GetObject", "arn:aws:s3:::other/red/x",
     [(ALICE, RED), (ALICE, {}), (ALICE, RED)],
     [ALLOW, ALLOW, ALLOW]),
    ("variable in the region segment",
     [allow("sqs:*", f"arn:aws:sqs:${{aws:RequestedRegion}}:{ACCOUNT}:q")],
     "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:q",
     [(ALICE, {"aws:RequestedRegion": "us-east-1"}),
      (ALICE, {"aws:RequestedRegion": "eu-west-1"}),
      (ALICE, {"aws:RequestedRegion": "us-east-1"})],
     [ALLOW, IMPLICIT, ALLOW]),
    ("deny on a variable resource",
     [allow("s3:*"), deny("s3:*", TEAM_BUCKET)], "s3:GetObject", f"{BUCKET}/red/x",
     [(ALICE, RED), (ALICE, BLUE), (ALICE, RED), (ALICE, BLUE)],
     [EXPLICIT, ALLOW, EXPLICIT, ALLOW]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("statements", "action", "resource", "asks", "expected"),
    [row[1:] for row in ASKED_AGAIN],
    ids=[row[0] for row in ASKED_AGAIN],
)
def test_variables_hold_when_asked_again(
    statements: list[dict[str, Any]],
    action: str,
    resource: str,
    asks: list[tuple[str, dict[str, ContextValue]]],
    expected: list[Decision],
) -> None:
    policies = policy_set(identity=(doc(*statements),))
    decisions = [
        evaluate(Request(who, action, resource, context=context), policies).decision
        for who, context in asks
    ]
    assert decisions == expected
