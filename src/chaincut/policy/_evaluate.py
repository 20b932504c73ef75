"""The decision for one request, as AWS's policy evaluation logic describes it.

Order of reasoning (IAM User Guide, "Policy evaluation logic" and "Cross-account
policy evaluation logic"):

1. An explicit Deny in any applicable policy (SCP, resource, identity,
   boundary, session) wins. Every matching Deny is reported.
2. With ``scp_levels`` given, every level must hold an Allow.
3. Same account (the caller's account owns the resource):
   - a resource policy naming the caller directly (its user, session or
     federated-user ARN, ``*``, its service) allows on its own: AWS says an
     implicit deny in a boundary or session policy does not limit it;
   - otherwise the identity policies, or a resource policy naming the role of
     a role session, must allow, and then the boundary and the session
     policy (when present) must allow too;
   - a resource policy naming only the account delegates to IAM: the
     identity policies must allow.
   - role trust policies (``sts:AssumeRole*``) and KMS key policies must
     allow even within the account, as across accounts (next point).
4. Cross-account: the resource policy must name the caller (in any way, the
   account included) and the identity side (identity, boundary, session)
   must allow.
5. A service principal (``cloudtrail.amazonaws.com``) has no identity side:
   only the resource policy decides, and SCPs do not apply to it.

Reasons: an explicit deny lists every matching Deny statement; an allow
lists the statement that allowed in each layer that had to; an implicit deny
lists every layer (or SCP level) that had to allow and did not.

Context keys AWS derives from the principal (``aws:username``, ``aws:userid``,
``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:PrincipalType``) are
filled in when the request does not give them.

What depends only on the policies, the action and the resource (which
statements can apply, and a decision that needs nothing from the request)
comes from the plans of ``_plan``; a decision made once is returned as the
same (immutable) ``Evaluation`` to every request it fits.

Limits: no resource control policies, no VPC endpoint policies, no ACLs; SCPs
apply whenever given (the management account and service-linked roles are not
exempted); the account root user is allowed by its identity side in its own
account; ``aws:userid`` is known only from ``Request.principal_id`` (or the
account ID for the root user); the role ARN derived from a session has no path;
anonymous callers are not modelled (a principal string that is neither an
ARN nor a service gets no identity side and no account, so only a
cross-account style double allow could pass, which it cannot have).
"""

from __future__ import annotations

import functools

from chaincut.policy._conditions import Condition
from chaincut.policy._match import ResourceMatcher
from chaincut.policy._model import (
    ContextValue,
    Decision,
    Effect,
    Evaluation,
    Layer,
    Outcome,
    PolicySet,
    Reason,
    Request,
    Statement,
)
from chaincut.policy._plan import (
    BOUNDARY,
    IDENTITY,
    RESOURCE_SLOT,
    SESSION,
    Checks,
    Decided,
    Plan,
    Situation,
    Step,
    plan_for,
    resource_policy_required,
    sure,
)
from chaincut.policy._principals import (
    Caller,
    CallerKind,
    Grant,
    account_of_arn,
    parse_caller,
)


def _as_strings(value: ContextValue) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    items = value if isinstance(value, list | tuple) else (value,)
    return tuple(
        ("true" if item else "false") if isinstance(item, bool) else str(item)
        for item in items
    )


@functools.lru_cache(maxsize=16384)
def _principal(
    principal: str, principal_id: str | None
) -> tuple[Caller, dict[str, tuple[str, ...]]]:
    """The principal and the context keys AWS derives from it.

    The dictionary is shared between requests: copy it before changing it.
    """
    caller = parse_caller(principal)
    if caller.kind is CallerKind.SERVICE:
        derived: dict[str, str | None] = {"aws:principalservicename": caller.name}
    else:
        derived = {
            "aws:principalarn": caller.role_arn or caller.arn,
            "aws:principalaccount": caller.account,
            "aws:principaltype": caller.principal_type,
            "aws:username": caller.name if caller.kind is CallerKind.USER else None,
            "aws:userid": principal_id
            or (caller.account if caller.kind is CallerKind.ROOT else None),
        }
    return caller, {
        key: (value,) for key, value in derived.items() if value is not None
    }


