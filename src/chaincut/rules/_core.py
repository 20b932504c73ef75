"""The rule registry: metadata, statuses, results and the check runner.

A rule is a function from a :class:`CheckContext` to results, registered with
the :func:`rule` decorator, which validates its metadata at import: a rule with
a malformed id, no permissions or an ATT&CK id that is not one raises
``RuleDefinitionError`` when its module is imported, so a broken catalogue
never reaches a scan. Registering an id twice is an error too.

Statuses: ``PASS`` (the property holds for the resource), ``FAIL`` (it does
not, with evidence), ``ERROR`` (chaincut could not tell: the snapshot has a
coverage gap for the data the check needs, or a document it could not
parse). ``ERROR`` is never folded into ``PASS``.

Assumptions: a rule is pure: it reads the snapshot through the context and
never calls AWS. ``CheckContext.now`` is the snapshot's collection time, so
that a rule's answer depends on the snapshot alone.

Limits: only :class:`~chaincut.errors.ChaincutError` raised by a rule (a
malformed policy document, say) becomes an ``ERROR`` result; any other
exception is a bug in chaincut and propagates.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from chaincut.access import AccountAccess
from chaincut.errors import ChaincutError
from chaincut.snapshot import CoverageGap, Snapshot

log = logging.getLogger(__name__)


class RuleDefinitionError(ChaincutError):
    """A rule's metadata is malformed (raised at import of its module)."""


