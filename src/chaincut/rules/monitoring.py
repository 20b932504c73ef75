"""Metric filters, alarms and notified topics for suspicious activity.

One rule per requirement: the CIS AWS Foundations Benchmark v1.5.0 monitoring
set (4.1 to 4.15) and three for the Beanstalk chain (a secret read or changed
by a principal outside its intended set, an access key created for another
user, a Beanstalk configuration read). A requirement holds when one metric
filter

1. sits on a log group a trail delivers to (same region and name),
2. matches every sample record of the requirement and none of the benign
   records (``_samples.benign``, plus, for secrets, the same calls by the
   principals a secret's resource policy names), judged by
   ``logpattern`` on what the pattern matches, never on its text;
3. feeds a metric that an alarm with actions enabled watches, and
4. that alarm notifies an SNS topic with at least one confirmed subscription.

Status: ``ERROR`` when no filter satisfies the requirement and the snapshot
could be hiding one (a coverage gap on filters, alarms, topics or trails) or
a filter on a trail log group uses a pattern ``logpattern`` cannot read.

Assumptions: the sample records are representative: a filter that selects
on fields CloudTrail writes but the samples leave out (``userAgent``,
``sourceIPAddress`` ranges) is judged on the values the samples hold.

Limits: CloudWatch Logs patterns cannot compare two fields, so "for another
user" means any ``CreateAccessKey`` naming a user; the outsider of a secret
is a made-up user, so a filter listing the intended principals by ARN is
the way to pass. Metric math alarms and composite alarms are not followed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from chaincut.rules import _calls as calls
from chaincut.rules import _samples as samples
from chaincut.rules._core import (
    CheckContext,
    Evidence,
    Result,
    RuleMeta,
    Severity,
    Status,
    rule,
)
from chaincut.rules._samples import Record, event
from chaincut.rules.logpattern import FilterPattern, PatternError, compile_pattern
from chaincut.rules.secrets import intended_principals
from chaincut.snapshot import Alarm, MetricFilter, Snapshot

log = logging.getLogger(__name__)

Samples = Callable[[Snapshot], tuple[Record, ...]]


@dataclass(frozen=True)
class Requirement:
    """What one monitoring rule asks a filter to catch."""

    id: str
    title: str
    severity: Severity
    positives: Samples
    example: str  # a pattern that satisfies the requirement
    cis: tuple[str, ...] = ()
    attack: tuple[str, ...] = ()
    negatives: Samples = lambda snapshot: ()  # beyond the benign set


@dataclass(frozen=True)
class FilterVerdict:
    name: str
    region: str
    log_group: str
    pattern: str
    readable: bool
    missed: tuple[str, ...]  # events of the requirement it does not match
    false_alarms: tuple[str, ...]  # benign events it matches
    alarms: tuple[str, ...]  # alarms watching its metric, actions enabled
    notified_topics: tuple[str, ...]  # topics with a confirmed subscription


@dataclass(frozen=True)
class MonitoringEvidence(Evidence):
    requirement: str
    trail_log_groups: tuple[str, ...]
    candidates: tuple[FilterVerdict, ...]  # filters matching any of its events
    satisfied_by: str | None
    example_pattern: str


def _calls_on(source: str, *names: str) -> Samples:
    make = samples.api_calls(source, *names)
    return lambda snapshot: make(snapshot.account_id)


def _either(source: str, names: tuple[str, ...]) -> str:
    joined = " || ".join(f"($.eventName = {name})" for name in names)
    return f"{{ ($.eventSource = {source}) && ({joined}) }}"


_IAM_POLICY_CALLS = (
    "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy",
    "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy",
    "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy",
    "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy",
    "AttachGroupPolicy", "DetachGroupPolicy",
)  # fmt: skip
_TRAIL_CALLS = ("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging",
                "StopLogging")  # fmt: skip
_KMS_CALLS = ("DisableKey", "ScheduleKeyDeletion")
_BUCKET_CALLS = (
    "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle",
    "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors",
    "DeleteBucketLifecycle", "DeleteBucketReplication",
)  # fmt: skip
_CONFIG_CALLS = ("StopConfigurationRecorder", "DeleteDeliveryChannel",
                 "PutDeliveryChannel", "PutConfigurationRecorder")  # fmt: skip
_SG_CALLS = (
    "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress",
    "CreateSecurityGroup", "DeleteSecurityGroup",
)  # fmt: skip
_NACL_CALLS = (
    "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl",
    "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation",
)  # fmt: skip
_GATEWAY_CALLS = (
    "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway",
    "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway",
)  # fmt: skip
_ROUTE_CALLS = (
    "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation",
    "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable",
)  # fmt: skip
_VPC_CALLS = (
    "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
    "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection",
    "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc",
    "DisableVpcClassicLink", "EnableVpcClassicLink",
)  # fmt: skip
_ORGANIZATIONS_CALLS = (
    "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit",
    "CreatePolicy", "DeclineHandshake", "DeleteOrganization",
    "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy",
    "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization",
    "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization",
    "UpdatePolicy", "UpdateOrganizationalUnit",
)  # fmt: skip
SECRET_CALLS = ("GetSecretValue", "BatchGetSecretValue", "PutSecretValue",
                "UpdateSecret")  # fmt: skip


def _unauthorized(snapshot: Snapshot) -> tuple[Record, ...]:
    account = snapshot.account_id
    return (
        event(account, "secretsmanager.amazonaws.com", "GetSecretValue",
              errorCode="AccessDenied", errorMessage="User is not authorized"),
        event(account, "ec2.amazonaws.com", "RunInstances",
              errorCode="Client.UnauthorizedOperation",
              errorMessage="You are not authorized to perform this operation."),
    )  # fmt: skip


def _root_use(snapshot: Snapshot) -> tuple[Record, ...]:
    account = snapshot.account_id
    root = {
        "type": "Root",
        "principalId": account,
        "arn": f"arn:aws:iam::{account}:root",
        "accountId": account,
        "accessKeyId": "ASIASAMPLEROOT000000",
    }
    return (
        event(account, "s3.amazonaws.com", "ListBuckets", identity=root),
        event(account, "iam.amazonaws.com", "CreateAccessKey", identity=root),
    )


def _secret_events(snapshot: Snapshot, identity: Record) -> tuple[Record, ...]:
    account = snapshot.account_id
    secret = (
        snapshot.secrets[0].arn
        if snapshot.secrets
        else f"arn:aws:secretsmanager:us-east-1:{account}:secret:app-AbCdEf"
    )
    return tuple(
        event(
            account,
            "secretsmanager.amazonaws.com",
            name,
            identity=identity,
            read_only=name.startswith(("Get", "Batch")),
            requestParameters={"secretId": secret},
        )
        for name in SECRET_CALLS
    )


def _outsider_secret_use(snapshot: Snapshot) -> tuple[Record, ...]:
    identity = samples.user_identity(snapshot.account_id, samples.OUTSIDER)
    return _secret_events(snapshot, identity)


def _intended_secret_use(snapshot: Snapshot) -> tuple[Record, ...]:
    """The same calls by each principal a secret's resource policy names."""
    account = snapshot.account_id
    found: list[Record] = []
    for secret in snapshot.secrets:
        for principal in intended_principals(secret):
            if ":role/" in principal:
                identity = samples.role_identity(account, principal)
            elif ":user/" in principal:
                name = principal.rsplit("/", 1)[-1]
                identity = samples.user_identity(account, name)
                identity["arn"] = principal
            else:
                continue
            found += _secret_events(snapshot, identity)
    return tuple(found)


