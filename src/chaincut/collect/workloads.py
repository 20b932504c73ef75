"""Workloads that run with a role: what privilege-escalation methods act on.

One collector per service and region, each returning ``Workload`` values.
Lambda environment variables are masked like Beanstalk settings. Instance
profiles are kept as ARNs here; the runner resolves them to role ARNs once
IAM is collected.

Limits: ECS task definitions are read for their active revisions only (the
latest of each family); EC2 user data, Glue and SageMaker script contents are
not read.
"""

from __future__ import annotations

from typing import Any

from chaincut.aws import AwsConnection
from chaincut.collect.calls import CallRecorder
from chaincut.collect.masking import masked_setting
from chaincut.snapshot import Workload, WorkloadKind

LAMBDA_ENVIRONMENT = "lambda:environment"


def collect_functions(
    aws: AwsConnection, calls: CallRecorder, region: str
) -> list[Workload]:
    client = aws.client("lambda", region)
    found = []
    for function in calls.pages(client, "list_functions", "Functions") or []:
        variables = (function.get("Environment") or {}).get("Variables") or {}
        found.append(
            Workload(
                kind=WorkloadKind.LAMBDA_FUNCTION,
                name=function["FunctionName"],
                arn=function["FunctionArn"],
                region=region,
                roles=_present(function.get("Role")),
                settings=tuple(
                    masked_setting(
                        {"Namespace": LAMBDA_ENVIRONMENT, "OptionName": k, "Value": v}
                    )
                    for k, v in sorted(variables.items())
                ),
                state=function.get("State", ""),
            )
        )
    return found


def collect_instances(
    aws: AwsConnection, calls: CallRecorder, region: str
) -> list[Workload]:
    client = aws.client("ec2", region)
    found = []
    for reservation in calls.pages(client, "describe_instances", "Reservations") or []:
        for instance in reservation.get("Instances", []):
            profile = (instance.get("IamInstanceProfile") or {}).get("Arn")
            owner = reservation.get("OwnerId") or aws.account_id
            found.append(
                Workload(
                    kind=WorkloadKind.EC2_INSTANCE,
                    name=instance["InstanceId"],
                    arn=f"arn:aws:ec2:{region}:{owner}:instance/{instance['InstanceId']}",
                    region=region,
                    instance_profile=profile,
                    state=(instance.get("State") or {}).get("Name", ""),
                )
            )
    templates = calls.pages(client, "describe_launch_templates", "LaunchTemplates")
    for template in templates or []:
        versions = calls.call(
            client,
            "describe_launch_template_versions",
            resource=template["LaunchTemplateId"],
            LaunchTemplateId=template["LaunchTemplateId"],
            Versions=["$Default"],
        )
        data: dict[str, Any] = {}
        for version in (versions or {}).get("LaunchTemplateVersions", []):
            data = version.get("LaunchTemplateData") or {}
        profile_spec = data.get("IamInstanceProfile") or {}
        found.append(
            Workload(
                kind=WorkloadKind.LAUNCH_TEMPLATE,
                name=template["LaunchTemplateName"],
                arn=f"arn:aws:ec2:{region}:{aws.account_id}:launch-template/"
                f"{template['LaunchTemplateId']}",
                region=region,
                instance_profile=profile_spec.get("Arn") or profile_spec.get("Name"),
            )
        )
    return found


def collect_task_definitions(
    aws: AwsConnection, calls: CallRecorder, region: str
) -> list[Workload]:
    client = aws.client("ecs", region)
    found = []
    families = calls.pages(
        client, "list_task_definition_families", "families", status="ACTIVE"
    )
    for family in families or []:
        described = calls.call(
            client, "describe_task_definition", resource=family, taskDefinition=family
        )
        definition = (described or {}).get("taskDefinition")
        if not definition:
            continue
        roles = tuple(
            arn
            for arn in (
                definition.get("taskRoleArn"),
                definition.get("executionRoleArn"),
            )
            if arn
        )
        found.append(
            Workload(
                kind=WorkloadKind.ECS_TASK_DEFINITION,
                name=definition["family"],
                arn=definition["taskDefinitionArn"],
                region=region,
                roles=roles,
                state=definition.get("status", ""),
            )
        )
    return found


