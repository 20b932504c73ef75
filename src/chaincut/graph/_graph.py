"""Building the attack graph from a snapshot, and asking it for paths.

``build_graph`` walks every user and role once: administrators (see
``_targets``) get one edge to ``admin`` and their data edges; every other
principal is offered to each method of ``methods.METHODS`` whose prefilter
passes, then to each data target. Credential holders get an edge to the
user whose active key they hold.

Cost: the walk is linear in the principals, and the methods ask about many
resources at once through ``Evaluator.allowed``, which answers a group of
principals holding the same statements once (see ``_evaluator``). On the
synthetic accounts of ``bench/synthetic.py`` (us-east-1) a build takes
about 0.3 ms per principal at 1,000 principals and 0.4 ms at 5,000; the
growth left is the edges themselves (68,000 at 5,000 principals, most of
them key makers' edges to every user).

``AttackGraph.paths`` gives, for each (source, target) pair, one shortest
path (fewest steps; ties broken by node and method names, so the answer is
stable), found by one breadth-first search backwards from each target.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from chaincut.errors import InputError
from chaincut.graph._evaluator import AttackContext, Evaluator
from chaincut.graph._holders import find_holders
from chaincut.graph._model import (
    ADMIN,
    Call,
    CredentialHolder,
    Cut,
    Edge,
    Fix,
    FixKind,
    Node,
    NodeKind,
    Path,
    Target,
    TargetKind,
)
from chaincut.graph._targets import ADMIN_PROBE, data_edges, data_targets
from chaincut.graph.methods import METHODS, BuildContext, Method
from chaincut.snapshot import Snapshot

log = logging.getLogger(__name__)

USE_LEAKED_KEY = "use_leaked_key"
ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class AttackGraph:
    """Principals, credential holders and targets, and the edges between them."""

    account_id: str
    nodes: dict[str, Node]
    targets: tuple[Target, ...]
    holders: tuple[CredentialHolder, ...]
    edges: tuple[Edge, ...]
    admins: frozenset[str]
    _incoming: dict[str, list[Edge]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for edge in sorted(self.edges, key=_edge_key):
            self._incoming.setdefault(edge.target, []).append(edge)

    @property
    def principals(self) -> tuple[str, ...]:
        return tuple(
            node.id
            for node in self.nodes.values()
            if node.kind in (NodeKind.USER, NodeKind.ROLE)
        )

    def target(self, target_id: str) -> Target | None:
        return next((t for t in self.targets if t.id == target_id), None)

    def incoming(self, node: str) -> list[Edge]:
        return self._incoming.get(node, [])

    def paths(self, source: str | None = None, target: str | None = None) -> list[Path]:
        """One shortest path per (source, target); sources default to every
        principal that is not an administrator, targets to every target."""
        targets = [t.id for t in self.targets] if target is None else [target]
        if source is None:
            sources = [p for p in self.principals if p not in self.admins]
        else:
            sources = [source]
        found: list[Path] = []
        for goal in targets:
            following = self._next_steps(goal)
            for start in sources:
                steps = _walk(following, start, goal)
                if steps:
                    found.append(Path(start, goal, steps))
        return found

    def _next_steps(self, goal: str) -> dict[str, Edge]:
        """For each node that reaches ``goal``, the first edge of a shortest path."""
        following: dict[str, Edge] = {}
        queue = deque([goal])
        seen = {goal}
        while queue:
            node = queue.popleft()
            for edge in self.incoming(node):
                if edge.source not in seen:
                    seen.add(edge.source)
                    following[edge.source] = edge
                    queue.append(edge.source)
        return following

    def readers(self, target: str) -> frozenset[str]:
        """Principals with a one-step edge to a data target (its intended readers)
        and, for ``admin``, the administrators."""
        if target == ADMIN:
            return self.admins
        return frozenset(
            e.source for e in self.incoming(target) if e.source in self.nodes
        )

    def cut(self, target: str, sources: Iterable[str] | None = None) -> Cut:
        """The cheapest set of fixes disconnecting ``sources`` from ``target``."""
        from chaincut.graph._cut import minimum_cut

        return minimum_cut(self, target, sources)

    def minimal_cut(
        self, target: str, sources: Iterable[str] | None = None
    ) -> list[Edge]:
        """The edges the cheapest fixes remove, cheapest fix first."""
        return list(self.cut(target, sources).edges)

    def to_dict(self) -> dict[str, object]:
        return {
            "account_id": self.account_id,
            "nodes": [node.to_dict() for node in self.nodes.values()],
            "targets": [t.to_dict() for t in self.targets],
            "holders": [h.to_dict() for h in self.holders],
            "admins": sorted(self.admins),
            "edges": [e.to_dict() for e in self.edges],
        }


def _edge_key(edge: Edge) -> tuple[str, str, str]:
    return (edge.source, edge.method, edge.target)


def _walk(following: dict[str, Edge], start: str, goal: str) -> tuple[Edge, ...]:
    steps: list[Edge] = []
    node = start
    while node != goal:
        edge = following.get(node)
        if edge is None:
            return ()
        steps.append(edge)
        node = edge.target
    return tuple(steps)


def build_graph(
    snapshot: Snapshot,
    *,
    context: AttackContext | None = None,
    methods: Iterable[str] | None = None,
) -> AttackGraph:
    """The attack graph of ``snapshot``; ``methods`` limits the methods by name."""
    started = time.perf_counter()
    evaluator = Evaluator(snapshot, context or AttackContext())
    chosen = _methods(methods)
    nodes = _principal_nodes(snapshot)
    principals = list(nodes)

    admin_calls = {
        arn: call
        for arn in principals
        if (call := evaluator.call(arn, ADMIN_PROBE, "*")) is not None
    }
    admins = frozenset(admin_calls)
    holders = find_holders(snapshot)
    build = BuildContext(evaluator, holders, admins)
    targets = data_targets(build)

    edges: list[Edge] = []
    for arn in principals:
        call = admin_calls.get(arn)
        if call is not None:
            edges.append(_administrator(arn, call))
        else:
            for method in chosen:
                if method.prefilter(build, arn):
                    edges.extend(method.edges(build, arn))
        edges.extend(data_edges(build, arn, targets))
    edges.extend(_leaked_key_edges(holders))

    for holder in holders:
        nodes[holder.id] = Node(
            holder.id, NodeKind.HOLDER, holder.source, holder.resources[0]
        )
    all_targets = (Target(ADMIN, TargetKind.ADMIN, ADMIN), *(t for t, _, _ in targets))
    for target in all_targets:
        nodes[target.id] = Node(target.id, NodeKind.TARGET, target.name, target.arn)
    log.info(
        "attack graph of %s: %d principals (%d administrators), %d holders,"
        " %d edges in %.2fs",
        snapshot.account_id,
        len(principals),
        len(admins),
        len(holders),
        len(edges),
        time.perf_counter() - started,
    )
    return AttackGraph(
        snapshot.account_id, nodes, all_targets, holders, tuple(edges), admins
    )


def _methods(names: Iterable[str] | None) -> list[Method]:
    if names is None:
        return [cls() for cls in METHODS.values()]
    chosen = []
    for name in names:
        cls = METHODS.get(name)
        if cls is None:
            known = ", ".join(sorted(METHODS))
            raise InputError(f"unknown escalation method {name!r}; known: {known}")
        chosen.append(cls())
    return chosen


def _principal_nodes(snapshot: Snapshot) -> dict[str, Node]:
    nodes: dict[str, Node] = {}
    for user in sorted(snapshot.iam.users, key=lambda u: u.arn):
        nodes[user.arn] = Node(user.arn, NodeKind.USER, user.name, user.arn)
    for role in sorted(snapshot.iam.roles, key=lambda r: r.arn):
        nodes[role.arn] = Node(role.arn, NodeKind.ROLE, role.name, role.arn)
    return nodes


def _administrator(arn: str, call: Call) -> Edge:
    return Edge(arn, ADMIN, ADMINISTRATOR, (call,), Fix(FixKind.ADMINISTRATOR, arn, ()))


def _leaked_key_edges(holders: tuple[CredentialHolder, ...]) -> list[Edge]:
    edges = []
    for holder in holders:
        if holder.usable and holder.owner is not None:
            edges.append(
                Edge(
                    holder.id,
                    holder.owner,
                    USE_LEAKED_KEY,
                    (),
                    Fix(FixKind.REMOVE_LEAKED_CREDENTIAL, holder.id, ()),
                )
            )
        else:
            log.info(
                "credential holder %s: no edge (owner %s, key status %s)",
                holder.id,
                holder.owner,
                holder.key_status,
            )
    return edges