def _key_for_other_user(snapshot: Snapshot) -> tuple[Record, ...]:
    account = snapshot.account_id
    return (
        event(
            account,
            "iam.amazonaws.com",
            "CreateAccessKey",
            identity=samples.user_identity(account, "secondary_user"),
            requestParameters={"userName": "admin_user"},
            responseElements={"accessKey": {"userName": "admin_user",
                                            "status": "Active"}},
        ),
    )  # fmt: skip


REQUIREMENTS = (
    Requirement(
        "monitoring-unauthorized-api-calls", "No alarm on unauthorized API calls",
        Severity.MEDIUM, _unauthorized,
        '{ ($.errorCode = "*UnauthorizedOperation") || '
        '($.errorCode = "AccessDenied*") }',
        cis=("4.1",), attack=("T1526", "T1087.004"),
    ),
    Requirement(
        "monitoring-console-login-without-mfa",
        "No alarm on console sign-in without MFA", Severity.MEDIUM,
        lambda s: (samples.console_login(s.account_id, mfa=False, success=True),),
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes")'
        ' && ($.responseElements.ConsoleLogin = "Success") }',
        cis=("4.2",), attack=("T1078.004",),
    ),
    Requirement(
        "monitoring-root-use", "No alarm on use of the root user", Severity.HIGH,
        _root_use,
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS'
        ' && $.eventType != "AwsServiceEvent" }',
        cis=("4.3",), attack=("T1078.004",),
    ),
    Requirement(
        "monitoring-iam-policy-changes", "No alarm on IAM policy changes",
        Severity.MEDIUM, _calls_on("iam.amazonaws.com", *_IAM_POLICY_CALLS),
        _either("iam.amazonaws.com", _IAM_POLICY_CALLS),
        cis=("4.4",), attack=("T1098",),
    ),
    Requirement(
        "monitoring-cloudtrail-changes", "No alarm on CloudTrail changes",
        Severity.HIGH, _calls_on("cloudtrail.amazonaws.com", *_TRAIL_CALLS),
        _either("cloudtrail.amazonaws.com", _TRAIL_CALLS),
        cis=("4.5",), attack=("T1562.008",),
    ),
    Requirement(
        "monitoring-console-auth-failures",
        "No alarm on console authentication failures", Severity.LOW,
        lambda s: (samples.console_login(s.account_id, mfa=False, success=False),),
        "{ ($.eventName = ConsoleLogin) && "
        '($.errorMessage = "Failed authentication") }',
        cis=("4.6",), attack=("T1110",),
    ),
    Requirement(
        "monitoring-cmk-disable-delete",
        "No alarm on disabling or deleting customer-managed KMS keys",
        Severity.MEDIUM, _calls_on("kms.amazonaws.com", *_KMS_CALLS),
        _either("kms.amazonaws.com", _KMS_CALLS), cis=("4.7",), attack=("T1485",),
    ),
    Requirement(
        "monitoring-bucket-policy-changes", "No alarm on S3 bucket policy changes",
        Severity.MEDIUM, _calls_on("s3.amazonaws.com", *_BUCKET_CALLS),
        _either("s3.amazonaws.com", _BUCKET_CALLS), cis=("4.8",), attack=("T1530",),
    ),
    Requirement(
        "monitoring-config-changes", "No alarm on AWS Config changes",
        Severity.MEDIUM, _calls_on("config.amazonaws.com", *_CONFIG_CALLS),
        _either("config.amazonaws.com", _CONFIG_CALLS), cis=("4.9",),
        attack=("T1562.008",),
    ),
    Requirement(
        "monitoring-security-group-changes", "No alarm on security group changes",
        Severity.MEDIUM, _calls_on("ec2.amazonaws.com", *_SG_CALLS),
        _either("ec2.amazonaws.com", _SG_CALLS), cis=("4.10",), attack=("T1562.007",),
    ),
    Requirement(
        "monitoring-nacl-changes", "No alarm on network ACL changes", Severity.LOW,
        _calls_on("ec2.amazonaws.com", *_NACL_CALLS),
        _either("ec2.amazonaws.com", _NACL_CALLS), cis=("4.11",), attack=("T1562.007",),
    ),
    Requirement(
        "monitoring-gateway-changes", "No alarm on network gateway changes",
        Severity.LOW, _calls_on("ec2.amazonaws.com", *_GATEWAY_CALLS),
        _either("ec2.amazonaws.com", _GATEWAY_CALLS), cis=("4.12",),
    ),
    Requirement(
        "monitoring-route-table-changes", "No alarm on route table changes",
        Severity.LOW, _calls_on("ec2.amazonaws.com", *_ROUTE_CALLS),
        _either("ec2.amazonaws.com", _ROUTE_CALLS), cis=("4.13",),
    ),
    Requirement(
        "monitoring-vpc-changes", "No alarm on VPC changes", Severity.LOW,
        _calls_on("ec2.amazonaws.com", *_VPC_CALLS),
        _either("ec2.amazonaws.com", _VPC_CALLS), cis=("4.14",),
    ),
    Requirement(
        "monitoring-organizations-changes", "No alarm on AWS Organizations changes",
        Severity.MEDIUM,
        _calls_on("organizations.amazonaws.com", *_ORGANIZATIONS_CALLS),
        _either("organizations.amazonaws.com", _ORGANIZATIONS_CALLS), cis=("4.15",),
        attack=("T1484",),
    ),
    Requirement(
        "monitoring-secret-access-outside-allowed",
        "No alarm on a secret read or changed by a principal outside its set",
        Severity.HIGH, _outsider_secret_use,
        _either("secretsmanager.amazonaws.com", SECRET_CALLS)[:-2]
        + ' && ($.userIdentity.arn != "arn:aws:sts::<account>:assumed-role/'
        + '<app role>/*") }',
        attack=("T1555",), negatives=_intended_secret_use,
    ),
    Requirement(
        "monitoring-access-key-for-other-user",
        "No alarm on an access key created for another user", Severity.HIGH,
        _key_for_other_user,
        "{ ($.eventSource = iam.amazonaws.com) && ($.eventName = CreateAccessKey)"
        " && ($.requestParameters.userName EXISTS) }",
        attack=("T1098.001",),
    ),
    Requirement(
        "monitoring-beanstalk-config-read",
        "No alarm on Beanstalk configuration reads", Severity.MEDIUM,
        _calls_on("elasticbeanstalk.amazonaws.com", "DescribeConfigurationSettings"),
        "{ ($.eventSource = elasticbeanstalk.amazonaws.com) && "
        "($.eventName = DescribeConfigurationSettings) }",
        attack=("T1552.001", "T1526"),
    ),
)  # fmt: skip

