"""Credentials in plaintext Beanstalk environment settings.

The snapshot holds no setting values that look secret: the collector's
detectors (``chaincut.collect.detect``) keep a detector name, a fingerprint
and a masked preview instead, and keep access key ids whole. These rules read
those detections:

- ``beanstalk-plaintext-aws-keys`` pairs each access key id setting with a
  secret-key setting of the same environment and resolves whose key it is
  (owner ARN, status, last use) from the snapshot's IAM users;
- ``beanstalk-plaintext-secrets`` reports every other setting a detector
  flagged (passwords, tokens, private keys, URLs with passwords, random
  strings).

A value the owner has judged harmless is accepted by its fingerprint
(``chaincut scan --accept sha256:...``): it is still listed, marked accepted,
and no longer fails the check.

Assumptions: an access key id and its secret are a pair when their setting
names share a stem once the words that name key parts are removed
(``SECONDARY_ACCESS_KEY`` and ``SECONDARY_SECRET_KEY``), or when the
environment holds exactly one of each.

Limits: only Beanstalk environments are read here (Lambda environment
variables and SSM parameters are ``workload_settings``). What counts as a
secret is decided at collection time, so these rules find only what the
collector's detectors flagged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from chaincut.collect.detect import ACCESS_KEY_ID
from chaincut.rules import _calls as calls
from chaincut.rules._core import (
    CheckContext,
    Evidence,
    Result,
    RuleMeta,
    Severity,
    Status,
    rule,
)
from chaincut.snapshot import BeanstalkEnvironment, OptionSetting

log = logging.getLogger(__name__)

SECRET_KEY_DETECTOR = "aws_secret_access_key"

# Words that name the part of a key pair, removed to find a setting's stem.
_KEY_PART = re.compile(
    r"(?:AWS_)?(?:SECRET_ACCESS_KEY|ACCESS_KEY_ID|SECRET_KEY|ACCESS_KEY|KEY_ID"
    r"|SECRET)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class MaskedSetting:
    """A flagged setting as it may be shown: never its value."""

    namespace: str
    name: str
    detector: str
    fingerprint: str
    preview: str
    accepted: bool


@dataclass(frozen=True)
class LeakedKeyPair:
    """An access key id and its secret key, both in plaintext settings."""

    access_key_setting: str
    access_key_id: str
    secret_setting: MaskedSetting
    owner: str | None  # the user's ARN, None when the snapshot does not know it
    key_status: str | None
    key_last_used: str | None


@dataclass(frozen=True)
class KeyPairEvidence(Evidence):
    environment: str
    pairs: tuple[LeakedKeyPair, ...]
    unpaired_key_id_settings: tuple[str, ...]
    owners_complete: bool  # False when IAM could not be read in full


@dataclass(frozen=True)
class SecretSettingsEvidence(Evidence):
    environment: str
    settings: tuple[MaskedSetting, ...]


@dataclass(frozen=True)
class _Split:
    pairs: tuple[tuple[OptionSetting, OptionSetting], ...]
    unpaired_ids: tuple[OptionSetting, ...]
    others: tuple[OptionSetting, ...]


def _stem(name: str) -> str:
    return _KEY_PART.sub("", name).strip("_-").upper()


def split_settings(environment: BeanstalkEnvironment) -> _Split:
    """The environment's flagged settings: key pairs, lone key ids, the rest."""
    flagged = [s for s in environment.settings if s.detected is not None]
    ids = [s for s in flagged if _detector(s) == ACCESS_KEY_ID and s.value]
    secrets = [s for s in flagged if _detector(s) == SECRET_KEY_DETECTOR]
    pairs: list[tuple[OptionSetting, OptionSetting]] = []
    for key_id in list(ids):
        match = next((s for s in secrets if _stem(s.name) == _stem(key_id.name)), None)
        if match is not None:
            pairs.append((key_id, match))
            ids.remove(key_id)
            secrets.remove(match)
    if len(ids) == 1 and len(secrets) == 1:
        pairs.append((ids.pop(), secrets.pop()))
    paired = {id(s) for pair in pairs for s in pair}
    others = tuple(
        s for s in flagged if id(s) not in paired and _detector(s) != ACCESS_KEY_ID
    )
    return _Split(tuple(pairs), tuple(ids), others)


def _detector(setting: OptionSetting) -> str:
    return setting.detected.detector if setting.detected else ""


