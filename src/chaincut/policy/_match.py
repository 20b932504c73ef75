"""Wildcard matching of actions, resources and ARNs, compiled once.

Assumptions, following the IAM JSON policy element reference:

- Actions match case-insensitively; ``*`` matches any run of characters and
  ``?`` any one character, across the whole ``service:Action`` text.
- Resources and ARN conditions match case-sensitively, segment by segment:
  in ``arn:partition:service:region:account:resource`` a wildcard in one of
  the first five segments stays inside it (it never crosses a colon), while
  in the resource segment it matches anything, colons and slashes included.
  A pattern with fewer than six segments lets the wildcards of its last
  segment run to the end of the ARN. A resource pattern that does not start
  with ``arn:`` (``*`` above all) is a plain wildcard pattern.

Each distinct pattern becomes one regular expression, cached process-wide,
and all the static patterns of a statement are joined into one expression so
a request costs one regex call per element. A resource element also keeps a
loose expression of its patterns with variables (every wildcard and variable
read as "anything"), which tells the evaluation plans (``_plan``) when no
value of the variables could make a pattern match a resource.

Limits: no check that a pattern is a well-formed ARN (AWS rejects some that
we accept and simply never match).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from chaincut.policy._variables import (
    Literal,
    Lookup,
    Part,
    Piece,
    Var,
    resolve,
    split_variables,
)

# Wildcards of the first five ARN segments never cross their colons.
_ARN_FIXED_SEGMENTS = 5


def _translate(parts: tuple[Part, ...], *, arn: bool) -> str:
    colons = sum(text.count(":") for text, _ in parts)
    segment = 0
    out: list[str] = []
    for text, wild in parts:
        for char in text:
            bounded = arn and segment < _ARN_FIXED_SEGMENTS and segment < colons
            if char == ":":
                segment += 1
                out.append(":")
            elif wild and char == "*":
                out.append("[^:]*" if bounded else ".*")
            elif wild and char == "?":
                out.append("[^:]" if bounded else ".")
            else:
                out.append(re.escape(char))
    return "".join(out)


@functools.lru_cache(maxsize=65536)
def pattern_regex(
    parts: tuple[Part, ...], *, arn: bool = False, ignore_case: bool = False
) -> re.Pattern[str]:
    """The compiled expression for resolved ``parts`` (anchored by fullmatch)."""
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(_translate(parts, arn=arn), flags)


def glob_regex(
    text: str, *, arn: bool = False, ignore_case: bool = False
) -> re.Pattern[str]:
    """The compiled expression for one wildcard pattern with no variables."""
    return pattern_regex(((text, True),), arn=arn, ignore_case=ignore_case)


def _loose(pieces: tuple[Piece, ...]) -> str:
    """An expression matching at least what ``pieces`` can match once resolved.

    A resolved pattern is, piece by piece, literal text and wildcards that
    match less than ``.*`` and ``.`` (a bounded ``[^:]*`` included), and a
    variable's value is some literal text: reading every wildcard and every
    variable as unbounded can only widen what matches.
    """
    out: list[str] = []
    for piece in pieces:
        if isinstance(piece, Var):
            out.append(".*")
        elif isinstance(piece, Literal):
            out.append(re.escape(piece.text))
        else:
            for char in piece:
                if char == "*":
                    out.append(".*")
                elif char == "?":
                    out.append(".")
                else:
                    out.append(re.escape(char))
    return "".join(out)


def _combined(patterns: Iterable[str], *, arn: bool) -> re.Pattern[str] | None:
    sources = [
        _translate(((pattern, True),), arn=arn and pattern.startswith("arn:"))
        for pattern in patterns
    ]
    if not sources:
        return None
    return re.compile("|".join(f"(?:{source})" for source in sources), re.DOTALL)


@dataclass(frozen=True, slots=True)
class ActionMatcher:
    """``Action`` or ``NotAction``: exact names in a set, wildcards in one regex."""

    patterns: tuple[str, ...]
    negated: bool
    _exact: frozenset[str] = field(compare=False, repr=False)
    _regex: re.Pattern[str] | None = field(compare=False, repr=False)

    @classmethod
    def build(cls, patterns: tuple[str, ...], *, negated: bool) -> ActionMatcher:
        lowered = [pattern.lower() for pattern in patterns]
        wild = [p for p in lowered if "*" in p or "?" in p]
        exact = frozenset(p for p in lowered if p not in wild)
        return cls(patterns, negated, exact, _combined(wild, arn=False))

    def applies(self, action_lower: str) -> bool:
        """Whether the element covers the (lowercased) action."""
        hit = action_lower in self._exact or (
            self._regex is not None and self._regex.fullmatch(action_lower) is not None
        )
        return hit != self.negated


# Bound on each resource element's memo of answers; past it the memo restarts,
# so a scan over millions of distinct resources costs memory only briefly.
_MEMO_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class ResourceMatcher:
    """``Resource`` or ``NotResource``; patterns with variables resolve per request.

    Answers are memoised per resource (and per value of the variables used),
    because callers ask about the same few resources over and over.
    """

    patterns: tuple[str, ...]
    negated: bool
    _static: re.Pattern[str] | None = field(compare=False, repr=False)
    _dynamic: tuple[tuple[Piece, ...], ...] = field(compare=False, repr=False)
    _keys: tuple[str, ...] = field(compare=False, repr=False)
    # All the patterns with variables, loosened (see ``_loose``); None if none.
    _loose: re.Pattern[str] | None = field(compare=False, repr=False)
    _memo: dict[str | tuple[str | None, ...], bool] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

    @classmethod
    def build(
        cls, patterns: tuple[str, ...], *, negated: bool, variables: bool
    ) -> ResourceMatcher:
        static: list[str] = []
        dynamic: list[tuple[Piece, ...]] = []
        for pattern in patterns:
            pieces = split_variables(pattern) if variables else None
            if pieces is None:
                static.append(pattern)
            else:
                dynamic.append(pieces)
        keys = tuple(
            sorted({p.key for pieces in dynamic for p in pieces if isinstance(p, Var)})
        )
        static_regex = _combined(static, arn=True)
        loose = (
            re.compile("|".join(f"(?:{_loose(p)})" for p in dynamic), re.DOTALL)
            if dynamic
            else None
        )
        return cls(patterns, negated, static_regex, tuple(dynamic), keys, loose)

    @property
    def uses_variables(self) -> bool:
        return bool(self._dynamic)

    def applies(self, resource: str, lookup: Lookup) -> bool:
        """Whether the element covers ``resource``; ``lookup`` feeds variables."""
        memo_key: str | tuple[str | None, ...] = resource
        if self._keys:
            memo_key = (resource, *[lookup(key) for key in self._keys])
        found = self._memo.get(memo_key)
        if found is None:
            found = self._hit(resource, lookup) != self.negated
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[memo_key] = found
        return found

    def settled(self, resource: str) -> bool | None:
        """Whether the element covers ``resource`` whatever the variables say,
        or None when the answer depends on their values."""
        if not self._dynamic:
            return self.applies(resource, _no_lookup)
        if self._static is not None and self._static.fullmatch(resource) is not None:
            return not self.negated
        if self._loose is not None and self._loose.fullmatch(resource) is None:
            # No value of the variables can make a pattern match.
            return self.negated
        return None

    def _hit(self, resource: str, lookup: Lookup) -> bool:
        if self._static is not None and self._static.fullmatch(resource) is not None:
            return True
        for pieces in self._dynamic:
            parts = resolve(pieces, lookup)
            # An unresolvable variable makes this one pattern match nothing.
            if parts is None:
                continue
            arn = parts[0][0].startswith("arn:")
            if pattern_regex(parts, arn=arn).fullmatch(resource) is not None:
                return True
        return False


def _no_lookup(key: str) -> str | None:
    """The lookup of an element without variables: never called with a key."""
    return None
