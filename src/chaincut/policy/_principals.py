"""Who is calling, and whether a resource policy's ``Principal`` names them.

A request's principal string is parsed once (and cached) into a ``Caller``:
an IAM user, a role (asked about directly, as the attack graph does), a role
session ``arn:aws:sts::ACCT:assumed-role/ROLE/SESSION``, a federated user, an
account root, or a service principal such as ``cloudtrail.amazonaws.com``.

How a resource policy names a caller matters to the decision (see
``_evaluate``), so ``PrincipalSet.grant`` answers with a ``Grant``:

- ``DIRECT``: ``*``, the caller's own ARN (user, session, federated user),
  its service name or its federated provider;
- ``ROLE``: the role ARN of a role session (matched by account and role name,
  since a session ARN does not carry the role's path);
- ``ACCOUNT``: the caller's account, as ``ACCT`` or ``arn:aws:iam::ACCT:root``.

Limits: ``CanonicalUser`` principals are parsed but never match; principal
ARNs are compared as written, without the unique-ID rewriting AWS applies
when a named principal is deleted and recreated.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_SERVICE = re.compile(r"^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$", re.IGNORECASE)


class CallerKind(enum.Enum):
    USER = "User"
    ROLE = "Role"
    ROLE_SESSION = "AssumedRole"
    FEDERATED_USER = "FederatedUser"
    ROOT = "Account"
    SERVICE = "Service"
    OTHER = "Other"


class Grant(enum.IntEnum):
    """How a resource policy names the caller; lower is stronger."""

    DIRECT = 0
    ROLE = 1
    ACCOUNT = 2


@dataclass(frozen=True, slots=True)
class Caller:
    """A parsed request principal."""

    arn: str
    kind: CallerKind
    account: str | None
    name: str | None = None
    role_arn: str | None = None

    @property
    def principal_type(self) -> str | None:
        """The value of ``aws:PrincipalType`` for this caller."""
        if self.kind is CallerKind.ROLE:
            return CallerKind.ROLE_SESSION.value
        if self.kind in (CallerKind.SERVICE, CallerKind.OTHER):
            return None
        return str(self.kind.value)


@functools.lru_cache(maxsize=16384)
def parse_caller(principal: str) -> Caller:
    """Parse a request principal; anything unrecognised is ``OTHER``."""
    if _SERVICE.match(principal):
        return Caller(principal, CallerKind.SERVICE, None, principal.lower())
    parts = principal.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return Caller(principal, CallerKind.OTHER, None)
    service, account, resource = parts[2], parts[4], parts[5]
    if service == "iam" and resource == "root":
        return Caller(principal, CallerKind.ROOT, account)
    if service == "iam" and resource.startswith("user/"):
        name = resource.rsplit("/", 1)[-1]
        return Caller(principal, CallerKind.USER, account, name)
    if service == "iam" and resource.startswith("role/"):
        name = resource.rsplit("/", 1)[-1]
        return Caller(principal, CallerKind.ROLE, account, name, principal)
    if service == "sts" and resource.startswith("assumed-role/"):
        segments = resource.split("/")
        if len(segments) >= 3:
            role = segments[1]
            role_arn = f"arn:{parts[1]}:iam::{account}:role/{role}"
            return Caller(principal, CallerKind.ROLE_SESSION, account, role, role_arn)
    if service == "sts" and resource.startswith("federated-user/"):
        name = resource.split("/", 1)[1]
        return Caller(principal, CallerKind.FEDERATED_USER, account, name)
    return Caller(principal, CallerKind.OTHER, account or None)


def account_of_arn(arn: str) -> str | None:
    """The account segment of an ARN, or None (S3 buckets have none)."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[4]:
        return parts[4]
    return None


@dataclass(frozen=True, slots=True)
class PrincipalSet:
    """The parsed ``Principal`` or ``NotPrincipal`` of one statement."""

    negated: bool
    everyone: bool = False
    accounts: frozenset[str] = frozenset()
    arns: frozenset[str] = frozenset()
    roles: frozenset[tuple[str, str]] = frozenset()
    services: frozenset[str] = frozenset()
    federated: frozenset[str] = frozenset()
    canonical: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls, entries: dict[str, tuple[str, ...]], *, negated: bool
    ) -> PrincipalSet:
        """From ``{"AWS": (...), "Service": (...), ...}``; ``"*"`` is ``{"*": ()}``."""
        everyone = "*" in entries
        accounts: set[str] = set()
        arns: set[str] = set()
        roles: set[tuple[str, str]] = set()
        for value in entries.get("AWS", ()):
            if value == "*":
                everyone = True
            elif _ACCOUNT_ID.match(value):
                accounts.add(value)
            elif (account := _root_account(value)) is not None:
                accounts.add(account)
            elif (role := _role_key(value)) is not None:
                roles.add(role)
            else:
                arns.add(value)
        return cls(
            negated,
            everyone,
            frozenset(accounts),
            frozenset(arns),
            frozenset(roles),
            frozenset(s.lower() for s in entries.get("Service", ())),
            frozenset(entries.get("Federated", ())),
            frozenset(entries.get("CanonicalUser", ())),
        )

    def grant(self, caller: Caller) -> Grant | None:
        """How this element names ``caller``; for ``NotPrincipal``, DIRECT or None."""
        found = self._named(caller)
        if not self.negated:
            return found
        # NotPrincipal: everyone not named is covered, and directly.
        return Grant.DIRECT if found is None else None

    def _named(self, caller: Caller) -> Grant | None:
        if self.everyone:
            return Grant.DIRECT
        if caller.kind is CallerKind.SERVICE:
            return Grant.DIRECT if caller.name in self.services else None
        if caller.arn in self.arns or caller.arn in self.federated:
            return Grant.DIRECT
        if caller.role_arn is not None and (caller.account, caller.name) in self.roles:
            return Grant.ROLE
        if caller.account is not None and caller.account in self.accounts:
            return Grant.ACCOUNT
        return None


def _root_account(value: str) -> str | None:
    parts = value.split(":", 5)
    if _is_iam_arn(parts) and parts[5] == "root" and _ACCOUNT_ID.match(parts[4]):
        return parts[4]
    return None


def _role_key(value: str) -> tuple[str, str] | None:
    parts = value.split(":", 5)
    if _is_iam_arn(parts) and parts[5].startswith("role/"):
        return parts[4], parts[5].rsplit("/", 1)[-1]
    return None


def _is_iam_arn(parts: list[str]) -> bool:
    return len(parts) == 6 and parts[0] == "arn" and parts[2] == "iam"
