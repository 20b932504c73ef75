"""Acceptance on the lab's beanstalk_secrets: every missing defence fails.

DESIGN.md lists seven defences; the lab has none of them. Each maps to the
checks that must fail on the defender's snapshot of the lab.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chaincut.lab import Lab
from chaincut.rules import Result, Status, run_checks
from chaincut.rules.beanstalk_settings import KeyPairEvidence
from chaincut.rules.iam_credentials import CredentialGrantsEvidence
from chaincut.rules.iam_privilege import Risk, RiskyActionsEvidence
from chaincut.snapshot import Snapshot


@pytest.fixture
def lab_results(lab_snapshot: Snapshot) -> tuple[Result, ...]:
    return run_checks(lab_snapshot)


def _failed(results: tuple[Result, ...], rule_id: str) -> Iterator[Result]:
    return (r for r in results if r.rule.id == rule_id and r.status is Status.FAIL)


def test_every_missing_defence_fails(lab: Lab, lab_results: tuple[Result, ...]) -> None:
    state = lab.state
    failed = {(r.rule.id, r.resource) for r in lab_results if r.status is Status.FAIL}
    account = f"arn:aws:iam::{state.account_id}"
    low = f"{account}:user/{state.low_priv_user}"
    secondary = f"{account}:user/{state.secondary_user}"
    root = f"{account}:root"
    expected = {
        # 1. least privilege of low_priv_user
        ("iam-wildcard-grants", low),
        ("iam-risky-actions", low),
        # 2. secondary_user's CreateAccessKey on *
        ("iam-credentials-for-others", secondary),
        # 4. CloudTrail
        ("cloudtrail-multi-region-logging", root),
        ("cloudtrail-log-file-validation", root),
        ("cloudtrail-cloudwatch-logs", root),
        ("cloudtrail-bucket-protected", root),
        # 5. metric filters and alarms
        ("monitoring-access-key-for-other-user", root),
        ("monitoring-secret-access-outside-allowed", root),
        ("monitoring-beanstalk-config-read", root),
        ("monitoring-unauthorized-api-calls", root),
        ("monitoring-cloudtrail-changes", root),
        ("monitoring-iam-policy-changes", root),
        # 6. rotation and resource policy of the secret
        ("secrets-rotation", state.secret_arn),
        ("secrets-resource-policy", state.secret_arn),
        ("secrets-access", state.secret_arn),
        # 7. the instance role reads a secret its environment does not reference
        ("beanstalk-role-privileges", f"{account}:role/{state.instance_role}"),
    }
    assert expected <= failed
    # 3. plaintext credentials, found on the environment
    (leak,) = _failed(lab_results, "beanstalk-plaintext-aws-keys")
    assert leak.resource.endswith(f"/{state.environment_name}")
    assert isinstance(leak.evidence, KeyPairEvidence)
    (pair,) = leak.evidence.pairs
    assert (pair.owner, pair.key_status) == (secondary, "Active")
    assert not [r for r in lab_results if r.status is Status.ERROR]


def test_the_chain_links_are_named_in_evidence(
    lab: Lab, lab_results: tuple[Result, ...]
) -> None:
    state = lab.state
    admin = f"arn:aws:iam::{state.account_id}:user/{state.admin_user}"
    secondary = next(
        r
        for r in _failed(lab_results, "iam-credentials-for-others")
        if r.resource.endswith(f"/{state.secondary_user}")
    )
    assert isinstance(secondary.evidence, CredentialGrantsEvidence)
    assert ("iam:CreateAccessKey", admin) in {
        (g.action, g.target) for g in secondary.evidence.grants
    }
    low = next(
        r
        for r in _failed(lab_results, "iam-risky-actions")
        if r.resource.endswith(f"/{state.low_priv_user}")
    )
    assert isinstance(low.evidence, RiskyActionsEvidence)
    exposure = {g.risk: {x.action for x in g.grants} for g in low.evidence.groups}
    assert (
        "elasticbeanstalk:DescribeConfigurationSettings"
        in (exposure[Risk.CREDENTIAL_EXPOSURE])
    )


def test_service_and_instance_roles_exist_and_are_trusted(
    lab_results: tuple[Result, ...],
) -> None:
    for rule_id in ("beanstalk-service-role", "beanstalk-instance-profile"):
        assert [r.status for r in lab_results if r.rule.id == rule_id] == [Status.PASS]
