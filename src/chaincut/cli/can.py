"""``chaincut can``: may this principal make this call on this resource?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from chaincut.access import AccountAccess, parse_context
from chaincut.cli._target import LabOption, load_or_collect

EXIT_ALLOWED = 0
EXIT_DENIED = 1


def register(app: typer.Typer) -> None:
    app.command("can")(can)


def can(
    principal: Annotated[str, typer.Argument(help="User or role: ARN or name.")],
    action: Annotated[str, typer.Argument(help="Action, e.g. iam:CreateAccessKey.")],
    resource: Annotated[
        str, typer.Argument(help="Resource ARN (or a secret's name), or '*'.")
    ],
    snapshot_file: Annotated[
        Path | None,
        typer.Option("--snapshot", help="Answer from this snapshot file."),
    ] = None,
    lab: LabOption = False,
    context: Annotated[
        list[str] | None,
        typer.Option(
            "--context",
            help="Request context KEY=VALUE (repeatable; a key twice is multi-valued).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> int:
    """Decide one request against an account, naming what decided it.

    The principal's inline, managed and group policies, its boundary and the
    resource's policy are taken from the snapshot. Exit code 0 when allowed,
    1 when denied.
    """
    snapshot = load_or_collect(snapshot_file, lab=lab)
    access = AccountAccess(snapshot)
    principal_arn = access.resolve(principal)
    resource_arn = access.resolve_resource(resource)
    evaluation = access.can(
        principal_arn, action, resource_arn, parse_context(context or [])
    )
    if as_json:
        answer = {
            "principal": principal_arn,
            "action": action,
            "resource": resource_arn,
            **evaluation.to_dict(),
        }
        typer.echo(json.dumps(answer, indent=2))
    else:
        lines = [
            f"{evaluation.decision.value}: {principal_arn} {action} {resource_arn}"
        ]
        for reason in evaluation.reasons:
            parts = [f"  {reason.outcome.value:<9} {reason.layer.value:<9}"]
            if reason.scp_level is not None:
                parts.append(f"level {reason.scp_level}")
            if reason.policy:
                parts.append(f"policy {reason.policy}")
            if reason.statement:
                parts.append(f"statement {reason.statement}")
            lines.append(" ".join(parts))
        typer.echo("\n".join(lines))
    return EXIT_ALLOWED if evaluation.allowed else EXIT_DENIED
