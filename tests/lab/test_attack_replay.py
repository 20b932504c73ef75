"""The lab is faithful enough to defend: the real attack works in it."""

from __future__ import annotations

import botocore.exceptions
import pytest

from chaincut.aws import AccessKeyPair, is_access_denied
from chaincut.lab import Lab


def _environment_options(lab: Lab) -> dict[str, str]:
    state = lab.state
    answer = (
        lab.attacker()
        .client("elasticbeanstalk")
        .describe_configuration_settings(
            ApplicationName=state.application_name,
            EnvironmentName=state.environment_name,
        )
    )
    (settings,) = answer["ConfigurationSettings"]
    return {
        option["OptionName"]: option["Value"]
        for option in settings["OptionSettings"]
        if option["Namespace"] == "aws:elasticbeanstalk:application:environment"
    }


def test_the_chain_from_low_privilege_keys_to_the_secret(fresh_lab: Lab) -> None:
    state = fresh_lab.state

    # 1. The low-privilege key reads the environment's settings.
    options = _environment_options(fresh_lab)
    secondary = AccessKeyPair(
        options["SECONDARY_ACCESS_KEY"], options["SECONDARY_SECRET_KEY"]
    )

    # 2. The secondary key creates a key for the administrator.
    as_secondary = fresh_lab.connection(secondary)
    created = as_secondary.client("iam").create_access_key(UserName=state.admin_user)
    admin = AccessKeyPair(
        created["AccessKey"]["AccessKeyId"], created["AccessKey"]["SecretAccessKey"]
    )
    assert created["AccessKey"]["UserName"] == state.admin_user

    # 3. The new administrator key reads the secret.
    as_admin = fresh_lab.connection(admin)
    secret = as_admin.client("secretsmanager").get_secret_value(
        SecretId=state.secret_arn
    )
    assert secret["ARN"] == state.secret_arn
    expected = (
        fresh_lab.defender()
        .client("secretsmanager")
        .get_secret_value(SecretId=state.secret_arn)["SecretString"]
    )
    assert secret["SecretString"] == expected


def test_low_privilege_user_cannot_list_users(lab: Lab) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as denied:
        lab.attacker().client("iam").list_users()
    assert is_access_denied(denied.value)


def test_low_privilege_user_cannot_read_the_secret(lab: Lab) -> None:
    client = lab.attacker().client("secretsmanager")
    with pytest.raises(botocore.exceptions.ClientError) as denied:
        client.get_secret_value(SecretId=lab.state.secret_arn)
    assert is_access_denied(denied.value)


def test_secondary_user_cannot_read_the_secret_directly(lab: Lab) -> None:
    options = _environment_options(lab)
    secondary = lab.connection(
        AccessKeyPair(options["SECONDARY_ACCESS_KEY"], options["SECONDARY_SECRET_KEY"])
    )
    with pytest.raises(botocore.exceptions.ClientError) as denied:
        secondary.client("secretsmanager").get_secret_value(
            SecretId=lab.state.secret_arn
        )
    assert is_access_denied(denied.value)
