"""Authentication in the lab: keys are checked, decisions go through the seam."""

from __future__ import annotations

import botocore.exceptions
import pytest

from chaincut.aws import AccessKeyPair
from chaincut.lab import Lab, LabRequest, set_access_decider


def _code(error: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_inactive_key_is_rejected_and_reactivated_key_works(fresh_lab: Lab) -> None:
    iam = fresh_lab.defender().client("iam")
    state = fresh_lab.state
    attacker_iam_free = fresh_lab.attacker().client("elasticbeanstalk")
    attacker_iam_free.describe_applications()  # works while Active

    iam.update_access_key(
        UserName=state.low_priv_user,
        AccessKeyId=state.attacker.access_key_id,
        Status="Inactive",
    )
    with pytest.raises(botocore.exceptions.ClientError) as rejected:
        attacker_iam_free.describe_applications()
    assert _code(rejected) == "InvalidClientTokenId"

    iam.update_access_key(
        UserName=state.low_priv_user,
        AccessKeyId=state.attacker.access_key_id,
        Status="Active",
    )
    attacker_iam_free.describe_applications()


def test_deleted_key_is_rejected(fresh_lab: Lab) -> None:
    state = fresh_lab.state
    fresh_lab.defender().client("iam").delete_access_key(
        UserName=state.low_priv_user, AccessKeyId=state.attacker.access_key_id
    )
    with pytest.raises(botocore.exceptions.ClientError) as rejected:
        fresh_lab.attacker().client("elasticbeanstalk").describe_applications()
    assert _code(rejected) == "InvalidClientTokenId"


def test_wrong_secret_fails_the_signature(lab: Lab) -> None:
    forged = AccessKeyPair(lab.state.attacker.access_key_id, "not-the-secret" * 3)
    with pytest.raises(botocore.exceptions.ClientError) as rejected:
        lab.connection(forged).client("elasticbeanstalk").describe_applications()
    assert _code(rejected) == "SignatureDoesNotMatch"


def test_access_decider_sees_each_request_and_can_deny(fresh_lab: Lab) -> None:
    seen: list[LabRequest] = []

    def deny_beanstalk(request: LabRequest) -> bool:
        seen.append(request)
        return not request.action.startswith("elasticbeanstalk:")

    set_access_decider(deny_beanstalk)
    defender = fresh_lab.defender()
    defender.client("iam").list_users()
    with pytest.raises(botocore.exceptions.ClientError):
        defender.client("elasticbeanstalk").describe_applications()

    actions = [request.action for request in seen]
    assert actions == ["iam:ListUsers", "elasticbeanstalk:DescribeApplications"]
    assert seen[0].principal_arn.endswith(":user/lab_defender")
    assert seen[0].access_key_id == fresh_lab.defender_keys.access_key_id

    set_access_decider(None)
    defender.client("elasticbeanstalk").describe_applications()
