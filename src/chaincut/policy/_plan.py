"""Evaluation plans: the statements that can concern one action, by layer.

A policy set is asked about the same actions again and again (the lab per
API call, the attack graph thousands of times), so the work that depends only
on the policies and the action is done once and kept: which statements'
``Action`` covers the action, split into the denies to check and, per layer
(each SCP level, identity, boundary, session), the allows to try in order,
each with the ``Reason`` it would give. What remains per request is the
principal, the resource and the conditions.

The same holds one step further for a resource asked about more than once:
a plan then keeps ``Checks`` for that resource, where statements whose
``Resource`` cannot cover it are gone, those that surely cover it no longer
look at it, and an Allow with a condition that fails closed is gone (it can
never match). A slot whose first remaining Allow has nothing left to check
is settled without looking at the request, and a decision with nothing left
to check is made once (``Checks.decisions``). A resource asked about once
uses the plan's general ``Checks``, so a scan over many distinct resources
does not pay for building them.

The caller side of a plan is cached per tuple of policies rather than per
``PolicySet``, so one principal asked about many resources, each with its own
resource policy, builds it once per action.

Assumptions: policies are immutable once parsed (frozen values compared by
identity), so a plan never goes stale.

Limits: the most recent 65,536 plans are kept process-wide, and they keep
their policies alive until pushed out; a ``PolicySet`` keeps its own plans
for its whole life. Each plan keeps ``Checks`` for at most 512 resources and
remembers at most 512 more it has seen once; past either bound that memory
restarts empty.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from chaincut.policy._conditions import Condition
from chaincut.policy._match import ResourceMatcher
from chaincut.policy._model import (
    Decision,
    Effect,
    Evaluation,
    Layer,
    Outcome,
    Policy,
    PolicySet,
    Reason,
    Statement,
)
from chaincut.policy._principals import Grant

# A statement and the reason it gives if it matches.
Entry = tuple[Statement, Reason]
# What is left to check of a statement for a request: the reason it gives,
# its resource element (None once known to cover the resource) and the
# conditions that can fail (none: the statement surely applies).
Check = tuple[Reason, ResourceMatcher | None, tuple[Condition, ...]]
# One required slot of a decision: the allows to try (None for the resource
# policy's, found per request) and the reason given when none applies.
Step = tuple[tuple[Check, ...] | None, Reason]
# A decision left to make per request, or made once and for all.
Decided = Evaluation | tuple[Step, ...]
# What the evaluator knows of a request that decides which slots must allow:
# (same account, how the resource policy named the caller, whether the
# resource policy must allow), or "service" or "root" (see ``_evaluate``).
Situation = tuple[bool, Grant | None, bool] | str
# Where the resource policy stands among the slots that must allow.
RESOURCE_SLOT = -1
IDENTITY, BOUNDARY, SESSION = range(3)
# Bound on each plan's memory of resources (see the module docstring).
_RESOURCE_LIMIT = 512


class Checks:
    """The statements of a plan left to check for requests, in order.

    ``denies`` in the order their reasons are given; ``sure_denies`` their
    reasons when none has anything left to check (else None), and ``denied``
    the decision those make alone when there are some; ``allows`` per slot,
    up to the first that surely applies. ``mandatory`` says, when the
    resource is known, whether its own policy must allow even within the
    account. ``decisions`` is filled by the evaluator, per situation of the
    request (mainly how the resource policy named the caller).
    """

    __slots__ = (
        "allows",
        "decisions",
        "denied",
        "denies",
        "mandatory",
        "sure_denies",
    )

    def __init__(
        self,
        denies: tuple[Check, ...],
        allows: tuple[tuple[Check, ...], ...],
        mandatory: bool | None,
        decisions: dict[Situation, Decided] | None = None,
    ) -> None:
        """``allows`` are cut after each slot's first sure check by the caller;
        ``decisions`` may be shared by checks with the same allows."""
        self.denies = denies
        self.sure_denies = _sure_reasons(denies)
        self.denied = (
            Evaluation(Decision.EXPLICIT_DENY, self.sure_denies)
            if self.sure_denies
            else None
        )
        self.allows = allows
        self.mandatory = mandatory
        self.decisions: dict[Situation, Decided] = (
            {} if decisions is None else decisions
        )


def sure(check: Check) -> bool:
    """Whether nothing is left to check: the statement applies."""
    return check[1] is None and not check[2]


def _sure_reasons(denies: tuple[Check, ...]) -> tuple[Reason, ...] | None:
    for check in denies:
        if check[1] is not None or check[2]:
            return None
    return tuple(check[0] for check in denies)


def _through_first_sure(checks: tuple[Check, ...]) -> tuple[Check, ...]:
    # Allows after a slot's first sure one are never reached.
    for index, check in enumerate(checks):
        if check[1] is None and not check[2]:
            return checks[: index + 1]
    return checks


def _narrowed(
    checks: tuple[Check, ...], resource: str, *, allows: bool = False
) -> tuple[Check, ...]:
    """``checks`` for ``resource`` alone: those whose resource element cannot
    cover it dropped, those it surely covers without it. Unchanged checks are
    returned as they are (most are: many slots have nothing to settle)."""
    out: list[Check] | None = None
    for index, check in enumerate(checks):
        resources = check[1]
        covers = None if resources is None else resources.settled(resource)
        if covers is None:
            if out is not None:
                out.append(check)
            continue
        if out is None:
            out = list(checks[:index])
        if covers:
            out.append((check[0], None, check[2]))
    if out is None:
        return checks
    # A check made sure may hide the allows after it.
    return _through_first_sure(tuple(out)) if allows else tuple(out)


def _check(statement: Statement, reason: Reason) -> Check | None:
    """What is left to check of a statement once its action matched.

    None for an Allow with a condition that fails closed: it never matches.
    A Deny ignores such conditions: it applies as if they held.
    """
    resources = statement.resources
    if statement.unconditional:
        return (reason, None, ())
    broken = any(condition.broken for condition in statement.conditions)
    if broken and statement.effect is Effect.ALLOW:
        return None
    live = tuple(c for c in statement.conditions if not c.broken)
    if resources is not None and not resources.negated and "*" in resources.patterns:
        # "*" covers every resource: nothing to look at.
        resources = None
    return (reason, resources, live)


def _checks(entries: Iterable[Entry]) -> tuple[Check, ...]:
    return tuple(
        check for statement, reason in entries if (check := _check(statement, reason))
    )


class Plan:
    """Per slot the no-allow reason, and the checks, general and per resource.

    Slots are the SCP levels in order, then identity, boundary and session
    (see ``IDENTITY``, ``BOUNDARY``, ``SESSION``: offsets after the levels).
    """

    __slots__ = (
        "_open_denies",
        "_open_slots",
        "_seen",
        "action",
        "boundary",
        "by_resource",
        "general",
        "levels",
        "missing",
        "session",
    )

    def __init__(
        self,
        action: str,
        denies: tuple[Check, ...],
        allows: tuple[tuple[Check, ...], ...],
        missing: tuple[Reason, ...],
        *,
        boundary: bool,
        session: bool,
    ) -> None:
        self.action = action
        # Whether the policy set has a boundary, a session policy: each must
        # then allow too.
        self.boundary = boundary
        self.session = session
        self.general = Checks(denies, allows, None)
        # What narrowing to a resource can change: the slots, and whether
        # the denies, with a check that looks at the resource.
        self._open_slots = tuple(
            index
            for index, checks in enumerate(allows)
            if any(resources is not None for _, resources, _ in checks)
        )
        self._open_denies = any(resources is not None for _, resources, _ in denies)
        self.missing = missing
        self.levels = len(allows) - 3
        # Checks narrowed to a resource, read directly by the evaluator.
        self.by_resource: dict[str, Checks] = {}
        self._seen: set[str] = set()

    def checks(self, resource: str) -> Checks:
        """The checks for a request on ``resource``.

        Narrowed to the resource from its second request on; the first uses
        the general checks, which give the same answers.
        """
        found = self.by_resource.get(resource)
        if found is not None:
            return found
        if resource not in self._seen:
            if len(self._seen) >= _RESOURCE_LIMIT:
                self._seen.clear()
            self._seen.add(resource)
            return self.general
        if len(self.by_resource) >= _RESOURCE_LIMIT:
            self.by_resource.clear()
        found = self._narrowed(resource)
        self.by_resource[resource] = found
        return found

    def _narrowed(self, resource: str) -> Checks:
        """The general checks for requests on ``resource`` alone."""
        general = self.general
        denies = general.denies
        if self._open_denies:
            denies = _narrowed(denies, resource)
        allows = general.allows
        decisions: dict[Situation, Decided] | None = general.decisions
        if self._open_slots:
            slots = list(allows)
            for index in self._open_slots:
                slots[index] = _narrowed(allows[index], resource, allows=True)
            if any(new is not old for new, old in zip(slots, allows, strict=True)):
                allows = tuple(slots)
                decisions = None
        # Same allows, same decisions: those are kept per situation, which
        # says whether the resource policy must allow.
        mandatory = resource_policy_required(self.action, resource)
        return Checks(denies, allows, mandatory, decisions)


def resource_policy_required(action: str, resource: str) -> bool:
    """Whether the resource policy must allow even within the account.

    A role's trust policy must allow ``sts:AssumeRole*`` and a KMS key's
    policy must allow its use: identity policies alone grant neither.
    """
    if action.startswith("sts:assumerole"):
        return True
    if ":kms:" not in resource:
        return False
    parts = resource.split(":", 3)
    return len(parts) > 2 and parts[0] == "arn" and parts[2] == "kms"


def plan_for(policies: PolicySet, action: str) -> tuple[Plan, tuple[Entry, ...], str]:
    """The caller-side plan for an action (as the request spells it), the
    resource policy's entries, and the lowercased action; kept on the set."""
    known: tuple[Plan, tuple[Entry, ...], str] | None = policies._plans.get(action)
    if known is not None:
        return known
    lowered = action.lower()
    plan = _caller_plan(
        policies.scp_levels or (),
        policies.identity,
        policies.boundaries,
        policies.session,
        lowered,
    )
    resource = policies.resource
    entries = (
        () if resource is None else _entries(resource, lowered, Layer.RESOURCE, None)
    )
    # Keyed by the action as written, so a request needs no lowercasing.
    policies._plans[action] = (plan, entries, lowered)
    return plan, entries, lowered


