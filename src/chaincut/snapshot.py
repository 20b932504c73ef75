"""The account snapshot: what chaincut knows of an account, as typed values.

``chaincut.collect`` fills it from the AWS API; everything downstream (policy,
graph, rules, reports) reads only this. It is saved as one JSON document with
a schema version, and loaded back into the same frozen dataclasses.

Secret values never enter a snapshot: an environment setting that looks like
a secret keeps only its detector type, fingerprint and masked preview. Access
key ids are identifiers, not secrets, and are kept so that analysis can tell
whose key leaked.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from chaincut.errors import SnapshotError
from chaincut.secrets import MaskedValue

SCHEMA_VERSION = 1
SCHEMA_NAME = "chaincut.snapshot"

PolicyDocument = dict[str, Any]


class GapKind(enum.Enum):
    """Why part of the account could not be read."""

    ACCESS_DENIED = "access_denied"
    NOT_AVAILABLE = "not_available"  # the service or region did not answer
    ERROR = "error"


@dataclass(frozen=True)
class CoverageGap:
    """One call that failed while collecting: a hole in what chaincut saw."""

    service: str
    operation: str
    region: str
    kind: GapKind
    error_code: str
    resource: str = ""


# -- IAM -------------------------------------------------------------------


@dataclass(frozen=True)
class InlinePolicy:
    name: str
    document: PolicyDocument


@dataclass(frozen=True)
class AccessKey:
    access_key_id: str
    status: str
    created: str
    last_used: str | None = None
    last_used_service: str | None = None
    last_used_region: str | None = None


@dataclass(frozen=True)
class User:
    name: str
    arn: str
    user_id: str
    path: str = "/"
    created: str = ""
    inline_policies: tuple[InlinePolicy, ...] = ()
    attached_policies: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    permissions_boundary: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    access_keys: tuple[AccessKey, ...] = ()
    has_console_password: bool | None = None


@dataclass(frozen=True)
class Group:
    name: str
    arn: str
    inline_policies: tuple[InlinePolicy, ...] = ()
    attached_policies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Role:
    name: str
    arn: str
    role_id: str
    trust_policy: PolicyDocument
    path: str = "/"
    created: str = ""
    inline_policies: tuple[InlinePolicy, ...] = ()
    attached_policies: tuple[str, ...] = ()
    permissions_boundary: str | None = None
    instance_profiles: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    last_used: str | None = None


@dataclass(frozen=True)
class ManagedPolicy:
    arn: str
    name: str
    default_version_id: str
    document: PolicyDocument
    attachment_count: int = 0
    aws_managed: bool = False


@dataclass(frozen=True)
class Iam:
    users: tuple[User, ...] = ()
    groups: tuple[Group, ...] = ()
    roles: tuple[Role, ...] = ()
    policies: tuple[ManagedPolicy, ...] = ()


# -- Elastic Beanstalk -----------------------------------------------------


@dataclass(frozen=True)
class DetectedValue:
    """A value a detector flagged: which detector, and its masked form."""

    detector: str
    masked: MaskedValue


@dataclass(frozen=True)
class OptionSetting:
    """One environment option.

    ``value`` is None when the value looked like a secret; ``detected`` says
    which detector flagged it. Access key ids are flagged but kept in clear.
    """

    namespace: str
    name: str
    value: str | None
    detected: DetectedValue | None = None


@dataclass(frozen=True)
class BeanstalkApplication:
    name: str
    arn: str
    region: str


@dataclass(frozen=True)
class BeanstalkEnvironment:
    name: str
    environment_id: str
    arn: str
    application: str
    region: str
    status: str
    solution_stack: str = ""
    settings: tuple[OptionSetting, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


# -- Secrets Manager -------------------------------------------------------


@dataclass(frozen=True)
class Secret:
    name: str
    arn: str
    region: str
    description: str = ""
    kms_key_id: str | None = None
    rotation_enabled: bool = False
    rotation_lambda_arn: str | None = None
    rotation_days: int | None = None
    last_rotated: str | None = None
    last_accessed: str | None = None
    resource_policy: PolicyDocument | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


# -- Logging and monitoring ------------------------------------------------


@dataclass(frozen=True)
class Trail:
    name: str
    arn: str
    home_region: str
    multi_region: bool
    organization_trail: bool
    s3_bucket: str | None
    log_file_validation: bool
    include_global_events: bool
    is_logging: bool | None
    kms_key_id: str | None = None
    s3_prefix: str | None = None
    cloudwatch_log_group_arn: str | None = None
    cloudwatch_role_arn: str | None = None
    event_selectors: tuple[Mapping[str, Any], ...] = ()
    advanced_event_selectors: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class TrailBucket:
    name: str
    policy: PolicyDocument | None
    public_access_block: Mapping[str, bool] | None


@dataclass(frozen=True)
class MetricTransformation:
    namespace: str
    name: str
    value: str


@dataclass(frozen=True)
class MetricFilter:
    name: str
    region: str
    log_group: str
    pattern: str
    transformations: tuple[MetricTransformation, ...] = ()


@dataclass(frozen=True)
class Alarm:
    name: str
    arn: str
    region: str
    namespace: str | None
    metric_name: str | None
    comparison: str
    threshold: float
    actions_enabled: bool
    alarm_actions: tuple[str, ...] = ()
    state: str = ""


@dataclass(frozen=True)
class Subscription:
    arn: str
    protocol: str
    endpoint: str


@dataclass(frozen=True)
class Topic:
    arn: str
    region: str
    subscriptions: tuple[Subscription, ...] = ()


# -- The whole ---------------------------------------------------------------


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
    trail_buckets: tuple[TrailBucket, ...] = ()
    metric_filters: tuple[MetricFilter, ...] = ()
    alarms: tuple[Alarm, ...] = ()
    topics: tuple[Topic, ...] = ()
    gaps: tuple[CoverageGap, ...] = ()
    schema_version: int = SCHEMA_VERSION

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


# -- Encoding: dataclasses <-> JSON values -----------------------------------

_T = TypeVar("_T")


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _encode(item) for key, item in value.items()}
    return value


def _decode(kind: type[_T], data: Any) -> _T:
    """Build ``kind`` from JSON values, checking shapes on the way."""
    return typing.cast(_T, _decode_as(kind, data))


def _decode_as(hint: Any, data: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if data is None and type(None) in options:
            return None
        (inner,) = [option for option in options if option is not type(None)]
        return _decode_as(inner, data)
    if origin is tuple:
        inner = typing.get_args(hint)[0]
        _expect(data, list, hint)
        return tuple(_decode_as(inner, item) for item in data)
    if origin in (dict, Mapping) or hint is PolicyDocument:
        _expect(data, dict, hint)
        return dict(data)
    if hint is Any:
        return data
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(data)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        _expect(data, dict, hint)
        hints = typing.get_type_hints(hint)
        known = {f.name for f in dataclasses.fields(hint)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)} in {hint.__name__}")
        return hint(
            **{name: _decode_as(hints[name], item) for name, item in data.items()}
        )
    if hint is float and isinstance(data, int | float):
        return float(data)
    if isinstance(hint, type):
        _expect(data, hint, hint)
    return data


def _expect(data: Any, kind: type, hint: Any) -> None:
    if not isinstance(data, kind) or (kind is int and isinstance(data, bool)):
        raise TypeError(
            f"expected {getattr(hint, '__name__', hint)}, got {type(data).__name__}"
        )
