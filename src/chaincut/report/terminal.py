"""The scan report for a terminal: chains, failed checks, what was not seen.

Sections, in order: "Attack chains" (:func:`render_chains`), failed checks
by severity with their evidence and fix, checks that could not be evaluated,
and the snapshot's coverage gaps. Evidence is rendered field by field from
its dataclass (see ``chaincut.report.findings.to_data``): rules write no
prose, so this is the one place text is made.

All text is built as ``rich.text.Text``, never markup: ARNs and patterns
hold brackets that markup would eat.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from chaincut.graph import AttackGraph, Path
from chaincut.report.chains import render_chains
from chaincut.report.findings import by_severity, counts, to_data
from chaincut.rules import Result, Status
from chaincut.snapshot import Snapshot

_SEVERITY_STYLE = {
    "critical": "bold red",
    "high": "red",
    "medium": "yellow",
    "low": "cyan",
}


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else line for line in text.splitlines())


def _heading(text: str) -> Text:
    return Text(f"\n{text}", style="bold underline")


def _value(value: Any, *, nested: bool = False) -> str:
    if isinstance(value, dict):
        shown = " ".join(
            f"{k}={_value(v, nested=True)}"
            for k, v in value.items()
            if v not in (None, [], "")
        )
        return f"({shown})" if nested else shown
    if isinstance(value, list):
        return ", ".join(_value(item, nested=True) for item in value)
    return str(value)


def evidence_lines(result: Result) -> list[Text]:
    """One line per evidence field; lists of objects one line per item."""
    lines: list[Text] = []
    for name, value in to_data(result.evidence).items():
        if value in (None, [], "", {}):
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(Text(f"    {name}:"))
            lines += [Text(f"      - {_value(item)}") for item in value]
        else:
            lines.append(Text(f"    {name}: {_value(value)}"))
    return lines


def _failed(result: Result) -> list[Text]:
    severity = result.rule.severity.value
    head = Text.assemble(
        ("  ", ""),
        (f"{severity.upper():<8}", _SEVERITY_STYLE[severity]),
        (f" {result.rule.id}", "bold"),
        f"  {result.rule.title}",
    )
    return [
        head,
        Text(f"    resource: {result.resource}"),
        *evidence_lines(result),
        Text(f"    fix: {result.rule.fix}", style="green"),
    ]


def render_report(
    snapshot: Snapshot,
    results: Sequence[Result],
    graph: AttackGraph,
    chains: Sequence[Path],
) -> RenderableType:
    """The whole scan report: chains first, then failed checks by severity."""
    parts: list[RenderableType] = [
        Text.assemble(
            ("Account ", "bold"),
            snapshot.account_id,
            ("  collected ", "bold"),
            snapshot.collected_at,
            ("  regions ", "bold"),
            str(len(snapshot.regions)),
        ),
        _heading("Attack chains"),
        Text(_indent(render_chains(graph, chains))),
        _heading("Failed checks"),
    ]
    failed = by_severity(results, Status.FAIL)
    if not failed:
        parts.append(Text("  none", style="green"))
    for result in failed:
        parts += _failed(result)

    errors = by_severity(results, Status.ERROR)
    parts.append(_heading("Checks that could not be evaluated"))
    if not errors:
        parts.append(Text("  none"))
    for result in errors:
        parts.append(Text(f"  {result.rule.id}  {result.resource}", style="magenta"))
        parts += evidence_lines(result)

    parts.append(_heading("Coverage gaps"))
    if not snapshot.gaps:
        parts.append(Text("  none"))
    for gap in snapshot.gaps:
        where = f" on {gap.resource}" if gap.resource else ""
        parts.append(
            Text(
                f"  {gap.service}:{gap.operation} in {gap.region}{where}:"
                f" {gap.kind.value} ({gap.error_code})"
            )
        )
    summary = counts(results)
    by = summary["failed_by_severity"]
    parts.append(
        Text(
            f"\n{summary['results']} results: {summary['PASS']} passed,"
            f" {summary['FAIL']} failed ({by['critical']} critical, {by['high']}"
            f" high, {by['medium']} medium, {by['low']} low),"
            f" {summary['ERROR']} could not be evaluated",
            style="bold",
        )
    )
    return Group(*parts)
