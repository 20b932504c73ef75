"""Policy variables: ``${aws:username}``, defaults, and the escape variables.

A string from a policy is split once, at parse time, into pieces: pattern text
(whose ``*`` and ``?`` stay wildcards), literal text (what ``${*}``, ``${?}``
and ``${$}`` stand for) and variables. At evaluation the variables are looked
up in the request context; their values are literal, never wildcards, which is
how AWS keeps a user name from widening a resource pattern.

Assumptions: variables are only recognised under policy version 2012-10-17
(the caller decides; see ``Policy.variables_enabled``); a variable whose key
has no single value and no default resolves to nothing, and the comparison
that used it does not match.

Limits: a multi-valued context key used as a variable counts as having no
value (AWS does not define a substitution for it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Literal:
    """Text that matches itself only, even if it holds ``*`` or ``?``."""

    text: str


@dataclass(frozen=True, slots=True)
class Var:
    """A variable: its condition key (lowercased) and its default, if any."""

    key: str
    default: str | None


# A plain ``str`` piece is policy text whose wildcards are live.
Piece = str | Literal | Var
# A resolved part: the text and whether its wildcards are live.
Part = tuple[str, bool]
Lookup = Callable[[str], "str | None"]

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_INNER = re.compile(r"^\s*([^,\s']+)\s*(?:,\s*'([^']*)'\s*)?$")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


def split_variables(text: str) -> tuple[Piece, ...] | None:
    """Split ``text`` into pieces, or return None when it has no variable."""
    if "${" not in text:
        return None
    pieces: list[Piece] = []
    position = 0
    for found in _VARIABLE.finditer(text):
        if found.start() > position:
            pieces.append(text[position : found.start()])
        pieces.append(_piece(found.group(1), found.group(0)))
        position = found.end()
    if position < len(text):
        pieces.append(text[position:])
    return tuple(pieces)


def _piece(inner: str, whole: str) -> Piece:
    if inner in _ESCAPES:
        return Literal(_ESCAPES[inner])
    parsed = _INNER.match(inner)
    if parsed is None:
        # Not a variable AWS would recognise: it stays as written.
        return Literal(whole)
    return Var(parsed.group(1).lower(), parsed.group(2))


def resolve(pieces: tuple[Piece, ...], lookup: Lookup) -> tuple[Part, ...] | None:
    """The parts of ``pieces`` with variables replaced, or None if one has no value."""
    parts: list[Part] = []
    for piece in pieces:
        if isinstance(piece, str):
            parts.append((piece, True))
        elif isinstance(piece, Literal):
            parts.append((piece.text, False))
        else:
            value = lookup(piece.key)
            if value is None:
                value = piece.default
            if value is None:
                return None
            parts.append((value, False))
    return tuple(parts)


def join_parts(parts: tuple[Part, ...]) -> str:
    """The plain text of resolved parts, for operators without wildcards."""
    return "".join(text for text, _ in parts)
