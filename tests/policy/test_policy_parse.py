"""Malformed documents raise one PolicyError naming the policy and statement."""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import allow, doc

from chaincut.errors import InputError, PolicyError
from chaincut.policy import Effect, PolicyKind, parse_policy

GOOD = allow("s3:GetObject", "arn:aws:s3:::b/*")

# id, document, kind, statement the error must name (None: the whole policy).
MALFORMED: list[tuple[str, Any, PolicyKind, str | None]] = [
    ("not JSON", '{"Statement": [', PolicyKind.IDENTITY, None),
    ("not an object", ["Statement"], PolicyKind.IDENTITY, None),
    ("unknown top-level element", {**doc(GOOD), "Statements": []},
     PolicyKind.IDENTITY, None),
    ("unknown version", doc(GOOD, version="2012-10-18"), PolicyKind.IDENTITY, None),
    ("no statement", {"Version": "2012-10-17"}, PolicyKind.IDENTITY, None),
    ("empty statement list", doc(), PolicyKind.IDENTITY, None),
    ("statement not an object", doc(GOOD, "Allow"), PolicyKind.IDENTITY, "1"),
    ("bad effect", doc({**GOOD, "Effect": "allow"}), PolicyKind.IDENTITY, "0"),
    ("missing effect", doc({"Action": "*", "Resource": "*"}), PolicyKind.IDENTITY, "0"),
    ("misspelt element", doc({**GOOD, "Sid": "S1", "Resources": "*"}),
     PolicyKind.IDENTITY, "S1"),
    ("Action and NotAction", doc({**GOOD, "NotAction": "iam:*"}), PolicyKind.IDENTITY,
     "0"),
    ("neither Action nor NotAction",
     doc({"Effect": "Allow", "Resource": "*"}), PolicyKind.IDENTITY, "0"),
    ("action without a service", doc(allow("GetObject")), PolicyKind.IDENTITY, "0"),
    ("action not a string", doc(allow(["s3:GetObject", 7])), PolicyKind.IDENTITY, "0"),
    ("empty action list", doc(allow([])), PolicyKind.IDENTITY, "0"),
    ("identity statement without Resource",
     doc({"Effect": "Allow", "Action": "*"}), PolicyKind.IDENTITY, "0"),
    ("Resource and NotResource", doc({**GOOD, "NotResource": "*"}), PolicyKind.IDENTITY,
     "0"),
    ("Principal in an identity policy", doc({**GOOD, "Principal": "*"}),
     PolicyKind.IDENTITY, "0"),
    ("resource policy without Principal", doc(GOOD), PolicyKind.RESOURCE, "0"),
    ("unknown principal type", doc({**GOOD, "Principal": {"Users": "x"}}),
     PolicyKind.RESOURCE, "0"),
    ("principal neither star nor object", doc({**GOOD, "Principal": "alice"}),
     PolicyKind.RESOURCE, "0"),
    ("Condition not an object", doc({**GOOD, "Condition": ["x"]}), PolicyKind.IDENTITY,
     "0"),
    ("Condition operator without keys",
     doc({**GOOD, "Condition": {"StringEquals": "x"}}), PolicyKind.IDENTITY, "0"),
    ("Condition value of the wrong type",
     doc({**GOOD, "Condition": {"StringEquals": {"k": {"a": 1}}}}),
     PolicyKind.IDENTITY, "0"),
    ("Sid not a string", doc({**GOOD, "Sid": 3}), PolicyKind.IDENTITY, "0"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("document", "kind", "statement"),
    [row[1:] for row in MALFORMED],
    ids=[row[0] for row in MALFORMED],
)
def test_malformed(document: Any, kind: PolicyKind, statement: str | None) -> None:
    with pytest.raises(PolicyError) as raised:
        parse_policy(document, name="team-policy", kind=kind)
    assert raised.value.policy == "team-policy"
    assert raised.value.statement == statement
    assert isinstance(raised.value, InputError)
    assert "team-policy" in str(raised.value)


def test_parses_text_and_keeps_sid_and_effect() -> None:
    text = (
        '{"Version": "2012-10-17", "Statement": {"Sid": "Read", "Effect": "Deny",'
        ' "Action": "s3:GetObject", "Resource": "*"}}'
    )
    policy = parse_policy(text, name="p")
    assert policy.version == "2012-10-17"
    assert [(s.label, s.effect) for s in policy.statements] == [("Read", Effect.DENY)]
    assert policy.variables_enabled


def test_statement_without_sid_is_labelled_by_index() -> None:
    policy = parse_policy(doc(allow(), allow()))
    assert [s.label for s in policy.statements] == ["0", "1"]


def test_resource_is_optional_in_scps_and_resource_policies() -> None:
    statement = {"Effect": "Allow", "Action": "*"}
    assert parse_policy(doc(statement), kind=PolicyKind.SCP).statements
    trust = {**statement, "Principal": {"AWS": "111122223333"}}
    assert parse_policy(doc(trust), kind=PolicyKind.RESOURCE).statements