def collect_stacks(
    aws: AwsConnection, calls: CallRecorder, region: str
) -> list[Workload]:
    client = aws.client("cloudformation", region)
    return [
        Workload(
            kind=WorkloadKind.CLOUDFORMATION_STACK,
            name=stack["StackName"],
            arn=stack["StackId"],
            region=region,
            roles=_present(stack.get("RoleARN")),
            state=stack.get("StackStatus", ""),
        )
        for stack in calls.pages(client, "describe_stacks", "Stacks") or []
    ]


def collect_build_projects(
    aws: AwsConnection, calls: CallRecorder, region: str
) -> list[Workload]:
    client = aws.client("codebuild", region)
    names = calls.pages(client, "list_projects", "projects") or []
    found = []
    for start in range(0, len(names), 100):
        batch = calls.call(
            client, "batch_get_projects", names=names[start : start + 100]
        )
        for project in (batch or {}).get("projects", []):
            found.append(
                Workload(
                    kind=WorkloadKind.CODEBUILD_PROJECT,
                    name=project["name"],
                    arn=project["arn"],
                    region=region,
                    roles=_present(project.get("serviceRole")),
                )
            )
    return found


def collect_glue(
    aws: AwsConnection, calls: CallRecorder, region: str
) -> list[Workload]:
    client = aws.client("glue", region)
    account = aws.account_id
    found = [
        Workload(
            kind=WorkloadKind.GLUE_JOB,
            name=job["Name"],
            arn=f"arn:aws:glue:{region}:{account}:job/{job['Name']}",
            region=region,
            roles=_present(job.get("Role") and _role_arn(job["Role"], account)),
        )
        for job in calls.pages(client, "get_jobs", "Jobs") or []
    ]
    endpoints = calls.call(client, "get_dev_endpoints")
    for endpoint in (endpoints or {}).get("DevEndpoints", []):
        found.append(
            Workload(
                kind=WorkloadKind.GLUE_DEV_ENDPOINT,
                name=endpoint["EndpointName"],
                arn=f"arn:aws:glue:{region}:{account}:devEndpoint/{endpoint['EndpointName']}",
                region=region,
                roles=_present(endpoint.get("RoleArn")),
                state=endpoint.get("Status", ""),
            )
        )
    return found


def collect_notebooks(
    aws: AwsConnection, calls: CallRecorder, region: str
) -> list[Workload]:
    client = aws.client("sagemaker", region)
    found = []
    listed = calls.pages(client, "list_notebook_instances", "NotebookInstances")
    for notebook in listed or []:
        described = calls.call(
            client,
            "describe_notebook_instance",
            resource=notebook["NotebookInstanceArn"],
            NotebookInstanceName=notebook["NotebookInstanceName"],
        )
        role = (described or {}).get("RoleArn")
        found.append(
            Workload(
                kind=WorkloadKind.SAGEMAKER_NOTEBOOK,
                name=notebook["NotebookInstanceName"],
                arn=notebook["NotebookInstanceArn"],
                region=region,
                roles=_present(role),
                state=notebook.get("NotebookInstanceStatus", ""),
            )
        )
    return found


def _present(*values: Any) -> tuple[str, ...]:
    """The values that are set, as strings (role ARNs a resource names)."""
    return tuple(str(value) for value in values if value)


def _role_arn(role: str, account: str) -> str:
    # Glue accepts a role name or ARN.
    return role if role.startswith("arn:") else f"arn:aws:iam::{account}:role/{role}"


WORKLOAD_COLLECTORS = {
    "lambda": collect_functions,
    "ec2": collect_instances,
    "ecs": collect_task_definitions,
    "cloudformation": collect_stacks,
    "codebuild": collect_build_projects,
    "glue": collect_glue,
    "sagemaker": collect_notebooks,
}
