"""The ``beanstalk_secrets`` scenario: the vulnerable account chaincut defends.

Everything is made through plain boto3 calls, so the same builder works in
the lab and, with ``chaincut lab create --profile P --apply``, in a real
account. Every resource carries the tag ``chaincut:lab=<run id>`` and a random
run id in its name; :func:`destroy` removes only resources with that tag.

What it builds (see DESIGN.md for why each piece matters):

- ``low_priv_user_<id>``: Beanstalk Describe/List, ``ec2:DescribeSubnets``,
  ``s3:*`` on ``elasticbeanstalk*`` buckets. Its key is the attacker's start.
- ``secondary_user_<id>``: ``iam:CreateAccessKey`` on ``*`` and IAM reads. Its
  key is planted in the environment's settings.
- ``admin_user_<id>``: ``*`` on ``*``.
- an EC2 instance role and profile, a Beanstalk service role;
- a VPC and subnet, a Beanstalk application and environment;
- a Secrets Manager secret holding the data worth stealing.

Limits: in a real account the environment launches real instances (billed)
and takes minutes to become ready; the builder does not wait for it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import botocore.exceptions

from chaincut.aws import AccessKeyPair, AwsConnection, tag_map

log = logging.getLogger(__name__)

SCENARIO_NAME = "beanstalk_secrets"
LAB_TAG = "chaincut:lab"
SCENARIO_TAG = "chaincut:scenario"
SOLUTION_STACK = "64bit Amazon Linux 2023 v4.6.0 running Python 3.11"
ENVIRONMENT_NAMESPACE = "aws:elasticbeanstalk:application:environment"

BEANSTALK_READ_ACTIONS = (
    "elasticbeanstalk:DescribeApplications",
    "elasticbeanstalk:DescribeApplicationVersions",
    "elasticbeanstalk:DescribeConfigurationSettings",
    "elasticbeanstalk:DescribeEnvironmentHealth",
    "elasticbeanstalk:DescribeEnvironmentResources",
    "elasticbeanstalk:DescribeEnvironments",
    "elasticbeanstalk:DescribeEvents",
    "elasticbeanstalk:ListAvailableSolutionStacks",
    "elasticbeanstalk:ListTagsForResource",
)

IAM_READ_ACTIONS = (
    "iam:ListUsers",
    "iam:GetUser",
    "iam:ListRoles",
    "iam:GetRole",
    "iam:ListPolicies",
    "iam:GetPolicy",
    "iam:ListPolicyVersions",
    "iam:GetPolicyVersion",
    "iam:ListGroups",
    "iam:GetGroup",
    "iam:ListAttachedUserPolicies",
    "iam:ListAttachedRolePolicies",
    "iam:GetRolePolicy",
)


@dataclass(frozen=True)
class ScenarioState:
    """What a built scenario is called, and the attacker's starting key."""

    scenario: str
    run_id: str
    account_id: str
    region: str
    attacker: AccessKeyPair
    low_priv_user: str
    secondary_user: str
    admin_user: str
    application_name: str
    environment_name: str
    secret_name: str
    secret_arn: str
    instance_role: str
    instance_profile: str
    service_role: str
    vpc_id: str
    subnet_id: str

    def to_public_dict(self) -> dict[str, str]:
        """Every field but the attacker's secret key."""
        fields = {
            name: value
            for name, value in self.__dict__.items()
            if isinstance(value, str)
        }
        fields["attacker_access_key_id"] = self.attacker.access_key_id
        return fields


def new_run_id() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(6))


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _trust(service: str) -> str:
    return _document(
        {
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole",
        }
    )


LOW_PRIV_POLICY = _document(
    {"Sid": "BeanstalkRead", "Effect": "Allow",
     "Action": list(BEANSTALK_READ_ACTIONS), "Resource": "*"},
    {"Sid": "Subnets", "Effect": "Allow",
     "Action": "ec2:DescribeSubnets", "Resource": "*"},
    {"Sid": "BeanstalkBuckets", "Effect": "Allow", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::elasticbeanstalk*",
                  "arn:aws:s3:::elasticbeanstalk*/*"]},
)  # fmt: skip

