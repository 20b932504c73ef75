"""``chaincut demo``: the main job, start to end, on the embedded lab."""

from __future__ import annotations

import typer

from chaincut.cli._target import LabIdentity, open_account, progress_bar
from chaincut.collect import collect
from chaincut.graph import build_graph
from chaincut.report.summary import render_summary
from chaincut.report.terminal import render_report
from chaincut.rules import run_checks


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo() -> int:
    """Scan a private lab holding beanstalk_secrets, start to end.

    Starts the lab, builds the vulnerable scenario, collects it, prints the
    snapshot's summary, then the attack chains and every failed check, as
    'chaincut scan' would on a real account. Exit code 0: findings are the
    point of the demo.
    """
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
    out = result_console()
    out.print(render_summary(snapshot))
    graph = build_graph(snapshot)
    out.print(render_report(snapshot, run_checks(snapshot), graph, graph.paths()))
    return 0
