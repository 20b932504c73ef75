"""Shared builders for the policy tables: literal documents, short to read."""

from __future__ import annotations

from typing import Any

from chaincut.policy import (
    ContextValue,
    Decision,
    PolicyKind,
    PolicySet,
    Request,
    evaluate,
    parse_policy,
)

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"
CAROL = f"arn:aws:iam::{OTHER_ACCOUNT}:user/carol"
ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ops/admin"
ADMIN_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/admin/alice-session"

Doc = dict[str, Any]


def doc(*statements: Doc, version: str | None = "2012-10-17") -> Doc:
    body: Doc = {"Statement": list(statements)}
    if version is not None:
        body["Version"] = version
    return body


def allow(action: Any = "*", resource: Any = "*", **extra: Any) -> Doc:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any = "*", resource: Any = "*", **extra: Any) -> Doc:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def grant(
    principal: Any, action: Any = "*", effect: str = "Allow", **extra: Any
) -> Doc:
    """A resource-policy statement (resource left out: it is the resource)."""
    return {"Effect": effect, "Principal": principal, "Action": action, **extra}


def decide(
    principal: str = ALICE,
    action: str = "s3:GetObject",
    resource: str = "*",
    *,
    context: dict[str, ContextValue] | None = None,
    identity: tuple[Doc, ...] = (),
    resource_policy: Doc | None = None,
    boundaries: tuple[Doc, ...] = (),
    session: Doc | None = None,
    scp_levels: tuple[tuple[Doc, ...], ...] | None = None,
    resource_account: str | None = None,
    principal_id: str | None = None,
) -> Decision:
    policies = policy_set(identity, resource_policy, boundaries, session, scp_levels)
    request = Request(
        principal,
        action,
        resource,
        resource_account=resource_account,
        context=context or {},
        principal_id=principal_id,
    )
    return evaluate(request, policies).decision


def policy_set(
    identity: tuple[Doc, ...] = (),
    resource_policy: Doc | None = None,
    boundaries: tuple[Doc, ...] = (),
    session: Doc | None = None,
    scp_levels: tuple[tuple[Doc, ...], ...] | None = None,
) -> PolicySet:
    return PolicySet(
        identity=tuple(
            parse_policy(d, name=f"identity{i}") for i, d in enumerate(identity)
        ),
        resource=None
        if resource_policy is None
        else parse_policy(resource_policy, name="resource", kind=PolicyKind.RESOURCE),
        boundaries=tuple(
            parse_policy(d, name=f"boundary{i}", kind=PolicyKind.BOUNDARY)
            for i, d in enumerate(boundaries)
        ),
        session=None
        if session is None
        else parse_policy(session, name="session", kind=PolicyKind.SESSION),
        scp_levels=None
        if scp_levels is None
        else tuple(
            tuple(
                parse_policy(d, name=f"scp{level}.{i}", kind=PolicyKind.SCP)
                for i, d in enumerate(docs)
            )
            for level, docs in enumerate(scp_levels)
        ),
    )


ALLOW = Decision.ALLOW
EXPLICIT = Decision.EXPLICIT_DENY
IMPLICIT = Decision.IMPLICIT_DENY
