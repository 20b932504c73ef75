"""The account snapshot: what chaincut knows of an account, as typed values.

``chaincut.collect`` fills it from the AWS API; everything downstream (policy,
graph, rules, reports) reads only this. It is saved as one JSON document with
a schema version, and loaded back into the same frozen dataclasses.

Secret values never enter a snapshot: a setting or parameter that looks like
a secret keeps only its detector type, fingerprint and masked preview. Access
key ids are identifiers, not secrets, and are kept so that analysis can tell
whose key leaked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from chaincut.errors import SnapshotError
from chaincut.snapshot._codec import _decode, _encode
from chaincut.snapshot._model import (
    AccessKey,
    Alarm,
    BeanstalkApplication,
    BeanstalkEnvironment,
    Bucket,
    CoverageGap,
    DetectedValue,
    GapKind,
    Group,
    Iam,
    InlinePolicy,
    ManagedPolicy,
    MetricFilter,
    MetricTransformation,
    OptionSetting,
    Parameter,
    PolicyDocument,
    Role,
    Secret,
    Subscription,
    Topic,
    Trail,
    User,
    Workload,
    WorkloadKind,
)

SCHEMA_VERSION = 2
SCHEMA_NAME = "chaincut.snapshot"


@dataclass(frozen=True)
class Snapshot:
    account_id: str
    caller_arn: str
    collected_at: str
    regions: tuple[str, ...]
    iam: Iam = field(default_factory=Iam)
    beanstalk_applications: tuple[BeanstalkApplication, ...] = ()
    beanstalk_environments: tuple[BeanstalkEnvironment, ...] = ()
    secrets: tuple[Secret, ...] = ()
    trails: tuple[Trail, ...] = ()
    metric_filters: tuple[MetricFilter, ...] = ()
    alarms: tuple[Alarm, ...] = ()
    topics: tuple[Topic, ...] = ()
    buckets: tuple[Bucket, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    workloads: tuple[Workload, ...] = ()
    gaps: tuple[CoverageGap, ...] = ()
    schema_version: int = SCHEMA_VERSION

    def bucket(self, name: str) -> Bucket | None:
        """The collected bucket called ``name``, if any."""
        return next((b for b in self.buckets if b.name == name), None)

    def to_json(self) -> str:
        document = {"schema": SCHEMA_NAME, **_encode(self)}
        return json.dumps(document, indent=2, sort_keys=True) + "\n"

    def save(self, path: Path) -> None:
        """Write atomically: a reader never sees half a snapshot."""
        temporary = path.with_name(path.name + ".partial")
        temporary.write_text(self.to_json(), encoding="utf-8")
        temporary.replace(path)

    @classmethod
    def from_json(cls, text: str, *, source: str = "snapshot") -> Snapshot:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise SnapshotError(
                f"{source} is not valid JSON ({error.msg} at line {error.lineno}):"
                " collect it again with 'chaincut collect -o FILE'"
            ) from error
        if not isinstance(data, dict) or data.get("schema") != SCHEMA_NAME:
            raise SnapshotError(
                f"{source} is not a chaincut snapshot: make one with"
                " 'chaincut collect -o FILE'"
            )
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise SnapshotError(
                f"{source} has snapshot schema version {version!r}; this chaincut"
                f" reads version {SCHEMA_VERSION}: collect it again with this"
                " version of chaincut"
            )
        data.pop("schema")
        try:
            return _decode(cls, data)
        except (TypeError, ValueError, KeyError) as error:
            raise SnapshotError(
                f"{source} does not match snapshot schema {SCHEMA_VERSION} ({error}):"
                " collect it again with 'chaincut collect -o FILE'"
            ) from error

    @classmethod
    def load(cls, path: Path) -> Snapshot:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise SnapshotError(
                f"cannot read snapshot {str(path)!r}: {error.strerror}"
            ) from error
        return cls.from_json(text, source=f"snapshot {str(path)!r}")


__all__ = [
    "SCHEMA_NAME",
    "SCHEMA_VERSION",
    "AccessKey",
    "Alarm",
    "BeanstalkApplication",
    "BeanstalkEnvironment",
    "Bucket",
    "CoverageGap",
    "DetectedValue",
    "GapKind",
    "Group",
    "Iam",
    "InlinePolicy",
    "ManagedPolicy",
    "MetricFilter",
    "MetricTransformation",
    "OptionSetting",
    "Parameter",
    "PolicyDocument",
    "Role",
    "Secret",
    "Snapshot",
    "Subscription",
    "Topic",
    "Trail",
    "User",
    "Workload",
    "WorkloadKind",
]
