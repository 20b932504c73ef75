"""The CloudWatch Logs JSON filter pattern matcher, on real and made records."""

from __future__ import annotations

from typing import Any

import pytest
from rules_helpers import ACCOUNT, snapshot, stratus, stratus_names

from chaincut.rules import _samples as samples
from chaincut.rules.logpattern import PatternError, compile_pattern
from chaincut.rules.monitoring import REQUIREMENTS, judge

RECORD: dict[str, Any] = {
    "eventName": "CreateAccessKey",
    "eventSource": "iam.amazonaws.com",
    "userIdentity": {"type": "IAMUser", "userName": "bob"},
    "requestParameters": {"userName": "admin"},
    "responseElements": None,
    "readOnly": False,
    "latency": 250,
    "resources": [{"ARN": "arn:aws:iam::1:user/admin"}],
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{ $.eventName = CreateAccessKey }", True),
        ('{ $.eventName = "CreateAccessKey" }', True),
        ("{ $.eventName = createaccesskey }", False),  # case-sensitive
        ("{ $.eventName = Create* }", True),
        ('{ $.eventName = "*Key" }', True),
        ("{ $.eventName != CreateAccessKey }", False),
        ("{ $.eventName != DeleteAccessKey }", True),
        ("{ $.missing != x }", False),  # a missing field compares false
        ("{ $.missing NOT EXISTS }", True),
        ("{ $.eventName NOT EXISTS }", False),
        ("{ $.eventName EXISTS }", True),
        ("{ $.responseElements IS NULL }", True),
        ("{ $.requestParameters IS NULL }", False),
        ("{ $.readOnly IS FALSE }", True),
        ("{ $.readOnly IS TRUE }", False),
        ("{ $.latency > 200 }", True),
        ("{ $.latency >= 250 }", True),
        ("{ $.latency < 250 }", False),
        ("{ $.latency = 250 }", True),
        ("{ $.latency != 250 }", False),
        ("{ $.eventName > 1 }", False),  # a string is not a number
        ("{ $.resources[0].ARN = arn:aws:iam::1:user/* }", True),
        ("{ $.resources[1].ARN EXISTS }", False),
        ("{ $.eventName = %Access% }", True),
        ("{ $.eventName = %^Delete% }", False),
        ("{ ($.eventName = CreateAccessKey) && ($.userIdentity.type != Root) }", True),
        ("{ $.eventName = X || $.userIdentity.userName = bob }", True),
        ("{ $.eventName = X || $.eventName = Y && $.latency > 1 }", False),
        (
            "{ ($.eventName = X || $.eventName = CreateAccessKey) && $.latency > 1 }",
            True,
        ),
        ("{($.eventName=X)||(($.latency>1)&&($.readOnly IS FALSE))}", True),
        ('{ $.requestParameters.userName = "adm\\"in" }', False),
    ],
)
def test_pattern_matches(pattern: str, expected: bool) -> None:
    assert compile_pattern(pattern).matches(RECORD) is expected


@pytest.mark.parametrize(
    "pattern",
    [
        "ERROR",  # plain term
        "[ip, user, ...]",  # space-delimited
        "{ $.a = 1",
        "{ ($.a = 1 }",
        "{ $.a = }",
        "{ a = 1 }",  # not a selector
        "{ $.a IS MAYBE }",
        "{ $.a > x }",  # > needs a number
        "{ $.a = 1 $.b = 2 }",
    ],
)
def test_unreadable_patterns_raise(pattern: str) -> None:
    with pytest.raises(PatternError) as raised:
        compile_pattern(pattern)
    assert raised.value.pattern == pattern


def test_stratus_corpus_is_present() -> None:
    assert len(stratus_names()) == 35
    assert sum(len(stratus(name)) for name in stratus_names()) == 310


# Requirement -> (the Stratus detonations it is for, other related files that
# may legitimately match). Every other file's records must stay quiet.
FOR_TECHNIQUE = {
    "monitoring-access-key-for-other-user": (
        ["aws.persistence.iam-backdoor-user"],
        ["aws.persistence.iam-create-admin-user"],
    ),
    "monitoring-cloudtrail-changes": (
        [
            "aws.defense-evasion.cloudtrail-delete",
            "aws.defense-evasion.cloudtrail-stop",
        ],
        [],
    ),
    "monitoring-console-login-without-mfa": (
        ["aws.initial-access.console-login-without-mfa"],
        [],
    ),
    "monitoring-secret-access-outside-allowed": (
        [
            "aws.credential-access.secretsmanager-retrieve-secrets",
            "aws.credential-access.secretsmanager-batch-retrieve-secrets",
        ],
        [],
    ),
    "monitoring-security-group-changes": (
        ["aws.exfiltration.ec2-security-group-open-port-22-ingress"],
        [],
    ),
    "monitoring-organizations-changes": (
        ["aws.defense-evasion.organizations-leave"],
        [],
    ),
    "monitoring-iam-policy-changes": (
        [
            "aws.persistence.iam-create-admin-user",
            "aws.persistence.iam-create-backdoor-role",
        ],
        [],
    ),
}
EXAMPLES = {r.id: r.example for r in REQUIREMENTS}


@pytest.mark.parametrize("requirement", sorted(FOR_TECHNIQUE))
def test_example_filter_fires_on_its_detonation_and_nowhere_else(
    requirement: str,
) -> None:
    pattern = compile_pattern(EXAMPLES[requirement])
    mine, related = FOR_TECHNIQUE[requirement]
    for name in mine:
        assert any(pattern.matches(r) for r in stratus(name)), name
    for name in stratus_names():
        if name in mine or name in related:
            continue
        assert not any(pattern.matches(r) for r in stratus(name)), name


def test_unauthorized_filter_matches_exactly_the_denied_records() -> None:
    pattern = compile_pattern(EXAMPLES["monitoring-unauthorized-api-calls"])
    denied = ("AccessDenied", "Client.UnauthorizedOperation")
    records = [r for name in stratus_names() for r in stratus(name)]
    for record in records:
        expected = record.get("errorCode") in denied
        assert pattern.matches(record) is expected, record["eventName"]
    assert sum(pattern.matches(r) for r in records) == 51


@pytest.mark.parametrize("requirement", REQUIREMENTS, ids=lambda r: r.id)
def test_each_example_satisfies_its_requirement(requirement: Any) -> None:
    snap = snapshot()
    missed, false = judge(
        compile_pattern(requirement.example),
        requirement.positives(snap),
        samples.benign(ACCOUNT) + requirement.negatives(snap),
    )
    assert (missed, false) == ((), ())
    assert requirement.positives(snap)
