"""Attack chains as text for a terminal or a ticket, and as JSON.

A chain is drawn step by step: who acts, the method, the calls with their
resources, and the policy statements that allow each call; a step that starts
from a leaked credential says which key and where it was found. For each
target reached, the cheapest fixes that cut every chain to it come after.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chaincut.graph import AttackGraph, Fix, Path


def chains_document(graph: AttackGraph, found: Sequence[Path]) -> dict[str, Any]:
    """The chains and, for each target they reach, the cut that breaks them."""
    return {
        "account_id": graph.account_id,
        "paths": [path.to_dict() for path in found],
        "cuts": [
            graph.cut(goal).to_dict()
            for goal in dict.fromkeys(path.target for path in found)
        ],
    }


def render_chains(graph: AttackGraph, found: Sequence[Path]) -> str:
    if not found:
        return "no attack path found"
    lines: list[str] = []
    for path in found:
        lines.append(f"{_name(graph, path.source)} -> {path.target}")
        for number, step in enumerate(path.steps, 1):
            lines.append(
                f"  {number}. {_name(graph, step.source)} -> "
                f"{_name(graph, step.target)} ({step.method})"
            )
            holder = next((h for h in graph.holders if h.id == step.source), None)
            if holder is not None:
                lines.append(
                    f"       uses access key {holder.access_key_id} found in"
                    f" {', '.join(holder.locations)}"
                )
            for call in step.calls:
                allowed = "; ".join(
                    f"{a.layer} {a.policy} statement {a.statement}"
                    for a in call.allowed_by
                )
                lines.append(f"       {call.action} on {call.resource}")
                lines.append(f"         allowed by {allowed}")
        lines.append("")
    for goal in dict.fromkeys(path.target for path in found):
        lines.append(f"Fix first, to cut every chain to {goal}:")
        for fix in graph.cut(goal).fixes:
            lines.append(f"  - {_fix_text(fix)}")
    return "\n".join(lines).rstrip()


def _fix_text(fix: Fix) -> str:
    actions = f" ({', '.join(fix.actions)})" if fix.actions else ""
    return (
        f"{fix.kind.value.replace('_', ' ')}: {fix.subject}{actions} [cost {fix.cost}]"
    )


def _name(graph: AttackGraph, node_id: str) -> str:
    node = graph.nodes.get(node_id)
    if node is None:
        return node_id
    return f"{node.kind.value} {node.name}" if node.kind.value != "target" else node.id
