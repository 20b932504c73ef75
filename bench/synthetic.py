"""Synthetic accounts for benchmarks: many principals with realistic policies.

The account is written straight into the lab's IAM backend (creating 5,000
principals through the API would take minutes and measure moto, not the
tools); everything the tools then read goes through the lab's API like any
other call.

The mix, by share of principals (deterministic for a seed):

- 60 % users, 40 % roles; one group per 40 principals, users in 0-2 groups;
- a pool of customer managed policies: read-only service access, developer
  access with ``iam:PassRole`` on a few roles, operations with
  ``ssm:SendCommand``, self-service keys scoped with ``${aws:username}``,
  MFA-conditioned administration, IP-restricted S3, explicit denies, secret
  readers by name prefix;
- rare risky grants that make escalation edges: ``iam:CreateAccessKey`` on
  ``*`` (1 %), ``iam:PassRole`` on ``*`` with ``lambda:CreateFunction`` (1 %),
  ``iam:AttachUserPolicy`` (0.5 %), full administrators (1 %);
- 30 % of users carry an inline policy of a few random actions; roles are
  trusted by a service (50 %), the account (30 %) or a named user (20 %), and
  10 % of roles have a permissions boundary.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from moto.iam.models import iam_backends

from chaincut.lab import LAB_REGION, Lab

_SERVICES = ("lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com")
_RANDOM_ACTIONS = (
    "s3:GetObject", "s3:PutObject", "s3:ListBucket", "ec2:DescribeInstances",
    "ec2:StartInstances", "dynamodb:GetItem", "dynamodb:Query", "sqs:SendMessage",
    "sns:Publish", "logs:PutLogEvents", "kms:Decrypt", "lambda:InvokeFunction",
    "cloudwatch:PutMetricData", "ssm:GetParameter", "iam:GetUser", "iam:ListRoles",
)  # fmt: skip


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


@dataclass(frozen=True)
class SyntheticAccount:
    principals: int
    users: int
    roles: int
    groups: int
    policies: int


def populate(lab: Lab, principals: int, seed: int = 7) -> SyntheticAccount:
    """Add ``principals`` users and roles (with groups and policies) to the lab."""
    rng = random.Random(seed)
    account = lab.account_id
    iam = iam_backends[account]["aws"]
    role_arn = f"arn:aws:iam::{account}:role/synthetic-role-"
    pool = {
        "read-only": _document(_allow(["s3:Get*", "s3:List*", "ec2:Describe*"])),
        "developer": _document(
            _allow(["lambda:*"], f"arn:aws:lambda:*:{account}:function:dev-*"),
            _allow("iam:PassRole", [f"{role_arn}{i}" for i in range(3)]),
        ),
        "operations": _document(_allow(["ec2:*", "ssm:SendCommand", "ssm:List*"])),
        "self-service-keys": _document(
            _allow(
                ["iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:DeleteAccessKey"],
                f"arn:aws:iam::{account}:user/${{aws:username}}",
            )
        ),
        "mfa-admin": _document(
            _allow("*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
        ),
        "office-s3": _document(
            _allow("s3:*", Condition={"IpAddress": {"aws:SourceIp": "198.51.100.0/24"}})
        ),
        "no-iam-writes": _document(
            {
                "Effect": "Deny",
                "Action": ["iam:Create*", "iam:Put*", "iam:Attach*"],
                "Resource": "*",
            }
        ),
        "secret-readers": _document(
            _allow(
                "secretsmanager:GetSecretValue",
                f"arn:aws:secretsmanager:*:{account}:secret:team-*",
            )
        ),
        "security-audit": _document(_allow(["iam:Get*", "iam:List*"])),
        "boundary": _document(_allow(["s3:*", "logs:*", "cloudwatch:*"])),
    }
    risky = {
        "key-maker": (_document(_allow("iam:CreateAccessKey")), 0.01),
        "lambda-passer": (
            _document(
                _allow(
                    ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]
                )
            ),
            0.01,
        ),
        "policy-attacher": (_document(_allow("iam:AttachUserPolicy")), 0.005),
        "administrator": (_document(_allow("*")), 0.01),
    }
    arns = {}
    for name, text in {**pool, **{k: v[0] for k, v in risky.items()}}.items():
        policy = iam.create_policy("", "/", text, f"synthetic-{name}", [])
        arns[name] = policy.arn
    common = [name for name in pool if name != "boundary"]

    group_count = max(1, principals // 40)
    for g in range(group_count):
        iam.create_group(f"synthetic-group-{g}")
        for name in rng.sample(common, rng.randint(1, 3)):
            iam.attach_group_policy(arns[name], f"synthetic-group-{g}")

    users = int(principals * 0.6)
    for u in range(users):
        name = f"synthetic-user-{u}"
        iam.create_user(LAB_REGION, name)
        for g in rng.sample(range(group_count), min(group_count, rng.randint(0, 2))):
            iam.add_user_to_group(f"synthetic-group-{g}", name)
        for policy in rng.sample(common, rng.randint(0, 2)):
            iam.attach_user_policy(arns[policy], name)
        for policy, (_, share) in risky.items():
            if rng.random() < share:
                iam.attach_user_policy(arns[policy], name)
        if rng.random() < 0.3:
            actions = rng.sample(_RANDOM_ACTIONS, rng.randint(1, 4))
            iam.put_user_policy(name, "inline", _document(_allow(actions)))

    roles = principals - users
    for r in range(roles):
        draw = rng.random()
        if draw < 0.5:
            principal: dict[str, Any] = {"Service": rng.choice(_SERVICES)}
        elif draw < 0.8:
            principal = {"AWS": f"arn:aws:iam::{account}:root"}
        else:
            who = rng.randrange(max(users, 1))
            principal = {"AWS": f"arn:aws:iam::{account}:user/synthetic-user-{who}"}
        trust = _document(
            {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
        )
        boundary = arns["boundary"] if rng.random() < 0.1 else None
        name = f"synthetic-role-{r}"
        iam.create_role(name, trust, "/", boundary, "", [], None)
        for policy in rng.sample(common, rng.randint(1, 2)):
            iam.attach_role_policy(arns[policy], name)
        if rng.random() < 0.02:
            iam.attach_role_policy(arns["administrator"], name)
    return SyntheticAccount(principals, users, roles, group_count, len(arns))
