"""CloudTrail: a multi-region trail that logs, and logs that can be trusted.

- ``cloudtrail-multi-region-logging`` (account): some trail is multi-region,
  logging, and records management events, both read and write.
- ``cloudtrail-log-file-validation``, ``cloudtrail-kms-encryption``,
  ``cloudtrail-bucket-protected``, ``cloudtrail-cloudwatch-logs`` (each
  trail): digest files, SSE-KMS, a bucket whose policy admits only
  CloudTrail and that blocks public access, delivery to CloudWatch Logs.

With no trail at all, each per-trail rule fails once for the account: the
property DESIGN.md asks for does not hold anywhere.

Assumptions: a bucket policy "admits only CloudTrail" when every Allow
statement names only the ``cloudtrail.amazonaws.com`` service principal
(Deny statements, such as a TLS-only deny, are welcome). Management events
are recorded by a basic selector with ``IncludeManagementEvents`` and
``ReadWriteType: All``, or an advanced selector on ``eventCategory =
Management`` with no ``readOnly`` filter.

Limits: the bucket check reads the policy's statements rather than asking
the engine about every principal; a trail bucket in another account is not
collected and gives ERROR. Organization trails of a management account are
read like any trail; the KMS key's own policy is not checked.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from chaincut.rules import _calls as calls
from chaincut.rules._core import (
    CheckContext,
    Evidence,
    Result,
    RuleMeta,
    Severity,
    Status,
    rule,
)
from chaincut.snapshot import Trail

log = logging.getLogger(__name__)

CLOUDTRAIL_SERVICE = "cloudtrail.amazonaws.com"
_PUBLIC_ACCESS_FLAGS = (
    "BlockPublicAcls",
    "IgnorePublicAcls",
    "BlockPublicPolicy",
    "RestrictPublicBuckets",
)


@dataclass(frozen=True)
class TrailState:
    trail: str
    multi_region: bool
    is_logging: bool | None
    management_read_write: bool


@dataclass(frozen=True)
class LoggingEvidence(Evidence):
    trails: tuple[TrailState, ...]


@dataclass(frozen=True)
class NoTrailEvidence(Evidence):
    """There is no trail in the account for the property to hold on."""

    regions_read: tuple[str, ...]


@dataclass(frozen=True)
class TrailSettingEvidence(Evidence):
    trail: str
    setting: str
    value: str | None


@dataclass(frozen=True)
class BucketEvidence(Evidence):
    trail: str
    bucket: str | None
    collected: bool
    other_principals: tuple[str, ...]  # principals allowed besides CloudTrail
    public_access_block: Mapping[str, bool] | None
    blocks_public_access: bool


def management_read_write(trail: Trail) -> bool:
    """Whether ``trail``'s selectors record management events, read and write."""
    for selector in trail.event_selectors:
        if selector.get("IncludeManagementEvents", True) and (
            selector.get("ReadWriteType", "All") == "All"
        ):
            return True
    for advanced in trail.advanced_event_selectors:
        fields = {f.get("Field"): f for f in advanced.get("FieldSelectors", [])}
        category = fields.get("eventCategory", {})
        if "Management" in category.get("Equals", []) and "readOnly" not in fields:
            return True
    return False


def _trails_or_gaps(context: CheckContext, meta: RuleMeta) -> Iterator[Trail | Result]:
    """Each trail; with none, one FAIL (or ERROR if a region was unreadable)."""
    gaps = context.gaps(calls.TRAILS)
    if gaps and not context.snapshot.trails:
        yield context.error(meta, context.account_arn, gaps)
        return
    if not context.snapshot.trails:
        yield context.result(
            meta,
            Status.FAIL,
            context.account_arn,
            NoTrailEvidence(context.snapshot.regions),
        )
        return
    yield from context.snapshot.trails


