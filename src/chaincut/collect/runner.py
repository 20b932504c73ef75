"""Collect a whole account into a :class:`~chaincut.snapshot.Snapshot`.

The work is one IAM task plus one task per service and region, run on a
bounded thread pool (boto3 clients are thread-safe and shared). Progress is
reported through a callback so the library never draws on a terminal itself.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

import botocore.exceptions

from chaincut.aws import AwsConnection, error_code
from chaincut.collect.calls import CallRecorder
from chaincut.collect.iam import collect_iam
from chaincut.collect.regional import REGIONAL_COLLECTORS, RegionalPart
from chaincut.errors import AwsError
from chaincut.snapshot import Iam, Snapshot, TrailBucket

log = logging.getLogger(__name__)

DEFAULT_WORKERS = 8

# Called as (done, total, label) after each task finishes.
ProgressCallback = Callable[[int, int, str], None]


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
    report = progress or (lambda done, total, label: None)
    with (
        ThreadPoolExecutor(workers, thread_name_prefix="collect") as outer,
        ThreadPoolExecutor(workers, thread_name_prefix="collect-item") as inner,
    ):
        futures: dict[Future[Iam | RegionalPart], str] = {
            outer.submit(collect_iam, aws, calls, inner): "iam"
        }
        for region in chosen:
            for service, collector in REGIONAL_COLLECTORS.items():
                futures[outer.submit(collector, aws, calls, region)] = (
                    f"{service} {region}"
                )
        total = len(futures)
        for done, future in enumerate(as_completed(futures), start=1):
            result = future.result()
            if isinstance(result, Iam):
                iam = result
            elif isinstance(result, RegionalPart):
                _merge(part, result)
            report(done, total, futures[future])

    buckets = _trail_buckets(
        aws, calls, sorted({t.s3_bucket for t in part.trails if t.s3_bucket})
    )
    gaps = calls.gaps
    if gaps:
        log.warning("%d calls failed; they are listed as coverage gaps", len(gaps))
    return Snapshot(
        account_id=account_id,
        caller_arn=caller_arn,
        collected_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        regions=tuple(sorted(chosen)),
        iam=iam,
        beanstalk_applications=tuple(
            sorted(part.beanstalk_applications, key=lambda a: a.arn)
        ),
        beanstalk_environments=tuple(
            sorted(part.beanstalk_environments, key=lambda e: e.arn)
        ),
        secrets=tuple(sorted(part.secrets, key=lambda s: s.arn)),
        trails=tuple(sorted(part.trails, key=lambda t: t.arn)),
        trail_buckets=buckets,
        metric_filters=tuple(
            sorted(part.metric_filters, key=lambda f: (f.region, f.log_group, f.name))
        ),
        alarms=tuple(sorted(part.alarms, key=lambda a: a.arn)),
        topics=tuple(sorted(part.topics, key=lambda t: t.arn)),
        gaps=tuple(
            sorted(gaps, key=lambda g: (g.service, g.operation, g.region, g.resource))
        ),
    )


def _identity(aws: AwsConnection) -> tuple[str, str]:
    try:
        caller = aws.client("sts").get_caller_identity()
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
    return str(caller["Account"]), str(caller["Arn"])


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


def _trail_buckets(
    aws: AwsConnection, calls: CallRecorder, names: list[str]
) -> tuple[TrailBucket, ...]:
    s3 = aws.client("s3")
    buckets = []
    for name in names:
        policy = calls.call(
            s3, "get_bucket_policy", resource=name, absent=("NoSuchBucketPolicy",),
            Bucket=name,
        )  # fmt: skip
        block = calls.call(
            s3,
            "get_public_access_block",
            resource=name,
            absent=("NoSuchPublicAccessBlockConfiguration",),
            Bucket=name,
        )
        buckets.append(
            TrailBucket(
                name=name,
                policy=json.loads(policy["Policy"]) if policy else None,
                public_access_block=(block or {}).get("PublicAccessBlockConfiguration"),
            )
        )
    return tuple(buckets)
