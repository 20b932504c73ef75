"""Lambda: a function runs with its execution role.

Handled: ``iam:PassRole`` (to ``lambda.amazonaws.com``) with
``lambda:CreateFunction`` and ``lambda:InvokeFunction``, or with
``lambda:CreateFunction`` and ``lambda:CreateEventSourceMapping`` (the
function runs when the source delivers); ``lambda:UpdateFunctionCode`` on an
existing function with a role (the next invocation runs the new code). Each
an edge to the role.

Not handled: ``lambda:AddPermission`` to let oneself invoke; function URLs;
``lambda:UpdateFunctionConfiguration`` with a malicious layer; whether an
event source exists that the attacker can write to.
"""

from __future__ import annotations

from chaincut.graph.methods._base import Method, PassRoleMethod, WorkloadMethod
from chaincut.snapshot import WorkloadKind

_FUNCTION = "arn:aws:lambda:{region}:{account}:function:*"
_MAPPING = "arn:aws:lambda:{region}:{account}:event-source-mapping:*"


class CreateFunction(PassRoleMethod):
    name = "lambda:CreateFunction+InvokeFunction"
    actions = ("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction")
    service = "lambda.amazonaws.com"
    creates = (
        ("lambda:CreateFunction", _FUNCTION),
        ("lambda:InvokeFunction", _FUNCTION),
    )
    summary = "create a function with the role and invoke it"


class CreateEventSourceMapping(PassRoleMethod):
    name = "lambda:CreateFunction+CreateEventSourceMapping"
    actions = (
        "iam:PassRole",
        "lambda:CreateFunction",
        "lambda:CreateEventSourceMapping",
    )
    service = "lambda.amazonaws.com"
    creates = (
        ("lambda:CreateFunction", _FUNCTION),
        ("lambda:CreateEventSourceMapping", _MAPPING),
    )
    summary = "create a function with the role and trigger it from an event source"


class UpdateFunctionCode(WorkloadMethod):
    name = "lambda:UpdateFunctionCode"
    actions = ("lambda:UpdateFunctionCode",)
    kind = WorkloadKind.LAMBDA_FUNCTION
    summary = "replace an existing function's code"


METHODS: dict[str, type[Method]] = {
    cls.name: cls
    for cls in (CreateFunction, CreateEventSourceMapping, UpdateFunctionCode)
}