SECONDARY_POLICY = _document(
    {"Sid": "CreateKeys", "Effect": "Allow",
     "Action": "iam:CreateAccessKey", "Resource": "*"},
    {"Sid": "IamRead", "Effect": "Allow",
     "Action": list(IAM_READ_ACTIONS), "Resource": "*"},
)  # fmt: skip

ADMIN_POLICY = _document({"Effect": "Allow", "Action": "*", "Resource": "*"})

SERVICE_ROLE_POLICY = _document(
    {"Sid": "EnvironmentHealth", "Effect": "Allow",
     "Action": ["elasticloadbalancing:DescribeInstanceHealth",
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeTargetHealth",
                "ec2:DescribeInstances", "ec2:DescribeInstanceStatus",
                "ec2:GetConsoleOutput", "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeScalingActivities",
                "autoscaling:DescribeNotificationConfigurations",
                "sns:Publish"],
     "Resource": "*"},
)  # fmt: skip


def _instance_role_policy(secret_arn: str) -> str:
    return _document(
        {"Sid": "WebTier", "Effect": "Allow",
         "Action": ["s3:Get*", "s3:List*", "s3:PutObject"],
         "Resource": ["arn:aws:s3:::elasticbeanstalk-*",
                      "arn:aws:s3:::elasticbeanstalk-*/*"]},
        {"Sid": "Logs", "Effect": "Allow",
         "Action": ["logs:PutLogEvents", "logs:CreateLogStream",
                    "logs:DescribeLogStreams", "logs:DescribeLogGroups"],
         "Resource": "arn:aws:logs:*:*:log-group:/aws/elasticbeanstalk*"},
        {"Sid": "AppSecret", "Effect": "Allow",
         "Action": "secretsmanager:GetSecretValue", "Resource": secret_arn},
    )  # fmt: skip


