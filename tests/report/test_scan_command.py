"""``chaincut scan`` end to end on snapshot files, and its JSON report."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from chaincut.cli import main
from chaincut.lab import Lab
from chaincut.rules.monitoring import REQUIREMENTS
from chaincut.snapshot import (
    Alarm,
    Bucket,
    CoverageGap,
    GapKind,
    MetricFilter,
    MetricTransformation,
    Snapshot,
    Subscription,
    Topic,
    Trail,
)

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
    # The chain from the first credential to the secret comes first, with its
    # steps in order, and the cut that breaks every chain to the secret.
    secret_target = f"secret:{lab.state.secret_name}"
    (chain,) = [
        c
        for c in report["chains"]
        if c["target"] == secret_target
        and c["source"].endswith(f":user/{lab.state.low_priv_user}")
    ]
    actions = [call["action"] for step in chain["steps"] for call in step["calls"]]
    assert actions == [
        "elasticbeanstalk:DescribeConfigurationSettings",
        "iam:CreateAccessKey",
        "secretsmanager:GetSecretValue",
    ]
    assert secret_target in {cut["target"] for cut in report["cuts"]}
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


def _well_defended() -> Snapshot:
    """A trail, its bucket, and a watched filter for every requirement."""
    account, region = CLEAN.account_id, "us-east-1"
    topic = f"arn:aws:sns:{region}:{account}:security"
    policy = {
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/*"}
        ]
    }  # fmt: skip
    flags = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
             "RestrictPublicBuckets")  # fmt: skip
    trail = Trail(
        "main", f"arn:aws:cloudtrail:{region}:{account}:trail/main", region,
        multi_region=True, organization_trail=False, s3_bucket="logs",
        log_file_validation=True, include_global_events=True, is_logging=True,
        kms_key_id="key", event_selectors=({"ReadWriteType": "All"},),
        cloudwatch_log_group_arn=f"arn:aws:logs:{region}:{account}:log-group:ct:*",
    )  # fmt: skip
    filters, alarms = [], []
    for number, requirement in enumerate(REQUIREMENTS):
        metric = MetricTransformation("Security", f"m{number}", "1")
        filters.append(MetricFilter(f"f{number}", region, "ct", requirement.example,
                                    (metric,)))  # fmt: skip
        alarms.append(Alarm(f"a{number}", f"arn:aws:cloudwatch:{region}:{account}:"
                            f"alarm:a{number}", region, "Security", f"m{number}",
                            "GreaterThanThreshold", 0.0, True, (topic,)))  # fmt: skip
    return replace(
        CLEAN,
        trails=(trail,),
        buckets=(Bucket("logs", region, policy, dict.fromkeys(flags, True)),),
        metric_filters=tuple(filters),
        alarms=tuple(alarms),
        topics=(Topic(topic, region, (Subscription(f"{topic}:1", "email", "x"),)),),
    )


def test_exit_code_follows_fail_on(tmp_path: Path) -> None:
    bare = tmp_path / "bare.json"
    CLEAN.save(bare)
    # An empty account lacks CloudTrail (critical) and monitoring (high, low).
    assert _scan("--snapshot", str(bare), "--fail-on", "critical") == 1
    defended = tmp_path / "defended.json"
    _well_defended().save(defended)
    out = tmp_path / "f.json"
    assert (
        _scan("--snapshot", str(defended), "--fail-on", "low", "--json", str(out)) == 0
    )
    summary = json.loads(out.read_text())["summary"]
    assert (summary["FAIL"], summary["ERROR"]) == (0, 0)
    assert summary["PASS"] == summary["results"] > 20


def test_checks_that_could_not_run_fail_the_bar(tmp_path: Path) -> None:
    gap = CoverageGap("logs", "DescribeMetricFilters", "us-east-1",
                      GapKind.ACCESS_DENIED, "AccessDenied")  # fmt: skip
    blind = replace(_well_defended(), metric_filters=(), gaps=(gap,))
    path = tmp_path / "blind.json"
    blind.save(path)
    assert _scan("--snapshot", str(path), "--fail-on", "high") == 1


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