class _View:
    """One request as the matchers see it; the context is read on first use."""

    __slots__ = ("_given", "derived", "request", "resource")

    def __init__(self, request: Request, derived: dict[str, tuple[str, ...]]) -> None:
        self.request = request
        self.resource = request.resource
        self.derived = derived
        self._given: dict[str, ContextValue] | None = None

    def values(self, key: str) -> tuple[str, ...] | None:
        """The values of a (lowercased) condition key; given keys win over derived."""
        given = self._given
        if given is None:
            context = self.request.context
            if not context:
                return self.derived.get(key)
            given = {name.lower(): value for name, value in context.items()}
            self._given = given
        value = given.get(key)
        if value is None:
            return self.derived.get(key)
        return _as_strings(value)

    def lookup(self, key: str) -> str | None:
        """The single value of a key, for a policy variable; None otherwise."""
        found = self.values(key)
        return found[0] if found is not None and len(found) == 1 else None

    def holds(
        self, resources: ResourceMatcher | None, conditions: tuple[Condition, ...]
    ) -> bool:
        """What a plan left to check of a statement holds for this request."""
        if resources is not None and not resources.applies(self.resource, self.lookup):
            return False
        for condition in conditions:
            if not condition.holds(self.values, self.lookup):
                return False
        return True

    def covers(self, statement: Statement) -> bool:
        """Resource and conditions match (the plan already matched the action)."""
        resources = statement.resources
        if resources is not None and not resources.applies(self.resource, self.lookup):
            return False
        if not statement.conditions:
            return True
        for condition in statement.conditions:
            if condition.broken:
                # Fail closed: never excuse an Allow, never excuse away a Deny.
                if statement.effect is Effect.ALLOW:
                    return False
                continue
            if not condition.holds(self.values, self.lookup):
                return False
        return True


def _better(new: Grant | None, old: Grant | None) -> bool:
    """Whether a resource-policy grant outranks the one already found."""
    return new is not None and (old is None or new < old)


_NO_RESOURCE_ALLOW = Reason(Outcome.NO_ALLOW, Layer.RESOURCE)
_ROOT_USER = Reason(Outcome.ALLOWED, Layer.IDENTITY, "account root user")
# Keys of ``Checks.decisions`` besides (same account, grant, mandatory).
_SERVICE = "service"
_ROOT = "root"


def evaluate(request: Request, policies: PolicySet) -> Evaluation:
    """Decide ``request`` against ``policies``; the reasons say which layer did."""
    known = policies._plans.get(request.action)
    plan, resource_entries, action = known or plan_for(policies, request.action)
    caller, derived = _principal(request.principal, request.principal_id)
    view = _View(request, derived)
    checks = plan.by_resource.get(request.resource) or plan.checks(request.resource)
    denies: list[Reason] = []

    resource: Reason | None = None
    grant: Grant | None = None
    for statement, reason in resource_entries:
        principals = statement.principals
        found = None if principals is None else principals.grant(caller)
        if found is None:
            continue
        if statement.effect is Effect.DENY:
            if statement.unconditional or view.covers(statement):
                denies.append(reason)
        elif _better(found, grant) and (
            statement.unconditional or view.covers(statement)
        ):
            resource, grant = reason, found

    # A service principal has no identity side, and SCPs do not apply to it.
    service = caller.kind is CallerKind.SERVICE
    if not service:
        sure = checks.sure_denies
        if sure is None:
            for reason, resources, conditions in checks.denies:
                if view.holds(resources, conditions):
                    denies.append(reason)
        elif sure:
            if not denies and checks.denied is not None:
                return checks.denied
            denies += sure
    if denies:
        return Evaluation(Decision.EXPLICIT_DENY, tuple(denies))

    if service:
        return _decide(view, plan, checks, _SERVICE, resource)
    resource_account = (
        request.resource_account or account_of_arn(request.resource) or caller.account
    )
    same_account = caller.account is not None and caller.account == resource_account
    if caller.kind is CallerKind.ROOT and same_account:
        # The account root user in its own account: only SCPs limit it.
        result = _decide(view, plan, checks, _ROOT, resource)
        if result.allowed:
            return Evaluation(Decision.ALLOW, (*result.reasons, _ROOT_USER))
        return result
    # Only asked when it can matter: a same-account request that the resource
    # policy does not settle by naming the caller or its role.
    mandatory = (
        same_account
        and (grant is None or grant is Grant.ACCOUNT)
        and (
            resource_policy_required(action, request.resource)
            if checks.mandatory is None
            else checks.mandatory
        )
    )
    return _decide(view, plan, checks, (same_account, grant, mandatory), resource)


