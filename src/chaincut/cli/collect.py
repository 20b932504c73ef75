"""``chaincut collect``: read an account into a snapshot and summarise it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from chaincut.cli._target import (
    LabAsOption,
    LabIdentity,
    LabOption,
    ProfileOption,
    RegionOption,
    open_account,
    progress_bar,
)
from chaincut.collect import collect
from chaincut.report.summary import render_summary


def register(app: typer.Typer) -> None:
    app.command("collect")(collect_command)


def collect_command(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the snapshot here ('-' for stdout)."
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Concurrent AWS calls.")
    ] = 8,
    lab: LabOption = False,
    lab_as: LabAsOption = LabIdentity.defender,
    profile: ProfileOption = None,
    region: RegionOption = None,
) -> int:
    """Read the account into a snapshot and print its summary.

    IAM, Beanstalk, Secrets Manager, CloudTrail, monitoring, buckets, SSM
    parameters and workloads with roles. Every enabled region is read unless
    --region names one. Denied calls are listed as coverage gaps.
    """
    from chaincut.cli import result_console, stderr

    with (
        open_account(lab=lab, lab_as=lab_as, profile=profile, region=region) as aws,
        progress_bar("collecting") as progress,
    ):
        snapshot = collect(
            aws,
            regions=[region] if region else None,
            workers=workers,
            progress=progress,
        )

    to_stdout = str(output) == "-"
    if output is not None and not to_stdout:
        snapshot.save(output)
        stderr.print(f"snapshot written to {output}", highlight=False)
    if to_stdout:
        sys.stdout.write(snapshot.to_json())
        stderr.print(render_summary(snapshot))
    else:
        result_console().print(render_summary(snapshot))
    return 0
