"""Posture checks: pure functions of a snapshot, registered with metadata.

    results = run_checks(snapshot, accepted={"sha256:..."})
    for result in results:
        result.rule.id, result.status, result.resource, result.evidence

Each rule family is one module (``beanstalk_settings``, ``beanstalk_platform``,
``iam_credentials``, ``iam_privilege``, ``secrets``, ``cloudtrail``,
``monitoring``); each rule declares its id, title, severity, ATT&CK and CIS
references, the collector calls (and so IAM permissions) its data comes from,
and a remediation id (see ``_core``). ``registry()`` lists them.

A check returns ``PASS``, ``FAIL`` or ``ERROR`` per resource, with typed
evidence naming resources by ARN; text is made only by ``chaincut.report``.
Rules never call AWS and never see a secret value: the snapshot holds none.
"""

from chaincut.rules._core import (
    CheckContext,
    CollectorCall,
    ErrorEvidence,
    Evidence,
    GapEvidence,
    Result,
    Rule,
    RuleDefinitionError,
    RuleMeta,
    Severity,
    Status,
    get_rule,
    registry,
    rule,
    run_checks,
    run_rule,
)

__all__ = [
    "CheckContext",
    "CollectorCall",
    "ErrorEvidence",
    "Evidence",
    "GapEvidence",
    "Result",
    "Rule",
    "RuleDefinitionError",
    "RuleMeta",
    "Severity",
    "Status",
    "get_rule",
    "registry",
    "rule",
    "run_checks",
    "run_rule",
]
