"""The graph's questions to the policy engine, asked as cheaply as possible.

Every edge is decided by ``chaincut.policy.evaluate``, resource by resource.
What keeps a build near-linear in the number of principals is asking each
distinct question once:

- ``could(principal, action)``: whether any Allow statement of the
  principal's identity policies names the action at all. A method whose
  actions fail this is skipped before any per-resource question (resource
  policies that grant on their own, such as role trust policies, are
  handled by the methods that need them, from the policy's side).
  Answered once per tuple of policies.
- ``group(principal, action)``: principals of one kind (user or role) whose
  policies hold the same statements for the action, none of them reading
  the principal (no policy variable, no ``aws:PrincipalTag`` or other
  principal key), get the same answer on every resource whose policy does
  not name principals one by one. ``allowed`` asks such a group once per
  sequence of resources (every user, every role trusting a service...) and
  hands each member the allowed calls; only resources whose policy names
  principals are asked per member. A principal whose only self-reading
  statements are Allows on literal resources (``user/${aws:username}``)
  shares the answers of the policies without them everywhere else, and is
  asked alone about those few resources.
- narrowing (``_narrow``): before asking, a resource that no live Allow
  names is dropped; an Allow whose conditions cannot hold for the principal
  (MFA for stolen keys) names nothing, and literal patterns are looked up
  in an index of the resources rather than matched against each.
- ``uniform(principal, action)``: every statement of the principal (identity
  and boundary) that names the action is unconditional on ``Resource: *``,
  so the answer is the same for every resource without a resource policy:
  one evaluation serves them all.

What remains superlinear: the edges themselves (a principal allowed
``iam:CreateAccessKey`` on ``*`` has an edge to every user, and each is
built), and principals whose statements read the principal with a wildcard
resource (``Resource: *`` under an ``aws:PrincipalTag`` condition), which
are asked alone about every resource their statements name.

The request context the graph assumes (``AttackContext``): an attacker
calling from outside the organisation with long-term access keys stolen from
a user, or with a role session it obtained. ``aws:SourceIp`` is a
documentation address (203.0.113.10) that no corporate allow-list holds;
``aws:MultiFactorAuthPresent`` is absent for users (AWS omits it for
long-term keys) and ``false`` for roles; ``aws:SecureTransport`` is true;
``aws:ViaAWSService`` is false; ``aws:RequestedRegion`` is the resource's
region; principal tags are set. So a statement allowing only from a
corporate range or only with MFA does not make an edge, and a Deny unless
MFA or unless a corporate range does remove it.

Limits: no SCPs or session policies (the snapshot has none); resource
policies are known for role trust, secrets and buckets only (as in
``chaincut.access``); a condition on a key the context does not hold fails
as AWS would fail it.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from chaincut.access import AccountAccess, Principal
from chaincut.graph._model import AllowedBy, Call
from chaincut.graph._narrow import PRINCIPAL_KEYS, PrincipalView, literal, narrow
from chaincut.policy import (
    ContextValue,
    Effect,
    Evaluation,
    Layer,
    Policy,
    PolicyKind,
    PolicySet,
    Request,
    Statement,
    evaluate,
    parse_policy,
)
from chaincut.snapshot import Snapshot

log = logging.getLogger(__name__)

# A request resource standing for "any resource" when none is known yet.
ANY = "*"
# Resource sequences up to this long are indexed per question, not kept.
_SMALL = 16


@dataclass(frozen=True)
class AttackContext:
    """The condition context every graph request carries (see module doc)."""

    source_ip: str = "203.0.113.10"
    secure_transport: bool = True

    def keys(self, principal_arn: str, region: str | None) -> dict[str, ContextValue]:
        keys: dict[str, ContextValue] = {
            "aws:SourceIp": self.source_ip,
            "aws:SecureTransport": "true" if self.secure_transport else "false",
            "aws:ViaAWSService": "false",
        }
        if ":role/" in principal_arn:
            keys["aws:MultiFactorAuthPresent"] = "false"
        if region:
            keys["aws:RequestedRegion"] = region
        return keys


def region_of(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return parts[3] or None if len(parts) == 6 else None


class Evaluator:
    """Access questions of one snapshot, with the graph's caches."""

    def __init__(self, snapshot: Snapshot, context: AttackContext) -> None:
        self.snapshot = snapshot
        self.access = AccountAccess(snapshot)
        self.context = context
        self._sets: dict[str, PolicySet] = {}
        self._could: dict[tuple[tuple[Policy, ...], str], bool] = {}
        self._uniform: dict[tuple[str, str], Evaluation] = {}
        self._groups: dict[Hashable, Hashable | None] = {}
        self._allowed: dict[Hashable, tuple[Sequence[str], list[Call | str]]] = {}
        self._trust_free: dict[tuple[Policy, str], bool] = {}
        self._stripped: dict[tuple[Policy, str], Policy] = {}
        self._created: dict[tuple[Hashable, str, str], Call | None] = {}
        self._indexes: dict[int, tuple[Sequence[str], dict[str, int]]] = {}
        self._policied: dict[tuple[int, str], tuple[Sequence[str], list[str]]] = {}
        self._resource_policies = self._index_resource_policies(snapshot)

    @staticmethod
    def _index_resource_policies(snapshot: Snapshot) -> dict[str, Policy]:
        found: dict[str, Policy] = {}
        for secret in snapshot.secrets:
            if secret.resource_policy:
                found[secret.arn] = parse_policy(
                    secret.resource_policy, name=secret.arn, kind=PolicyKind.RESOURCE
                )
        for bucket in snapshot.buckets:
            if bucket.policy:
                found[bucket.arn] = parse_policy(
                    bucket.policy, name=bucket.arn, kind=PolicyKind.RESOURCE
                )
        return found

    def principal(self, arn: str) -> Principal:
        return self.access.principal(arn)

    def resource_policy(self, action: str, resource: str) -> Policy | None:
        if action.lower().startswith("sts:assumerole"):
            return self.access.resource_policy(action, resource)
        if resource.startswith("arn:aws:s3:::"):
            bucket = resource.removeprefix("arn:aws:s3:::").split("/", 1)[0]
            return self._resource_policies.get("arn:aws:s3:::" + bucket)
        return self._resource_policies.get(resource)

    def could(self, principal: str, action: str) -> bool:
        """Whether any identity Allow statement names ``action`` at all."""
        # Keyed by the policies, not the principal: peers share the answer.
        identity = self.principal(principal).identity
        key = (identity, action)
        found = self._could.get(key)
        if found is None:
            lowered = action.lower()
            found = any(
                statement.effect is Effect.ALLOW
                for policy in identity
                for statement in policy.statements_for(lowered)
            )
            self._could[key] = found
        return found

    def allow_patterns(self, principal: str, action: str) -> tuple[str, ...]:
        """The Resource patterns of the identity Allow statements for ``action``."""
        lowered = action.lower()
        patterns: list[str] = []
        for policy in self.principal(principal).identity:
            for statement in policy.statements_for(lowered):
                resources = statement.resources
                allows = statement.effect is Effect.ALLOW
                if allows and resources is not None and not resources.negated:
                    patterns.extend(resources.patterns)
        return tuple(dict.fromkeys(patterns))

    def narrow(
        self,
        principal: str,
        action: str,
        resources: Sequence[str],
        extra: Mapping[str, str] | None = None,
    ) -> list[str]:
        """The ``resources`` some identity Allow for ``action`` could cover.

        Only for resources without a resource policy: a resource the identity
        policies do not name cannot be allowed, so it is not evaluated (see
        ``_narrow``). ``resources`` is best the same sequence object each
        time: its index is built once.
        """
        found = self.principal(principal)
        view = self._view(found, extra)
        positions = self._positions(resources)
        return narrow(found.identity, action, resources, positions, view)

    def _view(
        self, principal: Principal, extra: Mapping[str, str] | None
    ) -> PrincipalView:
        given = self.context.keys(principal.arn, None)
        given.update((f"aws:PrincipalTag/{k}", v) for k, v in principal.tags.items())
        given.update(extra or {})
        return PrincipalView(principal, given)

    def _positions(self, resources: Sequence[str]) -> dict[str, int]:
        if len(resources) <= _SMALL:
            # Cheaper to index on the fly than to keep.
            return {r: i for i, r in reversed(list(enumerate(resources)))}
        cached = self._indexes.get(id(resources))
        if cached is None or cached[0] is not resources:
            positions: dict[str, int] = {}
            for index, resource in enumerate(resources):
                positions.setdefault(resource, index)
            cached = (resources, positions)
            self._indexes[id(resources)] = cached
        return cached[1]

    def _with_policy(self, action: str, resources: Sequence[str]) -> list[str]:
        """The ``resources`` holding a resource policy for ``action``."""
        key = (id(resources), action)
        cached = self._policied.get(key)
        if cached is None or cached[0] is not resources:
            found = [r for r in resources if self.resource_policy(action, r)]
            cached = (resources, found)
            self._policied[key] = cached
        return cached[1]

    def group(self, principal: str, action: str) -> Hashable | None:
        """What decides ``action`` for ``principal``, shared with its peers.

        Two principals of the same kind (user or role) whose identity and
        boundary policies hold the same statements for ``action`` (the same
        parsed policies, so the same reasons), none of them reading anything
        of the principal, get the same answer on any resource without a
        principal-specific resource policy. None when a statement reads the
        principal (a policy variable, ``aws:PrincipalTag``...).
        """
        found = self.principal(principal)
        role = ":role/" in principal
        key = (found.identity, found.boundaries, role, action)
        if key in self._groups:
            return self._groups[key]
        lowered = action.lower()
        layers: list[tuple[Policy, ...]] = []
        free = True
        for policies in (found.identity, found.boundaries):
            holding = []
            for policy in policies:
                statements = policy.statements_for(lowered)
                if statements:
                    free = free and all(principal_free(s) for s in statements)
                    holding.append(policy)
            layers.append(tuple(holding))
        shared: Hashable | None = None
        if free:
            shared = (role, layers[0], layers[1], bool(found.boundaries))
        self._groups[key] = shared
        return shared

    def _trust_is_free(self, policy: Policy, action: str) -> bool:
        """Whether a resource policy answers every principal of the account alike.

        Its statements for ``action`` name principals only by account (or by
        service) and read nothing of the caller.
        """
        key = (policy, action)
        found = self._trust_free.get(key)
        if found is None:
            found = True
            for statement in policy.statements_for(action.lower()):
                named = statement.principals
                found = (
                    named is not None
                    and not named.negated
                    and not named.everyone
                    and not named.arns
                    and not named.roles
                    and principal_free(statement)
                )
                if not found:
                    break
            self._trust_free[key] = found
        return found

    def allowed(
        self,
        principal: str,
        action: str,
        resources: Sequence[str],
        extra: Mapping[str, str] | None = None,
    ) -> list[Call]:
        """The allowed calls of ``action`` on ``resources``, in their order.

        Each is decided by the engine, but once per ``group`` of principals
        and sequence of resources (keep the sequence object to share
        answers): a resource whose policy names principals one by one is
        asked per principal, the others once for the group, after narrowing
        to what the identity statements name. A principal whose statements
        read the principal itself is asked alone, after narrowing with its
        own variable values.
        """
        shared = self.group(principal, action)
        identity: tuple[Policy, ...] | None = None
        own: set[str] = set()
        if shared is None:
            split = self._split(principal, action, extra)
            if split is None:
                return self._allowed_alone(principal, action, resources, extra)
            shared, identity, own = split
        extra_key = tuple(sorted((extra or {}).items()))
        key = (shared, action, id(resources), extra_key)
        cached = self._allowed.get(key)
        if cached is None or cached[0] is not resources:
            answers = self._answers(principal, action, resources, extra, identity)
            cached = (resources, answers)
            self._allowed[key] = cached
        calls: list[Call] = []
        for answer in cached[1]:
            if isinstance(answer, str):
                if answer not in own:
                    found = self.call(principal, action, answer, extra)
                    if found is not None:
                        calls.append(found)
            elif answer.resource not in own:
                calls.append(answer)
        if own:
            positions = self._positions(resources)
            for resource in own.intersection(positions):
                found = self.call(principal, action, resource, extra)
                if found is not None:
                    calls.append(found)
            calls.sort(key=lambda call: positions[call.resource])
        return calls

    def _split(
        self, principal: str, action: str, extra: Mapping[str, str] | None
    ) -> tuple[Hashable, tuple[Policy, ...], set[str]] | None:
        """A group for a principal whose only statements reading it are Allows
        naming literal resources (``user/${aws:username}``).

        On any other resource those statements cover nothing, so the answer
        is the one for the policies without them (same names, same statement
        labels, so the same reasons), shared with every principal holding
        the rest. Returns that group, those policies and the principal's own
        resources (asked for it alone), or None.
        """
        found = self.principal(principal)
        lowered = action.lower()
        boundaries = tuple(p for p in found.boundaries if p.statements_for(lowered))
        for policy in boundaries:
            if not all(principal_free(s) for s in policy.statements_for(lowered)):
                return None
        view: PrincipalView | None = None
        identity: list[Policy] = []
        own: set[str] = set()
        for policy in found.identity:
            statements = policy.statements_for(lowered)
            reading = [s for s in statements if not principal_free(s)]
            if not reading:
                if statements:
                    identity.append(policy)
                continue
            for statement in reading:
                matcher = statement.resources
                if statement.effect is not Effect.ALLOW or matcher is None:
                    return None
                if matcher.negated:
                    return None
                view = view or self._view(found, extra)
                for pattern in matcher.patterns:
                    names = literal(pattern, view, policy.variables_enabled)
                    if names is None:
                        return None
                    own.update(names)
            identity.append(self._without_reading(policy, lowered))
        role = ":role/" in principal
        shared = ("split", role, tuple(identity), boundaries, bool(found.boundaries))
        return shared, tuple(identity), own

    def _without_reading(self, policy: Policy, action: str) -> Policy:
        """``policy`` as ``action`` sees it, less the statements reading the
        principal (one copy per policy and action)."""
        key = (policy, action)
        found = self._stripped.get(key)
        if found is None:
            kept = tuple(s for s in policy.statements_for(action) if principal_free(s))
            found = Policy(policy.name, policy.version, kept)
            self._stripped[key] = found
        return found

    def _answers(
        self,
        principal: str,
        action: str,
        resources: Sequence[str],
        extra: Mapping[str, str] | None,
        identity: tuple[Policy, ...] | None = None,
    ) -> list[Call | str]:
        """For a group: each allowed call, or the resource to ask per principal."""
        answers: list[Call | str] = []
        for resource in self._candidates(principal, action, resources, extra):
            policy = self.resource_policy(action, resource)
            if policy is not None and not self._trust_is_free(policy, action):
                answers.append(resource)
                continue
            found = self.call(principal, action, resource, extra, identity)
            if found is not None:
                answers.append(found)
        return answers

    def _candidates(
        self,
        principal: str,
        action: str,
        resources: Sequence[str],
        extra: Mapping[str, str] | None,
    ) -> list[str]:
        """The ``resources`` worth asking about: those some live identity Allow
        names, and those with a resource policy, in their order."""
        positions = self._positions(resources)
        asked = set(self.narrow(principal, action, resources, extra))
        asked.update(self._with_policy(action, resources))
        return sorted(asked, key=positions.__getitem__)

    def _allowed_alone(
        self,
        principal: str,
        action: str,
        resources: Sequence[str],
        extra: Mapping[str, str] | None,
    ) -> list[Call]:
        calls: list[Call] = []
        for resource in self._candidates(principal, action, resources, extra):
            found = self.call(principal, action, resource, extra)
            if found is not None:
                calls.append(found)
        return calls

    def _policy_set(self, principal: Principal) -> PolicySet:
        found = self._sets.get(principal.arn)
        if found is None:
            found = PolicySet(
                identity=principal.identity, boundaries=principal.boundaries
            )
            self._sets[principal.arn] = found
        return found

    def _is_uniform(self, principal: Principal, action: str) -> bool:
        lowered = action.lower()
        return all(
            statement.unconditional
            for policy in (*principal.identity, *principal.boundaries)
            for statement in policy.statements_for(lowered)
        )

    def evaluate(
        self,
        principal_arn: str,
        action: str,
        resource: str,
        extra: Mapping[str, str] | None = None,
        identity: tuple[Policy, ...] | None = None,
    ) -> Evaluation:
        """The engine's answer; ``identity`` replaces the principal's identity
        policies (a group's, see ``allowed``)."""
        principal = self.principal(principal_arn)
        policy = self.resource_policy(action, resource)
        # Unconditional statements ignore the context, so extra keys do not
        # change a uniform answer.
        shortcut = policy is None and resource != ANY and identity is None
        if shortcut:
            cached = self._uniform.get((principal_arn, action))
            if cached is not None:
                return cached
        context = self.context.keys(principal.arn, region_of(resource))
        context.update(
            (f"aws:PrincipalTag/{key}", value) for key, value in principal.tags.items()
        )
        context.update(extra or {})
        request = Request(
            principal=principal.arn,
            action=action,
            resource=resource,
            context=context,
            principal_id=principal.principal_id,
        )
        if identity is not None:
            policies = PolicySet(
                identity=identity, resource=policy, boundaries=principal.boundaries
            )
        elif policy is None:
            policies = self._policy_set(principal)
        else:
            policies = PolicySet(
                identity=principal.identity,
                resource=policy,
                boundaries=principal.boundaries,
            )
        result = evaluate(request, policies)
        if shortcut and self._is_uniform(principal, action):
            self._uniform[(principal_arn, action)] = result
        return result

    def call(
        self,
        principal: str,
        action: str,
        resource: str,
        extra: Mapping[str, str] | None = None,
        identity: tuple[Policy, ...] | None = None,
    ) -> Call | None:
        """The allowed call with its evidence, or None when it is denied."""
        result = self.evaluate(principal, action, resource, extra, identity)
        if not result.allowed:
            log.debug("%s may not %s on %s", principal, action, resource)
            return None
        return Call(
            action=action,
            resource=resource,
            allowed_by=tuple(
                AllowedBy.of(reason)
                for reason in result.reasons
                if reason.layer is not Layer.SCP or reason.policy
            ),
            context=tuple(sorted((extra or {}).items())),
        )

    def first_call(
        self,
        principal: str,
        action: str,
        resources: Iterable[str],
        extra: Mapping[str, str] | None = None,
    ) -> Call | None:
        """The first of ``resources`` on which the call is allowed."""
        candidates = list(resources)
        named = set(self.narrow(principal, action, candidates, extra))
        for resource in candidates:
            if resource not in named and not self.resource_policy(action, resource):
                continue
            found = self.call(principal, action, resource, extra)
            if found is not None:
                return found
        return None

    def first_call_of(
        self, principal: str, actions: Iterable[str], resource: str
    ) -> Call | None:
        """The first of ``actions`` allowed on ``resource``."""
        for action in actions:
            if self.could(principal, action):
                found = self.call(principal, action, resource)
                if found is not None:
                    return found
        return None

    def new_resource_call(
        self, principal: str, action: str, template: str
    ) -> Call | None:
        """A call creating a resource whose name the attacker picks.

        ``template`` is the ARN of a resource of the right type with ``*``
        for the parts the attacker chooses (``arn:aws:lambda:R:A:function:*``).
        Tried: one concrete name, then one concrete instance of each Resource
        pattern of the principal's Allow statements of the same service, so
        an allow scoped to ``function:dev-*`` is found.
        """
        shared = self.group(principal, action)
        key = (shared, action, template)
        if shared is not None and key in self._created:
            return self._created[key]
        found = self._new_resource_call(principal, action, template)
        if shared is not None:
            # The candidates come from the group's statements, and the
            # created resource has no policy: one answer serves the group.
            self._created[key] = found
        return found

    def _new_resource_call(
        self, principal: str, action: str, template: str
    ) -> Call | None:
        candidates = [template.replace("*", "chaincut-probe")]
        service = template.split(":", 3)[2] if template.startswith("arn:") else ""
        account = self.snapshot.account_id
        region = self.snapshot.regions[0] if self.snapshot.regions else ""
        for pattern in self.allow_patterns(principal, action):
            if "${" in pattern:
                continue  # a variable's value is not the attacker's to pick
            instance = instance_of(pattern, region, account)
            if instance is not None and instance.split(":", 3)[2:3] == [service]:
                candidates.append(instance)
        return self.first_call(principal, action, dict.fromkeys(candidates))


def principal_free(statement: Statement) -> bool:
    """Whether ``statement`` decides alike for every principal holding it.

    No policy variable in its resources or condition values, and no
    condition on a key derived from the principal or its tags.
    """
    resources = statement.resources
    if resources is not None and resources.uses_variables:
        return False
    return all(
        not condition.dynamic and not condition.key.startswith(PRINCIPAL_KEYS)
        for condition in statement.conditions
    )


def instance_of(pattern: str, region: str, account: str) -> str | None:
    """One concrete ARN matched by a wildcard pattern, or None for ``*``."""
    parts = pattern.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    if "*" in parts[3] or "?" in parts[3]:
        parts[3] = region
    if "*" in parts[4] or "?" in parts[4]:
        parts[4] = account
    parts[5] = parts[5].replace("*", "x").replace("?", "x")
    return ":".join(parts)
