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
4. Cross-account: the resource policy must name the caller (in any way, the
   account included) and the identity side (identity, boundary, session)
   must allow.
5. A service principal (``cloudtrail.amazonaws.com``) has no identity side:
   only the resource policy decides, and SCPs do not apply to it.

Context keys AWS derives from the principal (``aws:username``, ``aws:userid``,
``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:PrincipalType``) are
filled in when the request does not give them.

Limits: no resource control policies, no VPC endpoint policies, no ACLs; SCPs
apply whenever given (the management account and service-linked roles are not
exempted); the account root user is allowed by its identity side in its own
account; ``aws:userid`` is known only from ``Request.principal_id`` (or the
account ID for the root user); the role ARN derived from a session has no path.
"""

from __future__ import annotations

from collections.abc import Iterable

from chaincut.policy._model import (
    ContextValue,
    Decision,
    Effect,
    Evaluation,
    Layer,
    Outcome,
    Policy,
    PolicySet,
    Reason,
    Request,
    Statement,
)
from chaincut.policy._principals import (
    Caller,
    CallerKind,
    Grant,
    account_of_arn,
    parse_caller,
)

# Which resource-policy grant is strongest, when several statements allow.
_GRANT_RANK = {Grant.DIRECT: 0, Grant.ROLE: 1, Grant.ACCOUNT: 2}


def _as_strings(value: ContextValue) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else (value,)
    out: list[str] = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        else:
            out.append(str(item))
    return tuple(out)


class _View:
    """One request as the matchers see it; the context is built on first use."""

    __slots__ = ("_context", "action", "caller", "request")

    def __init__(self, request: Request) -> None:
        self.request = request
        self.caller = parse_caller(request.principal)
        self.action = request.action.lower()
        self._context: dict[str, tuple[str, ...]] | None = None

    @property
    def context(self) -> dict[str, tuple[str, ...]]:
        if self._context is None:
            self._context = _build_context(self.request, self.caller)
        return self._context

    def values(self, key: str) -> tuple[str, ...] | None:
        return self.context.get(key)

    def lookup(self, key: str) -> str | None:
        found = self.context.get(key)
        return found[0] if found is not None and len(found) == 1 else None


def _build_context(request: Request, caller: Caller) -> dict[str, tuple[str, ...]]:
    derived: dict[str, str | None] = {
        "aws:principalarn": caller.role_arn or caller.arn,
        "aws:principalaccount": caller.account,
        "aws:principaltype": caller.principal_type,
        "aws:username": caller.name if caller.kind is CallerKind.USER else None,
        "aws:userid": request.principal_id
        or (caller.account if caller.kind is CallerKind.ROOT else None),
    }
    if caller.kind is CallerKind.SERVICE:
        derived = {"aws:principalservicename": caller.name}
    context: dict[str, tuple[str, ...]] = {
        key: (value,) for key, value in derived.items() if value is not None
    }
    for key, value in request.context.items():
        context[key.lower()] = _as_strings(value)
    return context


def _covers(statement: Statement, view: _View) -> bool:
    """Action, resource and conditions (not the principal) all match."""
    if not statement.actions.applies(view.action):
        return False
    resources = statement.resources
    if resources is not None and not resources.applies(
        view.request.resource, view.lookup
    ):
        return False
    for condition in statement.conditions:
        if condition.broken:
            # Fail closed: never excuse an Allow, never excuse away a Deny.
            if statement.effect is Effect.ALLOW:
                return False
            continue
        if not condition.holds(view.values, view.lookup):
            return False
    return True


def _scan(
    policies: Iterable[Policy],
    layer: Layer,
    view: _View,
    denies: list[Reason],
    level: int | None = None,
) -> Reason | None:
    """The first allowing statement of a layer; matching denies go to ``denies``."""
    allow: Reason | None = None
    for policy in policies:
        for statement in policy.statements:
            if statement.effect is Effect.ALLOW and allow is not None:
                continue
            if not _covers(statement, view):
                continue
            if statement.effect is Effect.DENY:
                denies.append(
                    Reason(Outcome.DENIED, layer, policy.name, statement.label, level)
                )
            else:
                allow = Reason(
                    Outcome.ALLOWED, layer, policy.name, statement.label, level
                )
    return allow


def _scan_resource(
    policy: Policy, view: _View, denies: list[Reason]
) -> tuple[Reason | None, Grant | None]:
    best: tuple[Reason | None, Grant | None] = (None, None)
    for statement in policy.statements:
        principals = statement.principals
        grant = principals.grant(view.caller) if principals is not None else None
        if grant is None or not _covers(statement, view):
            continue
        reason = Reason(
            Outcome.DENIED if statement.effect is Effect.DENY else Outcome.ALLOWED,
            Layer.RESOURCE,
            policy.name,
            statement.label,
        )
        if statement.effect is Effect.DENY:
            denies.append(reason)
        elif best[1] is None or _GRANT_RANK[grant] < _GRANT_RANK[best[1]]:
            best = (reason, grant)
    return best


def _missing(layer: Layer, level: int | None = None) -> Reason:
    return Reason(Outcome.NO_ALLOW, layer, scp_level=level)


def evaluate(request: Request, policies: PolicySet) -> Evaluation:
    """Decide ``request`` against ``policies``; the reasons say which layer did."""
    view = _View(request)
    caller = view.caller
    service = caller.kind is CallerKind.SERVICE
    denies: list[Reason] = []

    scp: list[Reason | None] = []
    if policies.scp_levels is not None and not service:
        for level, scps in enumerate(policies.scp_levels):
            scp.append(_scan(scps, Layer.SCP, view, denies, level))
    resource, grant = (None, None)
    if policies.resource is not None:
        resource, grant = _scan_resource(policies.resource, view, denies)
    identity = boundary = session = None
    if not service:
        identity = _scan(policies.identity, Layer.IDENTITY, view, denies)
        boundary = _scan(policies.boundaries, Layer.BOUNDARY, view, denies)
        if policies.session is not None:
            session = _scan((policies.session,), Layer.SESSION, view, denies)

    if denies:
        return Evaluation(Decision.EXPLICIT_DENY, tuple(denies))

    allowed: list[Reason] = []
    missing: list[Reason] = []
    for level, found in enumerate(scp):
        _record(found, allowed, missing, Layer.SCP, level)
    if service:
        _record(resource, allowed, missing, Layer.RESOURCE)
    else:
        resource_account = (
            request.resource_account
            or account_of_arn(request.resource)
            or caller.account
        )
        if caller.kind is CallerKind.ROOT and caller.account == resource_account:
            identity = Reason(Outcome.ALLOWED, Layer.IDENTITY, "account root user")
        found_by_layer = {
            Layer.RESOURCE: resource,
            Layer.IDENTITY: identity,
            Layer.BOUNDARY: boundary,
            Layer.SESSION: session,
        }
        same_account = caller.account is not None and caller.account == resource_account
        for layer in _required_layers(policies, same_account, grant):
            _record(found_by_layer[layer], allowed, missing, layer)
    if missing:
        return Evaluation(Decision.IMPLICIT_DENY, tuple(missing))
    return Evaluation(Decision.ALLOW, tuple(allowed))


def _record(
    found: Reason | None,
    allowed: list[Reason],
    missing: list[Reason],
    layer: Layer,
    level: int | None = None,
) -> None:
    if found is None:
        missing.append(_missing(layer, level))
    else:
        allowed.append(found)


def _required_layers(
    policies: PolicySet, same_account: bool, grant: Grant | None
) -> tuple[Layer, ...]:
    """The layers that must each allow, given how the resource policy named us."""
    if same_account and grant is Grant.DIRECT:
        # AWS: a same-account grant to the caller's own ARN is not limited by
        # an implicit deny in its boundary or session policy.
        return (Layer.RESOURCE,)
    first: tuple[Layer, ...]
    if same_account:
        # Identity OR a grant to the session's role; a grant to the account
        # only delegates to the identity policies.
        first = (Layer.RESOURCE,) if grant is Grant.ROLE else (Layer.IDENTITY,)
    else:
        first = (Layer.RESOURCE, Layer.IDENTITY)
    limits: tuple[Layer, ...] = (Layer.BOUNDARY,) if policies.boundaries else ()
    if policies.session is not None:
        limits += (Layer.SESSION,)
    return first + limits
