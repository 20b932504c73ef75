"""Check results as plain data: the JSON report, and the exit decision.

Evidence is turned into data generically: every evidence type is a frozen
dataclass, so its fields (enums by value, tuples as lists, nested dataclasses
as objects) are the report; ``type`` names the evidence class. No secret
value can be in it: evidence holds fingerprints and masked previews only.

The document (``schema: chaincut.findings``, ``schema_version``) holds the
account, the rule catalogue, every result (PASS too), the coverage gaps, and
``chains``: the attack chains (``chaincut.graph``), each step with its calls
and the statements allowing them; ``cuts``: for each target reached, the
cheapest fixes that cut every chain to it.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from chaincut.errors import InputError
from chaincut.rules import Result, RuleMeta, Severity, Status
from chaincut.snapshot import CoverageGap, Snapshot

log = logging.getLogger(__name__)

SCHEMA_NAME = "chaincut.findings"
SCHEMA_VERSION = 1


def to_data(value: Any) -> Any:
    """A JSON-ready copy of ``value`` (dataclasses, enums, tuples, mappings)."""
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, Mapping):
        return {str(k): to_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_data(item) for item in value]
    return value


def rule_data(meta: RuleMeta) -> dict[str, Any]:
    return {
        "id": meta.id,
        "title": meta.title,
        "severity": meta.severity.value,
        "family": meta.family,
        "description": meta.description,
        "attack": list(meta.attack),
        "cis": list(meta.cis),
        "permissions": list(meta.permissions),
        "remediation": meta.remediation,
        "fix": meta.fix,
    }


def result_data(result: Result) -> dict[str, Any]:
    return {
        "rule": result.rule.id,
        "status": result.status.value,
        "severity": result.rule.severity.value,
        "resource": result.resource,
        "region": result.region,
        "evidence": {
            "type": type(result.evidence).__name__,
            **to_data(result.evidence),
        },
    }


def gap_data(gap: CoverageGap) -> dict[str, Any]:
    data: dict[str, Any] = to_data(gap)
    return data


def by_severity(results: Iterable[Result], status: Status) -> list[Result]:
    """Results of ``status``, worst severity first, then rule id and resource."""
    return sorted(
        (r for r in results if r.status is status),
        key=lambda r: (-r.rule.severity.rank, r.rule.id, r.resource),
    )


def counts(results: Sequence[Result]) -> dict[str, Any]:
    statuses = Counter(r.status.value for r in results)
    failed = Counter(r.rule.severity.value for r in results if r.status is Status.FAIL)
    return {
        "results": len(results),
        **{status.value: statuses.get(status.value, 0) for status in Status},
        "failed_by_severity": {s.value: failed.get(s.value, 0) for s in Severity},
    }


def findings_document(
    snapshot: Snapshot,
    results: Sequence[Result],
    *,
    chains: Sequence[Mapping[str, Any]] = (),
    cuts: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The JSON report of one scan: chains (``AttackGraph`` paths), the cut of
    each target they reach, and every check result."""
    rules = {r.rule.id: r.rule for r in results}
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "account_id": snapshot.account_id,
        "caller_arn": snapshot.caller_arn,
        "collected_at": snapshot.collected_at,
        "regions": list(snapshot.regions),
        "summary": counts(results),
        "chains": [dict(chain) for chain in chains],
        "cuts": [dict(cut) for cut in cuts],
        "rules": [rule_data(rules[key]) for key in sorted(rules)],
        "results": [
            result_data(r)
            for r in sorted(results, key=lambda r: (r.rule.id, r.resource))
        ],
        "coverage_gaps": [gap_data(gap) for gap in snapshot.gaps],
    }


def blocking(results: Iterable[Result], threshold: Severity) -> list[Result]:
    """Results that should fail a pipeline at ``threshold``.

    A FAIL at or above the threshold, and an ERROR at or above it too: a
    check that could not be evaluated is not a clean bill (fail closed).
    """
    return [
        r
        for r in results
        if r.status is not Status.PASS and r.rule.severity.rank >= threshold.rank
    ]


def write_json(path: Path, document: Mapping[str, Any]) -> None:
    """Write ``document`` atomically: a reader never sees half a report."""
    write_text(path, json.dumps(document, indent=2, sort_keys=True) + "\n")


def write_text(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".partial")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    except OSError as error:
        raise InputError(
            f"cannot write {str(path)!r}: {error.strerror}; choose a writable path"
        ) from error
    log.info("wrote %s", path)
