"""The values of the attack graph: nodes, the calls an edge needs, edges, paths.

Everything is a frozen dataclass or an enum, and every piece of evidence is
structured (the action, the resource, the policy and statement that allow
it): text is rendered only by the command line. ``to_dict`` gives JSON-ready
mappings.

Node ids: a principal is its ARN; a credential holder is
``holder:<source>:<resource ARN>``; targets are ``admin``, ``secret:NAME``,
``bucket:NAME`` and ``parameter:NAME``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from chaincut.policy import Reason

ADMIN = "admin"


class NodeKind(enum.Enum):
    USER = "user"
    ROLE = "role"
    HOLDER = "holder"
    TARGET = "target"


class TargetKind(enum.Enum):
    ADMIN = "admin"
    SECRET = "secret"
    BUCKET = "bucket"
    PARAMETER = "parameter"


class FixKind(enum.Enum):
    """What a defender changes to remove an edge, cheapest first.

    ``cost`` is the weight the minimal cut uses: how disruptive the fix
    usually is to legitimate work, on a scale of 1 to 5.
    """

    # Delete the leaked value and deactivate the key: nothing legitimate
    # should depend on a credential left in plain configuration.
    REMOVE_LEAKED_CREDENTIAL = "remove_leaked_credential"
    # Deny creating keys or passwords for other users: rarely needed.
    DENY_CREDENTIAL_CREATION = "deny_credential_creation"
    # Deny changing IAM policies, versions, groups or trust.
    DENY_IAM_CHANGE = "deny_iam_change"
    # Scope iam:PassRole, or the service actions it is passed with.
    SCOPE_PASS_ROLE = "scope_pass_role"
    # Deny reading the configuration that holds a credential: breaks tooling.
    DENY_CONFIGURATION_READ = "deny_configuration_read"
    # Deny changing or running code on a workload: breaks deployments.
    DENY_WORKLOAD_CONTROL = "deny_workload_control"
    # Restrict who reads the data (resource policy or identity deny).
    RESTRICT_DATA_READ = "restrict_data_read"
    # Narrow a role's trust policy: the role's users must change.
    NARROW_ROLE_TRUST = "narrow_role_trust"
    # Not a fix: the principal is an administrator by definition.
    ADMINISTRATOR = "administrator"

    @property
    def cost(self) -> int:
        return _COSTS[self]


_COSTS = {
    FixKind.REMOVE_LEAKED_CREDENTIAL: 1,
    FixKind.DENY_CREDENTIAL_CREATION: 1,
    FixKind.DENY_IAM_CHANGE: 2,
    FixKind.SCOPE_PASS_ROLE: 3,
    FixKind.DENY_CONFIGURATION_READ: 3,
    FixKind.DENY_WORKLOAD_CONTROL: 4,
    FixKind.RESTRICT_DATA_READ: 4,
    FixKind.NARROW_ROLE_TRUST: 5,
    # Effectively infinite: the minimal cut never removes an admin's rights.
    FixKind.ADMINISTRATOR: 1_000_000,
}


@dataclass(frozen=True)
class Node:
    """A principal, a credential holder or a target."""

    id: str
    kind: NodeKind
    name: str
    arn: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "name": self.name,
            "arn": self.arn,
        }


@dataclass(frozen=True)
class AllowedBy:
    """One statement that allowed a call, in the layer that had to allow."""

    layer: str
    policy: str
    statement: str

    @classmethod
    def of(cls, reason: Reason) -> AllowedBy:
        return cls(reason.layer.value, reason.policy or "", reason.statement or "")

    def to_dict(self) -> dict[str, str]:
        return {"layer": self.layer, "policy": self.policy, "statement": self.statement}


@dataclass(frozen=True)
class Call:
    """One API call an attacker makes, and the statements that allow it."""

    action: str
    resource: str
    allowed_by: tuple[AllowedBy, ...] = ()
    # Condition context the graph set for this call beyond its defaults
    # (iam:PassedToService for iam:PassRole).
    context: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "action": self.action,
            "resource": self.resource,
            "allowed_by": [a.to_dict() for a in self.allowed_by],
        }
        if self.context:
            out["context"] = dict(self.context)
        return out


@dataclass(frozen=True)
class Fix:
    """The change that removes an edge: its kind, who it applies to, the actions.

    Edges sharing a fix (one principal, one method) are removed together by
    it, and the minimal cut counts its cost once.
    """

    kind: FixKind
    subject: str
    actions: tuple[str, ...]

    @property
    def cost(self) -> int:
        return self.kind.cost

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "cost": self.cost,
            "subject": self.subject,
            "actions": list(self.actions),
        }


@dataclass(frozen=True)
class Edge:
    """``source`` can act as, read, or become ``target`` through ``method``."""

    source: str
    target: str
    method: str
    calls: tuple[Call, ...]
    fix: Fix

    def to_dict(self) -> dict[str, object]:
        return {
            "from": self.source,
            "to": self.target,
            "method": self.method,
            "calls": [call.to_dict() for call in self.calls],
            "fix": self.fix.to_dict(),
        }


@dataclass(frozen=True)
class CredentialHolder:
    """A place where one principal's credentials can be read by another.

    Reading it takes one of ``read_actions`` on every one of ``resources``
    (an environment; or each parameter holding a part of the key).

    ``owner`` is the ARN of the user the key belongs to, or None when the key
    id was not found (or not stored) with the secret; ``usable`` is False
    when the owner is unknown or the key is not active.
    """

    id: str
    source: str
    resources: tuple[str, ...]
    region: str
    locations: tuple[str, ...]
    detectors: tuple[str, ...]
    access_key_id: str | None
    owner: str | None
    key_status: str | None
    read_actions: tuple[str, ...]

    @property
    def usable(self) -> bool:
        return self.owner is not None and self.key_status == "Active"

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "source": self.source,
            "resources": list(self.resources),
            "region": self.region,
            "locations": list(self.locations),
            "detectors": list(self.detectors),
            "access_key_id": self.access_key_id,
            "owner": self.owner,
            "key_status": self.key_status,
            "usable": self.usable,
            "read_actions": list(self.read_actions),
        }


@dataclass(frozen=True)
class Target:
    """What an attacker wants: administrator control, or one piece of data."""

    id: str
    kind: TargetKind
    name: str
    arn: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "name": self.name,
            "arn": self.arn,
        }


@dataclass(frozen=True)
class Path:
    """A chain of edges from a principal to a target, in the order an attacker
    walks it."""

    source: str
    target: str
    steps: tuple[Edge, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "target": self.target,
            "steps": [step.to_dict() for step in self.steps],
        }


@dataclass(frozen=True)
class Cut:
    """The fixes that disconnect the sources from a target, cheapest first."""

    target: str
    sources: tuple[str, ...]
    fixes: tuple[Fix, ...]
    edges: tuple[Edge, ...]

    @property
    def cost(self) -> int:
        return sum(fix.cost for fix in self.fixes)

    def to_dict(self) -> dict[str, object]:
        return {
            "target": self.target,
            "sources": list(self.sources),
            "cost": self.cost,
            "fixes": [fix.to_dict() for fix in self.fixes],
            "edges": [edge.to_dict() for edge in self.edges],
        }
