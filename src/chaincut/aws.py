"""One way to reach an AWS account: a boto3 session plus where to send calls.

The same code runs against a real account and the embedded lab. For a real
account the session comes from ``--profile`` and ``--region`` and boto3 reads
``AWS_ENDPOINT_URL`` and the shared config files exactly as the AWS CLI does.
For the lab the session carries the lab's keys and every client is pointed at
the lab's endpoint explicitly, so a developer's own endpoint settings cannot
send lab traffic elsewhere.

boto3 sessions are not thread-safe but their clients are, so clients are made
once per service and region under a lock and shared by the collector's pool.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import botocore.loaders
import botocore.session

from chaincut.errors import AwsError, InputError

log = logging.getLogger(__name__)

DEFAULT_REGION = "us-east-1"

# botocore reads and parses each service's JSON model once per session. The
# collector, the lab and attack replays make many sessions, so they share one
# loader and pay for each model once per process.
_SHARED_LOADER = botocore.loaders.create_loader()


def new_session(**kwargs: Any) -> boto3.Session:
    """A boto3 session (same arguments) that shares the service model cache."""
    core = botocore.session.Session(profile=kwargs.pop("profile_name", None))
    core.register_component("data_loader", _SHARED_LOADER)
    return boto3.Session(botocore_session=core, **kwargs)


@dataclass(frozen=True, repr=False)
class AccessKeyPair:
    """An access key; its secret is never shown by ``repr``."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None

    def __repr__(self) -> str:
        return f"AccessKeyPair(access_key_id={self.access_key_id!r}, secret=<hidden>)"


@dataclass
class AwsConnection:
    """A boto3 session and the endpoint every client of it should use."""

    session: boto3.Session
    endpoint_url: str | None = None
    max_attempts: int = 5
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    _identity: dict[str, str] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def region(self) -> str:
        return str(self.session.region_name or DEFAULT_REGION)

    def client(self, service: str, region: str | None = None) -> Any:
        region = region or self.region
        key = (service, region)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                config = botocore.config.Config(
                    retries={"max_attempts": self.max_attempts, "mode": "standard"},
                    connect_timeout=10,
                    read_timeout=60,
                    max_pool_connections=32,
                )
                client = self.session.client(
                    service,
                    region_name=region,
                    endpoint_url=self.endpoint_url,
                    config=config,
                )
                self._clients[key] = client
        return client

    def identity(self) -> dict[str, str]:
        """``GetCallerIdentity`` (Account, Arn, UserId), asked once."""
        if not self._identity:
            answer = self.client("sts").get_caller_identity()
            self._identity.update(
                {key: str(answer[key]) for key in ("Account", "Arn", "UserId")}
            )
        return dict(self._identity)

    @property
    def account_id(self) -> str:
        return self.identity()["Account"]

    @classmethod
    def from_profile(
        cls, profile: str | None = None, region: str | None = None
    ) -> AwsConnection:
        """Credentials and region as the AWS CLI finds them."""
        try:
            session = new_session(profile_name=profile, region_name=region)
            credentials = session.get_credentials()
            configured_region = session.region_name
        except botocore.exceptions.ProfileNotFound as error:
            raise InputError(
                f"AWS profile {profile!r} is not in your AWS config files:"
                " check --profile or run 'aws configure --profile NAME'"
            ) from error
        if credentials is None:
            raise AwsError(
                "no AWS credentials found: pass --profile, set AWS_PROFILE or the"
                " AWS_ACCESS_KEY_ID variables, or use --lab for the embedded lab"
            )
        if configured_region is None:
            log.info("no region configured; using %s", DEFAULT_REGION)
            session = new_session(profile_name=profile, region_name=DEFAULT_REGION)
        return cls(session=session)

    @classmethod
    def from_keys(
        cls,
        keys: AccessKeyPair,
        *,
        region: str = DEFAULT_REGION,
        endpoint_url: str | None = None,
        max_attempts: int = 5,
    ) -> AwsConnection:
        """A connection with explicit keys (the lab, or a replayed attack)."""
        session = new_session(
            aws_access_key_id=keys.access_key_id,
            aws_secret_access_key=keys.secret_access_key,
            aws_session_token=keys.session_token,
            region_name=region,
        )
        return cls(
            session=session, endpoint_url=endpoint_url, max_attempts=max_attempts
        )

    def with_keys(self, keys: AccessKeyPair) -> AwsConnection:
        """The same place, reached as another identity."""
        return AwsConnection.from_keys(
            keys,
            region=self.region,
            endpoint_url=self.endpoint_url,
            max_attempts=self.max_attempts,
        )


def error_code(error: botocore.exceptions.ClientError) -> str:
    """The AWS error code of a failed call ('AccessDenied', ...)."""
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


ACCESS_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "InvalidClientTokenId",
        # moto answers a denied call on a JSON-protocol service with XML, which
        # botocore then reports under the HTTP status code.
        "403",
    }
)


def is_access_denied(error: botocore.exceptions.ClientError) -> bool:
    return error_code(error) in ACCESS_DENIED_CODES


def tag_map(items: list[dict[str, str]] | None) -> dict[str, str]:
    """AWS's ``[{"Key": k, "Value": v}, ...]`` tag lists as a dict."""
    return {item["Key"]: item["Value"] for item in items or []}


def iso_time(value: Any) -> str | None:
    """A timestamp from an AWS answer as ISO 8601 text; None when absent."""
    if value is None or value == "":
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
