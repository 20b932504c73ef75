"""Secrets Manager: rotation, resource policies, and who can read or rotate.

- ``secrets-rotation``: rotation is on, at most every ``MAX_ROTATION_DAYS``
  days, and it happened within the schedule (plus a day's grace).
- ``secrets-resource-policy``: the secret carries a resource policy.
- ``secrets-access``: every user and role of the snapshot is asked, through
  the policy engine with the secret's resource policy, whether it may read
  (``GetSecretValue``) or rotate (``RotateSecret``, ``PutSecretValue``) the
  secret. The principals a resource policy names in its Allow statements are
  taken as the ones meant to; anyone else who can fails the check, and with
  no resource policy every reader and rotator is unintended.

Assumptions: the principals named in Allow statements of the secret's
resource policy are the intended readers and rotators (a policy that allows
``*`` intends everyone, and says so in the evidence). An account root named
there delegates to IAM and names no one in particular.

Limits: the KMS key policy of a customer-managed key is not collected, so a
key policy that would block decryption is not weighed; roles are asked as the
role, with no session context; principals of other accounts are not listed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from chaincut.policy import Outcome, PolicyKind, parse_policy
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
from chaincut.rules.iam_credentials import DecidingStatement
from chaincut.snapshot import Secret

log = logging.getLogger(__name__)

MAX_ROTATION_DAYS = 90
_GRACE = dt.timedelta(days=1)

READ_ACTIONS = ("secretsmanager:GetSecretValue",)
ROTATE_ACTIONS = ("secretsmanager:RotateSecret", "secretsmanager:PutSecretValue")


@dataclass(frozen=True)
class RotationEvidence(Evidence):
    secret: str
    rotation_enabled: bool
    rotation_days: int | None
    last_rotated: str | None
    max_rotation_days: int
    overdue: bool


@dataclass(frozen=True)
class ResourcePolicyEvidence(Evidence):
    secret: str
    has_policy: bool


@dataclass(frozen=True)
class SecretAccess:
    principal: str
    action: str
    intended: bool
    allowed_by: tuple[DecidingStatement, ...]


@dataclass(frozen=True)
class SecretAccessEvidence(Evidence):
    secret: str
    readers: tuple[SecretAccess, ...]
    rotators: tuple[SecretAccess, ...]
    intended: tuple[str, ...]  # principals the resource policy names
    principals_checked: int


def _secrets(context: CheckContext, meta: RuleMeta) -> Iterator[Secret | Result]:
    for region in context.snapshot.regions:
        gaps = context.gaps(calls.SECRETS_LIST, region=region)
        if gaps:
            yield context.error(meta, context.account_arn, gaps, region)
    yield from context.snapshot.secrets


@rule(
    id="secrets-rotation",
    title="Secret does not rotate automatically and recently",
    severity=Severity.MEDIUM,
    needs=(calls.SECRETS_LIST,),
    remediation="enable-secret-rotation",
    fix=f"Turn on automatic rotation at most every {MAX_ROTATION_DAYS} days with"
    " a rotation function, and check that it runs.",
    attack=("T1555",),
)
def rotation(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """A secret that never changes stays useful to whoever copied it.

    Example: ``RotationEnabled: false`` fails; rotation every 30 days, last
    done 40 days before collection, fails as overdue.
    """
    for item in _secrets(context, meta):
        if isinstance(item, Result):
            yield item
            continue
        days = item.rotation_days
        last = parse_time(item.last_rotated)
        overdue = (
            not item.rotation_enabled
            or days is None
            or last is None
            or context.now - last > dt.timedelta(days=days) + _GRACE
        )
        failing = overdue or days is None or days > MAX_ROTATION_DAYS
        yield context.result(
            meta,
            Status.FAIL if failing else Status.PASS,
            item.arn,
            RotationEvidence(
                secret=item.arn,
                rotation_enabled=item.rotation_enabled,
                rotation_days=days,
                last_rotated=item.last_rotated,
                max_rotation_days=MAX_ROTATION_DAYS,
                overdue=overdue,
            ),
            item.region,
        )


@rule(
    id="secrets-resource-policy",
    title="Secret has no resource policy",
    severity=Severity.MEDIUM,
    needs=(calls.SECRETS_LIST, calls.SECRETS_POLICY),
    remediation="add-secret-resource-policy",
    fix="Attach a resource policy that denies GetSecretValue, PutSecretValue"
    " and RotateSecret to every principal but the roles meant to use them.",
    attack=("T1555",),
)
def resource_policy(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """Without a resource policy, any identity policy in the account that
    grants ``secretsmanager:GetSecretValue`` on ``*`` reads the secret.

    Example: a secret with no policy fails; one with a Deny for every
    principal but its application role passes.
    """
    for item in _secrets(context, meta):
        if isinstance(item, Result):
            yield item
            continue
        gaps = context.gaps(calls.SECRETS_POLICY, resource=item.arn)
        if gaps:
            yield context.error(meta, item.arn, gaps, item.region)
            continue
        has_policy = bool(item.resource_policy)
        yield context.result(
            meta,
            Status.PASS if has_policy else Status.FAIL,
            item.arn,
            ResourcePolicyEvidence(item.arn, has_policy),
            item.region,
        )


def intended_principals(secret: Secret) -> tuple[str, ...]:
    """The principals the secret's resource policy allows by name."""
    if not secret.resource_policy:
        return ()
    # Parsed first so that a malformed document is a PolicyError (an ERROR
    # result), never a silently empty set.
    parse_policy(secret.resource_policy, name=secret.arn, kind=PolicyKind.RESOURCE)
    named: set[str] = set()
    for statement in secret.resource_policy.get("Statement", []):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if principal == "*":
            named.add("*")
        elif isinstance(principal, dict):
            values = principal.get("AWS", [])
            listed = [values] if isinstance(values, str) else list(values)
            named.update(v for v in listed if not _is_account(v))
    return tuple(sorted(named))


