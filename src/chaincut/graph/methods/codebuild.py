"""CodeBuild: a build runs with its project's service role.

Handled: ``iam:PassRole`` (to ``codebuild.amazonaws.com``) with
``codebuild:CreateProject`` and ``codebuild:StartBuild``;
``codebuild:StartBuild`` on an existing project with a role (a buildspec
override runs the attacker's commands), and ``codebuild:UpdateProject`` with
``codebuild:StartBuild``. Each an edge to the role.

Not handled: ``codebuild:StartBuildBatch``; webhooks triggered by a source
repository the attacker can push to.
"""

from __future__ import annotations

from chaincut.graph.methods._base import Method, PassRoleMethod, WorkloadMethod
from chaincut.snapshot import WorkloadKind

_PROJECT = "arn:aws:codebuild:{region}:{account}:project/*"


class CreateProject(PassRoleMethod):
    name = "codebuild:CreateProject+StartBuild"
    actions = ("iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild")
    service = "codebuild.amazonaws.com"
    creates = (
        ("codebuild:CreateProject", _PROJECT),
        ("codebuild:StartBuild", _PROJECT),
    )
    summary = "create a project with the role and start a build"


class StartBuild(WorkloadMethod):
    name = "codebuild:StartBuild"
    actions = ("codebuild:StartBuild",)
    kind = WorkloadKind.CODEBUILD_PROJECT
    summary = "start a build of an existing project with a buildspec override"


class UpdateProject(WorkloadMethod):
    name = "codebuild:UpdateProject+StartBuild"
    actions = ("codebuild:UpdateProject", "codebuild:StartBuild")
    kind = WorkloadKind.CODEBUILD_PROJECT
    summary = "change an existing project's buildspec and start a build"


METHODS: dict[str, type[Method]] = {
    cls.name: cls for cls in (CreateProject, StartBuild, UpdateProject)
}
