"""Credential holders, the public API's shape, and build time at scale."""

from __future__ import annotations

import time

import pytest
from graph_helpers import (
    ACCOUNT,
    ATTACKER,
    REGION,
    VICTIM,
    allow,
    document,
    role,
    snapshot,
    trust,
    user,
)

import chaincut.graph
from chaincut.graph import METHODS, USE_LEAKED_KEY, build_graph
from chaincut.secrets import MaskedValue
from chaincut.snapshot import (
    AccessKey,
    BeanstalkEnvironment,
    DetectedValue,
    Iam,
    InlinePolicy,
    OptionSetting,
    Parameter,
    Snapshot,
    User,
    Workload,
    WorkloadKind,
)

KEY_ID = "AKIAEXAMPLEVICTIM001"
ENV_ARN = f"arn:aws:elasticbeanstalk:{REGION}:{ACCOUNT}:environment/app/env"
NAMESPACE = "aws:elasticbeanstalk:application:environment"


def _settings(key_id: str | None = KEY_ID) -> tuple[OptionSetting, ...]:
    secret = OptionSetting(
        NAMESPACE,
        "SECRET_KEY",
        None,
        DetectedValue("aws_secret_access_key", MaskedValue("sha256:00", "****", 40)),
    )
    if key_id is None:
        return (secret,)
    identifier = OptionSetting(
        NAMESPACE,
        "ACCESS_KEY",
        key_id,
        DetectedValue("aws_access_key_id", MaskedValue.of(key_id)),
    )
    return (identifier, secret)


def _account(status: str = "Active", key_id: str | None = KEY_ID) -> Snapshot:
    key = AccessKey(KEY_ID, status, "2026-01-01")
    environment = BeanstalkEnvironment(
        "env", "e-1", ENV_ARN, "app", REGION, "Ready", settings=_settings(key_id)
    )
    policy = document(allow(["elasticbeanstalk:DescribeConfigurationSettings"]))
    return snapshot(
        attacker_policy=policy,
        users=(user(VICTIM, keys=(key,)),),
        beanstalk_environments=(environment,),
    )


def test_beanstalk_holder_leads_to_the_key_owner() -> None:
    graph = build_graph(_account())
    (holder,) = graph.holders
    assert (holder.owner, holder.key_status, holder.usable) == (VICTIM, "Active", True)
    steps = [(e.source, e.method, e.target) for e in graph.edges]
    assert (ATTACKER, "read_credential_holder", holder.id) in steps
    assert (holder.id, USE_LEAKED_KEY, VICTIM) in steps


def test_inactive_key_is_no_edge() -> None:
    graph = build_graph(_account(status="Inactive"))
    (holder,) = graph.holders
    assert not holder.usable
    assert not [e for e in graph.edges if e.method == USE_LEAKED_KEY]


def test_secret_without_known_owner_is_a_holder_without_edge() -> None:
    graph = build_graph(_account(key_id=None))
    (holder,) = graph.holders
    assert holder.owner is None
    assert not [e for e in graph.edges if e.source == holder.id]


def test_lambda_and_ssm_holders() -> None:
    key = AccessKey(KEY_ID, "Active", "2026-01-01")
    function = Workload(
        WorkloadKind.LAMBDA_FUNCTION,
        "f",
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f",
        REGION,
        settings=_settings(),
    )
    parameters = (
        Parameter(
            "/app/KEY_ID",
            f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/KEY_ID",
            REGION,
            "String",
            detected=DetectedValue("aws_access_key_id", MaskedValue.of(KEY_ID)),
        ),
        Parameter(
            "/app/SECRET",
            f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/SECRET",
            REGION,
            "String",
            detected=DetectedValue(
                "aws_secret_access_key", MaskedValue("sha256:00", "****", 40)
            ),
        ),
    )
    account = snapshot(
        attacker_policy=document(allow(["lambda:GetFunction", "ssm:GetParameter"])),
        users=(user(VICTIM, keys=(key,)),),
        workloads=(function,),
        parameters=parameters,
    )
    graph = build_graph(account)
    assert {h.source for h in graph.holders} == {"lambda_environment", "ssm_parameters"}
    assert all(h.owner == VICTIM for h in graph.holders)
    reads = [e for e in graph.edges if e.method == "read_credential_holder"]
    assert len(reads) == 2
    # Data edges: the attacker reads both parameters directly too.
    assert {e.target for e in graph.edges if e.method == "ssm:GetParameter"} == {
        "parameter:/app/KEY_ID",
        "parameter:/app/SECRET",
    }


def test_public_names_are_sorted_and_exported() -> None:
    names = chaincut.graph.__all__

    # ruff's isort-style order: constants, then classes, then functions.
    def kind(name: str) -> tuple[int, str]:
        rank = 0 if name.isupper() else 1 if name[0].isupper() else 2
        return rank, name

    assert list(names) == sorted(names, key=kind)
    assert all(hasattr(chaincut.graph, name) for name in names)


def test_every_method_declares_itself() -> None:
    for name, cls in METHODS.items():
        assert cls.name == name
        assert cls.summary and cls.fix_kind is not None
        assert isinstance(cls.actions, tuple)


def test_graph_is_json_ready() -> None:
    import json

    graph = build_graph(_account())
    text = json.dumps(graph.to_dict())
    assert KEY_ID in text  # key ids are identifiers, kept
    assert "sha256:00" not in text  # fingerprints of secrets are not needed


def _big(count: int) -> Snapshot:
    """A synthetic account: users in teams, roles assumable by the account."""
    users: list[User] = []
    for i in range(count):
        statements = [allow(["s3:GetObject"], f"arn:aws:s3:::bucket-{i % 50}/*")]
        if i % 10 == 0:
            statements.append(
                allow(["iam:CreateAccessKey"], f"arn:aws:iam::{ACCOUNT}:user/u{i + 1}")
            )
        if i % 7 == 0:
            statements.append(allow(["sts:AssumeRole"]))
        if i % 13 == 0:
            statements.append(allow(["iam:PassRole", "lambda:CreateFunction",
                                     "lambda:InvokeFunction"]))  # fmt: skip
        users.append(
            User(
                f"u{i}",
                f"arn:aws:iam::{ACCOUNT}:user/u{i}",
                f"AIDA{i:016d}",
                inline_policies=(InlinePolicy("p", document(*statements)),),
            )
        )
    roles = [
        role(
            f"arn:aws:iam::{ACCOUNT}:role/r{i}",
            trust({"AWS": ACCOUNT} if i % 2 else {"Service": "lambda.amazonaws.com"}),
            admin=i == 0,
        )
        for i in range(count // 10)
    ]
    return Snapshot(
        account_id=ACCOUNT,
        caller_arn=ATTACKER,
        collected_at="2026-01-01T00:00:00Z",
        regions=(REGION,),
        iam=Iam(users=tuple(users), roles=tuple(roles)),
    )


@pytest.mark.parametrize("count", [1000])
def test_build_time(count: int) -> None:
    account = _big(count)
    started = time.perf_counter()
    graph = build_graph(account)
    elapsed = time.perf_counter() - started
    assert graph.edges
    assert elapsed < 3.0, f"{count} principals took {elapsed:.2f}s"
