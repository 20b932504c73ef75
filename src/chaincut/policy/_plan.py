"""Evaluation plans: the statements that can concern one action.

A ``PolicySet`` is asked about the same actions and resources again and
again (the lab per API call, the attack graph thousands of times), so the
work that depends only on the policies and the action is done once and
kept: which statements' ``Action`` covers the action, in layer order, and
the ``Reason`` each would give. What remains per request is the principal,
the resource (itself memoised per statement, see ``_match``) and the
conditions.

Assumptions: policies are immutable once parsed (they are frozen values), so
a plan never goes stale. Memory: the most recent 65,536 plans (one per
caller side and action) are kept, and they keep their policies alive.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from chaincut.policy._model import (
    Layer,
    Outcome,
    Policy,
    PolicySet,
    Reason,
    Statement,
)

# One statement to look at: its slot (a layer, or an SCP level), the
# statement, whether it belongs to the resource policy, and the reason to
# give if it matches.
Entry = tuple[int, Statement, bool, Reason]


class Plan:
    """The entries for one action, in layer order, and each slot's no-allow reason."""

    __slots__ = ("entries", "slots")

    def __init__(self, entries: tuple[Entry, ...], slots: tuple[Reason, ...]) -> None:
        self.entries = entries
        self.slots = slots


def plan_for(policies: PolicySet, action: str) -> tuple[Plan, tuple[Entry, ...]]:
    """The caller-side plan for one (lowercased) action, and the resource entries.

    The caller side (SCPs, identity, boundary, session) is cached across
    policy sets, so one principal asked about many resources, each with its
    own resource policy, builds its plan once per action.
    """
    plan = _caller_plan(
        policies.scp_levels or (),
        policies.identity,
        policies.boundaries,
        policies.session,
        action,
    )
    resource = policies.resource
    if resource is None:
        return plan, ()
    slot = len(plan.slots) - 4
    return plan, tuple(
        (slot, statement, True, resource.reason(statement, Layer.RESOURCE, None))
        for statement in resource.statements_for(action)
    )


@functools.lru_cache(maxsize=65536)
def _caller_plan(
    scp_levels: tuple[tuple[Policy, ...], ...],
    identity: tuple[Policy, ...],
    boundaries: tuple[Policy, ...],
    session: Policy | None,
    action: str,
) -> Plan:
    slots: list[Reason] = []
    entries: list[Entry] = []

    def add(layer: Layer, level: int | None, group: Iterable[Policy]) -> None:
        slot = len(slots)
        slots.append(Reason(Outcome.NO_ALLOW, layer, scp_level=level))
        for policy in group:
            for statement in policy.statements_for(action):
                reason = policy.reason(statement, layer, level)
                entries.append((slot, statement, False, reason))

    # The order here fixes the slot offsets ``_evaluate`` relies on: SCP levels,
    # then resource (its entries come from ``plan_for``), identity, boundary,
    # session.
    for level, scps in enumerate(scp_levels):
        add(Layer.SCP, level, scps)
    add(Layer.RESOURCE, None, ())
    add(Layer.IDENTITY, None, identity)
    add(Layer.BOUNDARY, None, boundaries)
    add(Layer.SESSION, None, () if session is None else (session,))
    return Plan(tuple(entries), tuple(slots))
