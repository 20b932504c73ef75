"""Policy documents, as JSON text or dicts, into typed, compiled ``Policy`` values.

Parsing is strict about structure, because a misspelt element (``Resources``)
silently widening or narrowing a policy is worse than an error: a malformed
document raises one ``PolicyError`` naming the policy, the statement (Sid or
index) and what is wrong. Operators and operator values are the exception:
they fail closed at evaluation instead (see ``_conditions``).

Assumptions: ``Version`` is ``2012-10-17``, ``2008-10-17`` or absent; only the
first enables policy variables. Statements of identity, boundary and session
policies need ``Resource`` or ``NotResource``; resource policies need
``Principal`` or ``NotPrincipal``; an absent ``Resource`` elsewhere (trust
policies, SCPs) covers every resource.

Limits: no check of action names against the catalog here (see
``chaincut.policy.catalog.unknown_actions``), nor of policy size limits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chaincut.errors import PolicyError
from chaincut.policy._conditions import Condition, parse_condition
from chaincut.policy._match import ActionMatcher, ResourceMatcher
from chaincut.policy._model import Effect, Policy, PolicyKind, Statement
from chaincut.policy._principals import PrincipalSet

_VERSIONS = ("2012-10-17", "2008-10-17")
_ELEMENTS = frozenset(
    {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
    }
)
_PRINCIPAL_TYPES = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
_NEEDS_RESOURCE = frozenset(
    {PolicyKind.IDENTITY, PolicyKind.BOUNDARY, PolicyKind.SESSION}
)


def parse_policy(
    document: str | Mapping[str, Any],
    *,
    name: str = "policy",
    kind: PolicyKind = PolicyKind.IDENTITY,
) -> Policy:
    """Parse one policy document; raise ``PolicyError`` if it is malformed."""
    body = _load(document, name)
    unknown = sorted(set(body) - {"Version", "Id", "Statement"})
    if unknown:
        raise PolicyError(
            f"unknown top-level element {unknown[0]!r}; "
            "a policy has Version, Id and Statement",
            policy=name,
        )
    version = body.get("Version")
    if version is not None and version not in _VERSIONS:
        raise PolicyError(
            f"Version {version!r} is not one AWS knows; use '2012-10-17'", policy=name
        )
    raw = body.get("Statement")
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list) or not raw:
        raise PolicyError(
            f"Statement must be an object or a non-empty list, not {raw!r}",
            policy=name,
        )
    variables = version == "2012-10-17"
    statements = tuple(
        _statement(item, index, name, kind, variables) for index, item in enumerate(raw)
    )
    return Policy(name, version, statements)


def _load(document: str | Mapping[str, Any], name: str) -> Mapping[str, Any]:
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as error:
            raise PolicyError(
                f"not valid JSON ({error.msg} at line {error.lineno}); "
                "give a policy document",
                policy=name,
            ) from error
    if not isinstance(document, Mapping):
        raise PolicyError(
            f"a policy document is a JSON object, not {type(document).__name__}",
            policy=name,
        )
    return document


def _statement(
    item: object, index: int, name: str, kind: PolicyKind, variables: bool
) -> Statement:
    where = {"policy": name, "statement": str(index)}
    if not isinstance(item, Mapping):
        raise PolicyError(f"a statement is an object, not {item!r}", **where)
    sid = item.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(f"Sid must be a string, not {sid!r}", **where)
    if sid:
        where["statement"] = sid
    unknown = sorted(set(item) - _ELEMENTS)
    if unknown:
        raise PolicyError(
            f"unknown element {unknown[0]!r}; check its spelling", **where
        )
    effect = item.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f"Effect must be 'Allow' or 'Deny', not {effect!r}", **where)

    actions = _actions(item, where)
    resources = _resources(item, kind, variables, where)
    principals = _principals(item, kind, where)
    conditions = _conditions(item.get("Condition"), variables, where)
    unconditional = not conditions and (
        resources is None or (not resources.negated and "*" in resources.patterns)
    )
    return Statement(
        index,
        sid,
        Effect(effect),
        actions,
        resources,
        principals,
        conditions,
        unconditional,
    )


def _pair(item: Mapping[str, Any], element: str, where: dict[str, str]) -> str | None:
    """Which of ``element`` / ``Not<element>`` is present; both is an error."""
    present = [key for key in (element, f"Not{element}") if key in item]
    if len(present) == 2:
        raise PolicyError(f"give {element} or Not{element}, not both", **where)
    return present[0] if present else None


def _strings(value: object, element: str, where: dict[str, str]) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise PolicyError(
            f"{element} must be a string or a non-empty list of strings, not {value!r}",
            **where,
        )
    for entry in items:
        if not isinstance(entry, str):
            raise PolicyError(f"{element} holds {entry!r}; use strings", **where)
    return tuple(items)


def _actions(item: Mapping[str, Any], where: dict[str, str]) -> ActionMatcher:
    element = _pair(item, "Action", where)
    if element is None:
        raise PolicyError("a statement needs Action or NotAction", **where)
    patterns = _strings(item[element], element, where)
    for pattern in patterns:
        if pattern != "*" and ":" not in pattern:
            raise PolicyError(
                f"{element} {pattern!r} is not 'service:Action' or '*'", **where
            )
    return ActionMatcher.build(patterns, negated=element == "NotAction")


def _resources(
    item: Mapping[str, Any], kind: PolicyKind, variables: bool, where: dict[str, str]
) -> ResourceMatcher | None:
    element = _pair(item, "Resource", where)
    if element is None:
        if kind in _NEEDS_RESOURCE:
            raise PolicyError(
                f"a statement of a {kind.value} policy needs Resource or NotResource",
                **where,
            )
        return None
    patterns = _strings(item[element], element, where)
    return ResourceMatcher.build(
        patterns, negated=element == "NotResource", variables=variables
    )


def _principals(
    item: Mapping[str, Any], kind: PolicyKind, where: dict[str, str]
) -> PrincipalSet | None:
    element = _pair(item, "Principal", where)
    if element is None:
        if kind is PolicyKind.RESOURCE:
            raise PolicyError(
                "a statement of a resource policy needs Principal or NotPrincipal",
                **where,
            )
        return None
    if kind is not PolicyKind.RESOURCE:
        raise PolicyError(
            f"{element} belongs in resource policies, not a {kind.value} policy",
            **where,
        )
    value = item[element]
    negated = element == "NotPrincipal"
    if value == "*":
        return PrincipalSet.build({"*": ()}, negated=negated)
    if not isinstance(value, Mapping) or not value:
        raise PolicyError(
            f"{element} must be '*' or an object such as {{'AWS': ...}}, not {value!r}",
            **where,
        )
    entries: dict[str, tuple[str, ...]] = {}
    for principal_type, names in value.items():
        if principal_type not in _PRINCIPAL_TYPES:
            raise PolicyError(
                f"{element} type {principal_type!r} is not one of "
                f"{', '.join(sorted(_PRINCIPAL_TYPES))}",
                **where,
            )
        entries[principal_type] = _strings(names, f"{element}.{principal_type}", where)
    return PrincipalSet.build(entries, negated=negated)


def _conditions(
    block: object, variables: bool, where: dict[str, str]
) -> tuple[Condition, ...]:
    if block is None:
        return ()
    if not isinstance(block, Mapping):
        raise PolicyError(f"Condition must be an object, not {block!r}", **where)
    out: list[Condition] = []
    for operator_name, tests in block.items():
        if not isinstance(tests, Mapping) or not tests:
            raise PolicyError(
                f"Condition operator {operator_name!r} needs an object of "
                f"key: value(s), not {tests!r}",
                **where,
            )
        for key, raw in tests.items():
            values = _condition_values(raw, f"{operator_name}.{key}", where)
            out.append(parse_condition(operator_name, key, values, variables=variables))
    return tuple(out)


def _condition_values(
    raw: object, element: str, where: dict[str, str]
) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise PolicyError(f"Condition {element} has an empty list of values", **where)
    out: list[str] = []
    for value in items:
        # JSON booleans and numbers are written as AWS reads them: as text.
        if isinstance(value, bool):
            out.append("true" if value else "false")
        elif isinstance(value, int | float | str):
            out.append(str(value))
        else:
            raise PolicyError(
                f"Condition {element} holds {value!r}; use strings, numbers "
                "or booleans",
                **where,
            )
    return tuple(out)