def build(
    aws: AwsConnection,
    *,
    run_id: str | None = None,
    secret_value: str | None = None,
) -> ScenarioState:
    """Create the vulnerable scenario; return its names and the attacker key.

    ``secret_value`` plants a known value (tests use it as a canary); by
    default the secret holds random credentials.
    """
    run_id = run_id or new_run_id()
    tags = [
        {"Key": LAB_TAG, "Value": run_id},
        {"Key": SCENARIO_TAG, "Value": SCENARIO_NAME},
    ]
    iam = aws.client("iam")
    account_id = aws.client("sts").get_caller_identity()["Account"]
    log.info("building %s with run id %s in %s", SCENARIO_NAME, run_id, aws.region)

    users = {kind: f"{kind}_{run_id}" for kind in ("low_priv_user", "secondary_user")}
    users["admin_user"] = f"admin_user_{run_id}"
    for name in users.values():
        iam.create_user(UserName=name, Tags=tags)
        log.debug("created user %s", name)
    for kind, document in (
        ("low_priv_user", LOW_PRIV_POLICY),
        ("secondary_user", SECONDARY_POLICY),
    ):
        policy_arn = iam.create_policy(
            PolicyName=f"{kind}_policy_{run_id}", PolicyDocument=document, Tags=tags
        )["Policy"]["Arn"]
        iam.attach_user_policy(UserName=users[kind], PolicyArn=policy_arn)
    iam.put_user_policy(
        UserName=users["admin_user"],
        PolicyName="AdministratorAccess",
        PolicyDocument=ADMIN_POLICY,
    )
    attacker = _new_key(iam, users["low_priv_user"])
    planted = _new_key(iam, users["secondary_user"])

    secret_name = f"chaincut-{run_id}/app/db-credentials"
    value = secret_value or json.dumps(
        {"username": "app", "password": secrets.token_urlsafe(24)}
    )
    secret_arn = aws.client("secretsmanager").create_secret(
        Name=secret_name,
        Description="Database credentials of the chaincut lab application",
        SecretString=value,
        Tags=tags,
    )["ARN"]
    del value

    instance_role = f"chaincut-ec2-role-{run_id}"
    service_role = f"chaincut-eb-service-role-{run_id}"
    iam.create_role(
        RoleName=instance_role,
        AssumeRolePolicyDocument=_trust("ec2.amazonaws.com"),
        Tags=tags,
    )
    iam.put_role_policy(
        RoleName=instance_role,
        PolicyName="web-tier",
        PolicyDocument=_instance_role_policy(secret_arn),
    )
    iam.create_instance_profile(InstanceProfileName=instance_role, Tags=tags)
    iam.add_role_to_instance_profile(
        InstanceProfileName=instance_role, RoleName=instance_role
    )
    service_role_arn = iam.create_role(
        RoleName=service_role,
        AssumeRolePolicyDocument=_trust("elasticbeanstalk.amazonaws.com"),
        Tags=tags,
    )["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=service_role,
        PolicyName="environment-health",
        PolicyDocument=SERVICE_ROLE_POLICY,
    )

    ec2 = aws.client("ec2")
    tag_spec = [{"ResourceType": kind, "Tags": tags} for kind in ("vpc",)]
    vpc_id = ec2.create_vpc(CidrBlock="10.42.0.0/16", TagSpecifications=tag_spec)[
        "Vpc"
    ]["VpcId"]
    subnet_id = ec2.create_subnet(
        VpcId=vpc_id,
        CidrBlock="10.42.1.0/24",
        TagSpecifications=[{"ResourceType": "subnet", "Tags": tags}],
    )["Subnet"]["SubnetId"]

    application = f"chaincut-app-{run_id}"
    environment = f"chaincut-env-{run_id}"
    beanstalk = aws.client("elasticbeanstalk")
    beanstalk.create_application(
        ApplicationName=application,
        Description="chaincut lab application",
        Tags=tags,
    )
    beanstalk.create_environment(
        ApplicationName=application,
        EnvironmentName=environment,
        SolutionStackName=SOLUTION_STACK,
        Tags=tags,
        OptionSettings=[
            _option(ENVIRONMENT_NAMESPACE, "APP_ENV", "production"),
            _option(ENVIRONMENT_NAMESPACE, "LOG_LEVEL", "info"),
            _option(ENVIRONMENT_NAMESPACE, "SECONDARY_ACCESS_KEY",
                    planted.access_key_id),
            _option(ENVIRONMENT_NAMESPACE, "SECONDARY_SECRET_KEY",
                    planted.secret_access_key),
            _option("aws:autoscaling:launchconfiguration", "IamInstanceProfile",
                    instance_role),
            _option("aws:elasticbeanstalk:environment", "ServiceRole",
                    service_role_arn),
            _option("aws:ec2:vpc", "VPCId", vpc_id),
            _option("aws:ec2:vpc", "Subnets", subnet_id),
        ],
    )  # fmt: skip
    del planted
    log.info("built %s (%s)", SCENARIO_NAME, run_id)
    return ScenarioState(
        scenario=SCENARIO_NAME,
        run_id=run_id,
        account_id=account_id,
        region=aws.region,
        attacker=attacker,
        low_priv_user=users["low_priv_user"],
        secondary_user=users["secondary_user"],
        admin_user=users["admin_user"],
        application_name=application,
        environment_name=environment,
        secret_name=secret_name,
        secret_arn=secret_arn,
        instance_role=instance_role,
        instance_profile=instance_role,
        service_role=service_role,
        vpc_id=vpc_id,
        subnet_id=subnet_id,
    )


def create_admin(aws: AwsConnection, name: str) -> AccessKeyPair:
    """A user with ``*`` on ``*`` and a key: the lab's defender."""
    iam = aws.client("iam")
    iam.create_user(UserName=name, Tags=[{"Key": LAB_TAG, "Value": "defender"}])
    iam.put_user_policy(
        UserName=name, PolicyName="AdministratorAccess", PolicyDocument=ADMIN_POLICY
    )
    return _new_key(iam, name)


def _new_key(iam: Any, user: str) -> AccessKeyPair:
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return AccessKeyPair(key["AccessKeyId"], key["SecretAccessKey"])


def _option(namespace: str, name: str, value: str) -> dict[str, str]:
    return {"Namespace": namespace, "OptionName": name, "Value": value}


# --------------------------------------------------------------------------
# Tear-down: find by tag, then delete in dependency order.