_NEEDS = (
    calls.TRAILS,
    calls.METRIC_FILTERS,
    calls.ALARMS,
    calls.TOPICS,
    calls.SUBSCRIPTIONS,
)


def trail_log_groups(snapshot: Snapshot) -> tuple[tuple[str, str], ...]:
    """(region, log group name) of every log group a trail delivers to."""
    found = set()
    for trail in snapshot.trails:
        arn = trail.cloudwatch_log_group_arn
        if not arn:
            continue
        # arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]
        parts = arn.split(":")
        if len(parts) >= 7 and parts[5] == "log-group":
            found.add((parts[3], parts[6]))
    return tuple(sorted(found))


def _notified_topics(snapshot: Snapshot, alarm: Alarm) -> tuple[str, ...]:
    confirmed = {
        topic.arn
        for topic in snapshot.topics
        if any(
            s.arn.startswith("arn:") for s in topic.subscriptions
        )  # "PendingConfirmation" is not an ARN
    }
    return tuple(a for a in alarm.alarm_actions if a in confirmed)


def _alarms(snapshot: Snapshot, metric_filter: MetricFilter) -> list[Alarm]:
    metrics = {(t.namespace, t.name) for t in metric_filter.transformations}
    return [
        alarm
        for alarm in snapshot.alarms
        if alarm.region == metric_filter.region
        and alarm.actions_enabled
        and (alarm.namespace, alarm.metric_name) in metrics
    ]


