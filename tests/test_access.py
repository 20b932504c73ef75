"""Access questions against a snapshot collected from the lab."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chaincut.access import AccountAccess, parse_context
from chaincut.cli import EXIT_ERROR, main
from chaincut.collect import collect
from chaincut.errors import InputError
from chaincut.lab import LAB_REGION, Lab
from chaincut.policy import Decision, Layer, Outcome
from chaincut.snapshot import Snapshot


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _admin_arn(lab: Lab) -> str:
    return f"arn:aws:iam::{lab.state.account_id}:user/{lab.state.admin_user}"


def test_secondary_may_create_keys_for_admin(lab_snapshot: Snapshot, lab: Lab) -> None:
    access = AccountAccess(lab_snapshot)
    answer = access.can(
        lab.state.secondary_user, "iam:CreateAccessKey", _admin_arn(lab)
    )
    assert answer.decision is Decision.ALLOW
    (reason,) = answer.reasons
    assert reason.layer is Layer.IDENTITY
    assert reason.statement == "CreateKeys"
    assert reason.policy is not None and "secondary_user_policy" in reason.policy


def test_low_privilege_user_may_not_list_users(
    lab_snapshot: Snapshot, lab: Lab
) -> None:
    answer = AccountAccess(lab_snapshot).can(
        lab.state.low_priv_user, "iam:ListUsers", "*"
    )
    assert answer.decision is Decision.IMPLICIT_DENY
    assert [(r.outcome, r.layer) for r in answer.reasons] == [
        (Outcome.NO_ALLOW, Layer.IDENTITY)
    ]


def test_roles_and_secret_names(lab_snapshot: Snapshot, lab: Lab) -> None:
    access = AccountAccess(lab_snapshot)
    state = lab.state
    reader = access.can(
        state.instance_role, "secretsmanager:GetSecretValue", state.secret_name
    )
    assert reader.allowed
    other = access.can(
        state.service_role, "secretsmanager:GetSecretValue", state.secret_name
    )
    assert other.decision is Decision.IMPLICIT_DENY


def test_unknown_names_are_input_errors(lab_snapshot: Snapshot) -> None:
    access = AccountAccess(lab_snapshot)
    with pytest.raises(InputError, match="nobody"):
        access.can("nobody", "iam:ListUsers", "*")
    with pytest.raises(InputError, match="not-a-secret"):
        access.can("lab_defender", "secretsmanager:GetSecretValue", "not-a-secret")


def test_resource_policy_group_and_boundary(fresh_lab: Lab) -> None:
    defender = fresh_lab.defender()
    state = fresh_lab.state
    admin_arn = _admin_arn(fresh_lab)
    defender.client("secretsmanager").put_resource_policy(
        SecretId=state.secret_arn,
        ResourcePolicy=_document(
            {"Effect": "Deny", "Principal": {"AWS": admin_arn},
             "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
        ),
    )  # fmt: skip
    iam = defender.client("iam")
    iam.create_group(GroupName="auditors")
    iam.put_group_policy(
        GroupName="auditors",
        PolicyName="list",
        PolicyDocument=_document(
            {"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}
        ),
    )
    iam.add_user_to_group(GroupName="auditors", UserName=state.low_priv_user)
    boundary = iam.create_policy(
        PolicyName="only-s3",
        PolicyDocument=_document(
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
        ),
    )["Policy"]["Arn"]
    iam.create_role(
        RoleName="bounded",
        AssumeRolePolicyDocument=_document(
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
             "Action": "sts:AssumeRole"}
        ),
        PermissionsBoundary=boundary,
    )  # fmt: skip
    iam.put_role_policy(
        RoleName="bounded",
        PolicyName="all",
        PolicyDocument=_document({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    )

    access = AccountAccess(collect(defender, regions=[LAB_REGION]))

    denied = access.can(
        state.admin_user, "secretsmanager:GetSecretValue", state.secret_arn
    )
    assert denied.decision is Decision.EXPLICIT_DENY
    assert denied.reasons[0].layer is Layer.RESOURCE
    assert access.can(state.low_priv_user, "iam:ListUsers", "*").allowed
    bounded = access.can("bounded", "iam:ListUsers", "*")
    assert bounded.decision is Decision.IMPLICIT_DENY
    assert [r.layer for r in bounded.reasons] == [Layer.BOUNDARY]
    assert access.can("bounded", "s3:GetObject", "arn:aws:s3:::b/k").allowed


def test_parse_context() -> None:
    assert parse_context(
        ["aws:SourceIp=203.0.113.5", "aws:TagKeys=a", "aws:TagKeys=b"]
    ) == {
        "aws:SourceIp": "203.0.113.5",
        "aws:TagKeys": ["a", "b"],
    }
    with pytest.raises(InputError):
        parse_context(["no-equals-sign"])


def test_can_command(
    lab_snapshot: Snapshot, lab: Lab, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "snap.json"
    lab_snapshot.save(path)
    state = lab.state
    args = ["can", "--snapshot", str(path)]

    assert (
        main([*args, state.secondary_user, "iam:CreateAccessKey", _admin_arn(lab)]) == 0
    )
    assert capsys.readouterr().out.startswith("Allow: ")

    assert main([*args, "--json", state.low_priv_user, "iam:ListUsers", "*"]) == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer["decision"] == "ImplicitDeny"
    assert answer["principal"].endswith(f":user/{state.low_priv_user}")
    assert answer["reasons"] == [{"outcome": "no_allow", "layer": "identity"}]

    assert main([*args, "nobody", "iam:ListUsers", "*"]) == EXIT_ERROR
    assert "nobody" in capsys.readouterr().err
    assert main(["can", state.low_priv_user, "iam:ListUsers", "*"]) == EXIT_ERROR
