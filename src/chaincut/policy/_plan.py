"""Evaluation plans: the statements that can concern one action, by layer.

A policy set is asked about the same actions again and again (the lab per
API call, the attack graph thousands of times), so the work that depends only
on the policies and the action is done once and kept: which statements'
``Action`` covers the action, split into the denies to check and, per layer
(each SCP level, identity, boundary, session), the allows to try in order,
each with the ``Reason`` it would give. What remains per request is the
principal, the resource (memoised per statement, see ``_match``) and the
conditions.

The caller side of a plan is cached per tuple of policies rather than per
``PolicySet``, so one principal asked about many resources, each with its own
resource policy, builds it once per action.

Assumptions: policies are immutable once parsed (frozen values compared by
identity), so a plan never goes stale.

Limits: the most recent 65,536 plans are kept process-wide, and they keep
their policies alive until pushed out; a ``PolicySet`` keeps its own plans
for its whole life.
"""

from __future__ import annotations

import functools

from chaincut.policy._model import (
    Effect,
    Layer,
    Outcome,
    Policy,
    PolicySet,
    Reason,
    Statement,
)

# A statement to check and the reason it gives if it matches.
Entry = tuple[Statement, Reason]


class Plan:
    """Denies to check, and per slot the allows to try and the no-allow reason.

    Slots are the SCP levels in order, then identity, boundary and session
    (see ``IDENTITY``, ``BOUNDARY``, ``SESSION``: offsets after the levels).
    """

    __slots__ = ("allows", "denies", "levels", "missing", "sure_denies")

    def __init__(
        self,
        denies: tuple[Entry, ...],
        allows: tuple[tuple[Entry, ...], ...],
        missing: tuple[Reason, ...],
    ) -> None:
        # Denies with no condition and a Resource of "*" hold for any request
        # of the action: their reasons are known without looking.
        self.sure_denies = tuple(r for s, r in denies if s.unconditional)
        self.denies = tuple(e for e in denies if not e[0].unconditional)
        # Allows after a slot's first unconditional one are never reached.
        self.allows = tuple(_through_first_unconditional(a) for a in allows)
        self.missing = missing
        self.levels = len(allows) - 3


def _through_first_unconditional(entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
    for index, (statement, _) in enumerate(entries):
        if statement.unconditional:
            return entries[: index + 1]
    return entries


IDENTITY, BOUNDARY, SESSION = range(3)


def plan_for(policies: PolicySet, action: str) -> tuple[Plan, tuple[Entry, ...]]:
    """The caller-side plan for one (lowercased) action, and the resource entries."""
    known: tuple[Plan, tuple[Entry, ...]] | None = policies._plans.get(action)
    if known is not None:
        return known
    plan = _caller_plan(
        policies.scp_levels or (),
        policies.identity,
        policies.boundaries,
        policies.session,
        action,
    )
    resource = policies.resource
    entries = (
        () if resource is None else _entries(resource, action, Layer.RESOURCE, None)
    )
    policies._plans[action] = (plan, entries)
    return plan, entries


@functools.lru_cache(maxsize=65536)
def _entries(
    policy: Policy, action: str, layer: Layer, level: int | None
) -> tuple[Entry, ...]:
    return tuple(
        (statement, policy.reason(statement, layer, level))
        for statement in policy.statements_for(action)
    )


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
    denies: list[Entry] = []
    allows: list[tuple[Entry, ...]] = []
    for layer, level, group in groups:
        entries = [e for p in group for e in _entries(p, action, layer, level)]
        denies += [e for e in entries if e[0].effect is Effect.DENY]
        allows.append(tuple(e for e in entries if e[0].effect is Effect.ALLOW))
    missing = tuple(
        Reason(Outcome.NO_ALLOW, layer, scp_level=level) for layer, level, _ in groups
    )
    return Plan(tuple(denies), tuple(allows), missing)
