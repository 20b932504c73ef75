"""The lab decides with chaincut's policy engine, as AWS would.

Each test changes policies with the defender's key, then makes the real calls
with the keys of the principal concerned.
"""

from __future__ import annotations

import json
from typing import Any

import botocore.exceptions
import pytest

from chaincut.aws import AccessKeyPair, AwsConnection, is_access_denied
from chaincut.lab import Lab


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _secondary(lab: Lab) -> AwsConnection:
    state = lab.state
    options = {
        o["OptionName"]: o["Value"]
        for o in lab.defender()
        .client("elasticbeanstalk")
        .describe_configuration_settings(
            ApplicationName=state.application_name,
            EnvironmentName=state.environment_name,
        )["ConfigurationSettings"][0]["OptionSettings"]
    }
    return lab.connection(
        AccessKeyPair(options["SECONDARY_ACCESS_KEY"], options["SECONDARY_SECRET_KEY"])
    )


def _denied(call: Any, **kwargs: Any) -> bool:
    try:
        call(**kwargs)
    except botocore.exceptions.ClientError as error:
        assert is_access_denied(error), error
        return True
    return False


def _new_user(lab: Lab, name: str, policy: str) -> AwsConnection:
    iam = lab.defender().client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return lab.connection(AccessKeyPair(key["AccessKeyId"], key["SecretAccessKey"]))


def test_deny_scoped_to_admin_blocks_exactly_that_call(fresh_lab: Lab) -> None:
    state = fresh_lab.state
    admin_arn = f"arn:aws:iam::{state.account_id}:user/{state.admin_user}"
    fresh_lab.defender().client("iam").put_user_policy(
        UserName=state.secondary_user,
        PolicyName="no-keys-for-admin",
        PolicyDocument=_document(
            {"Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": admin_arn}
        ),
    )
    iam = _secondary(fresh_lab).client("iam")

    assert _denied(iam.create_access_key, UserName=state.admin_user)
    # The same action on another user is still allowed (the deny is scoped).
    created = iam.create_access_key(UserName=state.low_priv_user)["AccessKey"]
    assert created["UserName"] == state.low_priv_user
    # Other actions of the same principal are unaffected.
    assert any(u["UserName"] == state.admin_user for u in iam.list_users()["Users"])


def test_secret_resource_policy_deny_blocks_named_principals(fresh_lab: Lab) -> None:
    state = fresh_lab.state
    admin_arn = f"arn:aws:iam::{state.account_id}:user/{state.admin_user}"
    defender = fresh_lab.defender()
    defender.client("secretsmanager").put_resource_policy(
        SecretId=state.secret_arn,
        ResourcePolicy=_document(
            {
                "Effect": "Deny",
                "Principal": {"AWS": admin_arn},
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
            }
        ),
    )
    key = defender.client("iam").create_access_key(UserName=state.admin_user)
    admin = fresh_lab.connection(
        AccessKeyPair(
            key["AccessKey"]["AccessKeyId"], key["AccessKey"]["SecretAccessKey"]
        )
    )

    admin_secrets = admin.client("secretsmanager")
    assert _denied(admin_secrets.get_secret_value, SecretId=state.secret_arn)
    # The admin may still describe it: the deny names one action only.
    admin_secrets.describe_secret(SecretId=state.secret_arn)
    # A principal the policy does not name still reads it.
    value = defender.client("secretsmanager").get_secret_value(
        SecretId=state.secret_arn
    )
    assert value["ARN"] == state.secret_arn


@pytest.mark.parametrize(
    ("cidr", "allowed"), [("127.0.0.0/8", True), ("203.0.113.0/24", False)]
)
def test_source_ip_condition(fresh_lab: Lab, cidr: str, allowed: bool) -> None:
    conditional = _new_user(
        fresh_lab,
        "from-the-office",
        _document(
            {
                "Effect": "Allow",
                "Action": "iam:ListUsers",
                "Resource": "*",
                "Condition": {"IpAddress": {"aws:SourceIp": cidr}},
            }
        ),
    )
    assert _denied(conditional.client("iam").list_users) is not allowed


