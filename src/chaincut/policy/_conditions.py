"""The ``Condition`` element: one operator table, and AWS's rules around it.

A condition block ``{"Operator": {"key": value-or-values}}`` becomes one
``Condition`` per (operator, key). Every condition of a statement must hold
(AND across operators and keys); within one, any policy value may match (OR).

Operator names are read as ``[ForAllValues:|ForAnyValue:]Base[IfExists]``.
``Base`` is looked up in ``_OPERATORS``, the single table saying how to read a
policy value, how to read a context value, how to compare them, and whether
the operator is a negation (``StringNotEquals``, ``NotIpAddress``, ...).

Rules applied, from the IAM condition operator and multi-valued key pages:

- condition keys are case-insensitive; a key missing from the request makes
  a positive operator false and a negated one true, and ``...IfExists`` true;
- ``ForAnyValue`` on a missing or empty key is false, ``ForAllValues`` true;
- a negated operator over several context values holds when none of them
  matches a policy value (``ForAnyValue``: when at least one matches none);
- ``Null`` with ``true`` holds when the key is absent (or an empty list);
- string and ARN operators substitute policy variables (see ``_variables``):
  a value whose variable has no value and no default drops out, and a
  condition left with no value does not match, whatever its operator;
- dates are ISO 8601 (date, or date and time with a zone; no zone is UTC) or
  epoch seconds; numbers are integers or decimals.

Failing closed: an operator we do not know, or a policy value its operator
cannot read (``NumericEquals: "ten"``, a bad CIDR), marks the condition
``broken`` and logs a warning. A broken condition never excuses a statement:
an Allow with one never matches, a Deny with one applies as if its conditions
held. Guessing either way could turn a deny into an allow, which is the one
error an access analysis must not make (Cloud Custodian's cross-account
checker follows the same rule; AWS itself rejects such documents).

Caches: a condition without variables keeps its answers by the values the
request gives its key (at most 4,096 per condition; past that its memory
restarts empty), and readers of context addresses and dates keep what they
parsed.

Limits: ``BinaryEquals`` compares base64 text after decoding both sides;
``Bool`` and ``Null`` take no ``ForAllValues``/``ForAnyValue`` semantics beyond
the generic ones; no check that a key suits its operator's type.
"""

from __future__ import annotations

import base64
import binascii
import enum
import functools
import ipaddress
import logging
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chaincut.policy._match import glob_regex, pattern_regex
from chaincut.policy._variables import (
    Lookup,
    Piece,
    join_parts,
    resolve,
    split_variables,
)

logger = logging.getLogger(__name__)

Values = Callable[[str], "tuple[str, ...] | None"]


class SetOperator(enum.Enum):
    SINGLE = ""
    FOR_ALL = "ForAllValues"
    FOR_ANY = "ForAnyValue"


def _number(text: str) -> float:
    return float(text)


