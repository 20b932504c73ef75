"""The minimal cut: the cheapest fixes that disconnect sources from a target.

A fix (``Fix``: a kind, a subject, actions) can remove several edges at
once: a Deny of ``iam:CreateAccessKey`` on one user removes its edge to
every other user; narrowing one role's trust removes every caller's edge to
it. The flow network models this with one node per fix: edges sharing a
tail go ``tail -> fix -> heads`` with the fix's cost on the first arc;
edges sharing a head (the fix's subject is the edge's target) go
``tails -> fix -> head`` with the cost on the last arc. All other arcs are
uncuttable. A minimum cut of that network (Edmonds-Karp max flow, then the
arcs leaving the residual source side) is a cheapest set of fixes.

Weights are the fix kinds' costs (see ``FixKind``): 1 remove a leaked
credential, 1 deny creating keys or passwords for others, 2 deny IAM policy
or trust changes, 3 scope iam:PassRole, 3 deny reading configuration that
holds a credential, 4 deny control of a workload, 4 restrict a data read,
5 narrow a role's trust.

Sources default to every principal that is not an administrator and has no
one-step edge to the target. For ``admin``, the administrators form the
sink; for a data target, so do its intended readers (principals that read it
directly): the cut keeps the access the account grants on purpose and
breaks the escalations that lead to it. Give ``sources`` to ask about other
principals.

Limits: the graph is static: a fix is assumed not to open new edges; costs
are per fix kind, not per environment.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING

from chaincut.errors import InputError
from chaincut.graph._model import Cut, Fix, FixKind

if TYPE_CHECKING:
    from chaincut.graph._graph import AttackGraph

_INFINITE = 10**12
_SOURCE = "\0source"


class _Network:
    def __init__(self) -> None:
        self.capacity: dict[str, dict[str, int]] = {}

    def arc(self, tail: str, head: str, capacity: int) -> None:
        arcs = self.capacity.setdefault(tail, {})
        arcs[head] = min(_INFINITE, arcs.get(head, 0) + capacity)
        self.capacity.setdefault(head, {}).setdefault(tail, 0)

    def max_flow(self, source: str, sink: str) -> set[str]:
        """Saturate; return the nodes still reachable from ``source``."""
        while True:
            parents = self._search(source, sink)
            if sink not in parents:
                return set(parents)
            path: list[tuple[str, str]] = []
            node = sink
            while node != source:
                parent = parents[node]
                path.append((parent, node))
                node = parent
            amount = min(self.capacity[u][v] for u, v in path)
            for u, v in path:
                self.capacity[u][v] -= amount
                self.capacity[v][u] += amount

    def _search(self, source: str, sink: str) -> dict[str, str]:
        parents = {source: source}
        queue = deque([source])
        while queue and sink not in parents:
            node = queue.popleft()
            for head, left in self.capacity[node].items():
                if left > 0 and head not in parents:
                    parents[head] = node
                    queue.append(head)
        return parents


def _fix_node(fix: Fix) -> str:
    return f"\0fix:{fix.kind.value}:{fix.subject}:{','.join(fix.actions)}"


def minimum_cut(
    graph: AttackGraph, target: str, sources: Iterable[str] | None = None
) -> Cut:
    if target not in graph.nodes:
        raise InputError(f"no target {target!r} in the graph")
    sinks = graph.readers(target)
    if sources is None:
        chosen = [p for p in graph.principals if p not in graph.admins]
        chosen = [p for p in chosen if p not in sinks]
    else:
        chosen = list(sources)
    network = _Network()
    # fix node -> (fix, the shared tail or head, whether it is the head)
    fixes: dict[str, tuple[Fix, set[str], bool]] = {}
    for edge in graph.edges:
        if edge.fix.kind is FixKind.ADMINISTRATOR or (
            edge.target == target and edge.source in sinks
        ):
            network.arc(edge.source, edge.target, _INFINITE)
            continue
        node = _fix_node(edge.fix)
        head_shared = edge.fix.subject == edge.target
        shared = edge.target if head_shared else edge.source
        fixes.setdefault(node, (edge.fix, set(), head_shared))[1].add(shared)
        if head_shared:
            network.arc(edge.source, node, _INFINITE)
            network.arc(node, edge.target, edge.fix.cost)
        else:
            network.arc(edge.source, node, edge.fix.cost)
            network.arc(node, edge.target, _INFINITE)
    for sink in sinks:
        network.arc(sink, target, _INFINITE)
    for principal in chosen:
        network.arc(_SOURCE, principal, _INFINITE)
    if target not in network.capacity or _SOURCE not in network.capacity:
        return Cut(target, tuple(chosen), (), ())
    reachable = network.max_flow(_SOURCE, target)
    cut_fixes = _cut_fixes(reachable, fixes)
    order = {fix: i for i, fix in enumerate(cut_fixes)}
    edges = sorted(
        (e for e in graph.edges if e.fix in order),
        key=lambda e: (order[e.fix], e.source, e.target),
    )
    return Cut(target, tuple(chosen), cut_fixes, tuple(edges))


def _cut_fixes(
    reachable: set[str], fixes: dict[str, tuple[Fix, set[str], bool]]
) -> tuple[Fix, ...]:
    """Fixes whose costed arc leaves the residual source side."""
    found: set[Fix] = set()
    for node, (fix, ends, head_shared) in fixes.items():
        if head_shared:
            # The costed arc runs from the fix node to the shared head.
            crossed = node in reachable and not ends <= reachable
        else:
            # The costed arc runs from the shared tail into the fix node.
            crossed = node not in reachable and bool(ends & reachable)
        if crossed:
            found.add(fix)
    return tuple(sorted(found, key=lambda f: (f.cost, f.kind.value, f.subject)))
