"""CloudWatch Logs filter patterns for JSON events: parse once, match records.

A metric filter is judged by what it matches, not by its text: the
monitoring rules run each filter of the snapshot against sample CloudTrail
records. This module is the matcher::

    pattern = compile_pattern('{ ($.eventName = CreateAccessKey) && '
                              '($.userIdentity.type != "Root") }')
    pattern.matches(record)  # record: a parsed CloudTrail event (a dict)

Syntax handled (CloudWatch Logs User Guide, "Filter pattern syntax for
metric filters", JSON log events): ``{ EXPR }`` where EXPR combines
comparisons with ``&&``, ``||`` and parentheses (``&&`` binds tighter).
A comparison is ``SELECTOR OP VALUE`` with ``=`` or ``!=`` on strings
(``*`` is a wildcard, in quoted and bare values alike; ``%regex%`` is a
regular expression) and ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=`` on
numbers; or ``SELECTOR IS NULL``, ``SELECTOR NOT EXISTS``,
``SELECTOR EXISTS``, ``SELECTOR IS TRUE``, ``SELECTOR IS FALSE``.
Selectors are ``$.a.b`` with array indexes ``$.a[0].b``.

Assumptions: string comparisons are case-sensitive; a comparison on a field
the record lacks (or holds as an object or array) is false, for ``!=`` too
(``NOT EXISTS`` is how a pattern asks for absence); a bare numeric value
compares numerically with a number field and textually with a string field;
a ``%regex%`` matches anywhere in the value.

Limits: space-delimited (``[ip, user, ...]``) and plain-term patterns are not
handled: :func:`compile_pattern` raises :class:`PatternError` for them, and
callers must treat such a filter as "could not evaluate", never as a match
or a miss. ``[*]`` array wildcards in selectors are not handled either.
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chaincut.errors import InputError

log = logging.getLogger(__name__)


class PatternError(InputError):
    """A filter pattern chaincut cannot read; ``pattern`` is the text."""

    def __init__(self, pattern: str, message: str) -> None:
        super().__init__(f"filter pattern {pattern!r}: {message}")
        self.pattern = pattern


class _Missing:
    """The value of a selector the record does not hold."""


_MISSING = _Missing()

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<paren>[()])
      | (?P<logic>&&|\|\|)
      | (?P<op>!=|<=|>=|=|<|>)
      | (?P<quoted>"(?:[^"\\]|\\.)*")
      | (?P<regex>%(?:[^%\\]|\\.)+%)
      | (?P<word>(?:[^\s()"&|=!<>]|&(?!&)|\|(?!\|))+)
    )""",
    re.VERBOSE,
)
_SELECTOR = re.compile(r"^\$((?:\.[A-Za-z0-9_@:\-]+|\[\d+\])+)$")
_SELECTOR_PART = re.compile(r"\.([A-Za-z0-9_@:\-]+)|\[(\d+)\]")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$")


class _Kind(enum.Enum):
    PAREN = "paren"
    LOGIC = "logic"
    OP = "op"
    QUOTED = "quoted"
    REGEX = "regex"
    WORD = "word"


@dataclass(frozen=True)
class _Token:
    kind: _Kind
    text: str


@dataclass(frozen=True)
class Comparison:
    """``SELECTOR OP VALUE`` (or a unary test: OP is ``IS NULL`` and so on)."""

    path: tuple[str | int, ...]
    op: str
    value: str | float | None = None
    regex: re.Pattern[str] | None = None

    def matches(self, record: Mapping[str, Any]) -> bool:
        found = _resolve(record, self.path)
        op = self.op
        if op == "NOT EXISTS":
            return found is _MISSING
        if op == "EXISTS":
            return found is not _MISSING
        if op == "IS NULL":
            return found is None
        if op == "IS TRUE":
            return found is True
        if op == "IS FALSE":
            return found is False
        if found is _MISSING or found is None or isinstance(found, dict | list):
            return False
        if isinstance(self.value, float):
            return _compare_number(found, op, self.value)
        if op not in ("=", "!="):
            return False
        equal = self._equal(found)
        return equal if op == "=" else not equal

    def _equal(self, found: Any) -> bool:
        text = _text(found)
        if self.regex is not None:
            return self.regex.search(text) is not None
        return _wildcard(str(self.value)).fullmatch(text) is not None


@dataclass(frozen=True)
class Junction:
    """``&&`` (all) or ``||`` (any) of its parts."""

    all_of: bool
    parts: tuple[Comparison | Junction, ...]

    def matches(self, record: Mapping[str, Any]) -> bool:
        results = (part.matches(record) for part in self.parts)
        return all(results) if self.all_of else any(results)


@dataclass(frozen=True)
class FilterPattern:
    """A compiled JSON filter pattern."""

    text: str
    root: Comparison | Junction

    def matches(self, record: Mapping[str, Any]) -> bool:
        return self.root.matches(record)


