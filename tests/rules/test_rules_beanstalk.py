"""Beanstalk rules on literal snapshots: PASS, FAIL and ERROR."""

from __future__ import annotations

from rules_helpers import (
    ACCOUNT,
    REGION,
    allow,
    flagged,
    gap,
    role,
    run,
    snapshot,
    statuses,
    user,
)

from chaincut.rules import GapEvidence, Status
from chaincut.rules.beanstalk_platform import (
    OptionEvidence,
    RolePrivilegeEvidence,
    RoleTrustEvidence,
)
from chaincut.rules.beanstalk_settings import KeyPairEvidence, SecretSettingsEvidence
from chaincut.snapshot import (
    AccessKey,
    BeanstalkEnvironment,
    Iam,
    OptionSetting,
    Secret,
)

ENV_NS = "aws:elasticbeanstalk:application:environment"
ENV_ARN = f"arn:aws:elasticbeanstalk:{REGION}:{ACCOUNT}:environment/app/env"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # documented example
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app/db-AbCdEf"
OTHER_SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:other-XyZxYz"


def environment(*settings: OptionSetting) -> BeanstalkEnvironment:
    return BeanstalkEnvironment(
        name="env",
        environment_id="e-abc",
        arn=ENV_ARN,
        application="app",
        region=REGION,
        status="Ready",
        settings=settings,
    )


def owner() -> Iam:
    key = AccessKey(KEY_ID, "Active", "2025-01-01T00:00:00+00:00", "2025-05-01")
    return Iam(users=(user("secondary", allow("iam:CreateAccessKey"), keys=(key,)),))


def leaky_environment() -> BeanstalkEnvironment:
    return environment(
        OptionSetting(ENV_NS, "APP_ENV", "production"),
        flagged(ENV_NS, "SECONDARY_ACCESS_KEY", KEY_ID, "aws_access_key_id"),
        flagged(ENV_NS, "SECONDARY_SECRET_KEY", SECRET_KEY, "aws_secret_access_key"),
        flagged(ENV_NS, "DB_PASSWORD", "hunter2", "secret_name"),
    )


def test_key_pair_fails_with_owner_and_status() -> None:
    snap = snapshot(iam=owner(), beanstalk_environments=(leaky_environment(),))
    (result,) = run("beanstalk-plaintext-aws-keys", snap)
    assert result.status is Status.FAIL
    assert isinstance(result.evidence, KeyPairEvidence)
    (pair,) = result.evidence.pairs
    assert pair.access_key_setting == "SECONDARY_ACCESS_KEY"
    assert pair.secret_setting.name == "SECONDARY_SECRET_KEY"
    assert pair.owner == f"arn:aws:iam::{ACCOUNT}:user/secondary"
    assert (pair.key_status, pair.key_last_used) == ("Active", "2025-05-01")
    assert result.evidence.owners_complete


def test_key_pair_of_unknown_owner_still_fails_and_says_iam_was_unreadable() -> None:
    snap = snapshot(
        beanstalk_environments=(leaky_environment(),),
        gaps=(gap("iam", "GetAccountAuthorizationDetails", region="aws-global"),),
    )
    (result,) = run("beanstalk-plaintext-aws-keys", snap)
    assert result.status is Status.FAIL
    assert isinstance(result.evidence, KeyPairEvidence)
    assert result.evidence.pairs[0].owner is None
    assert not result.evidence.owners_complete


