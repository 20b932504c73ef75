"""SARIF 2.1.0 output, checked against the essentials of the 2.1.0 schema.

No network: the schema's required properties and enumerations that matter
for consumers (GitHub code scanning, SARIF viewers) are written out here.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from chaincut.cli import main
from chaincut.lab import Lab
from chaincut.report.sarif import LEVELS as SARIF_LEVELS
from chaincut.report.sarif import sarif_document
from chaincut.rules import Severity, Status, registry, run_checks
from chaincut.snapshot import CoverageGap, GapKind, Snapshot

LEVELS = {"none", "note", "warning", "error"}
KINDS = {"notApplicable", "pass", "fail", "review", "open", "informational"}
LOGICAL_KINDS = {
    "function", "member", "module", "namespace", "parameter", "resource",
    "returnType", "type", "variable", "object", "array", "property", "value",
    "element", "text", "attribute", "comment", "declaration", "dtd",
    "processingInstruction",
}  # fmt: skip
RULE_ID = re.compile(r"^[a-z0-9-]+$")


def _message(value: Any) -> None:
    assert isinstance(value, dict)
    assert isinstance(value.get("text"), str) and value["text"]


def validate_sarif(log: dict[str, Any]) -> None:
    """Fail on anything the SARIF 2.1.0 schema requires and ``log`` lacks."""
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    assert isinstance(log["runs"], list) and log["runs"]
    for run in log["runs"]:
        driver = run["tool"]["driver"]
        assert isinstance(driver["name"], str) and driver["name"]
        rules = driver.get("rules", [])
        ids = [rule["id"] for rule in rules]
        assert len(ids) == len(set(ids))
        for rule in rules:
            assert RULE_ID.match(rule["id"])
            _message(rule["shortDescription"])
            _message(rule["fullDescription"])
            assert rule["defaultConfiguration"]["level"] in LEVELS
            float(rule["properties"]["security-severity"])
            assert all(isinstance(t, str) for t in rule["properties"]["tags"])
        for result in run["results"]:
            _message(result["message"])
            assert result["ruleId"] == ids[result["ruleIndex"]]
            assert result["kind"] in KINDS
            assert result["level"] in LEVELS
            if result["kind"] != "fail":
                assert result["level"] == "none"  # SARIF 2.1.0 3.27.9
            for location in result["locations"]:
                for logical in location["logicalLocations"]:
                    assert logical["fullyQualifiedName"].startswith("arn:")
                    assert logical["kind"] in LOGICAL_KINDS
    json.dumps(log)  # serialisable as is


def test_sarif_of_the_lab(lab_snapshot: Snapshot) -> None:
    results = run_checks(lab_snapshot)
    log = sarif_document(results, registry(), account_id=lab_snapshot.account_id)
    validate_sarif(log)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [
        r.meta.id for r in registry()
    ]
    failed = [r for r in results if r.status is Status.FAIL]
    assert len(run["results"]) == len(failed)
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["beanstalk-plaintext-aws-keys"]["level"] == "error"
    assert by_rule["secrets-rotation"]["level"] == "warning"
    assert by_rule["iam-unused-grants"]["level"] == "note"
    tags = run["tool"]["driver"]["rules"][
        [r.meta.id for r in registry()].index("cloudtrail-multi-region-logging")
    ]["properties"]["tags"]
    assert {"CIS-3.1", "T1562.008"} <= set(tags)


def test_errors_are_open_results_with_level_none() -> None:
    snap = Snapshot(
        account_id="123456789012",
        caller_arn="arn:aws:iam::123456789012:user/x",
        collected_at="2025-06-01T00:00:00+00:00",
        regions=("us-east-1",),
        gaps=(),
    )
    gap = CoverageGap("iam", "GetAccountAuthorizationDetails", "aws-global",
                      GapKind.ACCESS_DENIED, "AccessDenied")  # fmt: skip
    results = run_checks(replace(snap, gaps=(gap,)))
    log = sarif_document(results, registry())
    validate_sarif(log)
    opened = [r for r in log["runs"][0]["results"] if r["kind"] == "open"]
    assert {r["ruleId"] for r in opened} >= {"iam-credentials-for-others"}


def test_scan_writes_sarif(lab: Lab, lab_snapshot: Snapshot, tmp_path: Path) -> None:
    path = tmp_path / "lab.json"
    lab_snapshot.save(path)
    out = tmp_path / "scan.sarif"
    assert main(["scan", "--snapshot", str(path), "--sarif", str(out)]) == 1
    log = json.loads(out.read_text())
    validate_sarif(log)
    assert log["runs"][0]["properties"]["account_id"] == lab.state.account_id


@pytest.mark.parametrize("severity", list(Severity))
def test_every_severity_has_a_level(severity: Severity) -> None:
    assert SARIF_LEVELS[severity] in LEVELS
