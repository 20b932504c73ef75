"""IAM operations moto 5.2.5 lacks and the lab needs.

- ``ListInstanceProfileTags``: moto stores the tags given to
  ``CreateInstanceProfile`` but cannot list them, and ``chaincut lab destroy``
  finds what to remove by its tags.
- ``GetAccessKeyLastUsed`` looks the key up in moto's index of keys instead
  of walking every user: the collector asks once per key, and a lab of
  thousands of users made that quadratic.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.iam.exceptions import NotFoundException
from moto.iam.models import IAMBackend
from moto.iam.responses import IamResponse

from chaincut.lab._patch import once


@once
def install() -> None:
    setattr(IamResponse, "list_instance_profile_tags", _list_instance_profile_tags)  # noqa: B010
    setattr(IAMBackend, "get_access_key_last_used", _get_access_key_last_used)  # noqa: B010


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
