"""Bad input gets one clear line on stderr and exit code 2."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from chaincut.cli import EXIT_ERROR, main


def test_unknown_profile(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    assert main(["collect", "--profile", "no-such-profile"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "no-such-profile" in err
    assert "Traceback" not in err


def test_no_credentials(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["collect"]) == EXIT_ERROR
    assert "credentials" in capsys.readouterr().err


def test_lab_and_profile_together(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["collect", "--lab", "--profile", "p"]) == EXIT_ERROR
    assert "--lab" in capsys.readouterr().err


def test_lab_serve_on_a_busy_port() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "chaincut", "lab", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == EXIT_ERROR
    assert f"port {port}" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_bad_option_value_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["collect", "--workers", "0"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "--workers" in err
    assert "Traceback" not in err


def test_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == EXIT_ERROR
    assert "no-such-command" in capsys.readouterr().err
