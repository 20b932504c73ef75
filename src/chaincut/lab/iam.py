"""IAM operations moto 5.2.5 lacks and the lab needs.

- ``ListInstanceProfileTags``: moto stores the tags given to
  ``CreateInstanceProfile`` but cannot list them, and ``chaincut lab destroy``
  finds what to remove by its tags.
- Permissions boundaries on users: ``PutUserPermissionsBoundary``,
  ``DeleteUserPermissionsBoundary`` and ``PermissionsBoundary`` on
  ``CreateUser`` are kept and reported by ``GetUser`` and
  ``GetAccountAuthorizationDetails`` (moto drops them).
- ``GetAccountAuthorizationDetails`` names each managed policy
  (``PolicyName``, ``PolicyId``), as AWS does.
- ``GetAccessKeyLastUsed`` looks the key up in moto's index of keys instead
  of walking every user: the collector asks once per key, and a lab of
  thousands of users made that quadratic.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.iam.exceptions import NotFoundException
from moto.iam.models import IAMBackend, ManagedPolicy, User
from moto.iam.responses import IamResponse

from chaincut.lab._patch import once


@once
def install() -> None:
    setattr(IamResponse, "list_instance_profile_tags", _list_instance_profile_tags)  # noqa: B010
    setattr(IAMBackend, "get_access_key_last_used", _get_access_key_last_used)  # noqa: B010
    setattr(ManagedPolicy, "policy_name", property(lambda policy: policy.name))  # noqa: B010
    setattr(ManagedPolicy, "policy_id", property(lambda policy: policy.id))  # noqa: B010
    setattr(User, "permissions_boundary", property(_user_boundary))  # noqa: B010
    original_create_user = IamResponse.create_user

    def create_user(self: IamResponse) -> ActionResult:
        result = original_create_user(self)
        boundary = self._get_param("PermissionsBoundary")
        if boundary:
            _set_boundary(self, self._get_param("UserName"), boundary)
        return result

    setattr(IamResponse, "create_user", create_user)  # noqa: B010
    setattr(IamResponse, "put_user_permissions_boundary", _put_user_boundary)  # noqa: B010
    setattr(  # noqa: B010
        IamResponse, "delete_user_permissions_boundary", _delete_user_boundary
    )


def _list_instance_profile_tags(self: IamResponse) -> ActionResult:
    profile = self.backend.get_instance_profile(self._get_param("InstanceProfileName"))
    return ActionResult({"Tags": list(profile.tags), "IsTruncated": False})


def _get_access_key_last_used(self: IAMBackend, access_key_id: str) -> dict[str, Any]:
    key = self.access_keys.get(access_key_id)
    if key is None or key.user_name is None:
        raise NotFoundException(
            f"The Access Key with id {access_key_id} cannot be found"
        )
    return {"user_name": key.user_name, "last_used": key.last_used}


_BOUNDARY = "lab_permissions_boundary"


def _user_boundary(user: User) -> dict[str, str] | None:
    arn = vars(user).get(_BOUNDARY)
    if not arn:
        return None
    return {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}


def user_boundary_arn(user: User) -> str | None:
    """The ARN of the user's permissions boundary, if the lab holds one."""
    arn = vars(user).get(_BOUNDARY)
    return str(arn) if arn else None


def _set_boundary(response: IamResponse, user_name: str, arn: str | None) -> None:
    user = response.backend.get_user(user_name)
    if arn:
        response.backend.get_policy(arn)  # NoSuchEntity for an unknown policy
    vars(user)[_BOUNDARY] = arn


def _put_user_boundary(self: IamResponse) -> ActionResult:
    _set_boundary(
        self, self._get_param("UserName"), self._get_param("PermissionsBoundary")
    )
    return EmptyResult()


def _delete_user_boundary(self: IamResponse) -> ActionResult:
    _set_boundary(self, self._get_param("UserName"), None)
    return EmptyResult()
