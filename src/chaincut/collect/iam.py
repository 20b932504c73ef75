"""IAM: users, groups, roles and managed policies, with keys and their use.

``GetAccountAuthorizationDetails`` gives every principal with its inline
policies, attachments, boundaries and the default version of every managed
policy in one paginated call. The credential report says, in one call, which
users have a console password and which have access keys at all; access key
ids and their last use then come from one call per user that has keys and one
per key (every user is asked when the report cannot be had).

Limits: if ``GetAccountAuthorizationDetails`` is denied, IAM is a coverage gap
as a whole; the per-entity List/Get calls are not tried instead.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any
from urllib.parse import unquote

from chaincut.aws import AwsConnection, iso_time, tag_map
from chaincut.collect.calls import CallRecorder
from chaincut.snapshot import (
    AccessKey,
    Group,
    Iam,
    InlinePolicy,
    ManagedPolicy,
    PolicyDocument,
    Role,
    User,
)

log = logging.getLogger(__name__)


def collect_iam(
    aws: AwsConnection,
    calls: CallRecorder,
    executor: Executor,
    tick: Callable[[], None] = lambda: None,
) -> Iam:
    iam = aws.client("iam")
    details = _authorization_details(iam, calls)
    if details is None:
        return Iam()
    report = _credential_report(iam, calls)
    users = list(
        executor.map(
            lambda user: _user(iam, calls, user, report, tick),
            details["UserDetailList"],
        )
    )
    return Iam(
        users=tuple(sorted(users, key=lambda u: u.arn)),
        groups=tuple(_group(g) for g in details["GroupDetailList"]),
        roles=tuple(_role(r) for r in details["RoleDetailList"]),
        policies=tuple(_managed_policy(p) for p in details["Policies"]),
    )


_DETAIL_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def _authorization_details(
    iam: Any, calls: CallRecorder
) -> dict[str, list[Any]] | None:
    """Every page of GetAccountAuthorizationDetails, by list; None on a gap."""
    pages = calls.pages(iam, "get_account_authorization_details", "", whole_pages=True)
    if pages is None:
        return None
    return {
        key: [item for page in pages for item in page.get(key, [])]
        for key in _DETAIL_LISTS
    }


def document(raw: Any) -> PolicyDocument:
    """A policy document as a dict, whether boto3 decoded it already or not."""
    if isinstance(raw, dict):
        return raw
    return dict(json.loads(unquote(str(raw))))


def _inline(entries: list[dict[str, Any]] | None) -> tuple[InlinePolicy, ...]:
    return tuple(
        InlinePolicy(entry["PolicyName"], document(entry["PolicyDocument"]))
        for entry in entries or []
    )


def _attached(entries: list[dict[str, Any]] | None) -> tuple[str, ...]:
    return tuple(entry["PolicyArn"] for entry in entries or [])


def _boundary(entity: dict[str, Any]) -> str | None:
    boundary = entity.get("PermissionsBoundary")
    return str(boundary["PermissionsBoundaryArn"]) if boundary else None


def _when(value: Any) -> str:
    return iso_time(value) or ""


# The credential report is generated asynchronously; a few short waits are
# enough for an account of thousands of users.
_REPORT_ATTEMPTS = 10
_REPORT_WAIT_SECONDS = 0.5


def _credential_report(
    iam: Any, calls: CallRecorder
) -> dict[str, dict[str, str]] | None:
    """User name -> credential report row, or None when it cannot be had."""
    for _ in range(_REPORT_ATTEMPTS):
        started = calls.call(iam, "generate_credential_report")
        if started is None:
            return None
        if started.get("State") == "COMPLETE":
            break
        time.sleep(_REPORT_WAIT_SECONDS)
    report = calls.call(iam, "get_credential_report")
    if report is None:
        return None
    content = report["Content"]
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    return {row["user"]: row for row in csv.DictReader(io.StringIO(text))}


def _has_keys(row: dict[str, str] | None) -> bool:
    if row is None:
        return True  # unknown: ask
    return any(
        row.get(f"access_key_{n}_last_rotated", "N/A") not in ("N/A", "")
        for n in (1, 2)
    )


def _console_password(row: dict[str, str] | None) -> bool | None:
    if row is None:
        return None
    return row.get("password_enabled") == "true"


def _user(
    iam: Any,
    calls: CallRecorder,
    entry: dict[str, Any],
    report: dict[str, dict[str, str]] | None,
    tick: Callable[[], None],
) -> User:
    name = entry["UserName"]
    row = None if report is None else report.get(name)
    keys = []
    listed = None
    if report is None or _has_keys(row):
        listed = calls.call(
            iam, "list_access_keys", resource=entry["Arn"], UserName=name
        )
    for key in (listed or {}).get("AccessKeyMetadata", []):
        used = calls.call(
            iam,
            "get_access_key_last_used",
            resource=entry["Arn"],
            AccessKeyId=key["AccessKeyId"],
        )
        last = (used or {}).get("AccessKeyLastUsed", {})
        keys.append(
            AccessKey(
                access_key_id=key["AccessKeyId"],
                status=key["Status"],
                created=_when(key.get("CreateDate")),
                last_used=iso_time(last.get("LastUsedDate")),
                last_used_service=_known(last.get("ServiceName")),
                last_used_region=_known(last.get("Region")),
            )
        )
    tick()
    return User(
        name=name,
        arn=entry["Arn"],
        user_id=entry["UserId"],
        path=entry.get("Path", "/"),
        created=_when(entry.get("CreateDate")),
        inline_policies=_inline(entry.get("UserPolicyList")),
        attached_policies=_attached(entry.get("AttachedManagedPolicies")),
        groups=tuple(entry.get("GroupList") or ()),
        permissions_boundary=_boundary(entry),
        tags=tag_map(entry.get("Tags")),
        access_keys=tuple(keys),
        has_console_password=_console_password(row),
    )


def _known(value: Any) -> str | None:
    # AWS reports "N/A" for a key that was never used.
    return None if value in (None, "N/A") else str(value)


def _group(entry: dict[str, Any]) -> Group:
    return Group(
        name=entry["GroupName"],
        arn=entry["Arn"],
        inline_policies=_inline(entry.get("GroupPolicyList")),
        attached_policies=_attached(entry.get("AttachedManagedPolicies")),
    )


def _role(entry: dict[str, Any]) -> Role:
    last_used = (entry.get("RoleLastUsed") or {}).get("LastUsedDate")
    return Role(
        name=entry["RoleName"],
        arn=entry["Arn"],
        role_id=entry["RoleId"],
        trust_policy=document(entry.get("AssumeRolePolicyDocument") or {}),
        path=entry.get("Path", "/"),
        created=_when(entry.get("CreateDate")),
        inline_policies=_inline(entry.get("RolePolicyList")),
        attached_policies=_attached(entry.get("AttachedManagedPolicies")),
        permissions_boundary=_boundary(entry),
        instance_profiles=tuple(
            p["InstanceProfileName"] for p in entry.get("InstanceProfileList") or []
        ),
        tags=tag_map(entry.get("Tags")),
        last_used=iso_time(last_used),
    )


def _managed_policy(entry: dict[str, Any]) -> ManagedPolicy:
    arn = entry["Arn"]
    versions = entry.get("PolicyVersionList") or []
    default = next((v for v in versions if v.get("IsDefaultVersion")), None)
    return ManagedPolicy(
        arn=arn,
        # moto leaves PolicyName out of these entries; the ARN always ends in it.
        name=entry.get("PolicyName") or arn.rsplit("/", 1)[-1],
        default_version_id=entry.get("DefaultVersionId")
        or (default or {}).get("VersionId", ""),
        document=document(default["Document"]) if default else {},
        attachment_count=int(entry.get("AttachmentCount") or 0),
        aws_managed=arn.split(":")[4] == "aws",
    )
