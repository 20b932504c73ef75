"""Least privilege of users and roles: wildcards, risky actions, unused grants.

Three rules, each with one result per user and role (AWS service-linked
roles, path ``/aws-service-role/``, are skipped: their owner cannot change
them):

- ``iam-wildcard-grants``: Allow statements with ``Action: *``, a whole
  service (``s3:*``), ``NotAction``, or ``Resource: *`` on write or
  permissions-management actions that could be scoped to a resource.
- ``iam-risky-actions``: actions granted that lead to privilege escalation,
  credential exposure, data exfiltration or resource exposure, grouped by
  that risk (table ``RISKY_ACTIONS``).
- ``iam-unused-grants``: principals with no recent activity, and services
  granted but not seen used.

Assumptions: "granted" is read from Allow statements of the principal's
identity policies (inline, managed, groups'). A grant on ``Resource: *`` is
confirmed by the policy engine (so an explicit deny or a permissions boundary
removes it); a grant scoped to resource patterns is taken at face value.

Limits: usage comes from access keys' last use (one service per key, the
most recent) and roles' last use (a date, no service): a service used before
a key's most recent call shows as not seen used, and action-level usage is
not known. CloudTrail-based usage is not read yet. Conditions on Allow
statements are not weighed here (a conditional grant counts as a grant).
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from chaincut.policy import Effect, Policy, Statement
from chaincut.policy.catalog import action_info, expand_action
from chaincut.rules import _calls as calls
from chaincut.rules._core import (
    CheckContext,
    Evidence,
    Result,
    RuleMeta,
    Severity,
    Status,
    parse_time,
    rule,
)
from chaincut.snapshot import Role, User

log = logging.getLogger(__name__)

# Activity older than this is stale (CIS 1.12 uses 45 days for credentials;
# 90 days is the common review cycle for grants).
STALE_AFTER = dt.timedelta(days=90)


class Risk(enum.Enum):
    PRIVILEGE_ESCALATION = "privilege_escalation"
    CREDENTIAL_EXPOSURE = "credential_exposure"
    DATA_EXFILTRATION = "data_exfiltration"
    RESOURCE_EXPOSURE = "resource_exposure"


_P, _C, _D, _R = (
    Risk.PRIVILEGE_ESCALATION,
    Risk.CREDENTIAL_EXPOSURE,
    Risk.DATA_EXFILTRATION,
    Risk.RESOURCE_EXPOSURE,
)

RISKY_ACTIONS: dict[str, Risk] = {
    # Privilege escalation: become someone else or grant yourself more.
    "iam:CreateAccessKey": _P, "iam:CreateLoginProfile": _P,
    "iam:UpdateLoginProfile": _P, "iam:AttachUserPolicy": _P,
    "iam:AttachGroupPolicy": _P, "iam:AttachRolePolicy": _P,
    "iam:PutUserPolicy": _P, "iam:PutGroupPolicy": _P, "iam:PutRolePolicy": _P,
    "iam:CreatePolicyVersion": _P, "iam:SetDefaultPolicyVersion": _P,
    "iam:AddUserToGroup": _P, "iam:PassRole": _P,
    "iam:UpdateAssumeRolePolicy": _P, "iam:DeleteUserPermissionsBoundary": _P,
    "iam:DeleteRolePermissionsBoundary": _P, "sts:AssumeRole": _P,
    "lambda:UpdateFunctionCode": _P, "ssm:SendCommand": _P,
    "ssm:StartSession": _P, "ec2:ModifyInstanceAttribute": _P,
    "elasticbeanstalk:UpdateEnvironment": _P,
    # Credential exposure: read values that are credentials or hold them.
    "elasticbeanstalk:DescribeConfigurationSettings": _C,
    "secretsmanager:GetSecretValue": _C, "secretsmanager:BatchGetSecretValue": _C,
    "ssm:GetParameter": _C, "ssm:GetParameters": _C,
    "ssm:GetParametersByPath": _C, "ec2:GetPasswordData": _C,
    "ec2:DescribeInstanceAttribute": _C, "lambda:GetFunctionConfiguration": _C,
    "kms:Decrypt": _C, "sts:GetFederationToken": _C,
    "iam:CreateServiceSpecificCredential": _C,
    # Data exfiltration: read or copy data out.
    "s3:GetObject": _D, "s3:GetObjectVersion": _D, "dynamodb:Scan": _D,
    "dynamodb:Query": _D, "dynamodb:ExportTableToPointInTime": _D,
    "rds:CreateDBSnapshot": _D, "ec2:CreateSnapshot": _D,
    "logs:GetLogEvents": _D, "sqs:ReceiveMessage": _D,
    # Resource exposure: open a resource to other accounts or the world.
    "s3:PutBucketPolicy": _R, "s3:PutBucketAcl": _R, "s3:PutObjectAcl": _R,
    "s3:PutBucketPublicAccessBlock": _R, "secretsmanager:PutResourcePolicy": _R,
    "kms:PutKeyPolicy": _R, "kms:CreateGrant": _R, "lambda:AddPermission": _R,
    "ec2:ModifySnapshotAttribute": _R, "ec2:ModifyImageAttribute": _R,
    "rds:ModifyDBSnapshotAttribute": _R, "sns:SetTopicAttributes": _R,
    "sqs:SetQueueAttributes": _R, "ecr:SetRepositoryPolicy": _R,
    "ec2:AuthorizeSecurityGroupIngress": _R,
}  # fmt: skip

_SCOPABLE_LEVELS = ("Write", "Permissions management")


class WildcardKind(enum.Enum):
    ALL_ACTIONS = "all_actions"  # Action: "*"
    SERVICE_ACTIONS = "service_actions"  # Action: "s3:*"
    NOT_ACTION = "not_action"  # Allow with NotAction
    ALL_RESOURCES = "all_resources"  # Resource: "*" on scopable write actions


@dataclass(frozen=True)
class WildcardGrant:
    policy: str
    statement: str
    kind: WildcardKind
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class WildcardEvidence(Evidence):
    principal: str
    wildcards: tuple[WildcardGrant, ...]


@dataclass(frozen=True)
class RiskyGrant:
    action: str
    policy: str
    statement: str
    resources: tuple[str, ...]


@dataclass(frozen=True)
class RiskGroup:
    risk: Risk
    grants: tuple[RiskyGrant, ...]


@dataclass(frozen=True)
class RiskyActionsEvidence(Evidence):
    principal: str
    groups: tuple[RiskGroup, ...]


@dataclass(frozen=True)
class UsageEvidence(Evidence):
    principal: str
    granted_services: tuple[str, ...]  # "*" for every service
    seen_used_services: tuple[str, ...]
    not_seen_used_services: tuple[str, ...]
    last_activity: str | None
    stale: bool
    usage_source: str


def _principals(context: CheckContext) -> Iterator[User | Role]:
    yield from context.snapshot.iam.users
    for role in context.snapshot.iam.roles:
        if not role.path.startswith("/aws-service-role/"):
            yield role


def _allows(context: CheckContext, arn: str) -> Iterator[tuple[Policy, Statement]]:
    for policy in context.access.principal(arn).identity:
        for statement in policy.statements:
            if statement.effect is Effect.ALLOW:
                yield policy, statement


def _resources(statement: Statement) -> tuple[str, ...]:
    if statement.resources is None:
        return ("*",)
    prefix = "NotResource:" if statement.resources.negated else ""
    return tuple(prefix + p for p in statement.resources.patterns)


def _covers_all(statement: Statement) -> bool:
    resources = statement.resources
    return resources is None or resources.negated or "*" in resources.patterns


def _wildcards(policy: Policy, statement: Statement) -> Iterator[WildcardGrant]:
    actions = statement.actions
    label = statement.label
    if actions.negated:
        yield WildcardGrant(
            policy.name, label, WildcardKind.NOT_ACTION, actions.patterns
        )
        return
    if "*" in actions.patterns:
        yield WildcardGrant(policy.name, label, WildcardKind.ALL_ACTIONS, ("*",))
    services = tuple(p for p in actions.patterns if p != "*" and p.endswith(":*"))
    if services:
        yield WildcardGrant(policy.name, label, WildcardKind.SERVICE_ACTIONS, services)
    if _covers_all(statement):
        scopable = tuple(
            p
            for p in actions.patterns
            if p != "*" and any(_scopable(a) for a in expand_action(p))
        )
        if scopable:
            yield WildcardGrant(
                policy.name, label, WildcardKind.ALL_RESOURCES, scopable
            )


def _scopable(action: str) -> bool:
    info = action_info(action)
    return (
        info is not None
        and bool(info.resource_types)
        and any(level in info.access_level for level in _SCOPABLE_LEVELS)
    )


def _iam_error(context: CheckContext, meta: RuleMeta) -> Result | None:
    gaps = context.gaps(calls.IAM_DETAILS)
    return context.error(meta, context.account_arn, gaps) if gaps else None


@rule(
    id="iam-wildcard-grants",
    title="Wildcard actions or resources in a principal's policies",
    severity=Severity.HIGH,
    needs=(calls.IAM_DETAILS,),
    remediation="scope-wildcard-grants",
    fix="Replace wildcards with the actions the principal uses, on the"
    " resources it uses them on.",
    attack=("T1078.004",),
    cis=("1.16",),
)
def wildcard_grants(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """Allow statements wider than any task needs.

    Example: ``{"Action": "s3:*", "Resource": "arn:aws:s3:::elasticbeanstalk*"}``
    fails as ``service_actions``; ``{"Action": "iam:CreateAccessKey",
    "Resource": "*"}`` fails as ``all_resources``.
    """
    error = _iam_error(context, meta)
    if error is not None:
        yield error
        return
    for principal in _principals(context):
        found = tuple(
            grant
            for policy, statement in _allows(context, principal.arn)
            for grant in _wildcards(policy, statement)
        )
        yield context.result(
            meta,
            Status.FAIL if found else Status.PASS,
            principal.arn,
            WildcardEvidence(principal.arn, found),
        )


def risky_grants(context: CheckContext, arn: str) -> tuple[RiskGroup, ...]:
    """The risky actions ``arn`` is granted, grouped by risk."""
    by_risk: dict[Risk, list[RiskyGrant]] = {}
    allows = list(_allows(context, arn))
    for action, risk in RISKY_ACTIONS.items():
        lowered = action.lower()
        for policy, statement in allows:
            if not statement.actions.applies(lowered):
                continue
            if (
                _covers_all(statement)
                and not context.access.can(arn, action, "*").allowed
            ):
                continue  # denied or outside the boundary
            by_risk.setdefault(risk, []).append(
                RiskyGrant(action, policy.name, statement.label, _resources(statement))
            )
            break
    return tuple(
        RiskGroup(risk, tuple(by_risk[risk])) for risk in Risk if risk in by_risk
    )


@rule(
    id="iam-risky-actions",
    title="Principal holds actions that escalate, expose or exfiltrate",
    severity=Severity.HIGH,
    needs=(calls.IAM_DETAILS,),
    remediation="remove-risky-actions",
    fix="Remove the listed actions, or scope them to the resources and"
    " conditions the principal's task needs.",
    attack=("T1078.004", "T1098.001", "T1552.001"),
)
def risky_actions(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """Actions that turn a principal into an attacker's stepping stone.

    Example: ``elasticbeanstalk:DescribeConfigurationSettings`` is grouped as
    ``credential_exposure`` (it returns environment properties in clear),
    ``iam:CreateAccessKey`` as ``privilege_escalation``.
    """
    error = _iam_error(context, meta)
    if error is not None:
        yield error
        return
    for principal in _principals(context):
        groups = risky_grants(context, principal.arn)
        yield context.result(
            meta,
            Status.FAIL if groups else Status.PASS,
            principal.arn,
            RiskyActionsEvidence(principal.arn, groups),
        )


def _granted_services(context: CheckContext, arn: str) -> tuple[str, ...]:
    services: set[str] = set()
    for _, statement in _allows(context, arn):
        if statement.actions.negated:
            services.add("*")
        for pattern in statement.actions.patterns:
            services.add(pattern.split(":", 1)[0].lower() if ":" in pattern else "*")
    return tuple(sorted(services))


def _usage(principal: User | Role) -> tuple[set[str], str | None, str]:
    if isinstance(principal, User):
        used = {k.last_used_service for k in principal.access_keys}
        dates = [k.last_used for k in principal.access_keys if k.last_used]
        return {s for s in used if s}, max(dates, default=None), "access_key_last_used"
    return set(), principal.last_used, "role_last_used"


@rule(
    id="iam-unused-grants",
    title="Principal holds grants it has not used",
    severity=Severity.LOW,
    needs=(calls.IAM_DETAILS, calls.IAM_ACCESS_KEYS, calls.IAM_KEY_LAST_USED),
    remediation="remove-unused-grants",
    fix="Remove services the principal does not use; disable or delete"
    " principals with no recent activity.",
    attack=("T1078.004",),
    cis=("1.12",),
)
def unused_grants(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """Grants beyond what the principal was seen using.

    Example: a user granted ``ec2``, ``s3`` and ``elasticbeanstalk`` whose
    only key last called ``elasticbeanstalk`` fails, listing ``ec2`` and
    ``s3`` as not seen used; a role unused for 90 days fails as stale.
    """
    error = _iam_error(context, meta)
    if error is not None:
        yield error
        return
    for principal in _principals(context):
        gaps = context.gaps(
            calls.IAM_ACCESS_KEYS, calls.IAM_KEY_LAST_USED, resource=principal.arn
        )
        if isinstance(principal, User) and gaps:
            yield context.error(meta, principal.arn, gaps)
            continue
        granted = _granted_services(context, principal.arn)
        used, last, source = _usage(principal)
        when = parse_time(last)
        stale = when is None or context.now - when > STALE_AFTER
        unused = tuple(s for s in granted if s not in used) if used else ()
        failing = bool(granted) and (stale or bool(unused))
        yield context.result(
            meta,
            Status.FAIL if failing else Status.PASS,
            principal.arn,
            UsageEvidence(
                principal=principal.arn,
                granted_services=granted,
                seen_used_services=tuple(sorted(used)),
                not_seen_used_services=unused,
                last_activity=last,
                stale=stale,
                usage_source=source,
            ),
        )
