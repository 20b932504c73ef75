"""``lab create`` and ``lab destroy`` through an AWS CLI profile, as on a real
account: the profile points at the running lab with the defender's key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chaincut.cli import main
from chaincut.lab import Lab
from chaincut.lab.scenario import LAB_TAG


@pytest.fixture
def lab_profile(fresh_lab: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    config = tmp_path / "config"
    credentials = tmp_path / "credentials"
    config.write_text(
        "[profile lab-admin]\n"
        f"region = {fresh_lab.region}\n"
        f"endpoint_url = {fresh_lab.endpoint_url}\n"
    )
    keys = fresh_lab.defender_keys
    credentials.write_text(
        "[lab-admin]\n"
        f"aws_access_key_id = {keys.access_key_id}\n"
        f"aws_secret_access_key = {keys.secret_access_key}\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    return "lab-admin"


def _users(lab: Lab) -> set[str]:
    iam = lab.defender().client("iam")
    return {user["UserName"] for user in iam.list_users()["Users"]}


def test_create_without_apply_changes_nothing(
    lab_profile: str, fresh_lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _users(fresh_lab)
    assert main(["lab", "create", "--profile", lab_profile]) == 0
    assert "--apply" in capsys.readouterr().err
    assert _users(fresh_lab) == before


def test_create_then_destroy_one_run(
    lab_profile: str,
    fresh_lab: Lab,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    state_file = tmp_path / "run.json"
    original_run = fresh_lab.state.run_id
    args = ["lab", "create", "--profile", lab_profile, "--state-file", str(state_file)]
    assert main([*args, "--apply"]) == 0
    created = json.loads(capsys.readouterr().out)
    run_id = created["run_id"]
    assert run_id != original_run
    assert f"low_priv_user_{run_id}" in _users(fresh_lab)
    assert state_file.stat().st_mode & 0o777 == 0o600
    kept = json.loads(state_file.read_text())
    assert kept["attacker_access_key_id"] == created["attacker_access_key_id"]
    assert "attacker_secret_access_key" not in created

    destroy = ["lab", "destroy", "--profile", lab_profile, "--run-id", run_id]
    assert main(destroy) == 0
    listed = capsys.readouterr().out
    assert f"low_priv_user_{run_id}" in listed
    assert f"low_priv_user_{run_id}" in _users(fresh_lab)  # listed, not removed

    assert main([*destroy, "--apply"]) == 0
    users = _users(fresh_lab)
    assert not any(run_id in name for name in users)
    # The lab's own scenario carries the tag too, with another run id: kept.
    assert f"low_priv_user_{original_run}" in users
    iam = fresh_lab.defender().client("iam")
    tags = iam.list_user_tags(UserName=f"secondary_user_{original_run}")["Tags"]
    assert {"Key": LAB_TAG, "Value": original_run} in tags


def test_collect_and_scan_through_a_profile(
    lab_profile: str,
    fresh_lab: Lab,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    snapshot_file = tmp_path / "account.json"
    args = ["--profile", lab_profile, "--region", fresh_lab.region]
    assert main(["collect", *args, "-o", str(snapshot_file)]) == 0
    collected = json.loads(snapshot_file.read_text())
    assert collected["regions"] == [fresh_lab.region]
    assert collected["caller_arn"].endswith(":user/lab_defender")
    capsys.readouterr()

    report = tmp_path / "findings.json"
    assert main(["scan", *args, "--json", str(report)]) == 1
    findings = json.loads(report.read_text())
    assert findings["account_id"] == fresh_lab.account_id
    assert findings["chains"]
