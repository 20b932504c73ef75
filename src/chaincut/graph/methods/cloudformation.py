"""CloudFormation: a stack acts with its service role.

Handled: ``iam:PassRole`` (to ``cloudformation.amazonaws.com``) with
``cloudformation:CreateStack``; ``cloudformation:UpdateStack`` on an existing
stack with a role (``SetStackPolicy`` only lifts the stack's own update
protection, so ``UpdateStack`` is what is required). Each an edge to the role.

Not handled: change sets (``CreateChangeSet`` + ``ExecuteChangeSet``);
StackSets; stack policies that would block the update.
"""

from __future__ import annotations

from chaincut.graph.methods._base import Method, PassRoleMethod, WorkloadMethod
from chaincut.snapshot import WorkloadKind

_STACK = "arn:aws:cloudformation:{region}:{account}:stack/*"


class CreateStack(PassRoleMethod):
    name = "cloudformation:CreateStack"
    actions = ("iam:PassRole", "cloudformation:CreateStack")
    service = "cloudformation.amazonaws.com"
    creates = (("cloudformation:CreateStack", _STACK),)
    summary = "create a stack with the role as its service role"


class UpdateStack(WorkloadMethod):
    name = "cloudformation:UpdateStack"
    actions = ("cloudformation:UpdateStack",)
    kind = WorkloadKind.CLOUDFORMATION_STACK
    summary = "update an existing stack that acts with a role"


METHODS: dict[str, type[Method]] = {cls.name: cls for cls in (CreateStack, UpdateStack)}