class Severity(enum.Enum):
    """How bad a failed check is; ``rank`` orders them (critical highest)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
}


class Status(enum.Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"  # could not evaluate; never a pass


@dataclass(frozen=True)
class CollectorCall:
    """One collector call a rule's data comes from, and the permission it needs.

    ``service`` and ``operation`` are spelt as coverage gaps spell them
    (botocore's service name, the API operation name).
    """

    service: str
    operation: str
    permission: str


@dataclass(frozen=True)
class RuleMeta:
    """What a rule checks, declared in code beside it.

    ``attack`` are MITRE ATT&CK technique ids the failed property enables;
    ``cis`` are CIS AWS Foundations Benchmark v1.5.0 control numbers, where
    one applies. ``remediation`` names the fix (an id the remediation planner
    keys on); ``fix`` says it in one sentence for reports.
    """

    id: str
    title: str
    severity: Severity
    family: str
    needs: tuple[CollectorCall, ...]
    remediation: str
    fix: str
    attack: tuple[str, ...] = ()
    cis: tuple[str, ...] = ()
    description: str = ""

    @property
    def permissions(self) -> tuple[str, ...]:
        """The IAM permissions the collector needs for this rule's data."""
        return tuple(sorted({call.permission for call in self.needs}))


class Evidence:
    """Base of every rule's evidence: frozen dataclasses with typed fields.

    Resources are named by ARN; reports render the fields, rules never write
    prose into them.
    """


@dataclass(frozen=True)
class GapEvidence(Evidence):
    """Why a check could not be evaluated: the calls that failed."""

    gaps: tuple[CoverageGap, ...]


@dataclass(frozen=True)
class ErrorEvidence(Evidence):
    """A check stopped on bad input (a malformed document), named here."""

    error_type: str
    message: str


@dataclass(frozen=True)
class Result:
    """The outcome of one rule for one resource."""

    rule: RuleMeta
    status: Status
    resource: str
    evidence: Evidence
    region: str = ""


CheckFunction = Callable[["CheckContext"], Iterable[Result]]


@dataclass(frozen=True)
class Rule:
    meta: RuleMeta
    check: CheckFunction
    doc: str


@dataclass
class CheckContext:
    """What a rule sees: the snapshot, an access evaluator over it, and
    the masked values the user accepted (fingerprints)."""

    snapshot: Snapshot
    access: AccountAccess
    accepted: frozenset[str] = frozenset()
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @classmethod
    def of(cls, snapshot: Snapshot, accepted: Iterable[str] = ()) -> CheckContext:
        return cls(
            snapshot,
            AccountAccess(snapshot),
            frozenset(accepted),
            parse_time(snapshot.collected_at) or dt.datetime.now(dt.UTC),
        )

    @property
    def account_arn(self) -> str:
        """The account itself, as a resource: its root ARN."""
        return f"arn:aws:iam::{self.snapshot.account_id}:root"

    def gaps(
        self,
        *calls: CollectorCall,
        resource: str | None = None,
        region: str | None = None,
    ) -> tuple[CoverageGap, ...]:
        """Coverage gaps on any of ``calls``.

        With ``resource``, only gaps on that resource or on no particular
        resource (a whole listing failed) count; with ``region``, only gaps
        in that region or a global one.
        """
        wanted = {(call.service, call.operation) for call in calls}
        return tuple(
            gap
            for gap in self.snapshot.gaps
            if (gap.service, gap.operation) in wanted
            and (resource is None or gap.resource in ("", resource))
            and (region is None or gap.region in (region, "", "aws-global"))
        )

    def result(
        self,
        meta: RuleMeta,
        status: Status,
        resource: str,
        evidence: Evidence,
        region: str = "",
    ) -> Result:
        return Result(meta, status, resource, evidence, region)

    def error(
        self,
        meta: RuleMeta,
        resource: str,
        gaps: Sequence[CoverageGap],
        region: str = "",
    ) -> Result:
        return Result(meta, Status.ERROR, resource, GapEvidence(tuple(gaps)), region)


def parse_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        log.warning("cannot read time %r; treated as unknown", text)
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


# -- the registry ---------------------------------------------------------------

_REGISTRY: dict[str, Rule] = {}

_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")
_ATTACK = re.compile(r"^T\d{4}(?:\.\d{3})?$")
_CIS = re.compile(r"^\d+(?:\.\d+)+$")
_PERMISSION = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$")
_REMEDIATION = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


def validate(meta: RuleMeta) -> None:
    """Raise ``RuleDefinitionError`` naming the first thing wrong with ``meta``."""
    problems = []
    if not _ID.match(meta.id):
        problems.append("id must be lower-case words joined by '-'")
    if not meta.id.startswith(meta.family.split("_")[0] + "-"):
        problems.append(f"id must start with its family {meta.family!r}")
    if not meta.title.strip():
        problems.append("title is empty")
    if not isinstance(meta.severity, Severity):
        problems.append("severity must be a Severity")
    if not meta.needs:
        problems.append("no collector calls (needs) declared")
    problems += [
        f"permission {call.permission!r} is not service:Action"
        for call in meta.needs
        if not _PERMISSION.match(call.permission)
    ]
    problems += [f"ATT&CK id {t!r}" for t in meta.attack if not _ATTACK.match(t)]
    problems += [f"CIS control {c!r}" for c in meta.cis if not _CIS.match(c)]
    if not _REMEDIATION.match(meta.remediation):
        problems.append("remediation id must be lower-case words joined by '-'")
    if not meta.fix.strip():
        problems.append("fix is empty")
    if problems:
        raise RuleDefinitionError(f"rule {meta.id!r}: {'; '.join(problems)}")


def register(meta: RuleMeta, check: CheckFunction, doc: str) -> Rule:
    """Add a rule to the registry after validating its metadata."""
    validate(meta)
    if not doc.strip():
        raise RuleDefinitionError(f"rule {meta.id!r}: needs a docstring")
    if meta.id in _REGISTRY:
        raise RuleDefinitionError(f"rule {meta.id!r} is registered twice")
    found = Rule(meta, check, doc)
    _REGISTRY[meta.id] = found
    return found


def rule(
    *,
    id: str,
    title: str,
    severity: Severity,
    needs: Sequence[CollectorCall],
    remediation: str,
    fix: str,
    attack: Sequence[str] = (),
    cis: Sequence[str] = (),
) -> Callable[[Callable[[CheckContext, RuleMeta], Iterable[Result]]], Rule]:
    """Register the decorated ``check(context, meta)`` as a rule.

    The family is the module's name; the docstring is the rule's user
    documentation.
    """

    def decorate(
        function: Callable[[CheckContext, RuleMeta], Iterable[Result]],
    ) -> Rule:
        doc = (function.__doc__ or "").strip()
        meta = RuleMeta(
            id=id,
            title=title,
            severity=severity,
            family=function.__module__.rsplit(".", 1)[-1],
            needs=tuple(needs),
            remediation=remediation,
            fix=fix,
            attack=tuple(attack),
            cis=tuple(cis),
            description=doc.split("\n\n", 1)[0],
        )

        def check(context: CheckContext) -> Iterable[Result]:
            return function(context, meta)

        return register(meta, check, doc)

    return decorate


def registry() -> tuple[Rule, ...]:
    """Every registered rule, in id order (loads the built-in families)."""
    from chaincut.rules import _families  # noqa: F401 - registers on import

    return tuple(_REGISTRY[key] for key in sorted(_REGISTRY))


def get_rule(rule_id: str) -> Rule:
    """The rule called ``rule_id``."""
    registry()
    found = _REGISTRY.get(rule_id)
    if found is None:
        raise KeyError(rule_id)
    return found


def run_rule(found: Rule, context: CheckContext) -> list[Result]:
    """One rule's results; a ChaincutError becomes one ERROR result."""
    try:
        results = list(found.check(context))
    except ChaincutError as error:
        log.warning("rule %s could not run: %s", found.meta.id, error)
        return [
            Result(
                found.meta,
                Status.ERROR,
                context.account_arn,
                ErrorEvidence(type(error).__name__, str(error)),
            )
        ]
    log.debug("rule %s: %d results", found.meta.id, len(results))
    return results


def run_checks(
    snapshot: Snapshot,
    *,
    accepted: Iterable[str] = (),
    rules: Iterable[Rule] | None = None,
) -> tuple[Result, ...]:
    """Run ``rules`` (default: every registered rule) against ``snapshot``."""
    context = CheckContext.of(snapshot, accepted)
    chosen = registry() if rules is None else tuple(rules)
    log.info("running %d checks on account %s", len(chosen), snapshot.account_id)
    results: list[Result] = []
    for found in chosen:
        results.extend(run_rule(found, context))
    return tuple(results)
