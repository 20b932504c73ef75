"""The base of every escalation method, and what methods may ask while building.

A method is a class with its name, the actions it needs and the fix that
removes it, declared as class attributes; ``edges(context, source)`` yields
the edges it finds from one principal. Before calling it, the builder asks
``prefilter``: by default, whether the source's identity policies name every
action of the method at all (``Evaluator.could``), so most principals cost
nothing per method. A method asking about many resources asks for all of
them at once (``BuildContext.allowed``, over a sequence the context keeps:
``user_arns``, ``role_arns``, ``passable_roles``, the assume candidates),
so that principals holding the same statements share one set of answers.

Two shared shapes cover most of the catalogue:

- ``PassRoleMethod``: pass a role trusted by a service to a new resource of
  that service (``iam:PassRole`` with ``iam:PassedToService``, then the
  service's create/run calls on a resource name the attacker picks).
- ``WorkloadMethod``: change or run code on an existing workload that holds a
  role (the snapshot's ``workloads``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator, Sequence
from typing import ClassVar

from chaincut.graph._evaluator import Evaluator
from chaincut.graph._model import Call, CredentialHolder, Edge, Fix, FixKind
from chaincut.policy import Effect, Policy, PolicySet, Request, evaluate
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
        # The same sequence objects on every question, so that answers are
        # shared between principals (see ``Evaluator.allowed``).
        self.user_arns: tuple[str, ...] = tuple(self.users)
        self.role_arns: tuple[str, ...] = tuple(self.roles)
        self._passable: dict[tuple[str, bool], tuple[str, ...]] = {}
        # Answers the IAM methods ask again and again: whether a boundary
        # (by its policies) admits an administrator, whether a group (by
        # name) makes its members administrators.
        self.admin_boundaries: dict[tuple[Policy, ...], bool] = {}
        self.admin_groups: dict[str, bool] = {}
        self.groups = {g.name: g for g in snapshot.iam.groups}
        self.holders = holders
        self.admins = admins
        self._trusting: dict[str, tuple[Role, ...]] = {}
        self._trust_index = _TrustIndex(self)
        self._workloads: dict[WorkloadKind, list[Workload]] = {}
        self._held: dict[
            WorkloadKind, tuple[tuple[Workload, ...], tuple[str, ...]]
        ] = {}
        for workload in snapshot.workloads:
            self._workloads.setdefault(workload.kind, []).append(workload)

    def could(self, principal: str, action: str) -> bool:
        return self.evaluator.could(principal, action)

    def call(
        self, principal: str, action: str, resource: str, **extra: str
    ) -> Call | None:
        return self.evaluator.call(principal, action, resource, extra or None)

    def allowed(
        self, principal: str, action: str, resources: Sequence[str], **extra: str
    ) -> dict[str, Call]:
        """Resource to allowed call, in the order of ``resources``."""
        calls = self.evaluator.allowed(principal, action, resources, extra or None)
        return {call.resource: call for call in calls}

    def passable_roles(self, service: str, instance_profile: bool) -> tuple[str, ...]:
        """ARNs of the roles ``service`` may assume (with an instance profile)."""
        key = (service, instance_profile)
        found = self._passable.get(key)
        if found is None:
            found = tuple(
                role.arn
                for role in self.roles_trusting(service)
                if role.instance_profiles or not instance_profile
            )
            self._passable[key] = found
        return found

    def workloads(self, kind: WorkloadKind) -> list[Workload]:
        return self._workloads.get(kind, [])

    def held_workloads(
        self, kind: WorkloadKind
    ) -> tuple[tuple[Workload, ...], tuple[str, ...]]:
        """The workloads of ``kind`` holding a role, and their ARNs (the same
        tuples each time)."""
        found = self._held.get(kind)
        if found is None:
            held = tuple(w for w in self.workloads(kind) if w.roles)
            found = (held, tuple(w.arn for w in held))
            self._held[kind] = found
        return found

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

    def allowed_on_candidates(
        self, principal: str, action: str, **extra: str
    ) -> list[Call]:
        """The allowed calls of ``action`` on the assume candidates, by role ARN.

        The roles trusting the whole account are one shared sequence, asked
        once per group of principals (see ``Evaluator.allowed``); the few
        naming the principal itself are asked for it alone.
        """
        shared, own = self._trust_index.split(principal)
        calls = self.allowed(principal, action, shared, **extra)
        calls.update(self.allowed(principal, action, own, **extra))
        calls.pop(principal, None)
        return [calls[arn] for arn in sorted(calls)]


class _TrustIndex:
    """Which roles' trust policies can name a principal, from the policies' side.

    A trust policy that names only services never admits a user or role; one
    naming the account admits whoever its identity policies allow; one naming
    ARNs admits those on its own. Indexing this once avoids asking every
    principal about every role: the roles trusting the account are one
    sorted sequence shared by every principal that could assume a role
    (``split``), asked once per group of principals.
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
        shared, own = self.split(principal)
        roles = self.context.roles
        unique = {arn for arn in (*shared, *own) if arn != principal}
        return tuple(roles[arn] for arn in sorted(unique))

    def split(self, principal: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The candidates shared by the account's principals, and its own."""
        found: list[Role] = list(self.everyone)
        found += self.by_arn.get(principal, [])
        parts = principal.split(":", 5)
        if len(parts) == 6 and parts[5].startswith("role/"):
            name = parts[5].rsplit("/", 1)[-1]
            found += self.by_role_name.get((parts[4], name), [])
        own = tuple(dict.fromkeys(role.arn for role in found))
        if self.context.could(principal, ASSUME_ROLE):
            return self.account_roles, own
        return (), own

    @functools.cached_property
    def account_roles(self) -> tuple[str, ...]:
        roles = self.by_account.get(self.context.account, [])
        return tuple(sorted({role.arn for role in roles}))


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
        # One source may have thousands of edges of one method (a key maker
        # reaches every user): they share one (frozen) fix.
        fix = self._fixes.get(source)
        if fix is None:
            fix = self._fixes[source] = self.fix(source)
        return Edge(source, target, self.name, calls, fix)

    @functools.cached_property
    def _fixes(self) -> dict[str, Fix]:
        return {}


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
        roles = context.passable_roles(self.service, self.needs_instance_profile)
        passed = context.allowed(
            source, "iam:PassRole", roles, **{"iam:PassedToService": self.service}
        )
        for arn, call in passed.items():
            if arn != source:
                yield self.edge(source, arn, (call, *created))


class WorkloadMethod(Method):
    """Change or run code on an existing workload; gain the roles it holds."""

    kind: ClassVar[WorkloadKind]
    fix_kind = FixKind.DENY_WORKLOAD_CONTROL

    def edges(self, context: BuildContext, source: str) -> Iterator[Edge]:
        workloads, arns = context.held_workloads(self.kind)
        allowed = [context.allowed(source, action, arns) for action in self.actions]
        for workload in workloads:
            calls = [found.get(workload.arn) for found in allowed]
            if all(calls):
                for role in workload.roles:
                    if role != source:
                        yield self.edge(source, role, tuple(c for c in calls if c))
