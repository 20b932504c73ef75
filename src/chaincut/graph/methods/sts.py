"""STS: assuming a role.

Handled: ``sts:AssumeRole`` from a user or role to a role, decided by the
engine with the role's trust policy as the resource policy (it must allow
even within the account) and the caller's identity policies and boundary.
Roles are asked about only when their trust policy can name the caller:
directly, by ``*``, or by the account (then the caller's identity policies
must name ``sts:AssumeRole`` too).

Not handled: ``sts:AssumeRoleWithWebIdentity`` / ``AssumeRoleWithSAML``
(federated identities are not principals of the graph); role chaining limits
(a chained session lasts at most an hour, which does not stop an attacker);
``sts:TagSession`` / ``sts:SetSourceIdentity`` requirements of a trust
policy beyond what its conditions state (the graph's context sets no session
tags, so such conditions fail).
"""

from __future__ import annotations

from collections.abc import Iterator

from chaincut.graph._model import Edge, Fix, FixKind
from chaincut.graph.methods._base import ASSUME_ROLE, BuildContext, Method


class AssumeRole(Method):
    name = ASSUME_ROLE
    actions = (ASSUME_ROLE,)
    fix_kind = FixKind.NARROW_ROLE_TRUST
    summary = "assume a role whose trust policy and one's own policies allow it"

    def prefilter(self, context: BuildContext, source: str) -> bool:
        # A trust policy naming the caller's ARN allows on its own.
        return True

    def edges(self, context: BuildContext, source: str) -> Iterator[Edge]:
        for call in context.allowed_on_candidates(source, ASSUME_ROLE):
            # The fix belongs to the role: narrowing its trust removes every
            # caller's edge to it at once.
            fix = Fix(self.fix_kind, call.resource, self.actions)
            yield Edge(source, call.resource, self.name, (call,), fix)


METHODS: dict[str, type[Method]] = {AssumeRole.name: AssumeRole}
