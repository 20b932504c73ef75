"""``chaincut paths``: the attack chains from principals to admin and data."""

from __future__ import annotations

import json
from pathlib import Path as FilePath
from typing import Annotated

import typer

from chaincut.access import AccountAccess
from chaincut.cli._target import LabIdentity, LabOption, open_account
from chaincut.errors import InputError
from chaincut.graph import ADMIN, AttackGraph, Path, build_graph
from chaincut.snapshot import Snapshot

_TARGET_KINDS = ("secret", "bucket", "parameter")


def register(app: typer.Typer) -> None:
    app.command("paths")(paths)


def paths(
    snapshot_file: Annotated[
        FilePath | None,
        typer.Option("--snapshot", help="Build the graph from this snapshot file."),
    ] = None,
    lab: LabOption = False,
    source: Annotated[
        str | None,
        typer.Option("--from", help="Start principal: user or role ARN or name."),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option("--to", help="admin, secret:NAME, bucket:NAME or parameter:NAME."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> int:
    """Print each attack chain step by step, and the fixes that cut it.

    Each step names who acts, the call, the resource and the statement that
    allows it. Exit code 0 whether or not a chain was found.
    """
    _check_target(target)
    snapshot = _snapshot(snapshot_file, lab)
    source_arn = AccountAccess(snapshot).resolve(source) if source else None
    graph = build_graph(snapshot)
    if target is not None and graph.target(target) is None:
        known = ", ".join(t.id for t in graph.targets)
        raise InputError(f"--to {target!r} is not in the snapshot; known: {known}")
    found = graph.paths(source=source_arn, target=target)
    if as_json:
        document = {
            "account_id": graph.account_id,
            "paths": [path.to_dict() for path in found],
            "cuts": [
                graph.cut(goal).to_dict()
                for goal in dict.fromkeys(path.target for path in found)
            ],
        }
        typer.echo(json.dumps(document, indent=2))
    else:
        typer.echo(_render(graph, found))
    return 0


def _check_target(target: str | None) -> None:
    if target is None or target == ADMIN:
        return
    kind, sep, name = target.partition(":")
    if not sep or kind not in _TARGET_KINDS or not name:
        raise InputError(
            f"--to {target!r} is not a target: give admin, secret:NAME,"
            " bucket:NAME or parameter:NAME"
        )


def _render(graph: AttackGraph, found: list[Path]) -> str:
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
    return "\n".join(lines).rstrip()


def _name(graph: AttackGraph, node_id: str) -> str:
    node = graph.nodes.get(node_id)
    if node is None:
        return node_id
    return f"{node.kind.value} {node.name}" if node.kind.value != "target" else node.id


def _snapshot(path: FilePath | None, lab: bool) -> Snapshot:
    if (path is None) == (not lab):
        raise InputError("give one of --snapshot FILE or --lab")
    if path is not None:
        return Snapshot.load(path)
    from chaincut.collect import collect
    from chaincut.lab import LAB_REGION

    with open_account(
        lab=True, lab_as=LabIdentity.defender, profile=None, region=None
    ) as aws:
        return collect(aws, regions=[LAB_REGION])