@dataclass(frozen=True)
class TaggedResource:
    """One resource carrying the lab tag, and the run it belongs to."""

    kind: str
    name: str
    run_id: str


def find_tagged(aws: AwsConnection, run_id: str | None = None) -> list[TaggedResource]:
    """Every resource tagged by a lab run (or by ``run_id`` only)."""
    found: list[TaggedResource] = []
    for kind, lister in _LISTERS.items():
        for name, tags in lister(aws):
            value = tags.get(LAB_TAG)
            if value is not None and value != "defender" and run_id in (None, value):
                found.append(TaggedResource(kind, name, value))
    return found


def destroy(
    aws: AwsConnection,
    resources: list[TaggedResource],
    progress: Callable[[TaggedResource], None] | None = None,
) -> None:
    """Delete ``resources`` (from :func:`find_tagged`) in dependency order."""
    for kind in _DELETE_ORDER:
        for resource in resources:
            if resource.kind == kind:
                _DELETERS[kind](aws, resource.name)
                if progress is not None:
                    progress(resource)


def _list_users(aws: AwsConnection) -> list[tuple[str, dict[str, str]]]:
    iam = aws.client("iam")
    out = []
    for page in iam.get_paginator("list_users").paginate():
        for user in page["Users"]:
            tags = iam.list_user_tags(UserName=user["UserName"])["Tags"]
            out.append((user["UserName"], tag_map(tags)))
    return out


def _list_roles(aws: AwsConnection) -> list[tuple[str, dict[str, str]]]:
    iam = aws.client("iam")
    out = []
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            tags = iam.list_role_tags(RoleName=role["RoleName"])["Tags"]
            out.append((role["RoleName"], tag_map(tags)))
    return out


def _list_instance_profiles(aws: AwsConnection) -> list[tuple[str, dict[str, str]]]:
    iam = aws.client("iam")
    out = []
    for page in iam.get_paginator("list_instance_profiles").paginate():
        for profile in page["InstanceProfiles"]:
            name = profile["InstanceProfileName"]
            tags = iam.list_instance_profile_tags(InstanceProfileName=name)["Tags"]
            out.append((name, tag_map(tags)))
    return out


def _list_policies(aws: AwsConnection) -> list[tuple[str, dict[str, str]]]:
    iam = aws.client("iam")
    out = []
    for page in iam.get_paginator("list_policies").paginate(Scope="Local"):
        for policy in page["Policies"]:
            tags = iam.list_policy_tags(PolicyArn=policy["Arn"])["Tags"]
            out.append((policy["Arn"], tag_map(tags)))
    return out


def _list_secrets(aws: AwsConnection) -> list[tuple[str, dict[str, str]]]:
    client = aws.client("secretsmanager")
    out: list[tuple[str, dict[str, str]]] = []
    for page in client.get_paginator("list_secrets").paginate(
        Filters=[{"Key": "tag-key", "Values": [LAB_TAG]}]
    ):
        out.extend((s["ARN"], tag_map(s.get("Tags"))) for s in page["SecretList"])
    return out


def _list_beanstalk(aws: AwsConnection) -> list[tuple[str, dict[str, str]]]:
    client = aws.client("elasticbeanstalk")
    out = []
    for env in client.describe_environments()["Environments"]:
        tags = client.list_tags_for_resource(ResourceArn=env["EnvironmentArn"])
        out.append(("env:" + env["EnvironmentName"], tag_map(tags["ResourceTags"])))
    for app in client.describe_applications()["Applications"]:
        tags = client.list_tags_for_resource(ResourceArn=app["ApplicationArn"])
        out.append(("app:" + app["ApplicationName"], tag_map(tags["ResourceTags"])))
    return out


def _list_network(aws: AwsConnection) -> list[tuple[str, dict[str, str]]]:
    ec2 = aws.client("ec2")
    tagged = [{"Name": "tag-key", "Values": [LAB_TAG]}]
    out: list[tuple[str, dict[str, str]]] = [
        ("subnet:" + s["SubnetId"], tag_map(s.get("Tags")))
        for s in ec2.describe_subnets(Filters=tagged)["Subnets"]
    ]
    out += [
        ("vpc:" + v["VpcId"], tag_map(v.get("Tags")))
        for v in ec2.describe_vpcs(Filters=tagged)["Vpcs"]
    ]
    return out


