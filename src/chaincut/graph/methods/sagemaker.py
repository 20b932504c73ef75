"""SageMaker: notebooks, training and processing jobs run with their role.

Handled: ``iam:PassRole`` (to ``sagemaker.amazonaws.com``) with
``sagemaker:CreateNotebookInstance`` and
``sagemaker:CreatePresignedNotebookInstanceUrl``, with
``sagemaker:CreateTrainingJob``, or with ``sagemaker:CreateProcessingJob``;
``sagemaker:CreatePresignedNotebookInstanceUrl`` on an existing notebook with
a role. Each an edge to the role.

Not handled: lifecycle configurations (``CreateNotebookInstanceLifecycleConfig``
+ ``UpdateNotebookInstance``); SageMaker Studio domains and spaces; hyper-
parameter tuning and transform jobs.
"""

from __future__ import annotations

from chaincut.graph.methods._base import Method, PassRoleMethod, WorkloadMethod
from chaincut.snapshot import WorkloadKind

_SERVICE = "sagemaker.amazonaws.com"
_NOTEBOOK = "arn:aws:sagemaker:{region}:{account}:notebook-instance/*"


class CreateNotebookInstance(PassRoleMethod):
    name = "sagemaker:CreateNotebookInstance+CreatePresignedNotebookInstanceUrl"
    actions = (
        "iam:PassRole",
        "sagemaker:CreateNotebookInstance",
        "sagemaker:CreatePresignedNotebookInstanceUrl",
    )
    service = _SERVICE
    creates = (
        ("sagemaker:CreateNotebookInstance", _NOTEBOOK),
        ("sagemaker:CreatePresignedNotebookInstanceUrl", _NOTEBOOK),
    )
    summary = "create a notebook with the role and open it"


class CreateTrainingJob(PassRoleMethod):
    name = "sagemaker:CreateTrainingJob"
    actions = ("iam:PassRole", "sagemaker:CreateTrainingJob")
    service = _SERVICE
    creates = (
        (
            "sagemaker:CreateTrainingJob",
            "arn:aws:sagemaker:{region}:{account}:training-job/*",
        ),
    )
    summary = "run a training job with the role and one's own container"


class CreateProcessingJob(PassRoleMethod):
    name = "sagemaker:CreateProcessingJob"
    actions = ("iam:PassRole", "sagemaker:CreateProcessingJob")
    service = _SERVICE
    creates = (
        (
            "sagemaker:CreateProcessingJob",
            "arn:aws:sagemaker:{region}:{account}:processing-job/*",
        ),
    )
    summary = "run a processing job with the role and one's own container"


class PresignedNotebookUrl(WorkloadMethod):
    name = "sagemaker:CreatePresignedNotebookInstanceUrl"
    actions = ("sagemaker:CreatePresignedNotebookInstanceUrl",)
    kind = WorkloadKind.SAGEMAKER_NOTEBOOK
    summary = "open an existing notebook that holds a role"


METHODS: dict[str, type[Method]] = {
    cls.name: cls
    for cls in (CreateNotebookInstance, CreateTrainingJob, CreateProcessingJob,
                PresignedNotebookUrl)
}  # fmt: skip
