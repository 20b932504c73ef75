"""CloudTrail rules on literal snapshots."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rules_helpers import ACCOUNT, REGION, doc, gap, run, snapshot, statuses

from chaincut.rules import Status
from chaincut.rules.cloudtrail import BucketEvidence, LoggingEvidence, NoTrailEvidence
from chaincut.snapshot import Bucket, Trail

TRAIL = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/main"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
GROUP = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:cloudtrail:*"
PER_TRAIL = (
    "cloudtrail-log-file-validation",
    "cloudtrail-kms-encryption",
    "cloudtrail-cloudwatch-logs",
    "cloudtrail-bucket-protected",
)
BLOCK_ALL = dict.fromkeys(
    (
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ),
    True,
)


def trail(**fields: Any) -> Trail:
    base = Trail(
        name="main",
        arn=TRAIL,
        home_region=REGION,
        multi_region=True,
        organization_trail=False,
        s3_bucket="trail-logs",
        log_file_validation=True,
        include_global_events=True,
        is_logging=True,
        kms_key_id=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1",
        cloudwatch_log_group_arn=GROUP,
        event_selectors=({"ReadWriteType": "All", "IncludeManagementEvents": True},),
    )
    return replace(base, **fields)


def bucket_policy(*extra: dict[str, Any]) -> dict[str, Any]:
    return doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::trail-logs/*",
        },
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::trail-logs/*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        *extra,
    )


def bucket(**fields: Any) -> Bucket:
    return replace(Bucket("trail-logs", REGION, bucket_policy(), BLOCK_ALL), **fields)


def test_a_good_trail_passes_everything() -> None:
    snap = snapshot(trails=(trail(),), buckets=(bucket(),))
    assert statuses(run("cloudtrail-multi-region-logging", snap)) == {ROOT: "PASS"}
    for rule_id in PER_TRAIL:
        assert statuses(run(rule_id, snap)) == {TRAIL: "PASS"}, rule_id


def test_no_trail_fails_every_rule_for_the_account() -> None:
    snap = snapshot()
    for rule_id in ("cloudtrail-multi-region-logging", *PER_TRAIL):
        (result,) = run(rule_id, snap)
        assert (result.resource, result.status) == (ROOT, Status.FAIL), rule_id
    (result,) = run("cloudtrail-log-file-validation", snap)
    assert isinstance(result.evidence, NoTrailEvidence)


def test_no_trail_with_unlisted_trails_is_an_error() -> None:
    snap = snapshot(gaps=(gap("cloudtrail", "DescribeTrails"),))
    for rule_id in ("cloudtrail-multi-region-logging", *PER_TRAIL):
        assert statuses(run(rule_id, snap)) == {ROOT: "ERROR"}, rule_id


def test_single_region_stopped_or_write_only_trails_fail() -> None:
    write_only = ({"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True},)
    for bad in (
        trail(multi_region=False),
        trail(is_logging=False),
        trail(event_selectors=write_only),
    ):
        (result,) = run("cloudtrail-multi-region-logging", snapshot(trails=(bad,)))
        assert result.status is Status.FAIL
        assert isinstance(result.evidence, LoggingEvidence)


def test_advanced_selectors_on_management_events_count() -> None:
    advanced = (
        {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
    )
    found = trail(event_selectors=(), advanced_event_selectors=advanced)
    assert statuses(
        run("cloudtrail-multi-region-logging", snapshot(trails=(found,)))
    ) == {ROOT: "PASS"}


def test_unknown_logging_status_is_an_error() -> None:
    snap = snapshot(
        trails=(trail(is_logging=None),),
        gaps=(gap("cloudtrail", "GetTrailStatus", TRAIL),),
    )
    assert statuses(run("cloudtrail-multi-region-logging", snap)) == {ROOT: "ERROR"}


def test_per_trail_settings_fail() -> None:
    bad = trail(
        log_file_validation=False, kms_key_id=None, cloudwatch_log_group_arn=None
    )
    snap = snapshot(trails=(bad,), buckets=(bucket(),))
    for rule_id in PER_TRAIL[:3]:
        assert statuses(run(rule_id, snap)) == {TRAIL: "FAIL"}, rule_id


def test_bucket_admitting_others_or_without_public_access_block_fails() -> None:
    public = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject",
              "Resource": "arn:aws:s3:::trail-logs/*"}  # fmt: skip
    for found in (
        bucket(policy=bucket_policy(public)),
        bucket(public_access_block=None),
    ):
        (result,) = run(
            "cloudtrail-bucket-protected", snapshot(trails=(trail(),), buckets=(found,))
        )
        assert result.status is Status.FAIL
    (result,) = run(
        "cloudtrail-bucket-protected",
        snapshot(trails=(trail(),), buckets=(bucket(policy=bucket_policy(public)),)),
    )
    assert isinstance(result.evidence, BucketEvidence)
    assert result.evidence.other_principals == ("AWS:*",)


def test_bucket_not_collected_or_unreadable_is_an_error() -> None:
    assert statuses(
        run("cloudtrail-bucket-protected", snapshot(trails=(trail(),)))
    ) == {TRAIL: "ERROR"}
    unreadable = snapshot(
        trails=(trail(),),
        buckets=(bucket(policy=None),),
        gaps=(gap("s3", "GetBucketPolicy", "trail-logs"),),
    )
    assert statuses(run("cloudtrail-bucket-protected", unreadable)) == {TRAIL: "ERROR"}
