"""Which setting values are treated as secrets, and which are kept."""

from __future__ import annotations

import pytest

from chaincut.collect.detect import detect
from chaincut.collect.regional import masked_setting

# A made-up key in the documented format; not a real credential.
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize(
    ("name", "value", "detector", "is_secret"),
    [
        ("SECONDARY_ACCESS_KEY", "AKIAIOSFODNN7EXAMPLE", "aws_access_key_id", False),
        ("SESSION", "ASIAIOSFODNN7EXAMPLE", "aws_access_key_id", False),
        ("SECONDARY_SECRET_KEY", SECRET_KEY, "aws_secret_access_key", True),
        ("DB_PASSWORD", "hunter2", "secret_name", True),
        ("DATABASE_URL", "postgres://app:p4ss@db:5432/x", "url_credentials", True),
        ("TLS_KEY", "-----BEGIN RSA PRIVATE KEY-----\nMII", "private_key", True),
        ("OPAQUE", "q8Zr1vXk3NnP0aB7yT5wLm2Hc9Ds4Ef6", "high_entropy", True),
    ],
)
def test_detected(name: str, value: str, detector: str, is_secret: bool) -> None:
    found = detect(name, value)
    assert found is not None
    assert (found.detector, found.is_secret) == (detector, is_secret)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("APP_ENV", "production"),
        ("LOG_LEVEL", "info"),
        ("TOKEN_TTL", "3600"),
        ("AUTH_ENABLED", "true"),
        ("Subnets", "subnet-0123456789abcdef0"),
        ("IamInstanceProfile", "chaincut-ec2-role-4dx899"),
        ("SECRET_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:db"),
        ("EMPTY_SECRET", ""),
    ],
)
def test_not_detected(name: str, value: str) -> None:
    assert detect(name, value) is None


def test_masked_setting_keeps_no_secret_value() -> None:
    setting = masked_setting(
        {"Namespace": "ns", "OptionName": "SECONDARY_SECRET_KEY", "Value": SECRET_KEY}
    )
    assert setting.value is None
    assert setting.detected is not None
    assert SECRET_KEY not in repr(setting)
    assert setting.detected.masked.preview.endswith(SECRET_KEY[-4:])


def test_masked_setting_keeps_access_key_ids() -> None:
    setting = masked_setting(
        {"Namespace": "ns", "OptionName": "K", "Value": "AKIAIOSFODNN7EXAMPLE"}
    )
    assert setting.value == "AKIAIOSFODNN7EXAMPLE"


# Made-up tokens in the providers' documented formats; none is a credential.
@pytest.mark.parametrize(
    ("name", "value", "detector"),
    [
        ("CI", "ghp_" + "a1B2c3D4e5F6g7H8i9J0" + "k1L2m3N4o5P6q7R8", "github_token"),
        ("HOOK", "xoxb-" + "123456789012-123456789012-" + "a" * 24, "slack_token"),
        ("BILLING", "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "stripe_access_key"),
    ],
)
def test_provider_tokens_in_neutral_names(name: str, value: str, detector: str) -> None:
    found = detect(name, value)
    assert found is not None
    assert (found.detector, found.is_secret) == (detector, True)
