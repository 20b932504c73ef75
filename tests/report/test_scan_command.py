"""``chaincut scan`` end to end on snapshot files, and its JSON report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chaincut.cli import main
from chaincut.lab import Lab
from chaincut.snapshot import Snapshot

CLEAN = Snapshot(
    account_id="123456789012",
    caller_arn="arn:aws:iam::123456789012:user/auditor",
    collected_at="2025-06-01T00:00:00+00:00",
    regions=("us-east-1",),
)


@pytest.fixture
def lab_file(lab_snapshot: Snapshot, tmp_path: Path) -> Path:
    path = tmp_path / "lab.snapshot.json"
    lab_snapshot.save(path)
    return path


def _scan(*args: str) -> int:
    return main(["scan", *args])


def test_scan_of_the_lab_writes_json_and_exits_1(
    lab: Lab, lab_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "findings.json"
    assert _scan("--snapshot", str(lab_file), "--json", str(out)) == 1
    report: dict[str, Any] = json.loads(out.read_text())
    assert (report["schema"], report["schema_version"]) == ("chaincut.findings", 1)
    assert report["chains"] == []
    assert report["account_id"] == lab.state.account_id
    failed = {
        (r["rule"], r["resource"]) for r in report["results"] if r["status"] == "FAIL"
    }
    secondary = f"arn:aws:iam::{lab.state.account_id}:user/{lab.state.secondary_user}"
    assert ("iam-credentials-for-others", secondary) in failed
    assert ("secrets-rotation", lab.state.secret_arn) in failed
    rules = {r["id"]: r for r in report["rules"]}
    assert rules["iam-credentials-for-others"]["attack"] == ["T1098.001"]
    assert (
        "iam:GetAccountAuthorizationDetails"
        in (rules["iam-credentials-for-others"]["permissions"])
    )
    leak = next(
        r for r in report["results"] if r["rule"] == "beanstalk-plaintext-aws-keys"
    )
    assert leak["evidence"]["type"] == "KeyPairEvidence"
    assert leak["evidence"]["pairs"][0]["secret_setting"]["fingerprint"].startswith(
        "sha256:"
    )
    assert report["summary"]["failed_by_severity"]["critical"] >= 3
    printed = capsys.readouterr().out
    assert printed.index("Attack chains") < printed.index("Failed checks")
    assert printed.index("Failed checks") < printed.index("Coverage gaps")


def test_clean_snapshot_exits_0_and_fail_on_sets_the_bar(tmp_path: Path) -> None:
    path = tmp_path / "clean.json"
    CLEAN.save(path)
    # An empty account still lacks CloudTrail and monitoring: critical and high.
    assert _scan("--snapshot", str(path)) == 1
    only_iam = tmp_path / "iam.json"
    Snapshot(**{**CLEAN.__dict__, "trails": ()}).save(only_iam)
    assert _scan("--snapshot", str(only_iam), "--fail-on", "critical") == 1


def test_fail_on_counts_only_findings_at_or_above(
    tmp_path: Path, lab_file: Path
) -> None:
    out = tmp_path / "f.json"
    assert (
        _scan("--snapshot", str(lab_file), "--fail-on", "critical", "--json", str(out))
        == 1
    )
    report = json.loads(out.read_text())
    assert report["summary"]["failed_by_severity"]["critical"] > 0


def test_accepted_fingerprint_clears_a_finding(tmp_path: Path, lab_file: Path) -> None:
    out = tmp_path / "f.json"
    _scan("--snapshot", str(lab_file), "--json", str(out))
    leak = next(
        r for r in json.loads(out.read_text())["results"]
        if r["rule"] == "beanstalk-plaintext-aws-keys"
    )  # fmt: skip
    fingerprint = leak["evidence"]["pairs"][0]["secret_setting"]["fingerprint"]
    accept = tmp_path / "accepted.txt"
    accept.write_text(f"# reviewed\n{fingerprint}  # the lab's planted key\n")
    _scan("--snapshot", str(lab_file), "--json", str(out), "--accept-file", str(accept))
    leak = next(
        r for r in json.loads(out.read_text())["results"]
        if r["rule"] == "beanstalk-plaintext-aws-keys"
    )  # fmt: skip
    assert leak["status"] == "PASS"


@pytest.mark.parametrize(
    "args",
    [
        ["--snapshot", "/nonexistent/snapshot.json"],
        ["--snapshot", "{file}", "--lab"],
        ["--snapshot", "{file}", "--accept", "not-a-fingerprint"],
        ["--snapshot", "{file}", "--json", "/nonexistent/dir/out.json"],
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "clean.json"
    CLEAN.save(path)
    assert _scan(*[a.replace("{file}", str(path)) for a in args]) == 2
    assert capsys.readouterr().out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.json"]


def test_truncated_snapshot_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text(CLEAN.to_json()[:40])
    assert _scan("--snapshot", str(path)) == 2
