"""Secret values never reach output, logs or snapshots of any command.

Each command runs in its own process with a private lab whose secret holds a
canary; afterwards the canary and the secondary user's secret key (the value
planted in the Beanstalk settings) are searched for in everything it wrote.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

RUNNER = Path(__file__).with_name("canary_runner.py")


def _run(tmp_path: Path, *args: str) -> tuple[str, list[str]]:
    watched_file = tmp_path / "watched.json"
    done = subprocess.run(
        [sys.executable, str(RUNNER), str(watched_file), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    watched = json.loads(watched_file.read_text())
    assert len(watched) >= 2  # the canary and at least one secondary key
    return done.stdout + done.stderr, watched


def _assert_absent(text: str, watched: list[str]) -> None:
    for value in watched:
        assert value not in text


@pytest.mark.slow
def test_demo_leaks_nothing(tmp_path: Path) -> None:
    output, watched = _run(tmp_path, "-vv", "demo")
    assert "SECONDARY_SECRET_KEY" in output  # it did report the setting
    _assert_absent(output, watched)


@pytest.mark.slow
def test_collect_to_file_leaks_nothing(tmp_path: Path) -> None:
    snapshot = tmp_path / "lab.snapshot.json"
    output, watched = _run(tmp_path, "-vv", "collect", "--lab", "-o", str(snapshot))
    text = snapshot.read_text()
    assert "SECONDARY_SECRET_KEY" in text
    _assert_absent(output + text, watched)


@pytest.mark.slow
def test_collect_as_attacker_leaks_nothing_and_lists_gaps(tmp_path: Path) -> None:
    output, watched = _run(
        tmp_path, "-vv", "collect", "--lab", "--lab-as", "attacker", "-o", "-"
    )
    assert "GetAccountAuthorizationDetails" in output
    assert "access_denied" in output
    _assert_absent(output, watched)


@pytest.mark.slow
def test_lab_serve_prints_working_keys_stops_on_ctrl_c_and_leaks_nothing() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "chaincut", "lab", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("# and to ~/.aws/credentials"):
            break
    exports = [
        dict([line.removeprefix("export ").split("=", 1)])
        for line in lines
        if line.startswith("export ")
    ]
    endpoint = exports[0]["AWS_ENDPOINT_URL"]
    region = exports[1]["AWS_DEFAULT_REGION"]
    defender = {key: value for item in exports[4:] for key, value in item.items()}
    try:
        session = boto3.Session(
            aws_access_key_id=defender["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=defender["AWS_SECRET_ACCESS_KEY"],
            region_name=region,
        )
        assert endpoint.startswith("http://127.0.0.1:")
        beanstalk = session.client("elasticbeanstalk", endpoint_url=endpoint)
        (env,) = beanstalk.describe_environments()["Environments"]
        described = beanstalk.describe_configuration_settings(
            ApplicationName=env["ApplicationName"],
            EnvironmentName=env["EnvironmentName"],
        )
        options = {
            o["OptionName"]: o["Value"]
            for o in described["ConfigurationSettings"][0]["OptionSettings"]
        }
        secrets = session.client("secretsmanager", endpoint_url=endpoint)
        (secret,) = secrets.list_secrets()["SecretList"]
        value = secrets.get_secret_value(SecretId=secret["ARN"])["SecretString"]
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    printed = "\n".join(lines) + out + err
    _assert_absent(printed, [options["SECONDARY_SECRET_KEY"], value])
    assert "stopping the lab" in err


@pytest.mark.slow
def test_paths_and_scan_leak_nothing(tmp_path: Path) -> None:
    paths_output, watched = _run(tmp_path, "-vv", "paths", "--lab", "--json")
    assert "iam:CreateAccessKey" in paths_output
    _assert_absent(paths_output, watched)
    report = tmp_path / "scan.json"
    sarif = tmp_path / "scan.sarif"
    scan_run = subprocess.run(
        [sys.executable, str(RUNNER), str(tmp_path / "w2.json"), "-vv", "scan",
         "--lab", "--json", str(report), "--sarif", str(sarif)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert scan_run.returncode == 1, scan_run.stderr  # findings, by design
    scan_watched = json.loads((tmp_path / "w2.json").read_text())
    everything = (
        scan_run.stdout + scan_run.stderr + report.read_text() + sarif.read_text()
    )
    assert "beanstalk-plaintext-aws-keys" in everything
    _assert_absent(everything, scan_watched)
