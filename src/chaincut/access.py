"""Questions of access asked of a snapshot: may this principal do that?

:class:`AccountAccess` gathers, for a principal of the snapshot, every policy
AWS would weigh (its inline and managed policies, those of its groups, its
permissions boundary) and, for a resource, the resource policy chaincut
collects (a secret's policy, a bucket's policy, a role's trust policy for
``sts:AssumeRole``), and asks ``chaincut.policy.evaluate``. Each document
is parsed once per snapshot: the attack graph asks thousands of questions.

Principals are named by ARN or, when unambiguous, by user or role name.

Limits: SCPs and session policies are not collected, so none apply; a
resource policy is known only for the kinds listed above (SNS topics, KMS keys
and Lambda functions are evaluated without theirs); a
managed policy missing from the snapshot is reported and left out, which can
only remove an allow or a deny that the snapshot could not show.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chaincut.errors import InputError
from chaincut.policy import (
    ContextValue,
    Evaluation,
    Policy,
    PolicyKind,
    PolicySet,
    Request,
    evaluate,
    parse_policy,
)
from chaincut.snapshot import Group, InlinePolicy, Role, Snapshot, User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Principal:
    """A principal of the snapshot with the policies that apply to it."""

    arn: str
    principal_id: str
    identity: tuple[Policy, ...]
    boundaries: tuple[Policy, ...]
    tags: Mapping[str, str]


class AccountAccess:
    """Answers access questions about one snapshot."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._managed = {policy.arn: policy for policy in snapshot.iam.policies}
        self._groups = {group.name: group for group in snapshot.iam.groups}
        self._users = {user.arn: user for user in snapshot.iam.users}
        self._roles = {role.arn: role for role in snapshot.iam.roles}
        self._parsed: dict[tuple[str, PolicyKind], Policy] = {}
        self._principals: dict[str, Principal] = {}

    # -- principals -----------------------------------------------------------

    def resolve(self, name: str) -> str:
        """The ARN of the principal called ``name`` (an ARN or a user/role name)."""
        if name in self._users or name in self._roles:
            return name
        names = self._names()
        matches = [arn for arn, entity_name in names.items() if entity_name == name]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise InputError(
                f"{name!r} names both a user and a role: give the ARN"
                f" ({' or '.join(sorted(matches))})"
            )
        known = sorted(names.values())
        raise InputError(
            f"no user or role {name!r} in the snapshot of account"
            f" {self.snapshot.account_id}; known: {', '.join(known[:10]) or 'none'}"
            + (" ..." if len(known) > 10 else "")
        )

    def _names(self) -> dict[str, str]:
        """ARN -> name of every user and role."""
        names = {arn: user.name for arn, user in self._users.items()}
        names.update((arn, role.name) for arn, role in self._roles.items())
        return names

    def principal(self, arn: str) -> Principal:
        found = self._principals.get(arn)
        if found is None:
            found = self._build_principal(arn)
            self._principals[arn] = found
        return found

    def _build_principal(self, arn: str) -> Principal:
        user = self._users.get(arn)
        if user is not None:
            return self._for_user(user)
        role = self._roles.get(arn)
        if role is not None:
            return self._for_role(role)
        raise InputError(f"{arn!r} is not a user or role of this snapshot")

    def _for_user(self, user: User) -> Principal:
        identity = self._inline(user.arn, user.inline_policies)
        identity += self._attached(user.attached_policies)
        for group_name in user.groups:
            group: Group | None = self._groups.get(group_name)
            if group is None:
                log.warning(
                    "group %s of %s is not in the snapshot", group_name, user.name
                )
                continue
            identity += self._inline(group.arn, group.inline_policies)
            identity += self._attached(group.attached_policies)
        return Principal(
            arn=user.arn,
            principal_id=user.user_id,
            identity=tuple(identity),
            boundaries=self._boundary(user.permissions_boundary),
            tags=user.tags,
        )

    def _for_role(self, role: Role) -> Principal:
        identity = self._inline(role.arn, role.inline_policies)
        identity += self._attached(role.attached_policies)
        return Principal(
            arn=role.arn,
            principal_id=role.role_id,
            identity=tuple(identity),
            boundaries=self._boundary(role.permissions_boundary),
            tags=role.tags,
        )

    def _inline(self, owner: str, policies: tuple[InlinePolicy, ...]) -> list[Policy]:
        return [
            self._parse(f"{owner}:{p.name}", p.document, PolicyKind.IDENTITY)
            for p in policies
        ]

    def _attached(self, arns: tuple[str, ...]) -> list[Policy]:
        parsed = []
        for arn in arns:
            managed = self._managed.get(arn)
            if managed is None:
                log.warning("managed policy %s is not in the snapshot; left out", arn)
                continue
            parsed.append(self._parse(arn, managed.document, PolicyKind.IDENTITY))
        return parsed

    def _boundary(self, arn: str | None) -> tuple[Policy, ...]:
        if arn is None:
            return ()
        managed = self._managed.get(arn)
        if managed is None:
            # A boundary that cannot be read could deny anything: say so loudly
            # and evaluate without it rather than guess.
            log.warning("permissions boundary %s is not in the snapshot", arn)
            return ()
        return (self._parse(arn, managed.document, PolicyKind.BOUNDARY),)

    def _parse(
        self, name: str, document: Mapping[str, Any], kind: PolicyKind
    ) -> Policy:
        key = (name, kind)
        found = self._parsed.get(key)
        if found is None:
            found = parse_policy(document, name=name, kind=kind)
            self._parsed[key] = found
        return found

    # -- resources ------------------------------------------------------------

    def resource_policy(self, action: str, resource: str) -> Policy | None:
        """The policy attached to ``resource`` that chaincut collects, if any."""
        if action.lower().startswith("sts:assumerole"):
            role = self._roles.get(resource)
            if role is None:
                return None
            return self._parse(
                resource + " (trust)", role.trust_policy, PolicyKind.RESOURCE
            )
        for secret in self.snapshot.secrets:
            if secret.arn == resource and secret.resource_policy:
                return self._parse(
                    resource, secret.resource_policy, PolicyKind.RESOURCE
                )
        if resource.startswith("arn:aws:s3:::"):
            name = resource.removeprefix("arn:aws:s3:::").split("/", 1)[0]
            bucket = self.snapshot.bucket(name)
            if bucket is not None and bucket.policy:
                return self._parse(bucket.arn, bucket.policy, PolicyKind.RESOURCE)
        return None

    def resolve_resource(self, name: str) -> str:
        """An ARN for ``name``: ARNs pass; a secret's name becomes its ARN."""
        if name.startswith("arn:") or name == "*":
            return name
        for secret in self.snapshot.secrets:
            if secret.name == name:
                return secret.arn
        raise InputError(
            f"resource {name!r} is neither an ARN nor the name of a collected secret:"
            " give its ARN"
        )

    # -- questions ------------------------------------------------------------

    def can(
        self,
        principal: str,
        action: str,
        resource: str,
        context: Mapping[str, ContextValue] | None = None,
    ) -> Evaluation:
        """Whether ``principal`` may call ``action`` on ``resource``, and why."""
        who = self.principal(self.resolve(principal))
        target = self.resolve_resource(resource)
        full_context: dict[str, ContextValue] = {
            f"aws:PrincipalTag/{key}": value for key, value in who.tags.items()
        }
        full_context.update(context or {})
        request = Request(
            principal=who.arn,
            action=action,
            resource=target,
            context=full_context,
            principal_id=who.principal_id,
        )
        return evaluate(
            request,
            PolicySet(
                identity=who.identity,
                resource=self.resource_policy(action, target),
                boundaries=who.boundaries,
            ),
        )


def parse_context(pairs: list[str]) -> dict[str, ContextValue]:
    """``KEY=VALUE`` pairs into a context; a key given twice is multi-valued."""
    context: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(
                f"--context {pair!r} is not KEY=VALUE (e.g. aws:SourceIp=203.0.113.5)"
            )
        context.setdefault(key, []).append(value)
    return {
        key: values[0] if len(values) == 1 else values
        for key, values in context.items()
    }


__all__ = ["AccountAccess", "Principal", "parse_context"]
