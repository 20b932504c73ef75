"""Collect a whole account into a :class:`~chaincut.snapshot.Snapshot`.

The work is one IAM task, one S3 task and one task per service and region,
run on a bounded thread pool (boto3 clients are thread-safe and shared); tasks
that fan out per item (keys of each user, each bucket's policy) use a second
pool so that they never wait on a slot their parent holds. Progress is
reported through a callback so the library never draws on a terminal itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import TypeVar

import botocore.exceptions

from chaincut.aws import AwsConnection, error_code
from chaincut.collect import regional, storage
from chaincut.collect.calls import CallRecorder
from chaincut.collect.iam import collect_iam
from chaincut.collect.regional import RegionalPart
from chaincut.collect.workloads import WORKLOAD_COLLECTORS
from chaincut.errors import AwsError
from chaincut.snapshot import Bucket, Iam, Snapshot, Workload

log = logging.getLogger(__name__)

DEFAULT_WORKERS = 8

# Called as (done, total, label) after each task finishes.
ProgressCallback = Callable[[int, int, str], None]

RegionalCollector = Callable[[AwsConnection, CallRecorder, str], RegionalPart]


def _parameters(aws: AwsConnection, calls: CallRecorder, region: str) -> RegionalPart:
    return RegionalPart(parameters=storage.collect_parameters(aws, calls, region))


def _workloads(service: str) -> RegionalCollector:
    collector = WORKLOAD_COLLECTORS[service]

    def collect_workloads(
        aws: AwsConnection, calls: CallRecorder, region: str
    ) -> RegionalPart:
        return RegionalPart(workloads=collector(aws, calls, region))

    return collect_workloads


REGIONAL_COLLECTORS: dict[str, RegionalCollector] = {
    "elasticbeanstalk": regional.collect_beanstalk,
    "secretsmanager": regional.collect_secrets,
    "cloudtrail": regional.collect_trails,
    "logs": regional.collect_metric_filters,
    "cloudwatch": regional.collect_alarms,
    "sns": regional.collect_topics,
    "ssm": _parameters,
    **{service: _workloads(service) for service in WORKLOAD_COLLECTORS},
}


def collect(
    aws: AwsConnection,
    *,
    regions: Sequence[str] | None = None,
    workers: int = DEFAULT_WORKERS,
    progress: ProgressCallback | None = None,
) -> Snapshot:
    """Read the account behind ``aws``; failed calls become coverage gaps.

    ``regions`` limits the regional services to those regions; by default
    every region enabled for the account is read.
    """
    calls = CallRecorder()
    account_id, caller_arn = _identity(aws)
    chosen = tuple(regions) if regions else _enabled_regions(aws, calls)
    log.info("collecting account %s in %d regions", account_id, len(chosen))

    part = RegionalPart()
    iam = Iam()
    buckets: list[Bucket] = []
    report = progress or (lambda done, total, label: None)
    with (
        ThreadPoolExecutor(workers, thread_name_prefix="collect") as outer,
        ThreadPoolExecutor(workers, thread_name_prefix="collect-item") as inner,
    ):
        futures: dict[Future[object], str] = {
            outer.submit(collect_iam, aws, calls, inner): "iam",
            outer.submit(storage.collect_buckets, aws, calls, inner): "s3",
        }
        for region in chosen:
            for service, collector in REGIONAL_COLLECTORS.items():
                future: Future[object] = outer.submit(collector, aws, calls, region)
                futures[future] = f"{service} {region}"
        total = len(futures)
        for done, finished in enumerate(as_completed(futures), start=1):
            result = finished.result()
            if isinstance(result, Iam):
                iam = result
            elif isinstance(result, RegionalPart):
                _merge(part, result)
            elif isinstance(result, list):
                buckets = result
            report(done, total, futures[finished])

    gaps = calls.gaps
    if gaps:
        log.warning("%d calls failed; they are listed as coverage gaps", len(gaps))
    return Snapshot(
        account_id=account_id,
        caller_arn=caller_arn,
        collected_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        regions=tuple(sorted(chosen)),
        iam=iam,
        beanstalk_applications=_sorted(part.beanstalk_applications),
        beanstalk_environments=_sorted(part.beanstalk_environments),
        secrets=_sorted(part.secrets),
        trails=_sorted(part.trails),
        metric_filters=tuple(
            sorted(part.metric_filters, key=lambda f: (f.region, f.log_group, f.name))
        ),
        alarms=_sorted(part.alarms),
        topics=_sorted(part.topics),
        buckets=tuple(sorted(buckets, key=lambda b: b.name)),
        parameters=_sorted(part.parameters),
        workloads=_sorted(_with_profile_roles(part.workloads, iam)),
        gaps=tuple(
            sorted(gaps, key=lambda g: (g.service, g.operation, g.region, g.resource))
        ),
    )


_T = TypeVar("_T")


def _sorted(items: list[_T]) -> tuple[_T, ...]:
    """Items in ARN order, so that two collections of one account compare."""
    return tuple(sorted(items, key=lambda item: str(getattr(item, "arn", ""))))


def _with_profile_roles(workloads: list[Workload], iam: Iam) -> list[Workload]:
    """Resolve each instance profile to the role ARNs it holds."""
    roles_of: dict[str, list[str]] = {}
    for role in iam.roles:
        for profile in role.instance_profiles:
            roles_of.setdefault(profile, []).append(role.arn)
    resolved = []
    for workload in workloads:
        if workload.instance_profile and not workload.roles:
            name = workload.instance_profile.rsplit("/", 1)[-1]
            roles = tuple(roles_of.get(name, ()))
            resolved.append(dataclasses.replace(workload, roles=roles))
        else:
            resolved.append(workload)
    return resolved


def _identity(aws: AwsConnection) -> tuple[str, str]:
    try:
        caller = aws.identity()
    except botocore.exceptions.ClientError as error:
        raise AwsError(
            f"AWS rejected these credentials ({error_code(error)}): check the"
            " profile, the keys or the session token"
        ) from error
    except botocore.exceptions.NoCredentialsError as error:
        raise AwsError(
            "no AWS credentials found: pass --profile, set AWS_PROFILE, or use --lab"
        ) from error
    except botocore.exceptions.EndpointConnectionError as error:
        raise AwsError(f"cannot reach AWS STS: {error}") from error
    return caller["Account"], caller["Arn"]


def _enabled_regions(aws: AwsConnection, calls: CallRecorder) -> tuple[str, ...]:
    answer = calls.call(aws.client("ec2"), "describe_regions", AllRegions=False)
    if answer is None:
        log.warning(
            "cannot list the account's regions; reading only %s (use --region)",
            aws.region,
        )
        return (aws.region,)
    return tuple(sorted(r["RegionName"] for r in answer["Regions"]))


def _merge(into: RegionalPart, part: RegionalPart) -> None:
    for name, items in vars(part).items():
        getattr(into, name).extend(items)
