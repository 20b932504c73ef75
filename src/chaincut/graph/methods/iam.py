"""IAM methods: credentials of other users, and changes to one's own permissions.

Handled:

- ``iam:CreateAccessKey`` on a user: an edge to that user. Users already
  holding two keys (AWS's limit) still get the edge: deleting one first is
  ``iam:DeleteAccessKey``, which this module does not require.
- ``iam:CreateLoginProfile`` on a user without a console password (or not
  known to have one), ``iam:UpdateLoginProfile`` on a user with one (or not
  known to lack one): an edge to that user.
- Changes that let a principal grant itself anything, each an edge to the
  ``admin`` target, and only when the principal's permissions boundary would
  let an administrator policy take effect: ``iam:PutUserPolicy`` /
  ``iam:AttachUserPolicy`` on itself, ``iam:PutGroupPolicy`` /
  ``iam:AttachGroupPolicy`` on a group it is in, ``iam:PutRolePolicy`` /
  ``iam:AttachRolePolicy`` on itself (a role) or on a role it may assume
  (the edge then carries the ``sts:AssumeRole`` call too),
  ``iam:CreatePolicyVersion`` on a customer-managed policy attached to it or
  to one of its groups, ``iam:AddUserToGroup`` of itself into a group whose
  policies make it an administrator. Attach calls are asked with
  ``iam:PolicyARN`` set to AWS's ``AdministratorAccess``.
- ``iam:UpdateAssumeRolePolicy`` on a role: an edge to that role (a trust
  policy naming the principal's ARN lets it assume the role on its own).

Not handled: ``iam:SetDefaultPolicyVersion`` (the snapshot holds only each
policy's default version, so whether an older version grants more is
unknown); changing the policies of another user or group, or of a role the
principal cannot assume, which only pays with a second way in;
``AddUserToGroup`` into a group that grants less than administrator (it adds
permissions that could open other edges, which a static graph of principals
does not model); ``iam:PutUserPermissionsBoundary`` /
``iam:DeleteRolePermissionsBoundary`` and similar boundary removals.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import ClassVar

from chaincut.graph._evaluator import principal_free
from chaincut.graph._model import ADMIN, Edge, FixKind
from chaincut.graph.methods._base import ASSUME_ROLE, BuildContext, Method
from chaincut.policy import PolicySet, Request, evaluate, parse_policy

log = logging.getLogger(__name__)

ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
# The action the graph asks to decide "allowed every IAM action": the literal
# ``iam:*`` is covered only by patterns that cover all of IAM (``*``,
# ``iam:*``), never by a list of specific actions.
ALL_IAM = "iam:*"
_STAR = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                              "Resource": "*"}]},
    name="chaincut:administrator-probe",
)  # fmt: skip


def boundary_admits_admin(context: BuildContext, principal: str) -> bool:
    """Whether an administrator policy would take effect under the boundary."""
    boundaries = context.evaluator.principal(principal).boundaries
    if not boundaries:
        return True
    found = context.admin_boundaries.get(boundaries)
    if found is None:
        found = evaluate(
            Request(principal=principal, action=ALL_IAM, resource="*"),
            PolicySet(identity=(_STAR,), boundaries=boundaries),
        ).allowed
        # One answer serves every principal under the boundary unless one of
        # its statements reads the principal (a variable, a principal tag).
        if all(
            principal_free(statement)
            for policy in boundaries
            for statement in policy.statements_for(ALL_IAM)
        ):
            context.admin_boundaries[boundaries] = found
    return found


class CreateAccessKey(Method):
    name = "iam:CreateAccessKey"
    actions = ("iam:CreateAccessKey",)
    fix_kind = FixKind.DENY_CREDENTIAL_CREATION
    summary = "create an access key for another user and act as that user"

    def edges(self, context: BuildContext, source: str) -> Iterator[Edge]:
        for arn, call in context.allowed(
            source, self.actions[0], context.user_arns
        ).items():
            if arn != source:
                yield self.edge(source, arn, (call,))


class CreateLoginProfile(Method):
    name = "iam:CreateLoginProfile"
    actions = ("iam:CreateLoginProfile",)
    fix_kind = FixKind.DENY_CREDENTIAL_CREATION
    summary = "give another user a console password and sign in as that user"
    # has_console_password must not be this value for the method to apply.
    excluded: ClassVar[bool] = True

    def edges(self, context: BuildContext, source: str) -> Iterator[Edge]:
        allowed = context.allowed(source, self.actions[0], context.user_arns)
        for user in (context.users[arn] for arn in allowed):
            if user.arn == source or user.has_console_password is self.excluded:
                continue
            yield self.edge(source, user.arn, (allowed[user.arn],))


class UpdateLoginProfile(CreateLoginProfile):
    name = "iam:UpdateLoginProfile"
    actions = ("iam:UpdateLoginProfile",)
    summary = "reset another user's console password and sign in as that user"
    excluded = False


class _SelfGrant(Method):
    """A change to the source's own permissions: an edge to ``admin``."""

    fix_kind = FixKind.DENY_IAM_CHANGE
    # iam:PolicyARN of the policy the attacker attaches, for Attach* calls.
    attaches: ClassVar[bool] = False

    def resources(self, context: BuildContext, source: str) -> list[str]:
        raise NotImplementedError

    def edges(self, context: BuildContext, source: str) -> Iterator[Edge]:
        if not boundary_admits_admin(context, source):
            return
        extra = {"iam:PolicyARN": ADMINISTRATOR_ACCESS} if self.attaches else {}
        call = context.evaluator.first_call(
            source, self.actions[0], self.resources(context, source), extra or None
        )
        if call is not None:
            yield self.edge(source, ADMIN, (call,))


