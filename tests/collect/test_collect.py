"""Collecting the lab account into a snapshot, as the defender and the attacker."""

from __future__ import annotations

import pytest

from chaincut.collect import collect
from chaincut.lab import Lab
from chaincut.snapshot import GapKind, Snapshot


@pytest.fixture
def defender_snapshot(lab: Lab) -> Snapshot:
    return collect(lab.defender(), regions=["us-east-1", "eu-west-1"])


def test_identity_and_regions(defender_snapshot: Snapshot, lab: Lab) -> None:
    assert defender_snapshot.account_id == lab.account_id
    assert defender_snapshot.caller_arn.endswith(":user/lab_defender")
    assert defender_snapshot.regions == ("eu-west-1", "us-east-1")
    assert defender_snapshot.gaps == ()


def test_iam_principals_policies_and_keys(
    defender_snapshot: Snapshot, lab: Lab
) -> None:
    state = lab.state
    users = {user.name: user for user in defender_snapshot.iam.users}
    assert set(users) >= {state.low_priv_user, state.secondary_user, state.admin_user}
    low = users[state.low_priv_user]
    assert [k.access_key_id for k in low.access_keys] == [state.attacker.access_key_id]
    assert low.access_keys[0].status == "Active"
    (attached,) = low.attached_policies
    policies = {p.arn: p for p in defender_snapshot.iam.policies}
    document = policies[attached].document
    sids = {statement["Sid"] for statement in document["Statement"]}
    assert sids == {"BeanstalkRead", "Subnets", "BeanstalkBuckets"}
    assert policies[attached].name == f"low_priv_user_policy_{state.run_id}"
    admin_inline = users[state.admin_user].inline_policies[0].document
    assert admin_inline["Statement"][0]["Action"] == "*"

    roles = {role.name: role for role in defender_snapshot.iam.roles}
    instance_role = roles[state.instance_role]
    assert instance_role.instance_profiles == (state.instance_profile,)
    principal = instance_role.trust_policy["Statement"][0]["Principal"]
    assert principal == {"Service": "ec2.amazonaws.com"}


def test_beanstalk_settings_are_masked(defender_snapshot: Snapshot, lab: Lab) -> None:
    state = lab.state
    (env,) = defender_snapshot.beanstalk_environments
    assert env.name == state.environment_name
    assert env.region == "us-east-1"
    settings = {option.name: option for option in env.settings}
    secret = settings["SECONDARY_SECRET_KEY"]
    assert secret.value is None
    assert secret.detected is not None
    assert secret.detected.detector == "aws_secret_access_key"
    assert secret.detected.masked.fingerprint.startswith("sha256:")
    key_id = settings["SECONDARY_ACCESS_KEY"]
    assert key_id.detected is not None
    assert key_id.detected.detector == "aws_access_key_id"
    secondary = next(
        u for u in defender_snapshot.iam.users if u.name == state.secondary_user
    )
    assert key_id.value == secondary.access_keys[0].access_key_id
    assert settings["APP_ENV"].value == "production"
    assert settings["APP_ENV"].detected is None


def test_secrets_are_metadata_only(defender_snapshot: Snapshot, lab: Lab) -> None:
    (secret,) = defender_snapshot.secrets
    assert secret.arn == lab.state.secret_arn
    assert secret.rotation_enabled is False
    assert secret.resource_policy is None


def test_monitoring_resources_are_collected(fresh_lab: Lab) -> None:
    defender = fresh_lab.defender()
    s3 = defender.client("s3")
    s3.create_bucket(Bucket="trail-logs-lab")
    s3.put_bucket_policy(
        Bucket="trail-logs-lab",
        Policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"Service":"cloudtrail.amazonaws.com"},'
        '"Action":"s3:PutObject","Resource":"arn:aws:s3:::trail-logs-lab/*"}]}',
    )
    trail = defender.client("cloudtrail")
    trail.create_trail(
        Name="org", S3BucketName="trail-logs-lab", IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
    )  # fmt: skip
    trail.start_logging(Name="org")
    logs = defender.client("logs")
    logs.create_log_group(logGroupName="trail")
    logs.put_metric_filter(
        logGroupName="trail",
        filterName="create-key",
        filterPattern='{ $.eventName = "CreateAccessKey" }',
        metricTransformations=[
            {"metricName": "KeyCreated", "metricNamespace": "Chain", "metricValue": "1"}
        ],
    )
    topic = defender.client("sns").create_topic(Name="alerts")["TopicArn"]
    defender.client("cloudwatch").put_metric_alarm(
        AlarmName="key-created", MetricName="KeyCreated", Namespace="Chain",
        Statistic="Sum", Period=300, EvaluationPeriods=1, Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic],
    )  # fmt: skip

    snapshot = collect(defender, regions=["us-east-1"])

    (collected_trail,) = snapshot.trails
    assert collected_trail.multi_region and collected_trail.log_file_validation
    assert collected_trail.is_logging is True
    (bucket,) = snapshot.buckets
    assert bucket.name == "trail-logs-lab"
    assert bucket.policy is not None
    assert bucket.public_access_block is None
    (metric_filter,) = snapshot.metric_filters
    assert metric_filter.pattern == '{ $.eventName = "CreateAccessKey" }'
    assert metric_filter.transformations[0].name == "KeyCreated"
    (alarm,) = snapshot.alarms
    assert alarm.alarm_actions == (topic,)
    assert [t.arn for t in snapshot.topics] == [topic]


