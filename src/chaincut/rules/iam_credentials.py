"""Principals that can create or reset the credentials of other users.

``iam:CreateAccessKey``, ``iam:CreateLoginProfile`` and
``iam:UpdateLoginProfile`` on another user turn the caller into that user:
the second link of the chain chaincut exists for. Each user and role of the
snapshot is asked, through the policy engine (``chaincut.access``), about each
of these actions on every other user's ARN, one resource at a time, so a
policy scoped to ``${aws:username}`` or to a path passes and a ``*`` fails.

Assumptions: the snapshot's users are all the users there are (a user the
snapshot does not hold cannot be targeted here).

Limits: SCPs and session policies are not collected, so an SCP that denies
these actions is not seen (the check can only over-report). Cost grows with
principals x users x 3 requests; the engine caches plans per action, which
keeps accounts of a few thousand principals within seconds. Roles are asked
as the role (no session conditions such as MFA are set).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from chaincut.policy import Reason
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

log = logging.getLogger(__name__)

CREDENTIAL_ACTIONS = (
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
)


@dataclass(frozen=True)
class DecidingStatement:
    """A statement that allowed the request: the policy and its Sid/index."""

    policy: str
    statement: str

    @classmethod
    def of(cls, reason: Reason) -> DecidingStatement:
        return cls(reason.policy or "", reason.statement or "")


@dataclass(frozen=True)
class CredentialGrant:
    action: str
    target: str  # the other user's ARN
    allowed_by: tuple[DecidingStatement, ...]


@dataclass(frozen=True)
class CredentialGrantsEvidence(Evidence):
    principal: str
    grants: tuple[CredentialGrant, ...]
    users_checked: int


@rule(
    id="iam-credentials-for-others",
    title="Principal can create or reset other users' credentials",
    severity=Severity.CRITICAL,
    needs=(calls.IAM_DETAILS,),
    remediation="deny-credentials-for-other-users",
    fix="Deny iam:CreateAccessKey, iam:CreateLoginProfile and"
    " iam:UpdateLoginProfile except on arn:aws:iam::*:user/${aws:username}.",
    attack=("T1098.001",),
)
def credentials_for_others(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """Users and roles allowed to mint keys or set passwords for other users.

    Example: a policy allowing ``iam:CreateAccessKey`` on ``*`` fails, listing
    every other user it reaches and the statement that allowed it; the same
    action on ``arn:aws:iam::*:user/${aws:username}`` passes.
    """
    gaps = context.gaps(calls.IAM_DETAILS)
    if gaps:
        yield context.error(meta, context.account_arn, gaps)
        return
    iam = context.snapshot.iam
    users = [user.arn for user in iam.users]
    principals = users + [role.arn for role in iam.roles]
    for principal in principals:
        grants = []
        for action in CREDENTIAL_ACTIONS:
            for target in users:
                if target == principal:
                    continue
                evaluation = context.access.can(principal, action, target)
                if evaluation.allowed:
                    grants.append(
                        CredentialGrant(
                            action,
                            target,
                            tuple(DecidingStatement.of(r) for r in evaluation.reasons),
                        )
                    )
        log.debug("%s: %d credential grants on other users", principal, len(grants))
        yield context.result(
            meta,
            Status.FAIL if grants else Status.PASS,
            principal,
            CredentialGrantsEvidence(
                principal, tuple(grants), sum(1 for u in users if u != principal)
            ),
        )