@rule(
    id="cloudtrail-multi-region-logging",
    title="No multi-region trail logging management events",
    severity=Severity.CRITICAL,
    needs=(calls.TRAILS, calls.TRAIL_STATUS, calls.TRAIL_SELECTORS),
    remediation="create-multi-region-trail",
    fix="Create a multi-region trail recording read and write management"
    " events, and start logging.",
    attack=("T1562.008",),
    cis=("3.1",),
)
def multi_region_logging(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """Without a trail in every region, the attack leaves no record.

    Example: an account with no trail fails; a multi-region trail whose
    status is logging with ``ReadWriteType: All`` passes.
    """
    states = tuple(
        TrailState(t.arn, t.multi_region, t.is_logging, management_read_write(t))
        for t in context.snapshot.trails
    )
    evidence = LoggingEvidence(states)
    if any(s.multi_region and s.is_logging and s.management_read_write for s in states):
        yield context.result(meta, Status.PASS, context.account_arn, evidence)
        return
    # A failed listing, status or selector read could hide the passing trail.
    gaps = context.gaps(calls.TRAILS, calls.TRAIL_STATUS, calls.TRAIL_SELECTORS)
    if gaps:
        yield context.error(meta, context.account_arn, gaps)
        return
    yield context.result(meta, Status.FAIL, context.account_arn, evidence)


@rule(
    id="cloudtrail-log-file-validation",
    title="Trail without log file validation",
    severity=Severity.MEDIUM,
    needs=(calls.TRAILS,),
    remediation="enable-log-file-validation",
    fix="Enable log file validation on the trail.",
    attack=("T1562.008", "T1070"),
    cis=("3.2",),
)
def log_file_validation(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """Digest files prove that delivered logs were not changed or deleted.

    Example: ``LogFileValidationEnabled: false`` fails.
    """
    for item in _trails_or_gaps(context, meta):
        if isinstance(item, Result):
            yield item
            continue
        yield _setting(
            context, meta, item, "log_file_validation",
            str(item.log_file_validation).lower(), item.log_file_validation,
        )  # fmt: skip


@rule(
    id="cloudtrail-kms-encryption",
    title="Trail logs not encrypted with a KMS key",
    severity=Severity.MEDIUM,
    needs=(calls.TRAILS,),
    remediation="encrypt-trail-with-kms",
    fix="Encrypt the trail with a customer-managed KMS key whose policy lets"
    " only log readers decrypt.",
    cis=("3.7",),
)
def kms_encryption(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """SSE-KMS adds a second permission (``kms:Decrypt``) to reading logs.

    Example: a trail without ``KmsKeyId`` fails.
    """
    for item in _trails_or_gaps(context, meta):
        if isinstance(item, Result):
            yield item
            continue
        yield _setting(
            context, meta, item, "kms_key_id", item.kms_key_id, bool(item.kms_key_id)
        )


@rule(
    id="cloudtrail-cloudwatch-logs",
    title="Trail does not deliver to CloudWatch Logs",
    severity=Severity.HIGH,
    needs=(calls.TRAILS,),
    remediation="deliver-trail-to-cloudwatch-logs",
    fix="Send the trail to a CloudWatch Logs log group, where metric filters"
    " and alarms can watch it.",
    attack=("T1562.008",),
    cis=("3.4",),
)
def cloudwatch_logs(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """Metric filters and alarms only see a trail delivered to a log group.

    Example: a trail without ``CloudWatchLogsLogGroupArn`` fails.
    """
    for item in _trails_or_gaps(context, meta):
        if isinstance(item, Result):
            yield item
            continue
        group = item.cloudwatch_log_group_arn
        yield _setting(
            context, meta, item, "cloudwatch_log_group_arn", group, bool(group)
        )


def _setting(
    context: CheckContext,
    meta: RuleMeta,
    trail: Trail,
    setting: str,
    value: str | None,
    holds: bool,
) -> Result:
    return context.result(
        meta,
        Status.PASS if holds else Status.FAIL,
        trail.arn,
        TrailSettingEvidence(trail.arn, setting, value),
        trail.home_region,
    )


def allowed_principals(policy: Mapping[str, Any] | None) -> tuple[str, ...]:
    """Every principal an Allow statement of ``policy`` names, as ``Kind:value``.

    ``*`` stands for ``"Principal": "*"``; ``NotPrincipal`` for a statement
    allowing everyone but some.
    """
    found: list[str] = []
    statements = (policy or {}).get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        if "NotPrincipal" in statement:
            found.append("NotPrincipal")
            continue
        principal = statement.get("Principal")
        if not isinstance(principal, dict):
            found.append(str(principal))
            continue
        for kind, values in principal.items():
            listed = [values] if isinstance(values, str) else list(values)
            found += [f"{kind}:{value}" for value in listed]
    return tuple(sorted(set(found)))


@rule(
    id="cloudtrail-bucket-protected",
    title="Trail bucket admits more than CloudTrail or allows public access",
    severity=Severity.HIGH,
    needs=(
        calls.TRAILS,
        calls.BUCKETS,
        calls.BUCKET_POLICY,
        calls.BUCKET_PUBLIC_ACCESS,
    ),
    remediation="restrict-trail-bucket",
    fix="Allow only cloudtrail.amazonaws.com in the bucket policy and turn on"
    " all four public access block settings.",
    attack=("T1530", "T1562.008"),
    cis=("3.3",),
)
def bucket_protected(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """The trail's bucket is the evidence store: only CloudTrail writes there.

    Example: a policy with a second Allow for ``{"AWS": "*"}`` fails, listing
    ``AWS:*``; a bucket without a public access block fails.
    """
    for item in _trails_or_gaps(context, meta):
        if isinstance(item, Result):
            yield item
            continue
        name = item.s3_bucket
        bucket = context.snapshot.bucket(name) if name else None
        gaps = context.gaps(
            calls.BUCKETS, calls.BUCKET_POLICY, calls.BUCKET_PUBLIC_ACCESS,
            resource=name or "",
        )  # fmt: skip
        if gaps:
            yield context.error(meta, item.arn, gaps, item.home_region)
            continue
        if bucket is None:
            # Not collected: in another account, or not named by the trail.
            missing = BucketEvidence(item.arn, name, False, (), None, False)
            yield context.result(
                meta, Status.ERROR, item.arn, missing, item.home_region
            )
            continue
        others = tuple(
            p
            for p in allowed_principals(bucket.policy)
            if p != f"Service:{CLOUDTRAIL_SERVICE}"
        )
        block = bucket.public_access_block
        blocks = block is not None and all(block.get(f) for f in _PUBLIC_ACCESS_FLAGS)
        holds = bucket.policy is not None and not others and blocks
        yield context.result(
            meta,
            Status.PASS if holds else Status.FAIL,
            item.arn,
            BucketEvidence(item.arn, name, True, others, block, blocks),
            item.home_region,
        )