@functools.lru_cache(maxsize=8192)
def _date(text: str) -> float:
    stripped = text.strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", stripped):
        return float(stripped)
    parsed = datetime.fromisoformat(stripped.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _bool(text: str) -> str:
    lowered = text.lower()
    if lowered not in ("true", "false"):
        raise ValueError(f"not a boolean: {text!r}")
    return lowered


def _binary(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


# Readers of context values are cached: requests repeat the same addresses and
# times, and parsing them dominates an IP or date comparison.
@functools.lru_cache(maxsize=8192)
def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(text, strict=False)


def _like(text: str) -> re.Pattern[str]:
    return glob_regex(text)


def _arn_like(text: str) -> re.Pattern[str]:
    return glob_regex(text, arn=True)


def _fullmatch(value: str, pattern: re.Pattern[str]) -> bool:
    return pattern.fullmatch(value) is not None


def _within(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
    network: ipaddress.IPv4Network | ipaddress.IPv6Network,
) -> bool:
    return address in network


def _same(value: str) -> str:
    return value


def _fold(value: str) -> str:
    return value.casefold()


@dataclass(frozen=True, slots=True)
class _Operator:
    """How one base operator reads and compares values."""

    read_policy: Callable[[str], Any]
    read_context: Callable[[str], Any]
    compare: Callable[[Any, Any], bool]
    negated: bool = False
    variables: bool = False
    # Operators whose policy values are wildcard patterns (Like, Arn).
    pattern: bool = False


def _family(
    names: dict[str, tuple[Callable[[Any, Any], bool], bool]],
    read_policy: Callable[[str], Any],
    read_context: Callable[[str], Any],
    **flags: bool,
) -> dict[str, _Operator]:
    return {
        name: _Operator(read_policy, read_context, compare, negated, **flags)
        for name, (compare, negated) in names.items()
    }


_ORDER = {
    "Equals": (operator.eq, False),
    "NotEquals": (operator.eq, True),
    "LessThan": (operator.lt, False),
    "LessThanEquals": (operator.le, False),
    "GreaterThan": (operator.gt, False),
    "GreaterThanEquals": (operator.ge, False),
}

_OPERATORS: dict[str, _Operator] = {
    **_family(
        {"StringEquals": (operator.eq, False), "StringNotEquals": (operator.eq, True)},
        _same,
        _same,
        variables=True,
    ),
    **_family(
        {
            "StringEqualsIgnoreCase": (operator.eq, False),
            "StringNotEqualsIgnoreCase": (operator.eq, True),
        },
        _fold,
        _fold,
        variables=True,
    ),
    **_family(
        {"StringLike": (_fullmatch, False), "StringNotLike": (_fullmatch, True)},
        _like,
        _same,
        variables=True,
        pattern=True,
    ),
    **_family({f"Numeric{k}": v for k, v in _ORDER.items()}, _number, _number),
    **_family({f"Date{k}": v for k, v in _ORDER.items()}, _date, _date),
    **_family({"Bool": (operator.eq, False)}, _bool, _bool),
    **_family({"BinaryEquals": (operator.eq, False)}, _binary, _binary),
    **_family(
        {"IpAddress": (_within, False), "NotIpAddress": (_within, True)}, _network, _ip
    ),
    **_family(
        {
            "ArnEquals": (_fullmatch, False),
            "ArnLike": (_fullmatch, False),
            "ArnNotEquals": (_fullmatch, True),
            "ArnNotLike": (_fullmatch, True),
        },
        _arn_like,
        _same,
        variables=True,
        pattern=True,
    ),
}

_NULL = "Null"
# Bound on each condition's memo of answers; past it the memo restarts.
_MEMO_LIMIT = 4096
_READ_ERRORS = (ValueError, TypeError, binascii.Error)


@dataclass(frozen=True, slots=True)
class Condition:
    """One (operator, key) pair of a ``Condition`` block, compiled.

    ``values`` holds policy values already read by the operator; ``dynamic``
    those holding variables, read per request. ``broken`` says why the
    condition cannot be understood (and so fails closed), or is empty.
    """

    operator: str
    key: str
    set_operator: SetOperator
    if_exists: bool
    values: tuple[Any, ...]
    dynamic: tuple[tuple[Piece, ...], ...] = ()
    broken: str = ""
    # Answers by the key's values in the request, for conditions without
    # variables (their answer depends on nothing else): requests repeat the
    # same addresses, regions and flags, and reading and comparing them costs
    # far more than the lookup.
    _memo: dict[tuple[str, ...] | None, bool] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    def holds(self, values: Values, lookup: Lookup) -> bool:
        """Whether the request context satisfies this condition."""
        context = values(self.key)
        if self.dynamic:
            return self._holds(context, lookup)
        memo = self._memo
        found = memo.get(context)
        if found is None:
            found = self._holds(context, lookup)
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            memo[context] = found
        return found

    def _holds(self, context: tuple[str, ...] | None, lookup: Lookup) -> bool:
        if self.operator == _NULL:
            absent = not context
            return any((value == "true") == absent for value in self.values)
        spec = _OPERATORS[self.operator]
        wanted = self.values
        if self.dynamic:
            wanted += self._resolved(spec, lookup)
        if not wanted:
            return False
        if not context:
            if self.if_exists or self.set_operator is SetOperator.FOR_ALL:
                return True
            if self.set_operator is SetOperator.FOR_ANY:
                return False
            return spec.negated
        if self.set_operator is SetOperator.SINGLE and len(context) == 1:
            return _any_match(spec, context[0], wanted) != spec.negated
        hits = [_any_match(spec, item, wanted) for item in context]
        if self.set_operator is SetOperator.FOR_ALL:
            return all(hit != spec.negated for hit in hits)
        if self.set_operator is SetOperator.FOR_ANY:
            return any(hit != spec.negated for hit in hits)
        return any(hits) != spec.negated

    def _resolved(self, spec: _Operator, lookup: Lookup) -> tuple[Any, ...]:
        out: list[Any] = []
        for pieces in self.dynamic:
            parts = resolve(pieces, lookup)
            if parts is None:
                continue
            if spec.pattern:
                out.append(pattern_regex(parts, arn=spec.read_policy is _arn_like))
            else:
                out.append(spec.read_policy(join_parts(parts)))
        return tuple(out)


def _any_match(spec: _Operator, item: str, wanted: tuple[Any, ...]) -> bool:
    try:
        value = spec.read_context(item)
    except _READ_ERRORS:
        # A context value the operator cannot read matches no policy value.
        return False
    try:
        return any(spec.compare(value, policy) for policy in wanted)
    except TypeError:
        # Mixed kinds (an IPv4 address against an IPv6 network) do not match.
        return False


def parse_condition(
    name: str, key: str, raw: tuple[str, ...], *, variables: bool
) -> Condition:
    """Compile one (operator, key, values); unknown or unreadable fail closed."""
    set_operator, base = _split_set_operator(name)
    if_exists = base.endswith("IfExists") and base != _NULL
    if if_exists:
        base = base[: -len("IfExists")]
    key = key.lower()
    if base == _NULL:
        lowered = tuple(value.lower() for value in raw)
        bad = [value for value in lowered if value not in ("true", "false")]
        if bad:
            return _broken(
                name, key, set_operator, f"Null takes true or false, not {bad[0]!r}"
            )
        return Condition(base, key, set_operator, False, lowered)
    spec = _OPERATORS.get(base)
    if spec is None:
        return _broken(name, key, set_operator, f"unknown operator {name!r}")
    static: list[Any] = []
    dynamic: list[tuple[Piece, ...]] = []
    for value in raw:
        pieces = split_variables(value) if variables and spec.variables else None
        if pieces is not None:
            dynamic.append(pieces)
            continue
        try:
            static.append(spec.read_policy(value))
        except _READ_ERRORS:
            return _broken(name, key, set_operator, f"{name} cannot read {value!r}")
    return Condition(base, key, set_operator, if_exists, tuple(static), tuple(dynamic))


def _split_set_operator(name: str) -> tuple[SetOperator, str]:
    prefix, colon, rest = name.partition(":")
    if colon:
        for candidate in (SetOperator.FOR_ALL, SetOperator.FOR_ANY):
            if prefix == candidate.value:
                return candidate, rest
    return SetOperator.SINGLE, name


def _broken(name: str, key: str, set_operator: SetOperator, why: str) -> Condition:
    logger.warning("condition on %s fails closed: %s", key, why)
    return Condition(name, key, set_operator, False, (), broken=why)
