"""The Beanstalk operations the lab adds, in the shapes botocore expects."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest

from chaincut.lab import Lab

ENV_NS = "aws:elasticbeanstalk:application:environment"
SECRETS_NS = "aws:elasticbeanstalk:application:environmentsecrets"


def _settings(client: Any, lab: Lab) -> dict[tuple[str, str], str]:
    answer = client.describe_configuration_settings(
        ApplicationName=lab.state.application_name,
        EnvironmentName=lab.state.environment_name,
    )
    (described,) = answer["ConfigurationSettings"]
    assert described["EnvironmentName"] == lab.state.environment_name
    assert described["DeploymentStatus"] == "deployed"
    return {
        (o["Namespace"], o["OptionName"]): o["Value"]
        for o in described["OptionSettings"]
    }


def test_option_settings_given_at_creation_are_kept(lab: Lab) -> None:
    settings = _settings(lab.defender().client("elasticbeanstalk"), lab)
    assert settings[(ENV_NS, "APP_ENV")] == "production"
    assert settings[(ENV_NS, "SECONDARY_ACCESS_KEY")].startswith("AKIA")
    assert settings[("aws:autoscaling:launchconfiguration", "IamInstanceProfile")] == (
        lab.state.instance_profile
    )


def test_update_environment_sets_and_removes_options(fresh_lab: Lab) -> None:
    client = fresh_lab.defender().client("elasticbeanstalk")
    state = fresh_lab.state
    secret_ref = state.secret_arn
    answer = client.update_environment(
        EnvironmentName=state.environment_name,
        OptionSettings=[
            {
                "Namespace": SECRETS_NS,
                "OptionName": "DB_CREDENTIALS",
                "Value": secret_ref,
            }
        ],
        OptionsToRemove=[
            {"Namespace": ENV_NS, "OptionName": "SECONDARY_ACCESS_KEY"},
            {"Namespace": ENV_NS, "OptionName": "SECONDARY_SECRET_KEY"},
        ],
    )
    assert answer["EnvironmentName"] == state.environment_name
    settings = _settings(client, fresh_lab)
    assert (ENV_NS, "SECONDARY_ACCESS_KEY") not in settings
    assert (ENV_NS, "SECONDARY_SECRET_KEY") not in settings
    assert settings[(SECRETS_NS, "DB_CREDENTIALS")] == secret_ref
    assert settings[(ENV_NS, "APP_ENV")] == "production"

    events = client.describe_events(EnvironmentName=state.environment_name)["Events"]
    assert any("update" in event["Message"].lower() for event in events)


def test_describe_environments_honours_names(fresh_lab: Lab) -> None:
    client = fresh_lab.defender().client("elasticbeanstalk")
    state = fresh_lab.state
    client.create_environment(
        ApplicationName=state.application_name,
        EnvironmentName="other-env-1",
        SolutionStackName="64bit Amazon Linux 2023 v4.6.0 running Python 3.11",
    )
    everything = client.describe_environments()["Environments"]
    assert {e["EnvironmentName"] for e in everything} == {
        state.environment_name,
        "other-env-1",
    }
    named = client.describe_environments(EnvironmentNames=["other-env-1"])
    assert [e["EnvironmentName"] for e in named["Environments"]] == ["other-env-1"]
    assert named["Environments"][0]["EnvironmentId"].startswith("e-")


def test_terminate_environment(fresh_lab: Lab) -> None:
    client = fresh_lab.defender().client("elasticbeanstalk")
    name = fresh_lab.state.environment_name
    answer = client.terminate_environment(EnvironmentName=name)
    assert answer["Status"] == "Terminated"
    assert client.describe_environments(EnvironmentNames=[name])["Environments"] == []
    kept = client.describe_environments(EnvironmentNames=[name], IncludeDeleted=True)
    assert [e["Status"] for e in kept["Environments"]] == ["Terminated"]
    with pytest.raises(botocore.exceptions.ClientError):
        client.update_environment(
            EnvironmentName=name,
            OptionSettings=[{"Namespace": ENV_NS, "OptionName": "A", "Value": "b"}],
        )


def test_describe_configuration_options_lists_environment_variables(lab: Lab) -> None:
    client = lab.defender().client("elasticbeanstalk")
    answer = client.describe_configuration_options(
        ApplicationName=lab.state.application_name,
        EnvironmentName=lab.state.environment_name,
    )
    names = {(o["Namespace"], o["Name"]) for o in answer["Options"]}
    assert (ENV_NS, "SECONDARY_SECRET_KEY") in names
    assert ("aws:elasticbeanstalk:environment", "ServiceRole") in names
    assert answer["SolutionStackName"].startswith("64bit Amazon Linux")


def test_unknown_environment_is_a_client_error(lab: Lab) -> None:
    client = lab.defender().client("elasticbeanstalk")
    with pytest.raises(botocore.exceptions.ClientError) as error:
        client.describe_configuration_settings(
            ApplicationName=lab.state.application_name, EnvironmentName="nope-nope"
        )
    assert error.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_beanstalk_reads_are_authenticated(lab: Lab) -> None:
    from chaincut.aws import AccessKeyPair

    stranger = lab.connection(AccessKeyPair("AKIA" + "Z" * 16, "x" * 40))
    with pytest.raises(botocore.exceptions.ClientError) as error:
        stranger.client("elasticbeanstalk").describe_environments()
    assert error.value.response["Error"]["Code"] == "InvalidClientTokenId"
