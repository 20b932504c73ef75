"""Credentials in plaintext workload configuration: Lambda environment
variables and SSM ``String`` parameters.

The attack graph already treats these as credential holders (whoever reads
them becomes the key's owner); these rules report them as findings, the same
way ``beanstalk_settings`` reports Beanstalk settings: by detector,
fingerprint and masked preview, never the value, and an owner can accept a
harmless value by its fingerprint.

Assumptions: an access key id alone is an identifier, not a finding (it is
reported with its secret key, which the detectors flag on their own).

Limits: only Lambda functions and SSM parameters are read; environment values
of ECS task definitions, CodeBuild projects and CloudFormation parameters are
not collected. What counts as a secret is decided at collection time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from chaincut.collect.detect import ACCESS_KEY_ID
from chaincut.rules import _calls as calls
from chaincut.rules._core import (
    CheckContext,
    CollectorCall,
    Evidence,
    Result,
    RuleMeta,
    Severity,
    Status,
    rule,
)
from chaincut.rules.beanstalk_settings import MaskedSetting, masked
from chaincut.snapshot import DetectedValue, OptionSetting, WorkloadKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkloadSecretsEvidence(Evidence):
    """The flagged environment variables of one function."""

    function: str
    variables: tuple[MaskedSetting, ...]


@dataclass(frozen=True)
class ParameterSecretEvidence(Evidence):
    """A plaintext parameter whose value a detector flagged."""

    parameter: str
    value: MaskedSetting | None  # None: nothing flagged


def _is_finding(setting: OptionSetting) -> bool:
    detected = setting.detected
    return detected is not None and detected.detector != ACCESS_KEY_ID


@rule(
    id="workload-lambda-plaintext-secrets",
    title="Secret values in plaintext Lambda environment variables",
    severity=Severity.HIGH,
    needs=(calls.LAMBDA_FUNCTIONS,),
    remediation="move-settings-to-secrets-manager",
    fix="Store the value in Secrets Manager, give the function's role read"
    " access to that secret only, and read it at run time; rotate the value.",
    attack=("T1552.001",),
)
def lambda_secrets(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """Environment variables whose value a detector took for a secret.

    Anyone allowed ``lambda:GetFunctionConfiguration`` reads them. Example: a
    function with ``DB_PASSWORD=hunter2`` fails; with the value's fingerprint
    accepted it passes, still listed.
    """
    yield from _region_errors(context, meta, calls.LAMBDA_FUNCTIONS)
    for function in context.snapshot.workloads:
        if function.kind is not WorkloadKind.LAMBDA_FUNCTION:
            continue
        flagged = tuple(
            masked(s, context.accepted) for s in function.settings if _is_finding(s)
        )
        failing = any(not variable.accepted for variable in flagged)
        yield context.result(
            meta,
            Status.FAIL if failing else Status.PASS,
            function.arn,
            WorkloadSecretsEvidence(function.arn, flagged),
            function.region,
        )


@rule(
    id="workload-ssm-plaintext-secrets",
    title="Secret values in plaintext SSM parameters",
    severity=Severity.HIGH,
    needs=(calls.SSM_PARAMETERS, calls.SSM_VALUES),
    remediation="use-securestring-parameters",
    fix="Store the value as a SecureString parameter (or in Secrets Manager)"
    " encrypted with a key only its readers may use; rotate the value.",
    attack=("T1552.001",),
)
def parameter_secrets(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """String parameters whose value a detector took for a secret.

    Anyone allowed ``ssm:GetParameter`` reads a String parameter without a
    key. Example: ``/app/db_password`` of type String fails; SecureString
    parameters are never read and pass.
    """
    yield from _region_errors(context, meta, calls.SSM_PARAMETERS, calls.SSM_VALUES)
    for parameter in context.snapshot.parameters:
        detected: DetectedValue | None = parameter.detected
        if detected is None:
            yield context.result(
                meta,
                Status.PASS,
                parameter.arn,
                ParameterSecretEvidence(parameter.arn, None),
                parameter.region,
            )
            continue
        shown = masked(
            OptionSetting("ssm", parameter.name, None, detected), context.accepted
        )
        yield context.result(
            meta,
            Status.PASS if shown.accepted else Status.FAIL,
            parameter.arn,
            ParameterSecretEvidence(parameter.arn, shown),
            parameter.region,
        )


def _region_errors(
    context: CheckContext, meta: RuleMeta, *needed: CollectorCall
) -> Iterator[Result]:
    for region in context.snapshot.regions:
        gaps = context.gaps(*needed, region=region)
        if gaps:
            yield context.error(meta, context.account_arn, gaps, region)
