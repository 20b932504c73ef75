"""Synthetic CloudTrail records that the monitoring rules test filters with.

Each record carries the fields CloudTrail writes for a management event
(``eventVersion`` 1.09): enough for any filter pattern that selects on event
name, source, identity, error or additional data. The account id is the
snapshot's, so a filter that pins ``recipientAccountId`` still matches.

``BENIGN`` events are ordinary, successful activity that no monitoring
filter of ``monitoring`` should fire on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Record = dict[str, Any]
RecordFactory = Callable[[str], tuple[Record, ...]]

OUTSIDER = "chaincut-sample-outsider"


def user_identity(account: str, user: str = "alice") -> Record:
    return {
        "type": "IAMUser",
        "principalId": "AIDASAMPLEPRINCIPAL0",
        "arn": f"arn:aws:iam::{account}:user/{user}",
        "accountId": account,
        "accessKeyId": "AKIASAMPLEKEY0000000",
        "userName": user,
    }


def role_identity(account: str, role_arn: str) -> Record:
    name = role_arn.rsplit("/", 1)[-1]
    return {
        "type": "AssumedRole",
        "principalId": "AROASAMPLEPRINCIPAL0:session",
        "arn": f"arn:aws:sts::{account}:assumed-role/{name}/session",
        "accountId": account,
        "accessKeyId": "ASIASAMPLEKEY0000000",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROASAMPLEPRINCIPAL0",
                "arn": role_arn,
                "accountId": account,
                "userName": name,
            },
            "attributes": {"mfaAuthenticated": "false"},
        },
    }


def event(
    account: str,
    source: str,
    name: str,
    *,
    identity: Record | None = None,
    read_only: bool = False,
    **extra: Any,
) -> Record:
    """One management event as CloudTrail records it; ``extra`` overrides."""
    record: Record = {
        "eventVersion": "1.09",
        "userIdentity": identity or user_identity(account),
        "eventTime": "2025-01-01T00:00:00Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.10",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": {},
        "responseElements": None,
        "requestID": "00000000-0000-0000-0000-000000000000",
        "eventID": "00000000-0000-0000-0000-000000000001",
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
    record.update(extra)
    return record


def api_calls(source: str, *names: str) -> RecordFactory:
    """A factory of one successful call of each ``names`` on ``source``."""

    def make(account: str) -> tuple[Record, ...]:
        return tuple(event(account, source, name) for name in names)

    return make


def console_login(account: str, *, mfa: bool, success: bool) -> Record:
    extra: Record = {
        "eventType": "AwsConsoleSignIn",
        "additionalEventData": {
            "LoginTo": "https://console.aws.amazon.com/console/home",
            "MobileVersion": "No",
            "MFAUsed": "Yes" if mfa else "No",
        },
        "responseElements": {"ConsoleLogin": "Success" if success else "Failure"},
        "requestParameters": None,
    }
    if not success:
        extra["errorMessage"] = "Failed authentication"
    return event(account, "signin.amazonaws.com", "ConsoleLogin", **extra)


def benign(account: str) -> tuple[Record, ...]:
    """Ordinary activity: reads, a console sign-in with MFA, a role's call."""
    beanstalk_role = f"arn:aws:iam::{account}:role/aws-elasticbeanstalk-ec2-role"
    return (
        event(account, "ec2.amazonaws.com", "DescribeInstances", read_only=True),
        event(account, "s3.amazonaws.com", "ListBuckets", read_only=True),
        event(account, "sts.amazonaws.com", "GetCallerIdentity", read_only=True),
        event(account, "iam.amazonaws.com", "ListUsers", read_only=True),
        event(account, "secretsmanager.amazonaws.com", "ListSecrets", read_only=True),
        event(
            account,
            "elasticbeanstalk.amazonaws.com",
            "DescribeEnvironments",
            read_only=True,
        ),
        event(
            account,
            "ec2.amazonaws.com",
            "DescribeSubnets",
            identity=role_identity(account, beanstalk_role),
            read_only=True,
        ),
        console_login(account, mfa=True, success=True),
    )
