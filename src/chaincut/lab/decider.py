"""The lab's access decisions, made by chaincut's own policy engine.

moto's decision ignores ``Resource`` for most services, conditions, permission
boundaries and resource policies. Here every authenticated request is mapped
to its IAM action and resource (``chaincut.lab.requests``), the caller's
policies and the resource's policy are read from moto's state, and
``chaincut.policy.evaluate`` decides as AWS would.

What is gathered:

- identity policies: the user's inline and attached policies and those of its
  groups, or the role's for a role session;
- the permissions boundary of a user or role;
- resource policies: the secret's, the S3 bucket's, and the role's trust
  policy for ``sts:AssumeRole`` (which the engine requires to allow even
  within the account);
- request context: ``aws:SourceIp`` (the client address), ``aws:CurrentTime``,
  ``aws:EpochTime``, ``aws:RequestedRegion``, ``aws:SecureTransport`` and
  ``aws:PrincipalTag/*``; the engine derives the principal keys.

``aws:SecureTransport`` is reported ``true``: the lab stands in for AWS
endpoints, which serve these APIs over TLS only, so policies that require TLS
behave as they would in AWS rather than deny every lab call.

Limits: no SCPs (the lab account is in no organization), no session policies
of assumed roles, and no SNS topic or CloudWatch Logs resource policies. A
request whose caller cannot be found (deleted in the meantime) is denied.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from collections.abc import Iterable
from typing import Any

from moto.iam.exceptions import NoSuchEntity, NotFoundException
from moto.iam.models import IAMBackend, ManagedPolicy, iam_backends
from moto.s3.models import s3_backends
from moto.secretsmanager.models import secretsmanager_backends

from chaincut.errors import PolicyError
from chaincut.lab.auth import LabRequest
from chaincut.lab.iam import user_boundary_arn
from chaincut.lab.requests import Authorization, authorization
from chaincut.policy import (
    ContextValue,
    Decision,
    Evaluation,
    Policy,
    PolicyKind,
    PolicySet,
    Request,
    evaluate,
    parse_policy,
)

log = logging.getLogger(__name__)

# Always allowed by AWS, whatever any policy says.
_UNCONDITIONAL = frozenset({"sts:GetCallerIdentity"})
_ALLOWED = Evaluation(Decision.ALLOW)
_DENIED = Evaluation(Decision.IMPLICIT_DENY)


def decide_allowed(request: LabRequest) -> bool:
    """The access decider the lab installs: True when AWS would allow."""
    evaluation = decide(request)
    if not evaluation.allowed:
        log.debug(
            "%s %s denied to %s: %s",
            request.action,
            request.resource,
            request.principal_arn,
            [reason.to_dict() for reason in evaluation.reasons],
        )
    return evaluation.allowed


def decide(request: LabRequest) -> Evaluation:
    wanted = authorization(request)
    if wanted.action in _UNCONDITIONAL:
        return _ALLOWED
    backend = iam_backends[request.account_id]["aws"]
    caller = _caller(backend, request.principal_arn)
    if caller is None:
        return _DENIED
    identity, boundaries, tags, principal_id = caller
    context: dict[str, ContextValue] = {
        "aws:SourceIp": request.source_ip or "127.0.0.1",
        "aws:SecureTransport": "true",
        "aws:RequestedRegion": request.region,
        "aws:CurrentTime": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(dt.datetime.now(dt.UTC).timestamp())),
    }
    context.update({f"aws:PrincipalTag/{k}": v for k, v in tags.items()})
    asked = Request(
        principal=request.principal_arn,
        action=wanted.action,
        resource=wanted.resource,
        resource_account=request.account_id,
        context=context,
        principal_id=principal_id,
    )
    return evaluate(
        asked,
        PolicySet(
            identity=identity,
            resource=_resource_policy(backend, request, wanted),
            boundaries=boundaries,
        ),
    )


_Caller = tuple[tuple[Policy, ...], tuple[Policy, ...], dict[str, str], str]


def _caller(backend: IAMBackend, principal: str) -> _Caller | None:
    kind, _, rest = principal.split(":", 5)[5].partition("/")
    try:
        if kind == "user":
            return _user(backend, rest.rsplit("/", 1)[-1])
        if kind == "assumed-role":
            role_name, _, session = rest.partition("/")
            return _role(backend, role_name, session)
    except (NoSuchEntity, NotFoundException) as error:
        # Deleted since the request was signed: nobody to allow.
        log.debug("caller %s not found: %s", principal, error)
        return None
    return None


def _user(backend: IAMBackend, name: str) -> _Caller:
    user = backend.get_user(name)
    identity = [
        *_inline(f"user/{name}", user.policies.items()),
        *_managed(user.managed_policies.values()),
    ]
    for group in backend.get_groups_for_user(name):
        identity += _inline(f"group/{group.name}", group.policies.items())
        identity += _managed(group.managed_policies.values())
    tags = {tag["Key"]: tag["Value"] for tag in backend.list_user_tags(name)}
    return (
        tuple(identity),
        _boundary(backend, user_boundary_arn(user)),
        tags,
        str(user.id),
    )


def _role(backend: IAMBackend, name: str, session: str) -> _Caller:
    role = backend.get_role(name)
    identity = [
        *_inline(f"role/{name}", role.policies.items()),
        *_managed(role.managed_policies.values()),
    ]
    boundaries = _boundary(backend, role.permissions_boundary_arn)
    role_tags, _ = backend.list_role_tags(name, None, 1000)
    tags = {tag["Key"]: tag["Value"] for tag in role_tags}
    return tuple(identity), boundaries, tags, f"{role.id}:{session}"


def _boundary(backend: IAMBackend, arn: str | None) -> tuple[Policy, ...]:
    if not arn:
        return ()
    boundary = backend.get_policy(arn)
    return (_parsed(boundary.arn, _default_document(boundary), "boundary"),)


def _inline(owner: str, policies: Iterable[tuple[str, str]]) -> list[Policy]:
    return [_parsed(f"{owner}:{name}", text, "identity") for name, text in policies]


def _managed(policies: Iterable[ManagedPolicy]) -> list[Policy]:
    return [_parsed(p.arn, _default_document(p), "identity") for p in policies]


def _default_document(policy: ManagedPolicy) -> str:
    for version in policy.versions:
        if version.is_default:
            return str(version.document)
    return ""


def _resource_policy(
    backend: IAMBackend, request: LabRequest, wanted: Authorization
) -> Policy | None:
    service = wanted.action.split(":", 1)[0]
    text: Any = None
    if service == "secretsmanager" and wanted.resource != "*":
        store = secretsmanager_backends[request.account_id][request.region].secrets
        if wanted.resource in store:
            # Replicas carry no policy of their own in moto.
            text = getattr(store[wanted.resource], "policy", None)
    elif service == "s3" and wanted.resource.startswith("arn:aws:s3:::"):
        bucket_name = wanted.resource.removeprefix("arn:aws:s3:::").split("/", 1)[0]
        bucket = s3_backends[request.account_id]["aws"].buckets.get(bucket_name)
        if bucket is not None and bucket.policy:
            text = bucket.policy.decode()
    elif wanted.action == "sts:AssumeRole" and ":role/" in wanted.resource:
        role = backend.get_role_by_arn(wanted.resource)
        text = role.assume_role_policy_document
    if not text:
        return None
    document = text if isinstance(text, str) else json.dumps(text)
    return _parsed(wanted.resource, document, "resource")


@functools.lru_cache(maxsize=4096)
def _parsed(name: str, text: str, kind: str) -> Policy:
    """Parse once per distinct document; a malformed one denies (fail closed)."""
    try:
        return parse_policy(text, name=name, kind=PolicyKind(kind))
    except PolicyError as error:
        log.warning("lab ignores unparseable policy: %s", error)
        deny_all: dict[str, Any] = {"Effect": "Deny", "Action": "*", "Resource": "*"}
        if kind == "resource":
            deny_all["Principal"] = "*"
        return parse_policy(
            {"Version": "2012-10-17", "Statement": [deny_all]},
            name=f"{name} (unparseable: denies)",
            kind=PolicyKind(kind),
        )
