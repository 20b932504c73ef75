"""Check results as SARIF 2.1.0, for code-scanning dashboards.

``tool.driver.rules`` comes from the rule registry's metadata (title,
description, fix, ATT&CK and CIS tags, permissions, a ``security-severity``
score). Each failed check is a result of ``kind: fail`` with its level from
the rule's severity; a check that could not be evaluated is ``kind: open``
with level ``none`` (SARIF 2.1.0 section 3.27.9: a result whose kind is not
``fail`` has level ``none``). Passing checks are left out. Resources are AWS
ARNs, not files: each result's location is a logical location whose fully
qualified name is the ARN (section 3.33).

Limits: no physical locations (there are no files), no fingerprints for
baselining beyond ``partialFingerprints.resourceRule`` (rule id and ARN).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chaincut import __version__
from chaincut.report.findings import to_data
from chaincut.rules import Result, Rule, Severity, Status

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}
# GitHub code scanning reads this property to rank security results.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}


def _descriptor(rule: Rule) -> dict[str, Any]:
    meta = rule.meta
    tags = ["security", meta.family, *meta.attack, *(f"CIS-{c}" for c in meta.cis)]
    return {
        "id": meta.id,
        "name": "".join(part.title() for part in meta.id.split("-")),
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": meta.description or meta.title},
        "help": {"text": meta.fix},
        "defaultConfiguration": {"level": LEVELS[meta.severity]},
        "properties": {
            "tags": tags,
            "security-severity": SECURITY_SEVERITY[meta.severity],
            "severity": meta.severity.value,
            "permissions": list(meta.permissions),
            "remediation": meta.remediation,
        },
    }


def _result(result: Result, index: int) -> dict[str, Any]:
    failed = result.status is Status.FAIL
    outcome = "fails" if failed else "could not be evaluated"
    return {
        "ruleId": result.rule.id,
        "ruleIndex": index,
        "kind": "fail" if failed else "open",
        "level": LEVELS[result.rule.severity] if failed else "none",
        "message": {"text": f"{result.rule.title}: {result.resource} {outcome}."},
        "locations": [
            {
                "logicalLocations": [
                    {"fullyQualifiedName": result.resource, "kind": "resource"}
                ]
            }
        ],
        "partialFingerprints": {"resourceRule": f"{result.rule.id}|{result.resource}"},
        "properties": {
            "status": result.status.value,
            "region": result.region,
            "evidenceType": type(result.evidence).__name__,
            "evidence": to_data(result.evidence),
        },
    }


def sarif_document(
    results: Sequence[Result], rules: Sequence[Rule], *, account_id: str = ""
) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run: the scan of one account."""
    index = {rule.meta.id: position for position, rule in enumerate(rules)}
    reported = [
        _result(r, index[r.rule.id])
        for r in sorted(results, key=lambda r: (r.rule.id, r.resource))
        if r.status is not Status.PASS and r.rule.id in index
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "chaincut",
                        "version": __version__,
                        "rules": [_descriptor(rule) for rule in rules],
                    }
                },
                "results": reported,
                "properties": {"account_id": account_id},
            }
        ],
    }
