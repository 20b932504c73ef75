"""The summary of a snapshot, for a terminal or a ticket.

Secret-looking settings are shown by detector and masked preview only; an
access key id found in a setting is resolved to the user who owns it, because
that is the first thing a responder needs to know.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from chaincut.collect.detect import ACCESS_KEY_ID
from chaincut.snapshot import GapKind, Snapshot


@dataclass(frozen=True)
class FlaggedSetting:
    environment: str
    region: str
    namespace: str
    name: str
    detector: str
    shown: str
    owner: str = ""


def key_owners(snapshot: Snapshot) -> dict[str, tuple[str, str]]:
    """Access key id -> (user name, key status), for every collected key."""
    return {
        key.access_key_id: (user.name, key.status)
        for user in snapshot.iam.users
        for key in user.access_keys
    }


def flagged_settings(snapshot: Snapshot) -> list[FlaggedSetting]:
    owners = key_owners(snapshot)
    flagged = []
    for env in snapshot.beanstalk_environments:
        for option in env.settings:
            if option.detected is None:
                continue
            owner = ""
            if option.detected.detector == ACCESS_KEY_ID and option.value:
                user, status = owners.get(option.value, ("unknown user", "unknown"))
                owner = f"{user} ({status})"
            flagged.append(
                FlaggedSetting(
                    environment=env.name,
                    region=env.region,
                    namespace=option.namespace,
                    name=option.name,
                    detector=option.detected.detector,
                    shown=option.value or option.detected.masked.preview,
                    owner=owner,
                )
            )
    return flagged


def render_summary(snapshot: Snapshot) -> RenderableType:
    parts: list[RenderableType] = [
        Text.assemble(
            ("Account ", "bold"),
            snapshot.account_id,
            ("  caller ", "bold"),
            snapshot.caller_arn,
            ("  regions ", "bold"),
            str(len(snapshot.regions)),
            ("  collected ", "bold"),
            snapshot.collected_at,
        ),
        _inventory(snapshot),
    ]
    flagged = flagged_settings(snapshot)
    if flagged:
        parts.append(_flagged_table(flagged))
    parts.append(_gaps(snapshot))
    return Group(*parts)


def _inventory(snapshot: Snapshot) -> Table:
    iam = snapshot.iam
    keys = [key for user in iam.users for key in user.access_keys]
    active = sum(1 for key in keys if key.status == "Active")
    trails = snapshot.trails
    table = Table(title="Inventory", show_header=True, title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_column("detail")
    rows = [
        ("IAM users", len(iam.users), f"{active} active / {len(keys)} access keys"),
        ("IAM groups", len(iam.groups), ""),
        ("IAM roles", len(iam.roles), ""),
        (
            "managed policies",
            len(iam.policies),
            f"{sum(1 for p in iam.policies if not p.aws_managed)} customer managed",
        ),
        (
            "Beanstalk environments",
            len(snapshot.beanstalk_environments),
            f"{len(snapshot.beanstalk_applications)} applications",
        ),
        (
            "Secrets Manager secrets",
            len(snapshot.secrets),
            f"{sum(1 for s in snapshot.secrets if s.rotation_enabled)} rotating, "
            f"{sum(1 for s in snapshot.secrets if s.resource_policy)} with a policy",
        ),
        (
            "CloudTrail trails",
            len(trails),
            f"{sum(1 for t in trails if t.multi_region and t.is_logging)}"
            " multi-region and logging",
        ),
        ("metric filters", len(snapshot.metric_filters), ""),
        (
            "CloudWatch alarms",
            len(snapshot.alarms),
            f"{sum(1 for a in snapshot.alarms if a.alarm_actions)} with actions",
        ),
        (
            "SNS topics",
            len(snapshot.topics),
            f"{sum(len(t.subscriptions) for t in snapshot.topics)} subscriptions",
        ),
        (
            "S3 buckets",
            len(snapshot.buckets),
            f"{sum(1 for b in snapshot.buckets if b.policy)} with a policy",
        ),
        (
            "SSM parameters",
            len(snapshot.parameters),
            f"{sum(1 for p in snapshot.parameters if p.detected)} look like secrets",
        ),
        (
            "workloads with roles",
            len(snapshot.workloads),
            ", ".join(sorted({w.kind.value for w in snapshot.workloads})),
        ),
    ]
    for what, count, detail in rows:
        table.add_row(what, str(count), detail)
    return table


def _flagged_table(flagged: list[FlaggedSetting]) -> Table:
    table = Table(
        title="Environment settings that look like credentials",
        title_justify="left",
        title_style="bold red",
    )
    for column in ("environment", "setting", "detector", "value", "owner"):
        table.add_column(column)
    for item in flagged:
        table.add_row(
            f"{item.environment} ({item.region})",
            item.name,
            item.detector,
            item.shown,
            item.owner,
        )
    return table


def _gaps(snapshot: Snapshot) -> RenderableType:
    if not snapshot.gaps:
        return Text("Coverage: every call succeeded.", style="green")
    grouped: dict[tuple[str, str, GapKind, str], list[str]] = defaultdict(list)
    for gap in snapshot.gaps:
        grouped[(gap.service, gap.operation, gap.kind, gap.error_code)].append(
            gap.region
        )
    table = Table(
        title=f"Coverage gaps: {len(snapshot.gaps)} calls failed; what they would"
        " have shown is missing from this snapshot",
        title_justify="left",
        title_style="bold yellow",
    )
    for column in ("service", "operation", "why", "regions"):
        table.add_column(column)
    for (service, operation, kind, code), regions in sorted(
        grouped.items(), key=lambda item: item[0][:2]
    ):
        shown = ", ".join(sorted(set(regions))[:3])
        if len(set(regions)) > 3:
            shown += f" and {len(set(regions)) - 3} more"
        table.add_row(service, operation, f"{kind.value} ({code})", shown)
    return table
