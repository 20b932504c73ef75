"""Pure IAM policy evaluation: parse, match, conditions, variables, decisions.

No AWS SDK is imported here: everything works on documents and requests.

    policy = parse_policy(document, name="alice-inline")
    result = evaluate(Request(principal, action, resource), PolicySet((policy,)))
    result.decision, result.reasons

``chaincut.policy.simulate`` reads the JSON cases of ``chaincut policy eval``;
``chaincut.policy.catalog`` knows every action (loaded on first use).

Limits are listed in each module's docstring: ``_evaluate`` (layers AWS has
that are not modelled), ``_conditions`` (operators), ``_match`` (patterns),
``_principals`` (principal forms), ``_variables`` (substitution).
"""

from chaincut.policy._evaluate import evaluate
from chaincut.policy._model import (
    ContextValue,
    Decision,
    Effect,
    Evaluation,
    Layer,
    Outcome,
    Policy,
    PolicyKind,
    PolicySet,
    Reason,
    Request,
    Statement,
)
from chaincut.policy._parse import parse_policy

__all__ = [
    "ContextValue",
    "Decision",
    "Effect",
    "Evaluation",
    "Layer",
    "Outcome",
    "Policy",
    "PolicyKind",
    "PolicySet",
    "Reason",
    "Request",
    "Statement",
    "evaluate",
    "parse_policy",
]
