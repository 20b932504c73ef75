"""Which account a command reads: a real one through boto3, or a private lab."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from chaincut.aws import AwsConnection
from chaincut.errors import InputError
from chaincut.snapshot import Snapshot


class LabIdentity(enum.Enum):
    defender = "defender"
    attacker = "attacker"


LabOption = Annotated[
    bool,
    typer.Option("--lab", help="Start a private embedded lab account for this run."),
]
LabAsOption = Annotated[
    LabIdentity,
    typer.Option(
        "--lab-as",
        help="With --lab: act as the lab's defender (admin) or its attacker"
        " (the low-privilege user).",
    ),
]
ProfileOption = Annotated[
    str | None,
    typer.Option("--profile", help="AWS profile, as the AWS CLI reads it."),
]
RegionOption = Annotated[
    str | None,
    typer.Option(
        "--region",
        help="AWS region (default: the profile's); collect reads only this region.",
    ),
]


@contextmanager
def open_account(
    *, lab: bool, lab_as: LabIdentity, profile: str | None, region: str | None
) -> Iterator[AwsConnection]:
    """The connection a command works through; a --lab run stops its lab after."""
    if lab and profile:
        raise InputError("--lab and --profile name two accounts: give one of them")
    if not lab:
        yield AwsConnection.from_profile(profile, region)
        return
    from chaincut.cli import stderr
    from chaincut.lab import Lab

    running = Lab()
    with stderr.status("starting the lab and building beanstalk_secrets"):
        running.start()
    try:
        if lab_as is LabIdentity.attacker:
            yield running.attacker()
        else:
            yield running.defender()
    finally:
        running.stop()


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int, str], None]]:
    """A progress callback drawing one bar on stderr."""
    from chaincut.cli import stderr

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[step]}", style="dim"),
        console=stderr,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=None, step="")

        def update(done: int, total: int, step: str) -> None:
            progress.update(task, completed=done, total=total, step=step)

        yield update


def load_or_collect(
    snapshot_file: Path | None,
    *,
    lab: bool,
    profile: str | None = None,
    region: str | None = None,
    accounts: bool = False,
) -> Snapshot:
    """The snapshot a command works on: a file, or collected now.

    ``--lab`` collects a private lab's home region as its defender. Commands
    that also read real accounts (``accounts``) collect the one their
    credentials reach, as the AWS CLI finds them, in every enabled region
    unless ``region`` is given; the others need a file or ``--lab``.
    """
    from chaincut.collect import collect
    from chaincut.lab import LAB_REGION

    if snapshot_file is not None:
        if lab or profile or region:
            raise InputError(
                "--snapshot names what to work on: drop --lab, --profile and --region"
            )
        return Snapshot.load(snapshot_file)
    if not lab and not accounts:
        raise InputError("give one of --snapshot FILE or --lab")
    with (
        open_account(
            lab=lab, lab_as=LabIdentity.defender, profile=profile, region=region
        ) as aws,
        progress_bar("collecting") as progress,
    ):
        regions = [LAB_REGION] if lab else ([region] if region else None)
        return collect(aws, regions=regions, progress=progress)
