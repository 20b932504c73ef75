"""The snapshot's value types: one frozen dataclass per kind of thing collected.

Field values are JSON types, tuples and nested dataclasses only, so that
``_codec`` can write and read them without per-type code.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chaincut.secrets import MaskedValue

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


# -- Storage and parameters --------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    """An S3 bucket with its policy and public access block."""

    name: str
    region: str
    policy: PolicyDocument | None
    public_access_block: Mapping[str, bool] | None

    @property
    def arn(self) -> str:
        return f"arn:aws:s3:::{self.name}"


@dataclass(frozen=True)
class Parameter:
    """An SSM parameter's metadata; a String value only as a detection.

    ``detected`` is set when a ``String``/``StringList`` value looks like a
    credential; the value itself is never kept. ``SecureString`` values are
    never read.
    """

    name: str
    arn: str
    region: str
    type: str
    key_id: str | None = None
    detected: DetectedValue | None = None


# -- Workloads: what runs with a role ----------------------------------------


class WorkloadKind(enum.Enum):
    """Compute and orchestration resources that act with an IAM role."""

    LAMBDA_FUNCTION = "lambda_function"
    EC2_INSTANCE = "ec2_instance"
    LAUNCH_TEMPLATE = "launch_template"
    ECS_TASK_DEFINITION = "ecs_task_definition"
    CLOUDFORMATION_STACK = "cloudformation_stack"
    CODEBUILD_PROJECT = "codebuild_project"
    GLUE_JOB = "glue_job"
    GLUE_DEV_ENDPOINT = "glue_dev_endpoint"
    SAGEMAKER_NOTEBOOK = "sagemaker_notebook"


@dataclass(frozen=True)
class Workload:
    """A resource that runs as one or more roles.

    ``roles`` are role ARNs (an instance profile is resolved to its role where
    the snapshot holds it; ``instance_profile`` keeps the profile's ARN).
    ``settings`` are environment variables, masked as Beanstalk settings are.
    """

    kind: WorkloadKind
    name: str
    arn: str
    region: str
    roles: tuple[str, ...] = ()
    instance_profile: str | None = None
    settings: tuple[OptionSetting, ...] = ()
    state: str = ""
