"""The base of every escalation method, and what methods may ask while building.

A method is a class with its name, the actions it needs and the fix that
removes it, declared as class attributes; ``edges(context, source)`` yields
the edges it finds from one principal. Before calling it, the builder asks
``prefilter``: by default, whether the source's identity policies name every
action of the method at all (``Evaluator.could``), so most principals cost
nothing per method.

Two shared shapes cover most of the catalogue:

- ``PassRoleMethod``: pass a role trusted by a service to a new resource of
  that service (``iam:PassRole`` with ``iam:PassedToService``, then the
  service's create/run calls on a resource name the attacker picks).
- ``WorkloadMethod``: change or run code on an existing workload that holds a
  role (the snapshot's ``workloads``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import ClassVar

from chaincut.graph._evaluator import Evaluator
from chaincut.graph._model import Call, CredentialHolder, Edge, Fix, FixKind
from chaincut.policy import Effect, PolicySet, Request, evaluate
from chaincut.snapshot import Role, User, Workload, WorkloadKind

log = logging.getLogger(__name__)

ASSUME_ROLE = "sts:AssumeRole"


class BuildContext:
    """The snapshot's principals and resources, indexed for the methods."""

    def __init__(
        self,
        evaluator: Evaluator,
        holders: tuple[CredentialHolder, ...],
        admins: frozenset[str],
    ) -> None:
        snapshot = evaluator.snapshot
        self.evaluator = evaluator
        self.snapshot = snapshot
        self.account = snapshot.account_id
        self.region = snapshot.regions[0] if snapshot.regions else "us-east-1"
        self.users: dict[str, User] = {u.arn: u for u in snapshot.iam.users}
        self.roles: dict[str, Role] = {r.arn: r for r in snapshot.iam.roles}
        self.groups = {g.name: g for g in snapshot.iam.groups}
        self.holders = holders
        self.admins = admins
        self._trusting: dict[str, tuple[Role, ...]] = {}
        self._trust_index = _TrustIndex(self)
        self._workloads: dict[WorkloadKind, list[Workload]] = {}
        for workload in snapshot.workloads:
            self._workloads.setdefault(workload.kind, []).append(workload)

    def could(self, principal: str, action: str) -> bool:
        return self.evaluator.could(principal, action)

    def call(
        self, principal: str, action: str, resource: str, **extra: str
    ) -> Call | None:
        return self.evaluator.call(principal, action, resource, extra or None)

    def workloads(self, kind: WorkloadKind) -> list[Workload]:
        return self._workloads.get(kind, [])

    def roles_trusting(self, service: str) -> tuple[Role, ...]:
        """Roles whose trust policy lets ``service`` assume them (engine-decided)."""
        found = self._trusting.get(service)
        if found is None:
            found = tuple(
                role
                for role in self.roles.values()
                if self._service_may_assume(service, role.arn)
            )
            self._trusting[service] = found
        return found

    def _service_may_assume(self, service: str, role_arn: str) -> bool:
        trust = self.evaluator.resource_policy(ASSUME_ROLE, role_arn)
        if trust is None:
            return False
        result = evaluate(
            Request(principal=service, action=ASSUME_ROLE, resource=role_arn),
            PolicySet(resource=trust),
        )
        return result.allowed

    def assume_candidates(self, principal: str) -> tuple[Role, ...]:
        """Roles whose trust policy could let ``principal`` in (engine decides)."""
        return self._trust_index.candidates(principal)


