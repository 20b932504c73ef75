"""Credential holders: places where a principal's access key can be read.

Each source is a class registered by name with ``@holder_source``; it turns
the snapshot into ``CredentialHolder`` values. A holder needs a detected
secret access key; the key id next to it (kept in clear by the collector, or
matched by fingerprint where only a fingerprint is kept) names the owning
user through the snapshot's access keys, with the key's status.

Sources:

- ``beanstalk_settings``: one Elastic Beanstalk environment's option
  settings; read with ``elasticbeanstalk:DescribeConfigurationSettings`` on
  the environment ARN.
- ``lambda_environment``: a Lambda function's environment variables; read
  with ``lambda:GetFunctionConfiguration`` (or ``lambda:GetFunction``) on
  the function ARN.
- ``ssm_parameters``: String parameters under one path (``/app/prod/...``);
  read with ``ssm:GetParameter`` (or ``ssm:GetParameters``) on each
  parameter holding part of the key.

Limits: EC2 user data, S3 objects, ECS/CodeBuild environment variables and
CloudFormation parameters are not sources yet (the collector stores no
detections for them). A holder whose secret was detected but whose key id
is missing or unknown is reported with no owner and makes no edge. A key id
found alone, with no secret next to it, is not a holder.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from chaincut.graph._model import CredentialHolder
from chaincut.secrets import fingerprint
from chaincut.snapshot import (
    DetectedValue,
    OptionSetting,
    Snapshot,
    WorkloadKind,
)

log = logging.getLogger(__name__)

KEY_ID = "aws_access_key_id"
SECRET_KEY = "aws_secret_access_key"


@dataclass(frozen=True)
class _Key:
    owner: str
    status: str


class KeyIndex:
    """Access key ids (and their fingerprints) to the owning user and status."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.by_id: dict[str, _Key] = {}
        self.by_fingerprint: dict[str, str] = {}
        for user in snapshot.iam.users:
            for key in user.access_keys:
                self.by_id[key.access_key_id] = _Key(user.arn, key.status)
                self.by_fingerprint[fingerprint(key.access_key_id)] = key.access_key_id


class HolderSource:
    """Finds the credential holders of one kind in a snapshot."""

    name: ClassVar[str]
    read_actions: ClassVar[tuple[str, ...]]

    def find(self, snapshot: Snapshot, keys: KeyIndex) -> Iterator[CredentialHolder]:
        raise NotImplementedError

    def holder(
        self,
        keys: KeyIndex,
        resources: tuple[str, ...],
        region: str,
        found: list[tuple[str, DetectedValue, str | None]],
    ) -> CredentialHolder | None:
        """A holder from (location, detection, clear value) triples, if any."""
        detectors = tuple(sorted({d.detector for _, d, _ in found}))
        if SECRET_KEY not in detectors:
            return None
        key_id = next(
            (
                value or keys.by_fingerprint.get(detected.masked.fingerprint)
                for _, detected, value in found
                if detected.detector == KEY_ID
            ),
            None,
        )
        key = keys.by_id.get(key_id) if key_id else None
        if key is None:
            log.info(
                "credential in %s: owner unknown (key id %s)", resources[0], key_id
            )
        return CredentialHolder(
            id=f"holder:{self.name}:{resources[0]}",
            source=self.name,
            resources=resources,
            region=region,
            locations=tuple(location for location, _, _ in found),
            detectors=detectors,
            access_key_id=key_id,
            owner=key.owner if key else None,
            key_status=key.status if key else None,
            read_actions=self.read_actions,
        )


SOURCES: dict[str, type[HolderSource]] = {}


def holder_source(cls: type[HolderSource]) -> type[HolderSource]:
    """Register a source; a second source of the same name is a mistake."""
    if cls.name in SOURCES:
        raise ValueError(f"credential holder source {cls.name!r} registered twice")
    SOURCES[cls.name] = cls
    return cls


def _detections(
    settings: tuple[OptionSetting, ...],
) -> list[tuple[str, DetectedValue, str | None]]:
    return [
        (f"{s.namespace}:{s.name}", s.detected, s.value)
        for s in settings
        if s.detected is not None
    ]


@holder_source
class BeanstalkSettings(HolderSource):
    name = "beanstalk_settings"
    read_actions = ("elasticbeanstalk:DescribeConfigurationSettings",)

    def find(self, snapshot: Snapshot, keys: KeyIndex) -> Iterator[CredentialHolder]:
        for environment in snapshot.beanstalk_environments:
            found = self.holder(
                keys,
                (environment.arn,),
                environment.region,
                _detections(environment.settings),
            )
            if found is not None:
                yield found


@holder_source
class LambdaEnvironment(HolderSource):
    name = "lambda_environment"
    read_actions = ("lambda:GetFunctionConfiguration", "lambda:GetFunction")

    def find(self, snapshot: Snapshot, keys: KeyIndex) -> Iterator[CredentialHolder]:
        for workload in snapshot.workloads:
            if workload.kind is not WorkloadKind.LAMBDA_FUNCTION:
                continue
            found = self.holder(
                keys, (workload.arn,), workload.region, _detections(workload.settings)
            )
            if found is not None:
                yield found


@holder_source
class SsmParameters(HolderSource):
    name = "ssm_parameters"
    read_actions = ("ssm:GetParameter", "ssm:GetParameters")

    def find(self, snapshot: Snapshot, keys: KeyIndex) -> Iterator[CredentialHolder]:
        by_path: dict[tuple[str, str], list[tuple[str, DetectedValue, str]]] = {}
        for parameter in snapshot.parameters:
            if parameter.detected is None or parameter.type == "SecureString":
                continue
            parent = parameter.name.rsplit("/", 1)[0] if "/" in parameter.name else ""
            by_path.setdefault((parameter.region, parent), []).append(
                (parameter.name, parameter.detected, parameter.arn)
            )
        for (region, _), entries in sorted(by_path.items()):
            found = self.holder(
                keys,
                tuple(arn for _, _, arn in entries),
                region,
                # The parameter's value is never stored: only its fingerprint.
                [(name, detected, None) for name, detected, _ in entries],
            )
            if found is not None:
                yield found


def find_holders(snapshot: Snapshot) -> tuple[CredentialHolder, ...]:
    """Every credential holder of every registered source."""
    keys = KeyIndex(snapshot)
    found: list[CredentialHolder] = []
    for name in sorted(SOURCES):
        found.extend(SOURCES[name]().find(snapshot, keys))
    return tuple(found)