@functools.lru_cache(maxsize=65536)
def _entries(
    policy: Policy, action: str, layer: Layer, level: int | None
) -> tuple[Entry, ...]:
    return tuple(
        (statement, policy.reason(statement, layer, level))
        for statement in policy.statements_for(action)
    )


@functools.lru_cache(maxsize=65536)
def _policy_checks(
    policy: Policy, action: str, layer: Layer, level: int | None
) -> tuple[tuple[Check, ...], tuple[Check, ...], tuple[Check, ...]]:
    """One policy's checks for an action: its denies with no condition and a
    Resource of "*", its other denies, and its allows (kept per policy, as
    a managed policy is attached to many principals)."""
    entries = _entries(policy, action, layer, level)
    denies = [(s, r) for s, r in entries if s.effect is Effect.DENY]
    return (
        _checks(e for e in denies if e[0].unconditional),
        _checks(e for e in denies if not e[0].unconditional),
        _checks(e for e in entries if e[0].effect is Effect.ALLOW),
    )


@functools.lru_cache(maxsize=256)
def _no_allow(layer: Layer, level: int | None) -> Reason:
    return Reason(Outcome.NO_ALLOW, layer, scp_level=level)


@functools.lru_cache(maxsize=65536)
def _caller_plan(
    scp_levels: tuple[tuple[Policy, ...], ...],
    identity: tuple[Policy, ...],
    boundaries: tuple[Policy, ...],
    session: Policy | None,
    action: str,
) -> Plan:
    groups: list[tuple[Layer, int | None, tuple[Policy, ...]]] = [
        (Layer.SCP, level, scps) for level, scps in enumerate(scp_levels)
    ]
    groups += [
        (Layer.IDENTITY, None, identity),
        (Layer.BOUNDARY, None, boundaries),
        (Layer.SESSION, None, () if session is None else (session,)),
    ]
    # Denies with no condition and a Resource of "*" hold for any request of
    # the action: their reasons come first, known without looking.
    first: list[Check] = []
    later: list[Check] = []
    allows: list[tuple[Check, ...]] = []
    for layer, level, group in groups:
        slot: list[Check] = []
        for policy in group:
            sure_denies, other_denies, policy_allows = _policy_checks(
                policy, action, layer, level
            )
            first += sure_denies
            later += other_denies
            slot += policy_allows
        allows.append(_through_first_sure(tuple(slot)))
    return Plan(
        action,
        (*first, *later),
        tuple(allows),
        tuple(_no_allow(layer, level) for layer, level, _ in groups),
        boundary=bool(boundaries),
        session=session is not None,
    )