def masked(setting: OptionSetting, accepted: frozenset[str]) -> MaskedSetting:
    detected = setting.detected
    if detected is None:
        raise ValueError(f"setting {setting.name} was not flagged by a detector")
    return MaskedSetting(
        namespace=setting.namespace,
        name=setting.name,
        detector=detected.detector,
        fingerprint=detected.masked.fingerprint,
        preview=detected.masked.preview,
        accepted=detected.masked.fingerprint in accepted,
    )


def _environments(
    context: CheckContext, meta: RuleMeta
) -> Iterator[BeanstalkEnvironment | Result]:
    """Each environment whose settings were read, or an ERROR result."""
    for region in context.snapshot.regions:
        gaps = context.gaps(calls.BEANSTALK_ENVIRONMENTS, region=region)
        if gaps:
            yield context.error(meta, context.account_arn, gaps, region)
    for environment in context.snapshot.beanstalk_environments:
        gaps = context.gaps(calls.BEANSTALK_SETTINGS, resource=environment.arn)
        if gaps:
            yield context.error(meta, environment.arn, gaps, environment.region)
        else:
            yield environment


@rule(
    id="beanstalk-plaintext-aws-keys",
    title="AWS access key pair in plaintext Beanstalk settings",
    severity=Severity.CRITICAL,
    needs=(
        calls.BEANSTALK_ENVIRONMENTS,
        calls.BEANSTALK_SETTINGS,
        calls.IAM_DETAILS,
        calls.IAM_ACCESS_KEYS,
        calls.IAM_KEY_LAST_USED,
    ),
    remediation="move-key-pair-to-secrets-manager",
    fix="Deactivate and delete the leaked key once nothing uses it; give the"
    " application a role instead, or reference a secret from the"
    " environmentsecrets namespace.",
    attack=("T1552.001", "T1078.004"),
)
def plaintext_aws_keys(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """An access key id and its secret key stored as environment properties.

    Anyone who may call ``elasticbeanstalk:DescribeConfigurationSettings``
    reads them, and with them acts as the key's owner. Example: settings
    ``SECONDARY_ACCESS_KEY=AKIA...`` and ``SECONDARY_SECRET_KEY=<40 chars>``
    fail, naming the owning user and whether the key is still active.
    """
    keys = {
        key.access_key_id: (user.arn, key)
        for user in context.snapshot.iam.users
        for key in user.access_keys
    }
    owners_complete = not context.gaps(calls.IAM_DETAILS, calls.IAM_ACCESS_KEYS)
    for item in _environments(context, meta):
        if isinstance(item, Result):
            yield item
            continue
        split = split_settings(item)
        pairs = []
        for key_setting, secret_setting in split.pairs:
            key_id = key_setting.value or ""
            owner, key = keys.get(key_id, (None, None))
            pairs.append(
                LeakedKeyPair(
                    access_key_setting=key_setting.name,
                    access_key_id=key_id,
                    secret_setting=masked(secret_setting, context.accepted),
                    owner=owner,
                    key_status=key.status if key else None,
                    key_last_used=key.last_used if key else None,
                )
            )
        failing = any(not pair.secret_setting.accepted for pair in pairs)
        yield context.result(
            meta,
            Status.FAIL if failing else Status.PASS,
            item.arn,
            KeyPairEvidence(
                environment=item.arn,
                pairs=tuple(pairs),
                unpaired_key_id_settings=tuple(s.name for s in split.unpaired_ids),
                owners_complete=owners_complete,
            ),
            item.region,
        )


@rule(
    id="beanstalk-plaintext-secrets",
    title="Secret values in plaintext Beanstalk settings",
    severity=Severity.HIGH,
    needs=(calls.BEANSTALK_ENVIRONMENTS, calls.BEANSTALK_SETTINGS),
    remediation="move-settings-to-secrets-manager",
    fix="Store the value in Secrets Manager and reference its ARN from the"
    " aws:elasticbeanstalk:application:environmentsecrets namespace; rotate it.",
    attack=("T1552.001",),
)
def plaintext_secrets(context: CheckContext, meta: RuleMeta) -> Iterator[Result]:
    """Settings whose value a detector took for a secret (other than key pairs).

    Example: ``DB_PASSWORD=hunter2`` fails with detector ``secret_name`` and
    the value's fingerprint; ``--accept <fingerprint>`` marks it accepted.
    """
    for item in _environments(context, meta):
        if isinstance(item, Result):
            yield item
            continue
        flagged = tuple(
            masked(s, context.accepted) for s in split_settings(item).others
        )
        failing = any(not s.accepted for s in flagged)
        yield context.result(
            meta,
            Status.FAIL if failing else Status.PASS,
            item.arn,
            SecretSettingsEvidence(item.arn, flagged),
            item.region,
        )
