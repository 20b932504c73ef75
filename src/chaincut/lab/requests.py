"""What a lab request asks for, in IAM's terms: action, resource ARN, context.

moto hands the access decision the action as ``signing-name:Operation`` and,
for most services, ``*`` as the resource. AWS decides on the resource the
request names, so each request is mapped here from its parameters to the ARN
AWS would authorize against.

Coverage, by service (anything else is decided against ``*``):

- IAM: the user, role, group, instance profile or managed policy named by the
  request (an IAM action that takes an optional user name and has none acts on
  the caller, as AWS does); List calls on ``*``.
- STS: ``AssumeRole`` on the role ARN.
- Elastic Beanstalk: the environment, else the application, named.
- Secrets Manager: the secret, by name or ARN, resolved to its full ARN.
- S3: moto's own bucket or object ARN.
- CloudTrail trails, CloudWatch alarms, CloudWatch Logs log groups, SNS topics.

Limits: operations that act on several resources at once (``DeleteAlarms``
with many names) are decided on the first one only. CloudWatch is signed as
``monitoring`` and renamed ``cloudwatch`` here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from moto.secretsmanager.models import secretsmanager_backends

from chaincut.lab.auth import LabRequest

# SigV4 signing names that differ from the IAM service prefix.
_SERVICE_PREFIX = {"monitoring": "cloudwatch"}

# IAM operations that act on the caller's own user when no UserName is given.
_IAM_SELF_ACTIONS = frozenset(
    {
        "CreateAccessKey",
        "DeleteAccessKey",
        "UpdateAccessKey",
        "ListAccessKeys",
        "GetUser",
        "ChangePassword",
        "ListSigningCertificates",
        "ListSSHPublicKeys",
        "ListMFADevices",
    }
)

_IAM_TARGETS = (
    ("UserName", "user"),
    ("RoleName", "role"),
    ("GroupName", "group"),
    ("InstanceProfileName", "instance-profile"),
)


@dataclass(frozen=True)
class Authorization:
    """One request as IAM evaluates it."""

    action: str
    resource: str


def parameters(request: LabRequest) -> dict[str, Any]:
    """The request's parameters, whichever protocol carried them."""
    found: dict[str, Any] = {}
    for key, value in request.parameters.items():
        found[key] = value[0] if isinstance(value, list) and len(value) == 1 else value
    body = request.body
    if body and body[:1] == b"{":
        try:
            decoded = json.loads(body)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict):
            found.update(decoded)
    return found


def authorization(request: LabRequest) -> Authorization:
    service, _, operation = request.action.partition(":")
    service = _SERVICE_PREFIX.get(service, service)
    params = parameters(request)
    build = _RESOURCES.get(service)
    resource = request.resource
    if build is not None:
        resource = build(request, operation, params) or "*"
    return Authorization(f"{service}:{operation}", resource)


def _arn(request: LabRequest, service: str, resource: str, *, regional: bool) -> str:
    region = request.region if regional else ""
    return f"arn:aws:{service}:{region}:{request.account_id}:{resource}"


def _iam(request: LabRequest, operation: str, params: Mapping[str, Any]) -> str:
    for parameter, kind in _IAM_TARGETS:
        name = params.get(parameter)
        if name:
            return _arn(request, "iam", f"{kind}/{name}", regional=False)
    if params.get("PolicyArn"):
        return str(params["PolicyArn"])
    if operation in _IAM_SELF_ACTIONS and ":user/" in request.principal_arn:
        return request.principal_arn
    return "*"


def _sts(request: LabRequest, operation: str, params: Mapping[str, Any]) -> str:
    return str(params.get("RoleArn") or "*")


def _beanstalk(request: LabRequest, operation: str, params: Mapping[str, Any]) -> str:
    application = params.get("ApplicationName")
    environment = params.get("EnvironmentName")
    if application and environment:
        return _arn(
            request,
            "elasticbeanstalk",
            f"environment/{application}/{environment}",
            regional=True,
        )
    if application:
        return _arn(
            request, "elasticbeanstalk", f"application/{application}", regional=True
        )
    return "*"


def _secrets(request: LabRequest, operation: str, params: Mapping[str, Any]) -> str:
    identifier = params.get("SecretId") or params.get("Name")
    if not identifier:
        return "*"
    store = secretsmanager_backends[request.account_id][request.region].secrets
    if identifier in store:
        return str(store[identifier].arn)
    if str(identifier).startswith("arn:"):
        return str(identifier)
    # A secret that does not exist yet (CreateSecret): AWS appends six random
    # characters to the name; any policy written for the secret uses "-??????"
    # or "*" there.
    return _arn(request, "secretsmanager", f"secret:{identifier}-000000", regional=True)


def _cloudtrail(request: LabRequest, operation: str, params: Mapping[str, Any]) -> str:
    name = params.get("Name") or params.get("TrailName")
    if not name:
        return "*"
    if str(name).startswith("arn:"):
        return str(name)
    return _arn(request, "cloudtrail", f"trail/{name}", regional=True)


def _logs(request: LabRequest, operation: str, params: Mapping[str, Any]) -> str:
    group = params.get("logGroupName")
    if not group:
        return "*"
    return _arn(request, "logs", f"log-group:{group}:*", regional=True)


def _cloudwatch(request: LabRequest, operation: str, params: Mapping[str, Any]) -> str:
    name = params.get("AlarmName")
    names = params.get("AlarmNames")
    if not name and isinstance(names, list) and names:
        name = names[0]
    if not name:
        return "*"
    return _arn(request, "cloudwatch", f"alarm:{name}", regional=True)


def _sns(request: LabRequest, operation: str, params: Mapping[str, Any]) -> str:
    if params.get("TopicArn"):
        return str(params["TopicArn"])
    if operation == "CreateTopic" and params.get("Name"):
        return _arn(request, "sns", str(params["Name"]), regional=True)
    return "*"


def _s3(request: LabRequest, operation: str, params: Mapping[str, Any]) -> str:
    return request.resource


_RESOURCES = {
    "iam": _iam,
    "sts": _sts,
    "elasticbeanstalk": _beanstalk,
    "secretsmanager": _secrets,
    "cloudtrail": _cloudtrail,
    "logs": _logs,
    "cloudwatch": _cloudwatch,
    "sns": _sns,
    "s3": _s3,
}
