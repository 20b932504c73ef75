"""Monitoring rules: filter, alarm and subscribed topic, judged by matching."""

from __future__ import annotations

from dataclasses import replace

from rules_helpers import ACCOUNT, REGION, gap, run, snapshot, statuses
from test_rules_cloudtrail import trail

from chaincut.rules import Status, registry
from chaincut.rules.monitoring import REQUIREMENTS, MonitoringEvidence
from chaincut.snapshot import (
    Alarm,
    MetricFilter,
    MetricTransformation,
    Snapshot,
    Subscription,
    Topic,
)

ROOT = f"arn:aws:iam::{ACCOUNT}:root"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:security"
KEY_RULE = "monitoring-access-key-for-other-user"
EXAMPLE = {r.id: r.example for r in REQUIREMENTS}


def watched(
    pattern: str,
    *,
    subscription: str = f"{TOPIC}:1234",
    actions_enabled: bool = True,
    log_group: str = "cloudtrail",
) -> Snapshot:
    metric = MetricTransformation("Security", "Signal", "1")
    return snapshot(
        trails=(trail(),),
        metric_filters=(MetricFilter("signal", REGION, log_group, pattern, (metric,)),),
        alarms=(
            Alarm(
                "signal",
                f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:signal",
                REGION,
                "Security",
                "Signal",
                "GreaterThanOrEqualToThreshold",
                1.0,
                actions_enabled,
                (TOPIC,),
            ),
        ),
        topics=(
            Topic(
                TOPIC,
                REGION,
                (Subscription(subscription, "email", "sec@x"),),
            ),
        ),
    )


def test_filter_alarm_and_subscribed_topic_pass() -> None:
    (result,) = run(KEY_RULE, watched(EXAMPLE[KEY_RULE]))
    assert result.status is Status.PASS
    assert isinstance(result.evidence, MonitoringEvidence)
    assert result.evidence.satisfied_by == "signal"
    assert result.evidence.trail_log_groups == (f"{REGION}:cloudtrail",)


def test_every_requirement_passes_with_its_example_and_fails_without() -> None:
    monitoring = [r for r in registry() if r.meta.family == "monitoring"]
    assert len(monitoring) == len(REQUIREMENTS) == 18
    for found in monitoring:
        assert statuses(run(found.meta.id, watched(EXAMPLE[found.meta.id]))) == {
            ROOT: "PASS"
        }, found.meta.id
        assert statuses(run(found.meta.id, snapshot(trails=(trail(),)))) == {
            ROOT: "FAIL"
        }


def test_cis_numbers_cover_the_monitoring_section() -> None:
    numbers = {c for r in REQUIREMENTS for c in r.cis}
    assert numbers == {f"4.{n}" for n in range(1, 16)}


def test_filter_judged_by_what_it_matches_not_its_text() -> None:
    # Same intent, different text: passes.
    rewritten = "{ $.eventName = CreateAccess* && $.requestParameters.userName = * }"
    assert statuses(run(KEY_RULE, watched(rewritten))) == {ROOT: "PASS"}
    # Mentions the event but cannot match it (wrong source): fails.
    wrong = "{ ($.eventSource = sts.amazonaws.com) && ($.eventName = CreateAccessKey) }"
    assert statuses(run(KEY_RULE, watched(wrong))) == {ROOT: "FAIL"}


def test_noisy_filter_fails_and_says_what_it_matched() -> None:
    (result,) = run(KEY_RULE, watched("{ $.eventSource = iam.amazonaws.com }"))
    assert result.status is Status.FAIL
    assert isinstance(result.evidence, MonitoringEvidence)
    (verdict,) = result.evidence.candidates
    assert verdict.missed == ()
    assert verdict.false_alarms == ("ListUsers",)


def test_missing_links_fail() -> None:
    pattern = EXAMPLE[KEY_RULE]
    for snap in (
        watched(pattern, subscription="PendingConfirmation"),
        watched(pattern, actions_enabled=False),
        watched(pattern, log_group="application"),  # not the trail's log group
        replace(watched(pattern), trails=(trail(cloudwatch_log_group_arn=None),)),
    ):
        assert statuses(run(KEY_RULE, snap)) == {ROOT: "FAIL"}


def test_unreadable_pattern_or_unlisted_filters_are_errors() -> None:
    (result,) = run(KEY_RULE, watched("CreateAccessKey"))
    assert result.status is Status.ERROR
    assert isinstance(result.evidence, MonitoringEvidence)
    assert not result.evidence.candidates[0].readable
    gaps = snapshot(trails=(trail(),), gaps=(gap("logs", "DescribeMetricFilters"),))
    assert statuses(run(KEY_RULE, gaps)) == {ROOT: "ERROR"}


def test_secret_filter_must_exclude_the_intended_readers() -> None:
    from test_rules_secrets import _only_app_policy, secret

    rule_id = "monitoring-secret-access-outside-allowed"
    app_session = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/*"
    with_policy = (secret(resource_policy=_only_app_policy()),)
    blind = EXAMPLE[rule_id].replace(" && ($.userIdentity.arn", " || ($.nothing")
    assert statuses(run(rule_id, replace(watched(blind), secrets=with_policy))) == {
        ROOT: "FAIL"
    }
    excluding = EXAMPLE[rule_id].replace(
        "arn:aws:sts::<account>:assumed-role/<app role>/*", app_session
    )
    assert statuses(run(rule_id, replace(watched(excluding), secrets=with_policy))) == {
        ROOT: "PASS"
    }
