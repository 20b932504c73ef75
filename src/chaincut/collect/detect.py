"""Decide whether a configuration value looks like a secret.

Runs on every environment setting while collecting, before anything is
stored: a value that matches is kept only as a detector name, a fingerprint
and a masked preview. AWS access key ids are identifiers, not secrets, and are
kept whole so that analysis can resolve whose key leaked.

Detectors, in order (the first that matches names the value):

- ``aws_access_key_id``: ``AKIA``/``ASIA`` followed by 16 upper-case letters
  or digits. Kept in clear, flagged so analysis can pair it with its secret.
- ``private_key``: a PEM private key header.
- provider tokens, named after detect-secrets' secret type
  (``github_token``, ``slack_token``, ``stripe_access_key``, ``json_web_token``,
  ...): the provider-specific plugins of detect-secrets, a maintained catalogue
  of token formats. Its entropy and keyword plugins are not used: the entropy
  and name detectors below are tuned for configuration values, and its own
  flag every word of more than a few letters when a value stands alone.
- ``aws_secret_access_key``: 40 characters of base64 alphabet, in a setting
  whose name speaks of secrets or keys, or standing alone with high entropy.
- ``url_credentials``: a URL with a password (``scheme://user:pass@host``).
- ARNs and AWS resource ids are never secrets, whatever the setting's name.
- ``secret_name``: the setting's name says secret, password, token, key or
  credential and the value is not empty, a boolean or a short number.
- ``high_entropy``: 20 or more characters of base64 or hex alphabet (32 or
  more of URL-safe base64) with a Shannon entropy above 4.0 bits per
  character.

Limits: a credential in a format neither detect-secrets nor the rules below
know, in a neutrally named setting and of low entropy (a dictionary-word
password in ``APP_MODE``), is not flagged.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

ACCESS_KEY_ID = "aws_access_key_id"

_ACCESS_KEY_ID = re.compile(r"^(?:AKIA|ASIA)[A-Z0-9]{16}$")
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_SECRET_KEY = re.compile(r"^[A-Za-z0-9/+=]{40}$")
_URL_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)
_SECRET_NAME = re.compile(
    r"SECRET|PASSW(OR)?D|PWD|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE|CREDENTIAL|AUTH",
    re.IGNORECASE,
)
_HARMLESS_VALUE = re.compile(r"^(true|false|yes|no|on|off|none|null|\d{1,6})$", re.I)
# ARNs and resource ids (subnet-0abc..., vpc-..., e-...) name things; they
# are never secrets however random they look.
_IDENTIFIER = re.compile(r"^(?:arn:aws[a-z-]*:|[a-z]{1,12}-[0-9a-z]{8,17}$)")
# Random tokens: base64 or hex of 20 characters or more, or URL-safe base64
# of 32 or more. Hyphenated names such as "my-app-role-4dx899" are not tokens.
_TOKEN_ALPHABET = re.compile(r"^(?:[A-Za-z0-9/+=]{20,}|[A-Za-z0-9_\-]{32,})$")
_ENTROPY_THRESHOLD = 4.0


@dataclass(frozen=True)
class Detection:
    detector: str
    is_secret: bool  # False only for identifiers such as access key ids


def detect(name: str, value: str) -> Detection | None:
    """What ``value`` (set under ``name``) looks like, or None if harmless."""
    stripped = value.strip()
    if not stripped:
        return None
    if _ACCESS_KEY_ID.match(stripped):
        return Detection(ACCESS_KEY_ID, is_secret=False)
    if _PRIVATE_KEY.search(stripped):
        return Detection("private_key", is_secret=True)
    token = _provider_token(stripped)
    if token is not None:
        return Detection(token, is_secret=True)
    if _IDENTIFIER.match(stripped):
        return None
    named_secret = bool(_SECRET_NAME.search(name))
    if _SECRET_KEY.match(stripped) and (named_secret or _entropy(stripped) > 4.5):
        return Detection("aws_secret_access_key", is_secret=True)
    if _URL_PASSWORD.match(stripped):
        return Detection("url_credentials", is_secret=True)
    if named_secret and not _HARMLESS_VALUE.match(stripped):
        return Detection("secret_name", is_secret=True)
    if _TOKEN_ALPHABET.match(stripped) and _entropy(stripped) > _ENTROPY_THRESHOLD:
        return Detection("high_entropy", is_secret=True)
    return None


# detect-secrets types handled by chaincut's own rules, or not secrets at all.
_NOT_PROVIDER_TYPES = frozenset(
    {
        "AWS Access Key",
        "Base64 High Entropy String",
        "Basic Auth Credentials",
        "Hex High Entropy String",
        "Private Key",
        "Public IP (ipv4)",
        "Secret Keyword",
    }
)


@functools.cache
def _provider_plugins() -> tuple[Any, ...]:
    """detect-secrets' provider plugins, made once (they are stateless)."""
    from detect_secrets.core.plugins.util import (
        get_mapping_from_secret_type_to_class,
    )

    mapping: dict[str, Any] = get_mapping_from_secret_type_to_class()
    return tuple(
        plugin_class()
        for secret_type, plugin_class in sorted(mapping.items())
        if secret_type not in _NOT_PROVIDER_TYPES
    )


def _provider_token(value: str) -> str | None:
    """The detect-secrets type ``value`` matches, as a detector name."""
    for plugin in _provider_plugins():
        # The findings carry the value itself: only their type is kept.
        if plugin.analyze_line(filename="setting", line=value, line_number=0):
            return re.sub(r"[^a-z0-9]+", "_", str(plugin.secret_type).lower()).strip(
                "_"
            )
    return None


def _entropy(text: str) -> float:
    counts = Counter(text)
    length = len(text)
    return -sum(n / length * math.log2(n / length) for n in counts.values())
