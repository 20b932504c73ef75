"""Narrowing: the resources an identity Allow could cover, before the engine asks.

For a resource without a resource policy, the identity policies must allow,
so a resource that no Allow statement for the action covers is not asked
about at all. Narrowing only drops resources; the engine still decides every
one it keeps, so it can make a build faster but never change an edge.

Two refinements keep it from touching every resource for every principal:

- An Allow whose conditions fail for the principal whatever the resource
  (``aws:MultiFactorAuthPresent`` under the graph's context, a corporate
  ``aws:SourceIp``) covers nothing and is left out. Conditions are read with
  the values the engine would give the request (``PrincipalView``); a key
  whose value depends on the resource (``aws:RequestedRegion``) or on a part
  of the principal this module does not derive keeps the statement.
- A pattern that is literal once the principal's own variables are put in
  (``user/${aws:username}``, a list of role ARNs) is looked up in an index of
  the resources instead of being matched against each one: matching is
  case-sensitive and a pattern without wildcards matches only itself.

Limits: a variable with a default (``${aws:username, 'x'}``) or an escape
(``${*}``) makes its pattern be matched resource by resource, as does any
wildcard; ``NotResource`` keeps every resource.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from chaincut.access import Principal
from chaincut.policy import ContextValue, Effect, Policy, Statement

# Condition keys the engine derives from the principal (and its tags): the
# view knows aws:username and aws:userid; any other is unknown to it.
PRINCIPAL_KEYS = ("aws:principal", "aws:username", "aws:userid")
# Keys whose value the graph sets from the resource of each request.
_RESOURCE_KEYS = frozenset({"aws:requestedregion"})
_TAG = "aws:principaltag/"
_VARIABLE = re.compile(r"\$\{([A-Za-z0-9:/._-]+)\}")


class UnknownKeyError(Exception):
    """A key whose value narrowing cannot know as the engine would."""


def _strings(value: ContextValue) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else (value,)
    return tuple(
        ("true" if item else "false") if isinstance(item, bool) else str(item)
        for item in items
    )


class PrincipalView:
    """The values the engine gives one principal's requests, resource aside.

    ``given`` is the request context the graph sets (its ``AttackContext``
    keys without the region, every principal tag, extra keys of the
    question); given keys win over derived ones, as in the engine.
    """

    def __init__(self, principal: Principal, given: Mapping[str, ContextValue]):
        self.given = {key.lower(): _strings(value) for key, value in given.items()}
        self.derived: dict[str, str | None] = {
            "aws:userid": principal.principal_id or None,
            "aws:username": None,
        }
        resource = principal.arn.split(":", 5)[-1]
        if resource.startswith("user/"):
            self.derived["aws:username"] = resource.rsplit("/", 1)[-1]

    def values(self, key: str) -> tuple[str, ...] | None:
        """A (lowercased) key's values; raises ``UnknownKeyError`` when unsure."""
        if key in _RESOURCE_KEYS:
            raise UnknownKeyError(key)
        found = self.given.get(key)
        if found is not None:
            return found
        if key in self.derived:
            value = self.derived[key]
            return None if value is None else (value,)
        if key.startswith(_TAG):
            return None  # every tag of the principal is given
        if key.startswith(PRINCIPAL_KEYS):
            raise UnknownKeyError(key)
        return None

    def lookup(self, key: str) -> str | None:
        found = self.values(key)
        return found[0] if found is not None and len(found) == 1 else None


def never_holds(statement: Statement, view: PrincipalView) -> bool:
    """Whether a condition of ``statement`` fails for every resource."""
    for condition in statement.conditions:
        if condition.broken:
            continue
        try:
            if not condition.holds(view.values, view.lookup):
                return True
        except UnknownKeyError:
            continue
    return False


def literal(pattern: str, view: PrincipalView, variables: bool) -> list[str] | None:
    """The resources ``pattern`` matches when it matches at most one (an empty
    list when a variable has no value, as the engine then matches nothing),
    or None if it may match several or cannot be resolved here."""
    text = pattern
    if variables and "${" in pattern:
        try:
            text = _VARIABLE.sub(lambda m: _value(view, m.group(1)), pattern)
        except _NoValueError:
            return []
        except UnknownKeyError:
            return None
        if "${" in text:
            return None
    if "*" in text or "?" in text:
        return None
    return [text]


class _NoValueError(Exception):
    """A variable with no value and no default: its pattern matches nothing."""


def _value(view: PrincipalView, key: str) -> str:
    found = view.lookup(key.lower())
    if found is None:
        raise _NoValueError(key)
    if "*" in found or "?" in found or "$" in found:
        # Literal in the engine (a variable's value is never a wildcard), but
        # not recognisable as such once substituted: match it the slow way.
        raise UnknownKeyError(key)
    return found


def narrow(
    identity: Sequence[Policy],
    action: str,
    resources: Sequence[str],
    positions: Mapping[str, int],
    view: PrincipalView,
) -> list[str]:
    """The ``resources`` (in their order) some live identity Allow could cover.

    ``positions`` maps each resource to its index in ``resources``.
    """
    lowered = action.lower()
    literals: set[str] = set()
    scanned = []
    for policy in identity:
        for statement in policy.statements_for(lowered):
            if statement.effect is not Effect.ALLOW:
                continue
            if statement.conditions and never_holds(statement, view):
                continue
            matcher = statement.resources
            if matcher is None or matcher.negated:
                return list(resources)
            found = [
                literal(p, view, policy.variables_enabled) for p in matcher.patterns
            ]
            if any(names is None for names in found):
                scanned.append(matcher)
            else:
                literals.update(n for names in found if names for n in names)
    if not scanned:
        hits = [r for r in literals if r in positions]
        return sorted(hits, key=positions.__getitem__)
    try:
        return [
            resource
            for resource in resources
            if resource in literals
            or any(m.applies(resource, view.lookup) for m in scanned)
        ]
    except UnknownKeyError:
        return list(resources)
