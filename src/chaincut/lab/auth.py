"""Who may call the lab, and what they may do.

moto authenticates a request by its access key and SigV4 signature once its
authentication switch is on, and then asks ``check_action_permitted`` whether
the caller may act. Two things are changed here:

- A GET, HEAD or DELETE is re-signed with an empty payload, as its sender
  signed it (moto uses the query parameters, which breaks REST GETs).
- An access key whose status is ``Inactive`` is rejected as AWS rejects it
  (``InvalidClientTokenId``); moto accepts it. A deleted key is unknown to moto
  and already rejected.
- The access decision is a seam: :func:`set_access_decider` installs a
  function that decides each :class:`LabRequest`. With none installed, moto's
  own decision stands (which ignores ``Resource`` for most services, conditions,
  boundaries and resource policies).

The switch and the decider are global to the process, as moto's backends are:
one lab runs per process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.iam import access_control
from moto.iam.models import iam_backends

from chaincut.lab._patch import once

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabRequest:
    """One authenticated request to the lab, as the access decision sees it."""

    principal_arn: str
    access_key_id: str
    action: str
    resource: str
    account_id: str
    region: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    source_ip: str = ""


AccessDecider = Callable[[LabRequest], bool]

_decider: AccessDecider | None = None

# The client address of the request being served on this thread: moto's
# access check sees headers and body but not the connection.
_connection = threading.local()


def set_access_decider(decider: AccessDecider | None) -> None:
    """Decide every later request with ``decider``; ``None`` restores moto's."""
    global _decider
    _decider = decider


def enable_authentication() -> None:
    """From now on every request must carry a known, active key."""
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0


def disable_authentication() -> None:
    """Accept any request, signed or not (used while building scenarios)."""
    settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
    ActionAuthenticatorMixin.request_count = 0


def authentication_enabled() -> bool:
    return bool(settings.INITIAL_NO_AUTH_ACTION_COUNT == 0)


@once
def install() -> None:
    """Patch moto's authentication; safe to call twice."""
    original_authenticate = ActionAuthenticatorMixin._authenticate_and_authorize_action
    original_create = access_control.create_access_key
    original_aws_request = access_control.IAMRequestBase._create_aws_request

    def create_aws_request(request: Any) -> Any:
        # moto re-signs a request with its parameters as the body when the
        # body is empty, which is right for a form POST but not for a REST
        # GET (Lambda's List calls fail their signature check): those carry
        # no payload.
        aws_request = original_aws_request(request)
        if not request._body and request._method in ("GET", "HEAD", "DELETE"):
            aws_request.data = b""
        return aws_request

    original_check = access_control.IAMRequestBase.check_action_permitted

    def create_access_key(
        account_id: str, partition: str, access_key_id: str, headers: Any
    ) -> Any:
        if "X-Amz-Security-Token" in headers and not access_key_id.startswith("AKIA"):
            return original_create(account_id, partition, access_key_id, headers)
        return _user_key(account_id, partition, access_key_id, headers)

    def authenticate(response: Any, iam_request_cls: type, resource: str = "*") -> None:
        request = getattr(response, "request", None)
        _connection.source_ip = getattr(request, "remote_addr", None) or ""
        original_authenticate(response, iam_request_cls, resource)

    def check_action_permitted(request: Any, resource: str) -> None:
        decider = _decider
        if decider is None:
            original_check(request, resource)
            return
        lab_request = LabRequest(
            principal_arn=request._access_key.arn,
            access_key_id=request._access_key._access_key_id,
            action=request._action,
            resource=resource,
            account_id=request.account_id,
            region=request._region,
            parameters=dict(request._data or {}),
            headers=dict(request._headers),
            body=request._body if isinstance(request._body, bytes) else b"",
            source_ip=getattr(_connection, "source_ip", ""),
        )
        if not decider(lab_request):
            log.debug(
                "denied %s on %s to %s",
                lab_request.action,
                resource,
                lab_request.principal_arn,
            )
            request._raise_access_denied()

    # setattr: these replace moto's functions for the whole process.
    setattr(  # noqa: B010
        ActionAuthenticatorMixin, "_authenticate_and_authorize_action", authenticate
    )
    setattr(access_control, "create_access_key", create_access_key)  # noqa: B010
    setattr(  # noqa: B010
        access_control.IAMRequestBase, "_create_aws_request", create_aws_request
    )
    setattr(  # noqa: B010
        access_control.IAMRequestBase, "check_action_permitted", check_action_permitted
    )


def _user_key(
    account_id: str, partition: str, access_key_id: str, headers: Any
) -> access_control.IAMUserAccessKey:
    """The caller behind an IAM user's key, found through moto's key index.

    moto's own lookup walks every key of every user on each request, which
    makes a lab of thousands of users slow; its backend also indexes keys by
    id. A key that is unknown, deleted or inactive is rejected as AWS rejects
    it (``InvalidClientTokenId``).
    """
    key = iam_backends[account_id][partition].access_keys.get(access_key_id)
    if key is None or key.user_name is None:
        raise access_control.CreateAccessKeyFailure(reason="InvalidId")
    if "X-Amz-Security-Token" in headers:
        raise access_control.CreateAccessKeyFailure(reason="InvalidToken")
    if key.status != "Active":
        raise access_control.CreateAccessKeyFailure(reason="InvalidId")
    caller = access_control.IAMUserAccessKey.__new__(access_control.IAMUserAccessKey)
    caller.account_id = account_id
    caller.partition = partition
    caller._owner_user_name = key.user_name
    caller._access_key_id = access_key_id
    caller._secret_access_key = key.secret_access_key
    return caller