def _is_account(principal: str) -> bool:
    return principal.isdigit() or principal.endswith(":root")


def _is_intended(principal: str, intended: tuple[str, ...]) -> bool:
    return "*" in intended or principal in intended


@rule(
    id="secrets-access",
    title="Principals outside the intended set can read or rotate a secret",
    severity=Severity.HIGH,
    needs=(calls.SECRETS_LIST, calls.SECRETS_POLICY, calls.IAM_DETAILS),
    remediation="restrict-secret-access",
    fix="Deny the listed principals in the secret's resource policy, or remove"
    " secretsmanager actions on '*' from their identity policies.",
    attack=("T1555", "T1552.001"),
)
def secret_access(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """Who can read or rotate each secret, decided by evaluation.

    Example: with no resource policy, an admin user with ``*`` on ``*`` and
    the application's role both read the secret: both are listed and the
    check fails. With a resource policy allowing only the application role
    and denying everyone else, the check passes.
    """
    iam_gaps = context.gaps(calls.IAM_DETAILS)
    iam = context.snapshot.iam
    principals = [u.arn for u in iam.users] + [r.arn for r in iam.roles]
    for item in _secrets(context, meta):
        if isinstance(item, Result):
            yield item
            continue
        gaps = iam_gaps + context.gaps(calls.SECRETS_POLICY, resource=item.arn)
        if gaps:
            yield context.error(meta, item.arn, gaps, item.region)
            continue
        intended = intended_principals(item)
        readers = _who(context, principals, READ_ACTIONS, item.arn, intended)
        rotators = _who(context, principals, ROTATE_ACTIONS, item.arn, intended)
        failing = any(not a.intended for a in readers + rotators)
        yield context.result(
            meta,
            Status.FAIL if failing else Status.PASS,
            item.arn,
            SecretAccessEvidence(
                item.arn, readers, rotators, intended, len(principals)
            ),
            item.region,
        )


def _who(
    context: CheckContext,
    principals: list[str],
    actions: tuple[str, ...],
    secret: str,
    intended: tuple[str, ...],
) -> tuple[SecretAccess, ...]:
    found = []
    for principal in principals:
        for action in actions:
            evaluation = context.access.can(principal, action, secret)
            if evaluation.allowed:
                found.append(
                    SecretAccess(
                        principal,
                        action,
                        _is_intended(principal, intended),
                        tuple(
                            DecidingStatement.of(r)
                            for r in evaluation.reasons
                            if r.outcome is Outcome.ALLOWED
                        ),
                    )
                )
    return tuple(found)