def compile_pattern(text: str) -> FilterPattern:
    """Parse a JSON filter pattern; raise :class:`PatternError` otherwise."""
    body = text.strip()
    if not (body.startswith("{") and body.endswith("}")):
        raise PatternError(text, "only JSON patterns ('{ ... }') are understood")
    tokens = _tokens(text, body[1:-1])
    parser = _Parser(text, tokens)
    root = parser.expression()
    if parser.position != len(tokens):
        raise PatternError(text, f"unexpected {tokens[parser.position].text!r}")
    return FilterPattern(text, root)


def _tokens(text: str, body: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(body):
        if body[position:].strip() == "":
            break
        match = _TOKEN.match(body, position)
        if match is None or match.end() == position:
            raise PatternError(text, f"cannot read from {body[position:].strip()!r}")
        kind = _Kind(match.lastgroup or "")
        tokens.append(_Token(kind, match.group(kind.value)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.position = 0

    def _peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self) -> _Token:
        token = self._peek()
        if token is None:
            raise PatternError(self.text, "ends too early")
        self.position += 1
        return token

    def expression(self) -> Comparison | Junction:
        parts = [self._conjunction()]
        while (token := self._peek()) is not None and token.text == "||":
            self.position += 1
            parts.append(self._conjunction())
        return parts[0] if len(parts) == 1 else Junction(False, tuple(parts))

    def _conjunction(self) -> Comparison | Junction:
        parts = [self._unary()]
        while (token := self._peek()) is not None and token.text == "&&":
            self.position += 1
            parts.append(self._unary())
        return parts[0] if len(parts) == 1 else Junction(True, tuple(parts))

    def _unary(self) -> Comparison | Junction:
        token = self._take()
        if token.text == "(":
            inner = self.expression()
            if self._take().text != ")":
                raise PatternError(self.text, "a '(' is not closed")
            return inner
        if token.kind is not _Kind.WORD:
            raise PatternError(self.text, f"expected a selector, got {token.text!r}")
        return self._comparison(_path(self.text, token.text))

    def _comparison(self, path: tuple[str | int, ...]) -> Comparison:
        token = self._take()
        if token.kind is _Kind.WORD:
            return Comparison(path, self._unary_test(token.text.upper()))
        if token.kind is not _Kind.OP:
            raise PatternError(self.text, f"expected an operator, got {token.text!r}")
        value = self._take()
        if value.kind is _Kind.REGEX:
            if token.text not in ("=", "!="):
                raise PatternError(self.text, "a %regex% needs = or !=")
            return Comparison(path, token.text, regex=re.compile(value.text[1:-1]))
        if value.kind is _Kind.QUOTED:
            return Comparison(path, token.text, _unquote(value.text))
        if value.kind is not _Kind.WORD:
            raise PatternError(self.text, f"expected a value, got {value.text!r}")
        if _NUMBER.match(value.text):
            return Comparison(path, token.text, float(value.text))
        if token.text not in ("=", "!="):
            raise PatternError(self.text, f"{token.text} needs a number")
        return Comparison(path, token.text, value.text)

    def _unary_test(self, word: str) -> str:
        if word == "EXISTS":
            return "EXISTS"
        second = self._take().text.upper()
        test = f"{word} {second}"
        if test not in ("IS NULL", "NOT EXISTS", "IS TRUE", "IS FALSE"):
            raise PatternError(self.text, f"unknown test {test!r}")
        return test


def _path(text: str, selector: str) -> tuple[str | int, ...]:
    match = _SELECTOR.match(selector)
    if match is None:
        raise PatternError(text, f"{selector!r} is not a selector such as $.eventName")
    return tuple(
        name if name else int(index)
        for name, index in _SELECTOR_PART.findall(match.group(1))
    )


def _unquote(quoted: str) -> str:
    return re.sub(r"\\(.)", r"\1", quoted[1:-1])


def _resolve(record: Any, path: tuple[str | int, ...]) -> Any:
    current = record
    for part in path:
        if isinstance(part, int):
            if not isinstance(current, list) or part >= len(current):
                return _MISSING
            current = current[part]
        elif isinstance(current, dict) and part in current:
            current = current[part]
        else:
            return _MISSING
    return current


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _compare_number(found: Any, op: str, wanted: float) -> bool:
    if isinstance(found, bool):
        return False
    if isinstance(found, str):
        # A bare number against a string field compares as text.
        equal = found == _text(wanted)
        return {"=": equal, "!=": not equal}.get(op, False)
    if not isinstance(found, int | float):
        return False
    return {
        "=": found == wanted,
        "!=": found != wanted,
        "<": found < wanted,
        "<=": found <= wanted,
        ">": found > wanted,
        ">=": found >= wanted,
    }[op]


_WILDCARDS: dict[str, re.Pattern[str]] = {}


def _wildcard(value: str) -> re.Pattern[str]:
    found = _WILDCARDS.get(value)
    if found is None:
        found = re.compile(".*".join(re.escape(part) for part in value.split("*")))
        _WILDCARDS[value] = found
    return found


__all__ = ["Comparison", "FilterPattern", "Junction", "PatternError", "compile_pattern"]