class _TrustIndex:
    """Which roles' trust policies can name a principal, from the policies' side.

    A trust policy that names only services never admits a user or role; one
    naming the account admits whoever its identity policies allow; one naming
    ARNs admits those on its own. Indexing this once avoids asking every
    principal about every role.
    """

    def __init__(self, context: BuildContext) -> None:
        self.context = context
        self.everyone: list[Role] = []
        self.by_account: dict[str, list[Role]] = {}
        self.by_arn: dict[str, list[Role]] = {}
        self.by_role_name: dict[tuple[str, str], list[Role]] = {}
        for role in context.roles.values():
            self._index(role)

    def _index(self, role: Role) -> None:
        trust = self.context.evaluator.resource_policy(ASSUME_ROLE, role.arn)
        if trust is None:
            return
        for statement in trust.statements_for(ASSUME_ROLE.lower()):
            named = statement.principals
            if statement.effect is not Effect.ALLOW or named is None:
                continue
            if named.negated or named.everyone:
                self.everyone.append(role)
                continue
            for account in named.accounts:
                self.by_account.setdefault(account, []).append(role)
            for arn in named.arns:
                self.by_arn.setdefault(arn, []).append(role)
            for key in named.roles:
                self.by_role_name.setdefault(key, []).append(role)

    def candidates(self, principal: str) -> tuple[Role, ...]:
        found: list[Role] = list(self.everyone)
        found += self.by_arn.get(principal, [])
        parts = principal.split(":", 5)
        if len(parts) == 6 and parts[5].startswith("role/"):
            name = parts[5].rsplit("/", 1)[-1]
            found += self.by_role_name.get((parts[4], name), [])
        if self.context.could(principal, ASSUME_ROLE):
            found += self.by_account.get(self.context.account, [])
        unique = {role.arn: role for role in found if role.arn != principal}
        return tuple(unique[arn] for arn in sorted(unique))


class Method:
    """One way for a principal to gain another's permissions or credentials."""

    name: ClassVar[str]
    # Every action the method needs from the source's own policies.
    actions: ClassVar[tuple[str, ...]]
    fix_kind: ClassVar[FixKind]
    summary: ClassVar[str]

    def prefilter(self, context: BuildContext, source: str) -> bool:
        return all(context.could(source, action) for action in self.actions)

    def edges(self, context: BuildContext, source: str) -> Iterator[Edge]:
        raise NotImplementedError

    def fix(self, source: str) -> Fix:
        return Fix(self.fix_kind, source, self.actions)

    def edge(self, source: str, target: str, calls: tuple[Call, ...]) -> Edge:
        return Edge(source, target, self.name, calls, self.fix(source))


class PassRoleMethod(Method):
    """Pass a role to a new resource of a service, then run code as the role.

    ``creates`` are the service calls after ``iam:PassRole``, each with the
    ARN template of the resource it acts on (``*`` where the attacker picks
    the name).
    """

    service: ClassVar[str]
    creates: ClassVar[tuple[tuple[str, str], ...]]
    fix_kind = FixKind.SCOPE_PASS_ROLE
    # EC2 receives a role through an instance profile only.
    needs_instance_profile: ClassVar[bool] = False

    def edges(self, context: BuildContext, source: str) -> Iterator[Edge]:
        created: list[Call] = []
        for action, template in self.creates:
            arn = template.format(region=context.region, account=context.account)
            call = context.evaluator.new_resource_call(source, action, arn)
            if call is None:
                return
            created.append(call)
        for role in context.roles_trusting(self.service):
            if role.arn == source:
                continue
            if self.needs_instance_profile and not role.instance_profiles:
                continue
            passed = context.call(
                source,
                "iam:PassRole",
                role.arn,
                **{"iam:PassedToService": self.service},
            )
            if passed is not None:
                yield self.edge(source, role.arn, (passed, *created))


class WorkloadMethod(Method):
    """Change or run code on an existing workload; gain the roles it holds."""

    kind: ClassVar[WorkloadKind]
    fix_kind = FixKind.DENY_WORKLOAD_CONTROL

    def edges(self, context: BuildContext, source: str) -> Iterator[Edge]:
        workloads = [w for w in context.workloads(self.kind) if w.roles]
        arns = set(
            context.evaluator.narrow(
                source, self.actions[0], (w.arn for w in workloads)
            )
        )
        for workload in workloads:
            if workload.arn not in arns:
                continue
            calls: list[Call] = []
            for action in self.actions:
                call = context.call(source, action, workload.arn)
                if call is None:
                    break
                calls.append(call)
            else:
                for role in workload.roles:
                    if role != source:
                        yield self.edge(source, role, tuple(calls))
