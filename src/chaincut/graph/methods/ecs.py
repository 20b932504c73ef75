"""ECS: a task runs with its task role.

Handled: ``iam:PassRole`` (to ``ecs-tasks.amazonaws.com``) with
``ecs:RegisterTaskDefinition`` and ``ecs:RunTask``; ``ecs:RunTask`` of an
existing task definition with a role (a command override runs the
attacker's code). Each an edge to the role.

Not handled: ``ecs:StartTask``, ``ecs:CreateService`` / ``UpdateService``;
``ecs:ExecuteCommand`` into running tasks (running tasks are not collected);
whether a cluster exists to run in.
"""

from __future__ import annotations

from chaincut.graph.methods._base import Method, PassRoleMethod, WorkloadMethod
from chaincut.snapshot import WorkloadKind

_TASK_DEFINITION = "arn:aws:ecs:{region}:{account}:task-definition/*"


class RegisterTaskDefinition(PassRoleMethod):
    name = "ecs:RegisterTaskDefinition+RunTask"
    actions = ("iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask")
    service = "ecs-tasks.amazonaws.com"
    creates = (
        ("ecs:RegisterTaskDefinition", _TASK_DEFINITION),
        ("ecs:RunTask", _TASK_DEFINITION),
    )
    summary = "register a task definition with the role and run it"


class RunTask(WorkloadMethod):
    name = "ecs:RunTask"
    actions = ("ecs:RunTask",)
    kind = WorkloadKind.ECS_TASK_DEFINITION
    summary = "run an existing task definition with a command override"


METHODS: dict[str, type[Method]] = {
    cls.name: cls for cls in (RegisterTaskDefinition, RunTask)
}