class PutUserPolicy(_SelfGrant):
    name = "iam:PutUserPolicy"
    actions = ("iam:PutUserPolicy",)
    summary = "write an administrator inline policy on oneself (a user)"

    def resources(self, context: BuildContext, source: str) -> list[str]:
        return [source] if source in context.users else []


class AttachUserPolicy(PutUserPolicy):
    name = "iam:AttachUserPolicy"
    actions = ("iam:AttachUserPolicy",)
    summary = "attach AdministratorAccess to oneself (a user)"
    attaches = True


class PutGroupPolicy(_SelfGrant):
    name = "iam:PutGroupPolicy"
    actions = ("iam:PutGroupPolicy",)
    summary = "write an administrator inline policy on a group one is in"

    def resources(self, context: BuildContext, source: str) -> list[str]:
        user = context.users.get(source)
        if user is None:
            return []
        return [context.groups[g].arn for g in user.groups if g in context.groups]


class AttachGroupPolicy(PutGroupPolicy):
    name = "iam:AttachGroupPolicy"
    actions = ("iam:AttachGroupPolicy",)
    summary = "attach AdministratorAccess to a group one is in"
    attaches = True


class CreatePolicyVersion(_SelfGrant):
    name = "iam:CreatePolicyVersion"
    actions = ("iam:CreatePolicyVersion",)
    summary = "make an administrator version the default of a policy one holds"

    def resources(self, context: BuildContext, source: str) -> list[str]:
        attached: list[str] = []
        user = context.users.get(source)
        role = context.roles.get(source)
        if user is not None:
            attached += user.attached_policies
            for name in user.groups:
                group = context.groups.get(name)
                if group is not None:
                    attached += group.attached_policies
        elif role is not None:
            attached += role.attached_policies
        # AWS-managed policies cannot be versioned by the account.
        return [arn for arn in dict.fromkeys(attached) if ":aws:policy/" not in arn]


class AddUserToGroup(_SelfGrant):
    name = "iam:AddUserToGroup"
    actions = ("iam:AddUserToGroup",)
    summary = "add oneself to a group whose policies make one an administrator"

    def resources(self, context: BuildContext, source: str) -> list[str]:
        user = context.users.get(source)
        if user is None:
            return []
        return [
            group.arn
            for group in context.groups.values()
            if group.name not in user.groups and _group_is_admin(context, group.name)
        ]


def _group_is_admin(context: BuildContext, name: str) -> bool:
    found = context.admin_groups.get(name)
    if found is None:
        found = _decide_group_is_admin(context, name)
        context.admin_groups[name] = found
    return found


def _decide_group_is_admin(context: BuildContext, name: str) -> bool:
    group = context.groups[name]
    documents = [(f"{group.arn}:{p.name}", p.document) for p in group.inline_policies]
    managed = {p.arn: p for p in context.snapshot.iam.policies}
    documents += [
        (arn, managed[arn].document)
        for arn in group.attached_policies
        if arn in managed
    ]
    identity = tuple(parse_policy(doc, name=label) for label, doc in documents)
    probe = Request(
        principal=f"arn:aws:iam::{context.account}:user/chaincut-probe",
        action=ALL_IAM,
        resource="*",
    )
    return evaluate(probe, PolicySet(identity=identity)).allowed


class PutRolePolicy(Method):
    name = "iam:PutRolePolicy"
    actions = ("iam:PutRolePolicy",)
    fix_kind = FixKind.DENY_IAM_CHANGE
    summary = "write an administrator inline policy on oneself or a role one assumes"
    attaches: ClassVar[bool] = False

    def edges(self, context: BuildContext, source: str) -> Iterator[Edge]:
        extra = {"iam:PolicyARN": ADMINISTRATOR_ACCESS} if self.attaches else {}
        if source in context.roles and boundary_admits_admin(context, source):
            call = context.call(source, self.actions[0], source, **extra)
            if call is not None:
                yield self.edge(source, ADMIN, (call,))
                return
        changes = {
            call.resource: call
            for call in context.allowed_on_candidates(source, self.actions[0], **extra)
        }
        if not changes:
            return
        for assume in context.allowed_on_candidates(source, ASSUME_ROLE):
            change = changes.get(assume.resource)
            if change is not None and boundary_admits_admin(context, assume.resource):
                yield self.edge(source, ADMIN, (change, assume))
                return


class AttachRolePolicy(PutRolePolicy):
    name = "iam:AttachRolePolicy"
    actions = ("iam:AttachRolePolicy",)
    summary = "attach AdministratorAccess to oneself or a role one assumes"
    attaches = True


class UpdateAssumeRolePolicy(Method):
    name = "iam:UpdateAssumeRolePolicy"
    actions = ("iam:UpdateAssumeRolePolicy",)
    fix_kind = FixKind.DENY_IAM_CHANGE
    summary = "rewrite a role's trust policy to trust oneself, then assume it"

    def edges(self, context: BuildContext, source: str) -> Iterator[Edge]:
        for arn, call in context.allowed(
            source, self.actions[0], context.role_arns
        ).items():
            if arn != source:
                yield self.edge(source, arn, (call,))


METHODS: dict[str, type[Method]] = {
    cls.name: cls
    for cls in (
        CreateAccessKey,
        CreateLoginProfile,
        UpdateLoginProfile,
        PutUserPolicy,
        AttachUserPolicy,
        PutGroupPolicy,
        AttachGroupPolicy,
        CreatePolicyVersion,
        AddUserToGroup,
        PutRolePolicy,
        AttachRolePolicy,
        UpdateAssumeRolePolicy,
    )
}
