"""Simulation cases: the JSON form ``chaincut policy eval`` reads, and its answers.

A case is an object::

    {"request": {"principal": ARN, "action": "svc:Action", "resource": ARN,
                 "resource_account": "111122223333", "principal_id": "AIDA...",
                 "context": {"aws:SourceIp": "203.0.113.5", ...}},
     "identity_policies": [DOC, ...], "resource_policy": DOC or null,
     "permission_boundaries": [DOC, ...], "session_policy": DOC or null,
     "scp_levels": [[DOC, ...], ...]}

Every key but ``request`` may be left out (``scp_levels`` absent: no
organization). A DOC is a policy object or its JSON text. Policies are named
by where they sit in the case (``identity_policies[1]``, ``scp_levels[0][2]``)
so reasons and errors point back into the input.

A batch (a JSON array) answers with an array in the same order; a malformed
case answers ``{"error": ..., "policy": ..., "statement": ...}`` in its place
and the others are still evaluated.

Limits: only the keys above are read; anything else in a case is an error,
so a misspelt key is not silently ignored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from chaincut.errors import InputError, PolicyError
from chaincut.policy._evaluate import evaluate
from chaincut.policy._model import ContextValue, Policy, PolicyKind, PolicySet, Request
from chaincut.policy._parse import parse_policy

logger = logging.getLogger(__name__)

_CASE_KEYS = frozenset(
    {
        "request",
        "identity_policies",
        "resource_policy",
        "permission_boundaries",
        "session_policy",
        "scp_levels",
    }
)
_REQUEST_KEYS = frozenset(
    {"principal", "action", "resource", "resource_account", "context", "principal_id"}
)


def load_cases(text: str, *, source: str = "input") -> Any:
    """Read JSON text holding one case or an array; ``InputError`` if not JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{source}: not valid JSON ({error.msg} at line {error.lineno}); "
            "give one case object or an array of cases"
        ) from error


def parse_case(case: object) -> tuple[Request, PolicySet]:
    """The request and policies of one case; ``InputError`` if malformed."""
    if not isinstance(case, Mapping):
        raise InputError(f"a case is a JSON object, not {_preview(case)}")
    unknown = sorted(set(case) - _CASE_KEYS)
    if unknown:
        known = ", ".join(sorted(_CASE_KEYS))
        raise InputError(f"unknown case key {unknown[0]!r}; a case has {known}")
    request = parse_request(case.get("request"))
    scp_levels = case.get("scp_levels")
    policies = PolicySet(
        identity=_documents(case, "identity_policies", PolicyKind.IDENTITY),
        resource=_optional(case, "resource_policy", PolicyKind.RESOURCE),
        boundaries=_documents(case, "permission_boundaries", PolicyKind.BOUNDARY),
        session=_optional(case, "session_policy", PolicyKind.SESSION),
        scp_levels=None if scp_levels is None else _levels(scp_levels),
    )
    return request, policies


def parse_request(raw: object) -> Request:
    """A ``Request`` from the ``request`` object of a case."""
    if not isinstance(raw, Mapping):
        raise InputError(f"a case needs a 'request' object, not {_preview(raw)}")
    unknown = sorted(set(raw) - _REQUEST_KEYS)
    if unknown:
        raise InputError(f"unknown request key {unknown[0]!r}")
    fields: dict[str, str] = {}
    for key in ("principal", "action", "resource", "resource_account", "principal_id"):
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value:
            raise InputError(f"request {key} must be a non-empty string, not {value!r}")
        fields[key] = value
    for key in ("principal", "action"):
        if key not in fields:
            raise InputError(f"request needs {key!r}: give it as a string")
    return Request(context=_context(raw.get("context")), **fields)


def _context(raw: object) -> dict[str, ContextValue]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InputError(f"request context must be an object, not {_preview(raw)}")
    out: dict[str, ContextValue] = {}
    for key, value in raw.items():
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str | bool | int | float) for item in items):
            raise InputError(
                f"context key {key!r} holds {_preview(value)}; use strings, numbers, "
                "booleans or a list of them"
            )
        out[key] = list(items) if isinstance(value, list) else value
    return out


def _document(raw: object, name: str, kind: PolicyKind) -> Policy:
    if not isinstance(raw, str | Mapping):
        raise PolicyError(
            f"a policy is an object or its JSON text, not {_preview(raw)}", policy=name
        )
    return parse_policy(raw, name=name, kind=kind)


def _documents(
    case: Mapping[str, Any], key: str, kind: PolicyKind
) -> tuple[Policy, ...]:
    raw = case.get(key)
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError(f"{key} must be a list of policies, not {_preview(raw)}")
    return tuple(_document(item, f"{key}[{i}]", kind) for i, item in enumerate(raw))


def _optional(case: Mapping[str, Any], key: str, kind: PolicyKind) -> Policy | None:
    raw = case.get(key)
    return None if raw is None else _document(raw, key, kind)


def _levels(raw: object) -> tuple[tuple[Policy, ...], ...]:
    if not isinstance(raw, list) or not all(isinstance(level, list) for level in raw):
        raise InputError(
            f"scp_levels must be a list of lists of policies, not {_preview(raw)}"
        )
    return tuple(
        tuple(
            _document(item, f"scp_levels[{level}][{i}]", PolicyKind.SCP)
            for i, item in enumerate(scps)
        )
        for level, scps in enumerate(raw)
    )


def run_case(case: object) -> dict[str, object]:
    """Evaluate one case; a malformed case answers with an error entry."""
    try:
        request, policies = parse_case(case)
    except InputError as error:
        logger.warning("case skipped: %s", error)
        entry: dict[str, object] = {"error": str(error)}
        if isinstance(error, PolicyError):
            entry["policy"] = error.policy
            if error.statement is not None:
                entry["statement"] = error.statement
        return entry
    return evaluate(request, policies).to_dict()


def run_cases(data: object) -> dict[str, object] | list[dict[str, object]]:
    """Evaluate one case, or each case of an array, in order."""
    if isinstance(data, list):
        return [run_case(case) for case in data]
    return run_case(data)


def _preview(value: object) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
