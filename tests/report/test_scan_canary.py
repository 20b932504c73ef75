"""``chaincut scan --lab`` writes no secret value into any report.

Runs in its own process with a private lab whose secret holds a canary
(``tests/cli/canary_runner.py``); afterwards the canary and the secondary
user's secret key (planted in the Beanstalk settings) are searched for in
stdout, stderr, the JSON and the SARIF report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).parents[1] / "cli" / "canary_runner.py"


@pytest.mark.slow
def test_scan_reports_leak_no_secret(tmp_path: Path) -> None:
    watched_file = tmp_path / "watched.json"
    findings = tmp_path / "findings.json"
    sarif = tmp_path / "scan.sarif"
    done = subprocess.run(
        [sys.executable, str(RUNNER), str(watched_file), "-vv", "scan", "--lab",
         "--region", "us-east-1", "--json", str(findings), "--sarif", str(sarif)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # findings, not a crash
    watched = json.loads(watched_file.read_text())
    assert len(watched) >= 2
    written = findings.read_text() + sarif.read_text()
    assert "SECONDARY_SECRET_KEY" in written  # the setting is reported...
    for value in watched:  # ...its value is not
        assert value not in written + done.stdout + done.stderr
