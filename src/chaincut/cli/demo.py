"""``chaincut demo``: the main job, start to end, on the embedded lab."""

from __future__ import annotations

import typer

from chaincut.cli._target import LabIdentity, open_account, progress_bar
from chaincut.collect import collect
from chaincut.report.summary import render_summary


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo() -> int:
    """Start a lab holding beanstalk_secrets, collect it, and summarise."""
    from chaincut.cli import result_console, stderr

    with (
        open_account(
            lab=True, lab_as=LabIdentity.defender, profile=None, region=None
        ) as aws,
        progress_bar("collecting the lab account") as progress,
    ):
        snapshot = collect(aws, progress=progress)
    stderr.print(
        "lab stopped; nothing outside this process was touched", highlight=False
    )
    result_console().print(render_summary(snapshot))
    return 0
