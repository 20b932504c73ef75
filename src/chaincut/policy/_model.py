"""The values of IAM evaluation: decisions, effects, requests and their results.

Every value here is immutable as far as callers can see. ``Policy`` and
``PolicySet`` also carry private caches (statements by action, reasons,
evaluation plans) filled on first use; they never change an answer, only how
fast it comes. Compiled matchers live on the parsed statements (see
``_parse``).

Limits: a ``Request`` holds one principal and one resource; requests that
touch several resources (``s3:CopyObject``) are several requests.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chaincut.policy._conditions import Condition
    from chaincut.policy._match import ActionMatcher, ResourceMatcher
    from chaincut.policy._principals import PrincipalSet

# A value of the request context as a caller gives it: AWS context keys hold
# strings, but JSON callers naturally write booleans and numbers, and
# multi-valued keys (aws:TagKeys) are lists.
Scalar = str | bool | int | float
ContextValue = Scalar | Sequence[Scalar]


class Effect(enum.Enum):
    """The ``Effect`` of a statement."""

    ALLOW = "Allow"
    DENY = "Deny"


class Decision(enum.Enum):
    """The outcome of evaluating one request."""

    ALLOW = "Allow"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"


class PolicyKind(enum.Enum):
    """Where a policy is attached; decides which elements it must carry."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    BOUNDARY = "boundary"
    SESSION = "session"
    SCP = "scp"


class Layer(enum.Enum):
    """A layer of the evaluation, named in reasons."""

    SCP = "scp"
    RESOURCE = "resource"
    IDENTITY = "identity"
    BOUNDARY = "boundary"
    SESSION = "session"


class Outcome(enum.Enum):
    """What a reason says about its layer."""

    ALLOWED = "allowed"
    DENIED = "denied"
    NO_ALLOW = "no_allow"


@dataclass(frozen=True, slots=True)
class Statement:
    """One parsed statement, with its matchers compiled once."""

    index: int
    sid: str | None
    effect: Effect
    actions: ActionMatcher
    resources: ResourceMatcher | None
    principals: PrincipalSet | None
    conditions: tuple[Condition, ...]
    # No condition and a resource element covering everything: the statement
    # applies to any request for its actions (principal aside), and the
    # evaluator skips checking it.
    unconditional: bool = False

    @property
    def label(self) -> str:
        """The Sid, or the statement's index when it has none."""
        return self.sid if self.sid else str(self.index)

    @property
    def fails_closed(self) -> bool:
        """True when a condition could not be understood (see ``_conditions``)."""
        return any(condition.broken for condition in self.conditions)


@dataclass(frozen=True, slots=True, eq=False)
class Policy:
    """A parsed policy document: its name, version and statements.

    Policies compare and hash by identity (two parses of one document are two
    policies): evaluation plans are cached per tuple of policies, and hashing
    by content would cost more than the plan saves.
    """

    name: str
    version: str | None
    statements: tuple[Statement, ...]
    # Statements whose Action/NotAction covers an action, filled on demand: a
    # request then only looks at the few statements that can concern it.
    _by_action: dict[str, tuple[Statement, ...]] = field(
        default_factory=dict, init=False, compare=False, hash=False, repr=False
    )
    _reasons: dict[tuple[int, Layer, int | None], Reason] = field(
        default_factory=dict, init=False, compare=False, hash=False, repr=False
    )

    @property
    def variables_enabled(self) -> bool:
        """Policy variables are substituted only under version 2012-10-17."""
        return self.version == "2012-10-17"

    def reason(self, statement: Statement, layer: Layer, level: int | None) -> Reason:
        """The reason naming one of this policy's statements (made once)."""
        key = (statement.index, layer, level)
        found = self._reasons.get(key)
        if found is None:
            outcome = (
                Outcome.ALLOWED if statement.effect is Effect.ALLOW else Outcome.DENIED
            )
            found = Reason(outcome, layer, self.name, statement.label, level)
            self._reasons[key] = found
        return found

    def statements_for(self, action: str) -> tuple[Statement, ...]:
        """The statements whose action element covers ``action`` (lowercased)."""
        found = self._by_action.get(action)
        if found is None:
            found = tuple(s for s in self.statements if s.actions.applies(action))
            self._by_action[action] = found
        return found


@dataclass(frozen=True, slots=True)
class Request:
    """One request to authorize.

    ``principal`` is an IAM user, role session, federated user or account root
    ARN, or a service principal such as ``cloudtrail.amazonaws.com``.
    ``resource_account`` defaults to the resource ARN's account, or to the
    principal's account for ARNs without one (S3 buckets). ``context`` maps
    condition keys (any case) to values. ``principal_id`` is the unique ID
    (``AIDA...``, ``AROA...:session``) used for ``aws:userid`` when known.
    """

    principal: str
    action: str
    resource: str = "*"
    resource_account: str | None = None
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    principal_id: str | None = None


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Every policy that applies to a request, by layer.

    ``identity`` are the principal's own policies (inline, managed, group).
    ``boundaries`` together form the permission boundary: AWS attaches at most
    one, so several documents are read as one boundary split in parts.
    ``scp_levels`` is ``None`` outside an organization; otherwise one tuple of
    SCPs per level (root, each OU, the account), and every level must allow.
    """

    identity: tuple[Policy, ...] = ()
    resource: Policy | None = None
    boundaries: tuple[Policy, ...] = ()
    session: Policy | None = None
    scp_levels: tuple[tuple[Policy, ...], ...] | None = None
    # Evaluation plans of this set by action (as requests spell it), filled
    # by ``_plan``: a set reused across requests skips even the shared plan
    # cache's hashing, and the lowercasing of the action.
    _plans: dict[str, Any] = field(
        default_factory=dict, init=False, compare=False, hash=False, repr=False
    )


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a layer allowed, denied, or had nothing to say."""

    outcome: Outcome
    layer: Layer
    policy: str | None = None
    statement: str | None = None
    scp_level: int | None = None

    def to_dict(self) -> dict[str, str | int]:
        """A JSON-ready mapping, leaving out fields that do not apply."""
        out: dict[str, str | int] = {
            "outcome": self.outcome.value,
            "layer": self.layer.value,
        }
        if self.scp_level is not None:
            out["scp_level"] = self.scp_level
        if self.policy is not None:
            out["policy"] = self.policy
        if self.statement is not None:
            out["statement"] = self.statement
        return out


@dataclass(frozen=True, slots=True)
class Evaluation:
    """A decision and the reasons for it."""

    decision: Decision
    reasons: tuple[Reason, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOW

    def to_dict(self) -> dict[str, object]:
        return {
            "decision": self.decision.value,
            "reasons": [reason.to_dict() for reason in self.reasons],
        }