def judge(
    pattern: FilterPattern, positives: tuple[Record, ...], negatives: tuple[Record, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(events missed, benign events matched) of ``pattern``."""
    missed = tuple(r["eventName"] for r in positives if not pattern.matches(r))
    false = tuple(r["eventName"] for r in negatives if pattern.matches(r))
    return missed, false


def _verdict(
    snapshot: Snapshot,
    metric_filter: MetricFilter,
    positives: tuple[Record, ...],
    negatives: tuple[Record, ...],
) -> FilterVerdict | None:
    """How ``metric_filter`` fares; None when it matches none of the events."""
    try:
        pattern = compile_pattern(metric_filter.pattern)
    except PatternError as error:
        log.warning("metric filter %s not evaluated: %s", metric_filter.name, error)
        return FilterVerdict(
            metric_filter.name, metric_filter.region, metric_filter.log_group,
            metric_filter.pattern, False, (), (), (), (),
        )  # fmt: skip
    missed, false = judge(pattern, positives, negatives)
    if len(missed) == len(positives):
        return None
    alarms = _alarms(snapshot, metric_filter)
    topics = tuple(t for alarm in alarms for t in _notified_topics(snapshot, alarm))
    return FilterVerdict(
        metric_filter.name, metric_filter.region, metric_filter.log_group,
        metric_filter.pattern, True, missed, false,
        tuple(a.arn for a in alarms), tuple(sorted(set(topics))),
    )  # fmt: skip


def _satisfies(verdict: FilterVerdict) -> bool:
    return (
        verdict.readable
        and not verdict.missed
        and not verdict.false_alarms
        and bool(verdict.notified_topics)
    )


def _check(
    context: CheckContext, meta: RuleMeta, requirement: Requirement
) -> Iterator[Result]:
    snapshot = context.snapshot
    groups = trail_log_groups(snapshot)
    positives = requirement.positives(snapshot)
    negatives = samples.benign(snapshot.account_id) + requirement.negatives(snapshot)
    verdicts = tuple(
        verdict
        for f in snapshot.metric_filters
        if (f.region, f.log_group) in groups
        and (verdict := _verdict(snapshot, f, positives, negatives)) is not None
    )
    winner = next((v for v in verdicts if _satisfies(v)), None)
    evidence = MonitoringEvidence(
        requirement=requirement.id,
        trail_log_groups=tuple(f"{region}:{name}" for region, name in groups),
        candidates=verdicts,
        satisfied_by=winner.name if winner else None,
        example_pattern=requirement.example,
    )
    if winner is not None:
        yield context.result(meta, Status.PASS, context.account_arn, evidence)
        return
    gaps = context.gaps(*_NEEDS)
    if gaps:
        yield context.error(meta, context.account_arn, gaps)
    elif any(not v.readable for v in verdicts):
        yield context.result(meta, Status.ERROR, context.account_arn, evidence)
    else:
        yield context.result(meta, Status.FAIL, context.account_arn, evidence)


def _register(requirement: Requirement) -> None:
    def check(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
        return _check(context, meta, requirement)

    check.__doc__ = (
        f"{requirement.title}: a metric filter on the CloudTrail log group must"
        " match the sample events of this requirement and no benign event, and"
        " feed an alarm that notifies a subscribed SNS topic.\n\n"
        f"Example of a passing pattern: {requirement.example}"
    )
    rule(
        id=requirement.id,
        title=requirement.title,
        severity=requirement.severity,
        needs=_NEEDS,
        remediation="create-metric-filter-and-alarm",
        fix="Create a metric filter on the trail's log group with a pattern such"
        " as the example, an alarm on its metric, and an SNS topic with a"
        " confirmed subscriber.",
        attack=requirement.attack,
        cis=requirement.cis,
    )(check)


for _requirement in REQUIREMENTS:
    _register(_requirement)
