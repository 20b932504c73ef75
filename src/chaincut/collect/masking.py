"""Configuration values as a snapshot may hold them: secrets masked."""

from __future__ import annotations

from typing import Any

from chaincut.collect.detect import detect
from chaincut.secrets import MaskedValue
from chaincut.snapshot import DetectedValue, OptionSetting


def masked_setting(option: dict[str, Any]) -> OptionSetting:
    """An option setting as the snapshot may hold it."""
    namespace = str(option.get("Namespace", ""))
    name = str(option.get("OptionName", ""))
    value = option.get("Value")
    if value is None:
        return OptionSetting(namespace, name, None)
    found = detect(name, str(value))
    if found is None:
        return OptionSetting(namespace, name, str(value))
    detected = DetectedValue(found.detector, MaskedValue.of(str(value)))
    kept = None if found.is_secret else str(value)
    return OptionSetting(namespace, name, kept, detected)