def test_resource_scoped_allow_covers_only_that_resource(fresh_lab: Lab) -> None:
    state = fresh_lab.state
    arn = f"arn:aws:iam::{state.account_id}:user/{state.low_priv_user}"
    scoped = _new_user(
        fresh_lab,
        "key-rotator",
        _document(
            {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": arn}
        ),
    )
    iam = scoped.client("iam")
    iam.create_access_key(UserName=state.low_priv_user)
    assert _denied(iam.create_access_key, UserName=state.admin_user)


def test_actions_match_case_insensitively_and_with_question_marks(
    fresh_lab: Lab,
) -> None:
    reader = _new_user(
        fresh_lab,
        "odd-writer",
        _document({"Effect": "Allow", "Action": "IAM:listUser?", "Resource": "*"}),
    )
    reader.client("iam").list_users()


def test_role_trust_policy_decides_assume_role(fresh_lab: Lab) -> None:
    defender = fresh_lab.defender()
    iam = defender.client("iam")
    account = fresh_lab.state.account_id
    trusted = _new_user(
        fresh_lab,
        "trusted",
        _document({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}),
    )
    untrusted = _new_user(
        fresh_lab,
        "untrusted",
        _document({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}),
    )
    role_arn = iam.create_role(
        RoleName="auditor",
        AssumeRolePolicyDocument=_document(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:user/trusted"},
                "Action": "sts:AssumeRole",
            }
        ),
    )["Role"]["Arn"]
    iam.put_role_policy(
        RoleName="auditor",
        PolicyName="read",
        PolicyDocument=_document(
            {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}
        ),
    )

    credentials = trusted.client("sts").assume_role(
        RoleArn=role_arn, RoleSessionName="audit"
    )["Credentials"]
    assert _denied(
        untrusted.client("sts").assume_role, RoleArn=role_arn, RoleSessionName="xx"
    )
    session = fresh_lab.connection(
        AccessKeyPair(
            credentials["AccessKeyId"],
            credentials["SecretAccessKey"],
            credentials["SessionToken"],
        )
    )
    session.client("iam").list_users()
    assert _denied(session.client("iam").create_user, UserName="nope")


def test_bucket_policy_grants_a_user_with_no_identity_policy(fresh_lab: Lab) -> None:
    defender = fresh_lab.defender()
    account = fresh_lab.state.account_id
    reader = _new_user(
        fresh_lab,
        "bucket-reader",
        _document({"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}),
    )
    s3 = defender.client("s3")
    s3.create_bucket(Bucket="shared-reports")
    s3.put_object(Bucket="shared-reports", Key="q3.csv", Body=b"a,b\n")
    assert _denied(
        reader.client("s3").get_object, Bucket="shared-reports", Key="q3.csv"
    )
    s3.put_bucket_policy(
        Bucket="shared-reports",
        Policy=_document(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:user/bucket-reader"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::shared-reports/*",
            }
        ),
    )
    body = reader.client("s3").get_object(Bucket="shared-reports", Key="q3.csv")
    assert body["Body"].read() == b"a,b\n"


def test_user_permissions_boundary_limits_the_user(fresh_lab: Lab) -> None:
    state = fresh_lab.state
    iam = fresh_lab.defender().client("iam")
    boundary = iam.create_policy(
        PolicyName="reads-only",
        PolicyDocument=_document(
            {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}
        ),
    )["Policy"]["Arn"]
    iam.put_user_permissions_boundary(
        UserName=state.secondary_user, PermissionsBoundary=boundary
    )
    details = iam.get_account_authorization_details(Filter=["User"])
    (entry,) = [
        u for u in details["UserDetailList"] if u["UserName"] == state.secondary_user
    ]
    assert entry["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary

    secondary = _secondary(fresh_lab).client("iam")
    secondary.list_users()  # inside the boundary
    assert _denied(secondary.create_access_key, UserName=state.admin_user)

    iam.delete_user_permissions_boundary(UserName=state.secondary_user)
    secondary.create_access_key(UserName=state.admin_user)