def test_pairs_by_name_stem_and_leaves_lone_ids_unpaired() -> None:
    env = environment(
        flagged(ENV_NS, "AWS_ACCESS_KEY_ID", KEY_ID, "aws_access_key_id"),
        flagged(ENV_NS, "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "aws_secret_access_key"),
        flagged(
            ENV_NS, "BACKUP_ACCESS_KEY", "AKIAI44QH8DHBEXAMPLE", "aws_access_key_id"
        ),
    )
    (result,) = run(
        "beanstalk-plaintext-aws-keys", snapshot(beanstalk_environments=(env,))
    )
    assert isinstance(result.evidence, KeyPairEvidence)
    assert [p.access_key_setting for p in result.evidence.pairs] == [
        "AWS_ACCESS_KEY_ID"
    ]
    assert result.evidence.unpaired_key_id_settings == ("BACKUP_ACCESS_KEY",)


def test_clean_environment_passes_both_setting_rules() -> None:
    env = environment(OptionSetting(ENV_NS, "APP_ENV", "production"))
    snap = snapshot(beanstalk_environments=(env,))
    for rule_id in ("beanstalk-plaintext-aws-keys", "beanstalk-plaintext-secrets"):
        assert statuses(run(rule_id, snap)) == {ENV_ARN: "PASS"}


def test_generic_secret_fails_and_accepting_its_fingerprint_passes() -> None:
    snap = snapshot(iam=owner(), beanstalk_environments=(leaky_environment(),))
    (result,) = run("beanstalk-plaintext-secrets", snap)
    assert result.status is Status.FAIL
    assert isinstance(result.evidence, SecretSettingsEvidence)
    (setting,) = result.evidence.settings  # the key pair is the other rule's
    assert (setting.name, setting.detector) == ("DB_PASSWORD", "secret_name")
    assert "hunter2" not in repr(result)

    (accepted,) = run("beanstalk-plaintext-secrets", snap, (setting.fingerprint,))
    assert accepted.status is Status.PASS
    assert isinstance(accepted.evidence, SecretSettingsEvidence)
    assert accepted.evidence.settings[0].accepted


def test_unreadable_settings_are_an_error_never_a_pass() -> None:
    snap = snapshot(
        beanstalk_environments=(environment(),),
        gaps=(gap("elasticbeanstalk", "DescribeConfigurationSettings", ENV_ARN),),
    )
    for rule_id in (
        "beanstalk-plaintext-aws-keys",
        "beanstalk-plaintext-secrets",
        "beanstalk-log-streaming",
    ):
        (result,) = run(rule_id, snap)
        assert result.status is Status.ERROR
        assert isinstance(result.evidence, GapEvidence)


def test_unlisted_environments_in_a_region_are_an_error() -> None:
    snap = snapshot(gaps=(gap("elasticbeanstalk", "DescribeEnvironments"),))
    (result,) = run("beanstalk-plaintext-aws-keys", snap)
    assert (result.status, result.region) == (Status.ERROR, REGION)


# -- platform ---------------------------------------------------------------


def platform_environment(*extra: OptionSetting) -> BeanstalkEnvironment:
    return environment(
        OptionSetting(
            "aws:autoscaling:launchconfiguration", "IamInstanceProfile", "web"
        ),
        OptionSetting(
            "aws:elasticbeanstalk:environment",
            "ServiceRole",
            f"arn:aws:iam::{ACCOUNT}:role/eb-service",
        ),
        *extra,
    )


def platform_iam(*instance_statements: dict[str, object]) -> Iam:
    statements = instance_statements or (
        allow("secretsmanager:GetSecretValue", SECRET_ARN),
    )
    return Iam(
        roles=(
            role("web", "ec2.amazonaws.com", *statements, profiles=("web",)),
            role(
                "eb-service", "elasticbeanstalk.amazonaws.com", allow("ec2:Describe*")
            ),
        )
    )


SECRETS = (
    Secret("app/db", SECRET_ARN, REGION),
    Secret("other", OTHER_SECRET, REGION),
)
REFERENCE = OptionSetting(
    "aws:elasticbeanstalk:application:environmentsecrets", "DB", SECRET_ARN
)


def test_roles_that_exist_and_are_trusted_by_their_service_pass() -> None:
    snap = snapshot(
        iam=platform_iam(), beanstalk_environments=(platform_environment(),)
    )
    for rule_id in ("beanstalk-service-role", "beanstalk-instance-profile"):
        (result,) = run(rule_id, snap)
        assert result.status is Status.PASS, rule_id
        assert isinstance(result.evidence, RoleTrustEvidence)
        assert result.evidence.trusted_by_service


def test_missing_role_and_role_trusted_by_the_wrong_service_fail() -> None:
    iam = Iam(roles=(role("eb-service", "ec2.amazonaws.com"),))
    snap = snapshot(iam=iam, beanstalk_environments=(platform_environment(),))
    (service,) = run("beanstalk-service-role", snap)
    (instance,) = run("beanstalk-instance-profile", snap)
    assert service.status is Status.FAIL and instance.status is Status.FAIL
    assert isinstance(service.evidence, RoleTrustEvidence)
    assert isinstance(instance.evidence, RoleTrustEvidence)
    assert not service.evidence.trusted_by_service
    assert service.evidence.other_principals == ("Service:ec2.amazonaws.com",)
    assert instance.evidence.role is None


def test_role_checks_need_iam() -> None:
    snap = snapshot(
        beanstalk_environments=(platform_environment(),),
        gaps=(gap("iam", "GetAccountAuthorizationDetails", region="aws-global"),),
    )
    for rule_id in ("beanstalk-service-role", "beanstalk-role-privileges"):
        assert statuses(run(rule_id, snap)) == {ENV_ARN: "ERROR"}


def test_instance_role_reading_only_its_referenced_secret_passes() -> None:
    snap = snapshot(
        iam=platform_iam(),
        secrets=SECRETS,
        beanstalk_environments=(platform_environment(REFERENCE),),
    )
    results = run("beanstalk-role-privileges", snap)
    assert {r.status for r in results} == {Status.PASS}
    assert len(results) == 2  # the instance role and the service role


def test_instance_role_reading_other_secrets_or_holding_iam_fails() -> None:
    iam = platform_iam(allow("secretsmanager:GetSecretValue"), allow("iam:*"))
    snap = snapshot(
        iam=iam,
        secrets=SECRETS,
        beanstalk_environments=(platform_environment(REFERENCE),),
    )
    instance = next(
        r
        for r in run("beanstalk-role-privileges", snap)
        if r.resource.endswith(":role/web")
    )
    assert instance.status is Status.FAIL
    assert isinstance(instance.evidence, RolePrivilegeEvidence)
    assert instance.evidence.unreferenced_secrets == (OTHER_SECRET,)
    assert "iam:CreateAccessKey" in instance.evidence.overreaching_actions
    assert "sts:AssumeRole" not in instance.evidence.overreaching_actions


def test_platform_options() -> None:
    good = platform_environment(
        OptionSetting(
            "aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled", "true"
        ),
        OptionSetting(
            "aws:elasticbeanstalk:healthreporting:system", "SystemType", "enhanced"
        ),
        OptionSetting("aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs", "true"),
    )
    rules = (
        "beanstalk-managed-updates",
        "beanstalk-enhanced-health",
        "beanstalk-log-streaming",
    )
    for rule_id in rules:
        assert statuses(run(rule_id, snapshot(beanstalk_environments=(good,)))) == {
            ENV_ARN: "PASS"
        }
        (absent,) = run(rule_id, snapshot(beanstalk_environments=(environment(),)))
        assert absent.status is Status.FAIL
        assert isinstance(absent.evidence, OptionEvidence)
        assert absent.evidence.value is None
