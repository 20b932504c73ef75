"""How a secret value may be shown: a fingerprint and a masked preview.

A secret value never reaches a log, report, snapshot or error message. Code
that handles one keeps the value in a local variable for as short a time as it
can and hands everything else a :class:`MaskedValue`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

# At most this many trailing characters of a secret are ever shown, and only
# when the value is long enough that they give away little of it.
VISIBLE_SUFFIX = 4
_MIN_LENGTH_FOR_SUFFIX = 16


def fingerprint(value: str) -> str:
    """A stable, non-reversible identifier for ``value`` (sha256, 16 hex)."""
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


def masked_preview(value: str) -> str:
    """``value`` with everything but its last four characters hidden.

    Short values are hidden entirely: four characters of an eight-character
    password are half of it.
    """
    if len(value) < _MIN_LENGTH_FOR_SUFFIX:
        return "*" * 8
    return "*" * 8 + value[-VISIBLE_SUFFIX:]


@dataclass(frozen=True)
class MaskedValue:
    """What chaincut keeps of a secret: never the value itself."""

    fingerprint: str
    preview: str
    length: int

    @classmethod
    def of(cls, value: str) -> MaskedValue:
        return cls(fingerprint(value), masked_preview(value), len(value))