def test_attacker_collect_finishes_with_coverage_gaps(lab: Lab) -> None:
    snapshot = collect(lab.attacker())

    denied = {(g.service, g.operation) for g in snapshot.gaps}
    assert ("iam", "GetAccountAuthorizationDetails") in denied
    assert ("secretsmanager", "ListSecrets") in denied
    assert ("ec2", "DescribeRegions") in denied
    assert all(g.kind is GapKind.ACCESS_DENIED for g in snapshot.gaps)
    # Without DescribeRegions only the home region is read, and what the
    # low-privilege user may read is there.
    assert snapshot.regions == ("us-east-1",)
    assert [e.name for e in snapshot.beanstalk_environments] == [
        lab.state.environment_name
    ]
    assert snapshot.iam.users == ()


def test_all_enabled_regions_are_read_by_default(lab: Lab) -> None:
    snapshot = collect(lab.defender())
    assert len(snapshot.regions) == 17
    assert "us-east-1" in snapshot.regions
    assert snapshot.gaps == ()


def test_workloads_buckets_and_parameters(fresh_lab: Lab) -> None:
    defender = fresh_lab.defender()
    state = fresh_lab.state
    account = state.account_id
    role_arn = f"arn:aws:iam::{account}:role/{state.instance_role}"
    profile_arn = f"arn:aws:iam::{account}:instance-profile/{state.instance_profile}"
    canary = "Zq8" + "x" * 5 + "7Lm2Hc9Ds4Ef6q8Zr1vXk3NnP0aB7yT5wLm2"
    defender.client("lambda").create_function(
        FunctionName="worker",
        Runtime="python3.12",
        Role=role_arn,
        Handler="app.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
        Environment={"Variables": {"DB_PASSWORD": canary, "STAGE": "prod"}},
    )
    ec2 = defender.client("ec2")
    image = ec2.register_image(Name="base", RootDeviceName="/dev/sda1")["ImageId"]
    ec2.run_instances(
        ImageId=image, MinCount=1, MaxCount=1,
        IamInstanceProfile={"Arn": profile_arn},
    )  # fmt: skip
    defender.client("ecs").register_task_definition(
        family="api",
        taskRoleArn=role_arn,
        containerDefinitions=[{"name": "api", "image": "api:1", "memory": 128}],
    )
    defender.client("ssm").put_parameter(
        Name="/app/db_password", Value=canary, Type="String"
    )
    defender.client("ssm").put_parameter(Name="/app/stage", Value="prod", Type="String")
    defender.client("s3").create_bucket(Bucket="plain-bucket")

    snapshot = collect(defender, regions=["us-east-1"])

    kinds = {w.kind.value: w for w in snapshot.workloads}
    function = kinds["lambda_function"]
    assert function.roles == (role_arn,)
    variables = {o.name: o for o in function.settings}
    assert variables["DB_PASSWORD"].value is None
    assert variables["STAGE"].value == "prod"
    instance = kinds["ec2_instance"]
    assert instance.instance_profile == profile_arn
    assert instance.roles == (role_arn,)
    assert kinds["ecs_task_definition"].roles == (role_arn,)
    parameters = {p.name: p for p in snapshot.parameters}
    assert parameters["/app/db_password"].detected is not None
    assert parameters["/app/stage"].detected is None
    assert [b.name for b in snapshot.buckets] == ["plain-bucket"]
    assert canary not in snapshot.to_json()
