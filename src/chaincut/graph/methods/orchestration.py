"""Other services that run code with a passed role: Data Pipeline, App Runner,
Bedrock AgentCore.

Handled, each an ``iam:PassRole`` to the service and an edge to the role:
``datapipeline:CreatePipeline`` + ``PutPipelineDefinition`` +
``ActivatePipeline`` (``datapipeline.amazonaws.com``; the pipeline's
resource role runs the attacker's shell activity); ``apprunner:CreateService``
(``tasks.apprunner.amazonaws.com``, the instance role);
``bedrock-agentcore:CreateCodeInterpreter`` + ``StartCodeInterpreterSession``
+ ``InvokeCodeInterpreter`` (``bedrock-agentcore.amazonaws.com``, the
interpreter's execution role).

Not handled: existing pipelines, services and interpreters (none are
collected); Data Pipeline's separate EC2 resource role
(``ec2.amazonaws.com``) is treated as the same passed role.
"""

from __future__ import annotations

from chaincut.graph.methods._base import Method, PassRoleMethod


class CreatePipeline(PassRoleMethod):
    name = "datapipeline:CreatePipeline+ActivatePipeline"
    actions = (
        "iam:PassRole",
        "datapipeline:CreatePipeline",
        "datapipeline:PutPipelineDefinition",
        "datapipeline:ActivatePipeline",
    )
    service = "datapipeline.amazonaws.com"
    creates = tuple(
        (action, "arn:aws:datapipeline:{region}:{account}:pipeline/*")
        for action in actions[1:]
    )
    summary = "define and activate a pipeline that runs a command as the role"


class CreateService(PassRoleMethod):
    name = "apprunner:CreateService"
    actions = ("iam:PassRole", "apprunner:CreateService")
    service = "tasks.apprunner.amazonaws.com"
    creates = (
        ("apprunner:CreateService", "arn:aws:apprunner:{region}:{account}:service/*"),
    )
    summary = "deploy an App Runner service whose instance role is the role"


class CreateCodeInterpreter(PassRoleMethod):
    name = "bedrock-agentcore:CreateCodeInterpreter+InvokeCodeInterpreter"
    actions = (
        "iam:PassRole",
        "bedrock-agentcore:CreateCodeInterpreter",
        "bedrock-agentcore:StartCodeInterpreterSession",
        "bedrock-agentcore:InvokeCodeInterpreter",
    )
    service = "bedrock-agentcore.amazonaws.com"
    creates = tuple(
        (action, "arn:aws:bedrock-agentcore:{region}:{account}:code-interpreter/*")
        for action in actions[1:]
    )
    summary = "run code in an AgentCore code interpreter with the role"


METHODS: dict[str, type[Method]] = {
    cls.name: cls for cls in (CreatePipeline, CreateService, CreateCodeInterpreter)
}
