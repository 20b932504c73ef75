"""``chaincut scan``: run the posture checks and report what fails.

Exit codes: 0 nothing at or above ``--fail-on``; 1 a check at or above it
failed or could not be evaluated (a blind spot is not a clean bill); 2 the
scan could not run.
"""

from __future__ import annotations

import enum
import re
from pathlib import Path
from typing import Annotated

import typer

from chaincut.cli._target import (
    LabOption,
    ProfileOption,
    RegionOption,
    load_or_collect,
)
from chaincut.errors import InputError
from chaincut.graph import build_graph
from chaincut.report.chains import chains_document
from chaincut.report.findings import blocking, findings_document, write_json
from chaincut.report.sarif import sarif_document
from chaincut.report.terminal import render_report
from chaincut.rules import Severity, registry, run_checks

_FINGERPRINT = re.compile(r"^sha256:[0-9a-f]{16}$")


class FailOn(enum.Enum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)


def scan(
    snapshot_file: Annotated[
        Path | None, typer.Option("--snapshot", help="Check this snapshot file.")
    ] = None,
    lab: LabOption = False,
    profile: ProfileOption = None,
    region: RegionOption = None,
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Also write the report as JSON.")
    ] = None,
    sarif_file: Annotated[
        Path | None, typer.Option("--sarif", help="Also write SARIF 2.1.0.")
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option(help="Exit 1 when a check of this severity or worse fails."),
    ] = FailOn.high,
    accept: Annotated[
        list[str] | None,
        typer.Option(
            "--accept",
            help="Fingerprint (sha256:...) of a flagged setting value judged"
            " harmless (repeatable).",
        ),
    ] = None,
    accept_file: Annotated[
        Path | None,
        typer.Option(
            "--accept-file", help="File of accepted fingerprints, one a line."
        ),
    ] = None,
) -> int:
    """Show the attack chains and every failed posture check.

    Runs on a snapshot, a private lab or an account (collected first). Prints
    the chains step by step, failed checks by severity with evidence and the
    fix, then what could not be checked. Exit 1 when a check at or above
    --fail-on fails or could not be evaluated, 2 when the scan could not run.
    """
    from chaincut.cli import EXIT_FINDINGS, EXIT_OK, result_console

    accepted = _accepted(accept or [], accept_file)
    snapshot = load_or_collect(
        snapshot_file, lab=lab, profile=profile, region=region, accounts=True
    )
    results = run_checks(snapshot, accepted=accepted)
    graph = build_graph(snapshot)
    chains = graph.paths()
    if json_file is not None:
        document = chains_document(graph, chains)
        write_json(
            json_file,
            findings_document(
                snapshot, results, chains=document["paths"], cuts=document["cuts"]
            ),
        )
    if sarif_file is not None:
        document = sarif_document(results, registry(), account_id=snapshot.account_id)
        write_json(sarif_file, document)
    result_console().print(render_report(snapshot, results, graph, chains))
    threshold = Severity(fail_on.value)
    return EXIT_FINDINGS if blocking(results, threshold) else EXIT_OK


def _accepted(given: list[str], path: Path | None) -> frozenset[str]:
    found = [(f"--accept {value!r}", value.strip()) for value in given]
    if path is not None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise InputError(
                f"cannot read --accept-file {str(path)!r}: {error.strerror}"
            ) from error
        found += [
            (f"{path}:{number}", line.split("#", 1)[0].strip())
            for number, line in enumerate(lines, start=1)
            if line.split("#", 1)[0].strip()
        ]
    for where, value in found:
        if not _FINGERPRINT.match(value):
            raise InputError(
                f"{where}: {value!r} is not a fingerprint; copy one such as"
                " 'sha256:0123456789abcdef' from the report's evidence"
            )
    return frozenset(value for _, value in found)
