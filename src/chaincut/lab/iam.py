"""IAM operations moto 5.2.5 lacks and the lab needs.

- ``ListInstanceProfileTags``: moto stores the tags given to
  ``CreateInstanceProfile`` but cannot list them, and ``chaincut lab destroy``
  finds what to remove by its tags.
"""

from __future__ import annotations

from moto.core.responses import ActionResult
from moto.iam.responses import IamResponse

from chaincut.lab._patch import once


@once
def install() -> None:
    setattr(IamResponse, "list_instance_profile_tags", _list_instance_profile_tags)  # noqa: B010


def _list_instance_profile_tags(self: IamResponse) -> ActionResult:
    profile = self.backend.get_instance_profile(self._get_param("InstanceProfileName"))
    return ActionResult({"Tags": list(profile.tags), "IsTruncated": False})