def _decide(
    view: _View,
    plan: Plan,
    checks: Checks,
    situation: Situation,
    resource: Reason | None,
) -> Evaluation:
    """Allow when every required slot has an allow; otherwise say which had none."""
    decided = checks.decisions.get(situation)
    if decided is None:
        required = _required(plan, situation)
        decided = checks.decisions[situation] = _steps(plan, checks, required)
    if isinstance(decided, Evaluation):
        return decided
    allowed: list[Reason] = []
    missing: list[Reason] = []
    for candidates, absent in decided:
        if candidates is None:
            hit = resource
        else:
            hit = None
            for reason, resources, conditions in candidates:
                if view.holds(resources, conditions):
                    hit = reason
                    break
        if hit is None:
            missing.append(absent)
        else:
            allowed.append(hit)
    if missing:
        return Evaluation(Decision.IMPLICIT_DENY, tuple(missing))
    return Evaluation(Decision.ALLOW, tuple(allowed))


def _required(plan: Plan, situation: Situation) -> tuple[int, ...]:
    """The slots that must each allow in a situation (see ``evaluate``)."""
    if isinstance(situation, str):
        # A service: its resource policy alone; the root user: the SCPs alone.
        return (RESOURCE_SLOT,) if situation == _SERVICE else tuple(range(plan.levels))
    same_account, grant, mandatory = situation
    return _required_slots(
        plan.levels, same_account, grant, plan.boundary, plan.session, mandatory
    )


def _steps(plan: Plan, checks: Checks, required: tuple[int, ...]) -> Decided:
    """The required slots in order, or the decision itself when no slot has
    anything left to check (each has no allow, or one that surely applies)."""
    steps: list[Step] = []
    allowed: list[Reason] = []
    missing: list[Reason] = []
    settled = True
    for slot in required:
        if slot == RESOURCE_SLOT:
            steps.append((None, _NO_RESOURCE_ALLOW))
            settled = False
            continue
        candidates = checks.allows[slot]
        steps.append((candidates, plan.missing[slot]))
        if not candidates:
            missing.append(plan.missing[slot])
        elif sure(candidates[0]):
            allowed.append(candidates[0][0])
        else:
            settled = False
    if not settled:
        return tuple(steps)
    if missing:
        return Evaluation(Decision.IMPLICIT_DENY, tuple(missing))
    return Evaluation(Decision.ALLOW, tuple(allowed))


def _required_slots(
    levels: int,
    same_account: bool,
    grant: Grant | None,
    boundary: bool,
    session: bool,
    mandatory: bool,
) -> tuple[int, ...]:
    """The slots that must each allow, given how the resource policy named us."""
    scps = tuple(range(levels))
    if same_account and grant is Grant.DIRECT:
        # AWS: a same-account grant to the caller's own ARN is not limited by
        # an implicit deny in its boundary or session policy.
        return (*scps, RESOURCE_SLOT)
    first: tuple[int, ...]
    if same_account and grant is Grant.ROLE:
        # A grant to the session's role stands in for the identity policies.
        first = (RESOURCE_SLOT,)
    elif same_account and not mandatory:
        # Identity alone may allow; a grant to the account only delegates to
        # the identity policies.
        first = (levels + IDENTITY,)
    else:
        first = (RESOURCE_SLOT, levels + IDENTITY)
    limits = ((levels + BOUNDARY,) if boundary else ()) + (
        (levels + SESSION,) if session else ()
    )
    return scps + first + limits
