"""``chaincut paths``: the attack chains from principals to admin and data."""

from __future__ import annotations

import json
from pathlib import Path as FilePath
from typing import Annotated

import typer

from chaincut.access import AccountAccess
from chaincut.cli._target import LabOption, load_or_collect
from chaincut.errors import InputError
from chaincut.graph import ADMIN, build_graph
from chaincut.report.chains import chains_document, render_chains

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
    snapshot = load_or_collect(snapshot_file, lab=lab)
    source_arn = AccountAccess(snapshot).resolve(source) if source else None
    graph = build_graph(snapshot)
    if target is not None and graph.target(target) is None:
        known = ", ".join(t.id for t in graph.targets)
        raise InputError(f"--to {target!r} is not in the snapshot; known: {known}")
    found = graph.paths(source=source_arn, target=target)
    if as_json:
        typer.echo(json.dumps(chains_document(graph, found), indent=2))
    else:
        typer.echo(render_chains(graph, found))
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
