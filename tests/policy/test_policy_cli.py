"""``chaincut policy eval``: one case, an array, a malformed case, stdin."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from policy_helpers import ACCOUNT, ALICE, BOB, allow, deny, doc

from chaincut.cli import main

CASE: dict[str, Any] = {
    "request": {
        "principal": ALICE,
        "action": "iam:CreateAccessKey",
        "resource": BOB,
        "resource_account": ACCOUNT,
        "context": {"aws:SourceIp": "203.0.113.5", "aws:TagKeys": ["team", "env"]},
    },
    "identity_policies": [
        doc({**allow("iam:*"), "Sid": "IamAll"}),
        doc(
            {
                **deny("iam:CreateAccessKey"),
                "Sid": "NoKeysOffsite",
                "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
            }
        ),
    ],
}
ALLOWED_CASE: dict[str, Any] = {
    "request": {"principal": ALICE, "action": "s3:GetObject"},
    "identity_policies": [json.dumps(doc(allow("s3:*")))],
    "scp_levels": [[doc(allow())]],
}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    code = main(["policy", "eval", *argv])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


def test_single_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE))
    code, answer = run([str(path)], capsys)
    assert code == 0
    assert answer["decision"] == "ExplicitDeny"
    assert answer["reasons"] == [
        {
            "outcome": "denied",
            "layer": "identity",
            "policy": "identity_policies[1]",
            "statement": "NoKeysOffsite",
        }
    ]


def test_array_keeps_order_and_isolates_a_malformed_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = {
        "request": {"principal": ALICE, "action": "s3:GetObject"},
        "identity_policies": [doc({**allow(), "Sid": "Bad", "Effect": "Permit"})],
    }
    no_request = {"identity_policies": []}
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([CASE, broken, ALLOWED_CASE, no_request]))
    code, answers = run([str(path)], capsys)
    assert code == 0
    assert [a.get("decision") for a in answers] == [
        "ExplicitDeny",
        None,
        "Allow",
        None,
    ]
    assert answers[1]["policy"] == "identity_policies[0]"
    assert answers[1]["statement"] == "Bad"
    assert "error" in answers[3]
    assert {r["layer"] for r in answers[2]["reasons"]} == {"scp", "identity"}


def test_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(ALLOWED_CASE)))
    code, answer = run(["-"], capsys)
    assert code == 0
    assert answer["decision"] == "Allow"


def test_implicit_deny_names_the_missing_layer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    case = {**ALLOWED_CASE, "scp_levels": [[doc(allow())], [doc(allow("iam:*"))]]}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(case)))
    _, answer = run(["-"], capsys)
    assert answer == {
        "decision": "ImplicitDeny",
        "reasons": [{"outcome": "no_allow", "layer": "scp", "scp_level": 1}],
    }


@pytest.mark.parametrize("content", ["{not json", None])
def test_unreadable_input_exits_2(
    tmp_path: Path, content: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cases.json"
    if content is not None:
        path.write_text(content)
    code = main(["policy", "eval", str(path)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "InputError" in captured.err
