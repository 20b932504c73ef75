"""Targets: administrator control, and each piece of data worth stealing.

``admin``: a principal is an administrator when the engine allows it the
literal action ``iam:*`` on resource ``*`` under the graph's context and its
boundary. Only an ``Action`` that covers every IAM action (``*``, ``iam:*``)
matches that literal, so a list of specific IAM actions does not make an
administrator (it may still make edges to ``admin``, see the IAM methods).
With every IAM action a principal can grant itself anything, so the graph
treats it as the end of a path: its own escalation edges are not computed.

Data: ``secret:NAME`` (``secretsmanager:GetSecretValue`` on the secret, its
resource policy considered), ``bucket:NAME`` (``s3:GetObject`` on the
bucket's objects, its bucket policy considered: asked on ``BUCKET/*`` and on
one object under each prefix the principal's Allow statements name) and
``parameter:NAME`` (``ssm:GetParameter``).

Limits: a deny on every IAM action but one still leaves ``iam:*`` denied only
if the Deny names ``iam:*`` itself; KMS key policies of encrypted secrets,
parameters and objects are not considered (keys are not collected); S3 ACLs
and access points are not; a bucket's objects are asked about as a whole,
not object by object.
"""

from __future__ import annotations

from collections.abc import Iterator

from chaincut.graph._evaluator import instance_of
from chaincut.graph._model import Call, Edge, Fix, FixKind, Target, TargetKind
from chaincut.graph.methods._base import BuildContext
from chaincut.policy import Effect, Policy

ADMIN_PROBE = "iam:*"
GET_SECRET = "secretsmanager:GetSecretValue"
GET_OBJECT = "s3:GetObject"
GET_PARAMETER = "ssm:GetParameter"


def data_targets(context: BuildContext) -> list[tuple[Target, str, list[str]]]:
    """Each data target with its read action and the resources to try."""
    snapshot = context.snapshot
    found: list[tuple[Target, str, list[str]]] = []
    for secret in snapshot.secrets:
        target = Target(
            f"secret:{secret.name}", TargetKind.SECRET, secret.name, secret.arn
        )
        found.append((target, GET_SECRET, [secret.arn]))
    for bucket in snapshot.buckets:
        target = Target(
            f"bucket:{bucket.name}", TargetKind.BUCKET, bucket.name, bucket.arn
        )
        found.append((target, GET_OBJECT, [bucket.arn + "/*"]))
    for parameter in snapshot.parameters:
        target = Target(
            f"parameter:{parameter.name}",
            TargetKind.PARAMETER,
            parameter.name,
            parameter.arn,
        )
        found.append((target, GET_PARAMETER, [parameter.arn]))
    return found


def _names(policy: Policy | None, action: str, principal: str) -> bool:
    """Whether a resource policy's Allow names ``principal`` (or everyone)."""
    if policy is None:
        return False
    for statement in policy.statements_for(action.lower()):
        named = statement.principals
        if statement.effect is not Effect.ALLOW or named is None:
            continue
        if named.negated or named.everyone or principal in named.arns:
            return True
        parts = principal.split(":", 5)
        role = parts[-1].rsplit("/", 1)[-1] if parts[-1].startswith("role/") else None
        if role is not None and (parts[4], role) in named.roles:
            return True
    return False


def data_edges(
    context: BuildContext,
    principal: str,
    targets: list[tuple[Target, str, list[str]]],
) -> Iterator[Edge]:
    evaluator = context.evaluator
    for target, action, resources in targets:
        policy = evaluator.resource_policy(action, resources[0])
        if not evaluator.could(principal, action) and not _names(
            policy, action, principal
        ):
            continue
        candidates = list(resources)
        if target.kind is TargetKind.BUCKET:
            prefix = target.arn + "/"
            for pattern in evaluator.allow_patterns(principal, action):
                instance = instance_of(pattern, context.region, context.account)
                if instance and instance.startswith(prefix) and "${" not in pattern:
                    candidates.append(instance)
        call: Call | None = evaluator.first_call(
            principal, action, dict.fromkeys(candidates)
        )
        if call is not None:
            yield Edge(
                principal,
                target.id,
                action,
                (call,),
                Fix(FixKind.RESTRICT_DATA_READ, principal, (action,)),
            )
