"""Snapshots survive a round trip and refuse what they cannot read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chaincut.errors import SnapshotError
from chaincut.secrets import MaskedValue
from chaincut.snapshot import (
    SCHEMA_VERSION,
    AccessKey,
    BeanstalkEnvironment,
    CoverageGap,
    DetectedValue,
    GapKind,
    Iam,
    InlinePolicy,
    OptionSetting,
    Snapshot,
    User,
)


def _snapshot() -> Snapshot:
    return Snapshot(
        account_id="111122223333",
        caller_arn="arn:aws:iam::111122223333:user/alice",
        collected_at="2026-12-03T00:00:00+00:00",
        regions=("us-east-1",),
        iam=Iam(
            users=(
                User(
                    name="alice",
                    arn="arn:aws:iam::111122223333:user/alice",
                    user_id="AIDAEXAMPLE",
                    inline_policies=(
                        InlinePolicy("p", {"Version": "2012-10-17", "Statement": []}),
                    ),
                    tags={"team": "sec"},
                    access_keys=(AccessKey("AKIAEXAMPLE", "Active", "2026-01-01"),),
                ),
            )
        ),
        beanstalk_environments=(
            BeanstalkEnvironment(
                name="env",
                environment_id="e-1",
                arn="arn:aws:elasticbeanstalk:us-east-1:111122223333:environment/a/env",
                application="a",
                region="us-east-1",
                status="Ready",
                settings=(
                    OptionSetting(
                        "ns",
                        "SECRET",
                        None,
                        DetectedValue("secret_name", MaskedValue.of("x" * 30)),
                    ),
                ),
            ),
        ),
        gaps=(
            CoverageGap("iam", "ListUsers", "us-east-1", GapKind.ACCESS_DENIED, "403"),
        ),
    )


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    original = _snapshot()
    original.save(path)
    assert Snapshot.load(path) == original
    assert not list(tmp_path.glob("*.partial"))


def test_other_schema_version_is_refused(tmp_path: Path) -> None:
    document = json.loads(_snapshot().to_json())
    document["schema_version"] = SCHEMA_VERSION + 1
    path = tmp_path / "future.json"
    path.write_text(json.dumps(document))
    with pytest.raises(SnapshotError, match="schema version"):
        Snapshot.load(path)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{truncated",
        '{"schema": "something.else"}',
        "[1, 2]",
    ],
)
def test_unreadable_documents_are_refused(text: str) -> None:
    with pytest.raises(SnapshotError):
        Snapshot.from_json(text, source="test input")


def test_wrong_field_type_is_refused() -> None:
    document = json.loads(_snapshot().to_json())
    document["regions"] = "us-east-1"
    with pytest.raises(SnapshotError, match="schema"):
        Snapshot.from_json(json.dumps(document))


def test_unknown_field_is_refused() -> None:
    document = json.loads(_snapshot().to_json())
    document["iam"]["users"][0]["password"] = "x"
    with pytest.raises(SnapshotError):
        Snapshot.from_json(json.dumps(document))


def test_missing_file_is_a_snapshot_error(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="cannot read"):
        Snapshot.load(tmp_path / "absent.json")
