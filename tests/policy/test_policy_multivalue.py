"""ForAllValues and ForAnyValue over multi-valued keys, missing and empty included."""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import ALLOW, EXPLICIT, IMPLICIT, allow, decide, deny, doc

from chaincut.policy import ContextValue, Decision

ALLOWED_TAGS = ["env", "team", "cost-center"]
MISSING = object()

# id, operator, policy values, aws:TagKeys in the request (MISSING: absent),
# decision of an Allow carrying the condition.
SET_OPERATORS: list[tuple[str, str, list[str], Any, Decision]] = [
    ("all: every value in the set", "ForAllValues:StringEquals", ALLOWED_TAGS,
     ["env", "team"], ALLOW),
    ("all: one value outside the set", "ForAllValues:StringEquals", ALLOWED_TAGS,
     ["env", "owner"], IMPLICIT),
    ("all: missing key is vacuously true", "ForAllValues:StringEquals", ALLOWED_TAGS,
     MISSING, ALLOW),
    ("all: empty list is vacuously true", "ForAllValues:StringEquals", ALLOWED_TAGS,
     [], ALLOW),
    ("all: single string value", "ForAllValues:StringEquals", ALLOWED_TAGS,
     "team", ALLOW),
    ("all: StringLike patterns", "ForAllValues:StringLike", ["env*", "team"],
     ["env-prod", "team"], ALLOW),
    ("all: negated, none forbidden", "ForAllValues:StringNotLike", ["secret*"],
     ["env", "team"], ALLOW),
    ("all: negated, one forbidden", "ForAllValues:StringNotLike", ["secret*"],
     ["env", "secret-x"], IMPLICIT),
    ("any: one value in the set", "ForAnyValue:StringEquals", ALLOWED_TAGS,
     ["owner", "team"], ALLOW),
    ("any: no value in the set", "ForAnyValue:StringEquals", ALLOWED_TAGS,
     ["owner"], IMPLICIT),
    ("any: missing key is false", "ForAnyValue:StringEquals", ALLOWED_TAGS,
     MISSING, IMPLICIT),
    ("any: empty list is false", "ForAnyValue:StringEquals", ALLOWED_TAGS,
     [], IMPLICIT),
    ("any: IfExists on a missing key", "ForAnyValue:StringEqualsIfExists", ALLOWED_TAGS,
     MISSING, ALLOW),
    ("any: negated, some value outside", "ForAnyValue:StringNotEquals", ["env"],
     ["env", "team"], ALLOW),
    ("any: negated, every value inside", "ForAnyValue:StringNotEquals", ["env"],
     ["env"], IMPLICIT),
    ("any: case-insensitive operator", "ForAnyValue:StringEqualsIgnoreCase", ["ENV"],
     ["env"], ALLOW),
    ("no set operator: any value matches", "StringEquals", ["env"],
     ["team", "env"], ALLOW),
    ("no set operator, negated: one value matching fails it", "StringNotEquals",
     ["env"], ["team", "env"], IMPLICIT),
]  # fmt: skip


@pytest.mark.parametrize(
    ("operator", "values", "tag_keys", "expected"),
    [row[1:] for row in SET_OPERATORS],
    ids=[row[0] for row in SET_OPERATORS],
)
def test_set_operators(
    operator: str, values: list[str], tag_keys: Any, expected: Decision
) -> None:
    """Follows the IAM User Guide page "Single-valued vs. multivalued context
    keys" (set operators): ForAllValues holds when every request value is in
    the policy's set, vacuously for a missing or empty key; ForAnyValue needs
    at least one, and is false for a missing or empty key."""
    context: dict[str, ContextValue] = (
        {} if tag_keys is MISSING else {"aws:TagKeys": tag_keys}
    )
    policy = doc(allow(Condition={operator: {"aws:TagKeys": values}}))
    assert decide(context=context, identity=(policy,)) is expected


def test_null_guard_closes_the_vacuous_forallvalues() -> None:
    """The page's advice: pair ForAllValues with a Null check so that a request
    without the key is not let through."""
    condition = {
        "ForAllValues:StringEquals": {"aws:TagKeys": ALLOWED_TAGS},
        "Null": {"aws:TagKeys": "false"},
    }
    policy = doc(allow(Condition=condition))
    assert decide(identity=(policy,)) is IMPLICIT
    assert decide(context={"aws:TagKeys": ["env"]}, identity=(policy,)) is ALLOW


@pytest.mark.parametrize(
    ("tag_keys", "expected"),
    [(["env", "prod-owner"], EXPLICIT), (["env"], ALLOW), ([], ALLOW)],
)
def test_deny_with_forany_value(tag_keys: list[str], expected: Decision) -> None:
    forbidding = deny(Condition={"ForAnyValue:StringLike": {"aws:TagKeys": "prod-*"}})
    policy = doc(allow(), forbidding)
    context: dict[str, ContextValue] = {"aws:TagKeys": tag_keys}
    assert decide(context=context, identity=(policy,)) is expected
