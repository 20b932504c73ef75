"""The scenario builder: what it makes, and a destroy that removes only that."""

from __future__ import annotations

from chaincut.lab import Lab, scenario


def test_scenario_names_carry_the_run_id_and_resources_the_tag(lab: Lab) -> None:
    state = lab.state
    assert len(state.run_id) == 6
    for name in (
        state.low_priv_user,
        state.secondary_user,
        state.admin_user,
        state.application_name,
        state.environment_name,
        state.secret_name,
    ):
        assert state.run_id in name
    iam = lab.defender().client("iam")
    tags = iam.list_user_tags(UserName=state.secondary_user)["Tags"]
    assert {"Key": scenario.LAB_TAG, "Value": state.run_id} in tags
    roles = {
        r["RoleName"]: r["AssumeRolePolicyDocument"] for r in iam.list_roles()["Roles"]
    }
    trusted = roles[state.instance_role]["Statement"][0]["Principal"]["Service"]
    assert trusted == "ec2.amazonaws.com"
    service = roles[state.service_role]["Statement"][0]["Principal"]["Service"]
    assert service == "elasticbeanstalk.amazonaws.com"
    subnets = lab.attacker().client("ec2").describe_subnets()["Subnets"]
    assert state.subnet_id in {s["SubnetId"] for s in subnets}


def test_destroy_removes_only_tagged_resources(fresh_lab: Lab) -> None:
    defender = fresh_lab.defender()
    iam = defender.client("iam")
    iam.create_user(UserName="someone-elses-user")
    defender.client("secretsmanager").create_secret(
        Name="someone-elses-secret", SecretString="x"
    )
    state = fresh_lab.state

    found = scenario.find_tagged(defender)
    kinds = {resource.kind for resource in found}
    assert kinds == {
        "user", "role", "instance_profile", "policy", "secret", "beanstalk", "network"
    }  # fmt: skip
    assert {r.run_id for r in found} == {state.run_id}
    assert scenario.find_tagged(defender, run_id="zzzzzz") == []

    scenario.destroy(defender, found)

    users = {u["UserName"] for u in iam.list_users()["Users"]}
    assert users == {"someone-elses-user", "lab_defender"}
    assert iam.list_roles()["Roles"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []
    secrets = defender.client("secretsmanager").list_secrets()["SecretList"]
    assert [s["Name"] for s in secrets] == ["someone-elses-secret"]
    beanstalk = defender.client("elasticbeanstalk")
    assert beanstalk.describe_environments()["Environments"] == []
    assert beanstalk.describe_applications()["Applications"] == []
    assert scenario.find_tagged(defender) == []
