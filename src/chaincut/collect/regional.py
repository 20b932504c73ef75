"""What chaincut reads in each region: Beanstalk, secrets, trails, monitoring.

Each ``collect_*`` function reads one service in one region and returns a
:class:`RegionalPart`; the runner merges the parts. Secret values are never
read: Secrets Manager is asked for metadata and resource policies only, and a
Beanstalk setting that looks like a secret is reduced to its masked form here,
before it leaves this module.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from chaincut.aws import AwsConnection, iso_time, tag_map
from chaincut.collect.calls import CallRecorder
from chaincut.collect.masking import masked_setting
from chaincut.snapshot import (
    Alarm,
    BeanstalkApplication,
    BeanstalkEnvironment,
    MetricFilter,
    MetricTransformation,
    OptionSetting,
    Parameter,
    Secret,
    Subscription,
    Topic,
    Trail,
    Workload,
)

log = logging.getLogger(__name__)


@dataclass
class RegionalPart:
    """Whatever one service in one region contributed."""

    beanstalk_applications: list[BeanstalkApplication] = field(default_factory=list)
    beanstalk_environments: list[BeanstalkEnvironment] = field(default_factory=list)
    secrets: list[Secret] = field(default_factory=list)
    trails: list[Trail] = field(default_factory=list)
    metric_filters: list[MetricFilter] = field(default_factory=list)
    alarms: list[Alarm] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    parameters: list[Parameter] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)


# -- Elastic Beanstalk -------------------------------------------------------


def collect_beanstalk(
    aws: AwsConnection, calls: CallRecorder, region: str
) -> RegionalPart:
    client = aws.client("elasticbeanstalk", region)
    part = RegionalPart()
    apps = calls.call(client, "describe_applications")
    for app in (apps or {}).get("Applications", []):
        part.beanstalk_applications.append(
            BeanstalkApplication(app["ApplicationName"], app["ApplicationArn"], region)
        )
    envs = calls.pages(client, "describe_environments", "Environments")
    for env in envs or []:
        arn = env.get("EnvironmentArn", "")
        described = calls.call(
            client,
            "describe_configuration_settings",
            resource=arn,
            ApplicationName=env["ApplicationName"],
            EnvironmentName=env["EnvironmentName"],
        )
        settings: list[OptionSetting] = []
        for config in (described or {}).get("ConfigurationSettings", []):
            settings.extend(masked_setting(o) for o in config.get("OptionSettings", []))
        tags = calls.call(
            client, "list_tags_for_resource", resource=arn, ResourceArn=arn
        )
        part.beanstalk_environments.append(
            BeanstalkEnvironment(
                name=env["EnvironmentName"],
                environment_id=env.get("EnvironmentId", ""),
                arn=arn,
                application=env["ApplicationName"],
                region=region,
                status=env.get("Status", ""),
                solution_stack=env.get("SolutionStackName", ""),
                settings=tuple(settings),
                tags=tag_map((tags or {}).get("ResourceTags")),
            )
        )
    return part


# -- Secrets Manager ---------------------------------------------------------


def collect_secrets(
    aws: AwsConnection, calls: CallRecorder, region: str
) -> RegionalPart:
    client = aws.client("secretsmanager", region)
    part = RegionalPart()
    for entry in calls.pages(client, "list_secrets", "SecretList") or []:
        arn = entry["ARN"]
        policy = calls.call(client, "get_resource_policy", resource=arn, SecretId=arn)
        text = (policy or {}).get("ResourcePolicy")
        rules = entry.get("RotationRules") or {}
        part.secrets.append(
            Secret(
                name=entry["Name"],
                arn=arn,
                region=region,
                description=entry.get("Description", ""),
                kms_key_id=entry.get("KmsKeyId"),
                rotation_enabled=bool(entry.get("RotationEnabled")),
                rotation_lambda_arn=entry.get("RotationLambdaARN"),
                rotation_days=rules.get("AutomaticallyAfterDays"),
                last_rotated=iso_time(entry.get("LastRotatedDate")),
                last_accessed=iso_time(entry.get("LastAccessedDate")),
                resource_policy=json.loads(text) if text else None,
                tags=tag_map(entry.get("Tags")),
            )
        )
    return part


# -- CloudTrail --------------------------------------------------------------


def collect_trails(
    aws: AwsConnection, calls: CallRecorder, region: str
) -> RegionalPart:
    """Trails whose home is ``region`` (a multi-region trail is read once)."""
    client = aws.client("cloudtrail", region)
    part = RegionalPart()
    described = calls.call(client, "describe_trails", includeShadowTrails=False)
    for entry in (described or {}).get("trailList", []):
        if entry.get("HomeRegion", region) != region:
            continue
        arn = entry["TrailARN"]
        status = calls.call(client, "get_trail_status", resource=arn, Name=arn)
        selectors = calls.call(
            client, "get_event_selectors", resource=arn, TrailName=arn
        )
        part.trails.append(
            Trail(
                name=entry["Name"],
                arn=arn,
                home_region=entry.get("HomeRegion", region),
                multi_region=bool(entry.get("IsMultiRegionTrail")),
                organization_trail=bool(entry.get("IsOrganizationTrail")),
                s3_bucket=entry.get("S3BucketName"),
                log_file_validation=bool(entry.get("LogFileValidationEnabled")),
                include_global_events=bool(entry.get("IncludeGlobalServiceEvents")),
                is_logging=None if status is None else bool(status.get("IsLogging")),
                kms_key_id=entry.get("KmsKeyId"),
                s3_prefix=entry.get("S3KeyPrefix"),
                cloudwatch_log_group_arn=entry.get("CloudWatchLogsLogGroupArn"),
                cloudwatch_role_arn=entry.get("CloudWatchLogsRoleArn"),
                event_selectors=tuple((selectors or {}).get("EventSelectors") or ()),
                advanced_event_selectors=tuple(
                    (selectors or {}).get("AdvancedEventSelectors") or ()
                ),
            )
        )
    return part


# -- CloudWatch Logs, CloudWatch, SNS ----------------------------------------


def collect_metric_filters(
    aws: AwsConnection, calls: CallRecorder, region: str
) -> RegionalPart:
    client = aws.client("logs", region)
    part = RegionalPart()
    for entry in calls.pages(client, "describe_metric_filters", "metricFilters") or []:
        part.metric_filters.append(
            MetricFilter(
                name=entry["filterName"],
                region=region,
                log_group=entry.get("logGroupName", ""),
                pattern=entry.get("filterPattern", ""),
                transformations=tuple(
                    MetricTransformation(
                        t["metricNamespace"], t["metricName"], str(t["metricValue"])
                    )
                    for t in entry.get("metricTransformations", [])
                ),
            )
        )
    return part


def collect_alarms(
    aws: AwsConnection, calls: CallRecorder, region: str
) -> RegionalPart:
    client = aws.client("cloudwatch", region)
    part = RegionalPart()
    for entry in calls.pages(client, "describe_alarms", "MetricAlarms") or []:
        part.alarms.append(
            Alarm(
                name=entry["AlarmName"],
                arn=entry["AlarmArn"],
                region=region,
                namespace=entry.get("Namespace"),
                metric_name=entry.get("MetricName"),
                comparison=entry.get("ComparisonOperator", ""),
                threshold=float(entry.get("Threshold", 0.0)),
                actions_enabled=bool(entry.get("ActionsEnabled")),
                alarm_actions=tuple(entry.get("AlarmActions", [])),
                state=entry.get("StateValue", ""),
            )
        )
    return part


def collect_topics(
    aws: AwsConnection, calls: CallRecorder, region: str
) -> RegionalPart:
    client = aws.client("sns", region)
    part = RegionalPart()
    for entry in calls.pages(client, "list_topics", "Topics") or []:
        arn = entry["TopicArn"]
        subscriptions = calls.pages(
            client, "list_subscriptions_by_topic", "Subscriptions", resource=arn,
            TopicArn=arn,
        )  # fmt: skip
        part.topics.append(
            Topic(
                arn=arn,
                region=region,
                subscriptions=tuple(
                    Subscription(s["SubscriptionArn"], s["Protocol"], s["Endpoint"])
                    for s in subscriptions or []
                ),
            )
        )
    return part