_LISTERS: dict[str, Callable[[AwsConnection], list[tuple[str, dict[str, str]]]]] = {
    "user": _list_users,
    "role": _list_roles,
    "instance_profile": _list_instance_profiles,
    "policy": _list_policies,
    "secret": _list_secrets,
    "beanstalk": _list_beanstalk,
    "network": _list_network,
}


def _delete_user(aws: AwsConnection, name: str) -> None:
    iam = aws.client("iam")
    for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    for policy in iam.list_user_policies(UserName=name)["PolicyNames"]:
        iam.delete_user_policy(UserName=name, PolicyName=policy)
    for policy in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]:
        iam.detach_user_policy(UserName=name, PolicyArn=policy["PolicyArn"])
    for group in iam.list_groups_for_user(UserName=name)["Groups"]:
        iam.remove_user_from_group(UserName=name, GroupName=group["GroupName"])
    # Most lab users have no console password; deleting none is an error.
    with contextlib.suppress(botocore.exceptions.ClientError):
        iam.delete_login_profile(UserName=name)
    iam.delete_user(UserName=name)


def _delete_role(aws: AwsConnection, name: str) -> None:
    iam = aws.client("iam")
    for profile in iam.list_instance_profiles_for_role(RoleName=name)[
        "InstanceProfiles"
    ]:
        iam.remove_role_from_instance_profile(
            InstanceProfileName=profile["InstanceProfileName"], RoleName=name
        )
    for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        iam.delete_role_policy(RoleName=name, PolicyName=policy)
    for policy in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
    iam.delete_role(RoleName=name)


def _delete_instance_profile(aws: AwsConnection, name: str) -> None:
    iam = aws.client("iam")
    profile = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    for role in profile["Roles"]:
        iam.remove_role_from_instance_profile(
            InstanceProfileName=name, RoleName=role["RoleName"]
        )
    iam.delete_instance_profile(InstanceProfileName=name)


def _delete_policy(aws: AwsConnection, arn: str) -> None:
    iam = aws.client("iam")
    for page in iam.get_paginator("list_entities_for_policy").paginate(PolicyArn=arn):
        for user in page["PolicyUsers"]:
            iam.detach_user_policy(UserName=user["UserName"], PolicyArn=arn)
        for role in page["PolicyRoles"]:
            iam.detach_role_policy(RoleName=role["RoleName"], PolicyArn=arn)
        for group in page["PolicyGroups"]:
            iam.detach_group_policy(GroupName=group["GroupName"], PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)


def _delete_secret(aws: AwsConnection, arn: str) -> None:
    aws.client("secretsmanager").delete_secret(
        SecretId=arn, ForceDeleteWithoutRecovery=True
    )


def _delete_beanstalk(aws: AwsConnection, name: str) -> None:
    client = aws.client("elasticbeanstalk")
    kind, _, bare = name.partition(":")
    if kind == "env":
        client.terminate_environment(EnvironmentName=bare)
    else:
        client.delete_application(ApplicationName=bare, TerminateEnvByForce=True)


def _delete_network(aws: AwsConnection, name: str) -> None:
    ec2 = aws.client("ec2")
    kind, _, bare = name.partition(":")
    if kind == "subnet":
        ec2.delete_subnet(SubnetId=bare)
    else:
        ec2.delete_vpc(VpcId=bare)


_DELETERS: dict[str, Callable[[AwsConnection, str], None]] = {
    "user": _delete_user,
    "role": _delete_role,
    "instance_profile": _delete_instance_profile,
    "policy": _delete_policy,
    "secret": _delete_secret,
    "beanstalk": _delete_beanstalk,
    "network": _delete_network,
}

# Environments before applications and subnets before VPCs come from the
# listers' own order; across kinds, whatever uses a thing goes first.
_DELETE_ORDER = (
    "beanstalk",
    "instance_profile",
    "role",
    "user",
    "policy",
    "secret",
    "network",
)
