"""Plaintext secrets in Lambda environment variables and SSM parameters."""

from __future__ import annotations

from rules_helpers import ACCOUNT, REGION, flagged, gap, run, snapshot, statuses

from chaincut.rules import GapEvidence, Status
from chaincut.rules.workload_settings import (
    ParameterSecretEvidence,
    WorkloadSecretsEvidence,
)
from chaincut.secrets import MaskedValue
from chaincut.snapshot import (
    DetectedValue,
    OptionSetting,
    Parameter,
    Workload,
    WorkloadKind,
)

LAMBDA_NS = "lambda:environment"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:worker"
PARAMETER = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/db_password"
PASSWORD = "correct-horse-battery-staple"


def _function(*settings: OptionSetting) -> Workload:
    return Workload(
        kind=WorkloadKind.LAMBDA_FUNCTION,
        name="worker",
        arn=FUNCTION,
        region=REGION,
        settings=settings,
    )


def test_flagged_variable_fails_and_shows_no_value() -> None:
    snap = snapshot(
        workloads=(
            _function(
                flagged(LAMBDA_NS, "DB_PASSWORD", PASSWORD, "secret_name"),
                OptionSetting(LAMBDA_NS, "STAGE", "prod"),
                flagged(
                    LAMBDA_NS, "KEY_ID", "AKIAIOSFODNN7EXAMPLE", "aws_access_key_id"
                ),
            ),
        )
    )
    (result,) = run("workload-lambda-plaintext-secrets", snap)
    assert result.status is Status.FAIL
    assert isinstance(result.evidence, WorkloadSecretsEvidence)
    # The key id alone is an identifier, not a finding.
    assert [v.name for v in result.evidence.variables] == ["DB_PASSWORD"]
    assert PASSWORD not in repr(result)


def test_accepted_fingerprint_passes_and_clean_function_passes() -> None:
    fingerprint = MaskedValue.of(PASSWORD).fingerprint
    snap = snapshot(
        workloads=(
            _function(flagged(LAMBDA_NS, "DB_PASSWORD", PASSWORD, "secret_name")),
        )
    )
    (result,) = run("workload-lambda-plaintext-secrets", snap, accepted=(fingerprint,))
    assert result.status is Status.PASS
    assert isinstance(result.evidence, WorkloadSecretsEvidence)
    assert result.evidence.variables[0].accepted
    clean = snapshot(workloads=(_function(OptionSetting(LAMBDA_NS, "STAGE", "prod")),))
    assert statuses(run("workload-lambda-plaintext-secrets", clean)) == {
        FUNCTION: "PASS"
    }


def test_denied_listing_is_an_error_not_a_pass() -> None:
    snap = snapshot(gaps=(gap("lambda", "ListFunctions"),))
    (result,) = run("workload-lambda-plaintext-secrets", snap)
    assert result.status is Status.ERROR
    assert isinstance(result.evidence, GapEvidence)


def test_string_parameter_with_a_secret_fails() -> None:
    snap = snapshot(
        parameters=(
            Parameter(
                name="/app/db_password",
                arn=PARAMETER,
                region=REGION,
                type="String",
                detected=DetectedValue("secret_name", MaskedValue.of(PASSWORD)),
            ),
            Parameter(
                name="/app/stage",
                arn=PARAMETER.replace("db_password", "stage"),
                region=REGION,
                type="String",
            ),
        )
    )
    results = run("workload-ssm-plaintext-secrets", snap)
    assert statuses(results) == {
        PARAMETER: "FAIL",
        PARAMETER.replace("db_password", "stage"): "PASS",
    }
    failed = next(r for r in results if r.status is Status.FAIL)
    assert isinstance(failed.evidence, ParameterSecretEvidence)
    assert failed.evidence.value is not None
    assert failed.evidence.value.detector == "secret_name"


def test_parameter_gap_is_an_error() -> None:
    snap = snapshot(gaps=(gap("ssm", "GetParameters"),))
    (result,) = run("workload-ssm-plaintext-secrets", snap)
    assert result.status is Status.ERROR
