"""Glue: dev endpoints and jobs run with their role.

Handled: ``iam:PassRole`` (to ``glue.amazonaws.com``) with
``glue:CreateDevEndpoint``, or with ``glue:CreateJob`` and
``glue:StartJobRun``; ``glue:UpdateDevEndpoint`` (a new SSH key) on an
existing endpoint with a role; ``glue:UpdateJob`` with ``glue:StartJobRun``
on an existing job with a role. Each an edge to the role.

Not handled: Glue interactive sessions (``glue:CreateSession``); triggers
and workflows; crawlers.
"""

from __future__ import annotations

from chaincut.graph.methods._base import Method, PassRoleMethod, WorkloadMethod
from chaincut.snapshot import WorkloadKind

_ENDPOINT = "arn:aws:glue:{region}:{account}:devEndpoint/*"
_JOB = "arn:aws:glue:{region}:{account}:job/*"


class CreateDevEndpoint(PassRoleMethod):
    name = "glue:CreateDevEndpoint"
    actions = ("iam:PassRole", "glue:CreateDevEndpoint")
    service = "glue.amazonaws.com"
    creates = (("glue:CreateDevEndpoint", _ENDPOINT),)
    summary = "create a dev endpoint with the role and log in to it"


class CreateJob(PassRoleMethod):
    name = "glue:CreateJob+StartJobRun"
    actions = ("iam:PassRole", "glue:CreateJob", "glue:StartJobRun")
    service = "glue.amazonaws.com"
    creates = (("glue:CreateJob", _JOB), ("glue:StartJobRun", _JOB))
    summary = "create a job with the role and run it"


class UpdateDevEndpoint(WorkloadMethod):
    name = "glue:UpdateDevEndpoint"
    actions = ("glue:UpdateDevEndpoint",)
    kind = WorkloadKind.GLUE_DEV_ENDPOINT
    summary = "put one's SSH key on an existing dev endpoint"


class UpdateJob(WorkloadMethod):
    name = "glue:UpdateJob+StartJobRun"
    actions = ("glue:UpdateJob", "glue:StartJobRun")
    kind = WorkloadKind.GLUE_JOB
    summary = "change an existing job's script and run it"


METHODS: dict[str, type[Method]] = {
    cls.name: cls
    for cls in (CreateDevEndpoint, CreateJob, UpdateDevEndpoint, UpdateJob)
}
