"""Beanstalk platform: the environment's roles, and the platform's safeguards.

- ``beanstalk-service-role``, ``beanstalk-instance-profile``: the role an
  environment names exists in the snapshot, its trust policy lets the right
  service assume it (``elasticbeanstalk.amazonaws.com``, ``ec2.amazonaws.com``;
  asked of the policy engine) and names no other principal.
- ``beanstalk-role-privileges``: neither role can act on IAM or assume other
  roles (asked of the engine on ``*``), and the instance role reads no secret
  but those the environment references in the
  ``aws:elasticbeanstalk:application:environmentsecrets`` namespace.
- ``beanstalk-managed-updates``, ``beanstalk-enhanced-health``,
  ``beanstalk-log-streaming``: the option settings that keep the platform
  patched, watched and its logs off the instance.

Assumptions: an option absent from the environment's settings holds its
default, which for these three options is "off". A role named by name (not
ARN) is looked up by name; an instance profile by its name, in the roles'
instance profile lists.

Limits: a role or profile in another account, or missing from the snapshot
because IAM could not be read, gives ERROR; a trust policy's conditions
(``sts:ExternalId``) are evaluated with an empty context.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from chaincut.policy import PolicyKind, PolicySet, Request, evaluate, parse_policy
from chaincut.rules import _calls as calls
from chaincut.rules._core import (
    CheckContext,
    Evidence,
    Result,
    RuleMeta,
    Severity,
    Status,
    rule,
)
from chaincut.rules.cloudtrail import allowed_principals
from chaincut.snapshot import BeanstalkEnvironment, Role

log = logging.getLogger(__name__)

ENVIRONMENT = "aws:elasticbeanstalk:environment"
LAUNCH = "aws:autoscaling:launchconfiguration"
SECRET_REFERENCES = "aws:elasticbeanstalk:application:environmentsecrets"
BEANSTALK_SERVICE = "elasticbeanstalk.amazonaws.com"
EC2_SERVICE = "ec2.amazonaws.com"

# Asked on "*": any of these makes a platform role a path to more power.
OVERREACHING_ACTIONS = (
    "iam:CreateAccessKey",
    "iam:CreateUser",
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:PassRole",
    "sts:AssumeRole",
)


@dataclass(frozen=True)
class RoleTrustEvidence(Evidence):
    environment: str
    setting: str  # namespace:name of the option naming the role
    value: str | None
    role: str | None  # the role's ARN when found
    expected_service: str
    trusted_by_service: bool
    other_principals: tuple[str, ...]


@dataclass(frozen=True)
class RolePrivilegeEvidence(Evidence):
    environment: str
    role: str
    purpose: str  # "instance" or "service"
    overreaching_actions: tuple[str, ...]
    unreferenced_secrets: tuple[str, ...]  # secrets it reads but env doesn't name
    referenced_secrets: tuple[str, ...]


@dataclass(frozen=True)
class OptionEvidence(Evidence):
    environment: str
    namespace: str
    name: str
    value: str | None
    expected: str


def option(environment: BeanstalkEnvironment, namespace: str, name: str) -> str | None:
    """The value of one option of ``environment``, None when absent or masked."""
    return next(
        (
            s.value
            for s in environment.settings
            if s.namespace == namespace and s.name == name
        ),
        None,
    )


def _service_role(context: CheckContext, value: str | None) -> Role | None:
    if not value:
        return None
    return next(
        (r for r in context.snapshot.iam.roles if value in (r.arn, r.name)), None
    )


def _instance_role(context: CheckContext, value: str | None) -> Role | None:
    if not value:
        return None
    profile = value.rsplit("/", 1)[-1]
    return next(
        (r for r in context.snapshot.iam.roles if profile in r.instance_profiles),
        None,
    )


def _environments(
    context: CheckContext, meta: RuleMeta, *, needs_iam: bool
) -> Iterator[BeanstalkEnvironment | Result]:
    iam_gaps = context.gaps(calls.IAM_DETAILS) if needs_iam else ()
    for region in context.snapshot.regions:
        gaps = context.gaps(calls.BEANSTALK_ENVIRONMENTS, region=region)
        if gaps:
            yield context.error(meta, context.account_arn, gaps, region)
    for environment in context.snapshot.beanstalk_environments:
        gaps = iam_gaps + context.gaps(
            calls.BEANSTALK_SETTINGS, resource=environment.arn
        )
        if gaps:
            yield context.error(meta, environment.arn, gaps, environment.region)
        else:
            yield environment


def trusted_by(role: Role, service: str) -> bool:
    """Whether ``service`` may assume ``role``, by the policy engine."""
    trust = parse_policy(
        role.trust_policy, name=f"{role.arn} (trust)", kind=PolicyKind.RESOURCE
    )
    request = Request(principal=service, action="sts:AssumeRole", resource=role.arn)
    return evaluate(request, PolicySet(resource=trust)).allowed


def _trust_results(
    context: CheckContext,
    meta: RuleMeta,
    setting: tuple[str, str],
    service: str,
    *,
    instance: bool,
) -> Iterator[Result]:
    for item in _environments(context, meta, needs_iam=True):
        if isinstance(item, Result):
            yield item
            continue
        value = option(item, *setting)
        found = (
            _instance_role(context, value)
            if instance
            else _service_role(context, value)
        )
        trusted = found is not None and trusted_by(found, service)
        others = tuple(
            p
            for p in allowed_principals(found.trust_policy if found else None)
            if p != f"Service:{service}"
        )
        evidence = RoleTrustEvidence(
            environment=item.arn,
            setting=":".join(setting),
            value=value,
            role=found.arn if found else None,
            expected_service=service,
            trusted_by_service=trusted,
            other_principals=others,
        )
        holds = found is not None and trusted and not others
        yield context.result(
            meta, Status.PASS if holds else Status.FAIL, item.arn, evidence, item.region
        )


@rule(
    id="beanstalk-service-role",
    title="Beanstalk service role missing or not trusted by Beanstalk alone",
    severity=Severity.MEDIUM,
    needs=(calls.BEANSTALK_ENVIRONMENTS, calls.BEANSTALK_SETTINGS, calls.IAM_DETAILS),
    remediation="fix-beanstalk-service-role",
    fix="Set ServiceRole to a role whose trust policy allows only"
    " elasticbeanstalk.amazonaws.com.",
    attack=("T1078.004",),
)
def service_role(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """The environment's ``ServiceRole`` exists and only Beanstalk assumes it.

    Example: ``ServiceRole`` naming a role trusted by
    ``elasticbeanstalk.amazonaws.com`` passes; a role that also trusts an
    account root fails, listing it.
    """
    yield from _trust_results(
        context, meta, (ENVIRONMENT, "ServiceRole"), BEANSTALK_SERVICE, instance=False
    )


@rule(
    id="beanstalk-instance-profile",
    title="Beanstalk instance profile missing or its role not trusted by EC2 alone",
    severity=Severity.MEDIUM,
    needs=(calls.BEANSTALK_ENVIRONMENTS, calls.BEANSTALK_SETTINGS, calls.IAM_DETAILS),
    remediation="fix-beanstalk-instance-profile",
    fix="Set IamInstanceProfile to a profile whose role trusts only ec2.amazonaws.com.",
    attack=("T1078.004",),
)
def instance_profile(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """The ``IamInstanceProfile`` exists and its role is for EC2 only.

    Example: a profile whose role trusts ``ec2.amazonaws.com`` passes; an
    option naming a profile the snapshot does not hold fails with ``role``
    empty.
    """
    yield from _trust_results(
        context, meta, (LAUNCH, "IamInstanceProfile"), EC2_SERVICE, instance=True
    )


@rule(
    id="beanstalk-role-privileges",
    title="Beanstalk platform role holds more than the platform needs",
    severity=Severity.HIGH,
    needs=(
        calls.BEANSTALK_ENVIRONMENTS,
        calls.BEANSTALK_SETTINGS,
        calls.IAM_DETAILS,
        calls.SECRETS_LIST,
        calls.SECRETS_POLICY,
    ),
    remediation="scope-beanstalk-roles",
    fix="Remove IAM and role-assumption actions from the platform roles; let"
    " the instance role read only the secrets referenced in environmentsecrets.",
    attack=("T1552.005", "T1098.001", "T1555"),
)
def role_privileges(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """Whoever runs code on the instance holds the instance role.

    Example: an instance role with ``secretsmanager:GetSecretValue`` on a
    secret the environment does not reference fails, naming the secret; one
    with ``iam:*`` fails with every IAM action listed that it may call on
    ``*``.
    """
    for item in _environments(context, meta, needs_iam=True):
        if isinstance(item, Result):
            yield item
            continue
        referenced = tuple(
            s.value
            for s in item.settings
            if s.namespace == SECRET_REFERENCES and s.value
        )
        profile = option(item, LAUNCH, "IamInstanceProfile")
        named = option(item, ENVIRONMENT, "ServiceRole")
        roles = (
            ("instance", _instance_role(context, profile)),
            ("service", _service_role(context, named)),
        )
        for purpose, found in roles:
            if found is None:
                continue  # reported by the service-role / instance-profile rules
            yield _privileges(context, meta, item, found, purpose, referenced)


def _privileges(
    context: CheckContext,
    meta: RuleMeta,
    environment: BeanstalkEnvironment,
    role: Role,
    purpose: str,
    referenced: tuple[str, ...],
) -> Result:
    overreach = tuple(
        action
        for action in OVERREACHING_ACTIONS
        if context.access.can(role.arn, action, "*").allowed
    )
    unreferenced = tuple(
        secret.arn
        for secret in context.snapshot.secrets
        if not any(secret.arn.startswith(r) or r == secret.name for r in referenced)
        and context.access.can(
            role.arn, "secretsmanager:GetSecretValue", secret.arn
        ).allowed
    )
    evidence = RolePrivilegeEvidence(
        environment.arn, role.arn, purpose, overreach, unreferenced, referenced
    )
    failing = bool(overreach or unreferenced)
    return context.result(
        meta,
        Status.FAIL if failing else Status.PASS,
        role.arn,
        evidence,
        environment.region,
    )


def _option_rule(
    context: CheckContext,
    meta: RuleMeta,
    namespace: str,
    name: str,
    expected: str,
) -> Iterator[Result]:
    for item in _environments(context, meta, needs_iam=False):
        if isinstance(item, Result):
            yield item
            continue
        value = option(item, namespace, name)
        holds = (value or "").lower() == expected
        yield context.result(
            meta,
            Status.PASS if holds else Status.FAIL,
            item.arn,
            OptionEvidence(item.arn, namespace, name, value, expected),
            item.region,
        )


_SETTINGS = (calls.BEANSTALK_ENVIRONMENTS, calls.BEANSTALK_SETTINGS)


@rule(
    id="beanstalk-managed-updates",
    title="Beanstalk managed platform updates are off",
    severity=Severity.LOW,
    needs=_SETTINGS,
    remediation="enable-managed-platform-updates",
    fix="Set aws:elasticbeanstalk:managedactions ManagedActionsEnabled to true"
    " with a maintenance window.",
)
def managed_updates(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """An unpatched platform is an open door to the instance role.

    Example: ``ManagedActionsEnabled=false`` or absent fails.
    """
    yield from _option_rule(
        context, meta, "aws:elasticbeanstalk:managedactions",
        "ManagedActionsEnabled", "true",
    )  # fmt: skip


@rule(
    id="beanstalk-enhanced-health",
    title="Beanstalk enhanced health reporting is off",
    severity=Severity.LOW,
    needs=_SETTINGS,
    remediation="enable-enhanced-health",
    fix="Set aws:elasticbeanstalk:healthreporting:system SystemType to enhanced.",
)
def enhanced_health(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """Enhanced health shows instance-level causes basic health hides.

    Example: ``SystemType=basic`` or absent fails.
    """
    yield from _option_rule(
        context, meta, "aws:elasticbeanstalk:healthreporting:system",
        "SystemType", "enhanced",
    )  # fmt: skip


@rule(
    id="beanstalk-log-streaming",
    title="Beanstalk logs are not streamed to CloudWatch Logs",
    severity=Severity.MEDIUM,
    needs=_SETTINGS,
    remediation="enable-log-streaming",
    fix="Set aws:elasticbeanstalk:cloudwatch:logs StreamLogs to true.",
    attack=("T1070",),
)
def log_streaming(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """Logs left on the instance vanish with it, and with them the evidence.

    Example: ``StreamLogs=false`` or absent fails.
    """
    yield from _option_rule(
        context, meta, "aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs", "true"
    )
