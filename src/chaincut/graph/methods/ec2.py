"""EC2 and Systems Manager: code on an instance runs with its instance profile.

Handled:

- ``iam:PassRole`` (to ``ec2.amazonaws.com``) of a role that has an instance
  profile, with ``ec2:RunInstances``: an edge to the role.
- On an existing instance holding a role: ``ec2:ModifyInstanceAttribute``
  (new user data) with ``ec2:StopInstances`` and ``ec2:StartInstances``;
  ``ssm:SendCommand``; ``ssm:StartSession``;
  ``ec2-instance-connect:SendSSHPublicKey``. Each an edge to the role.

Not handled: ``ssm:SendCommand`` is asked about the instance only, not the
SSM document; network reachability for instance connect is not checked;
``ec2:AssociateIamInstanceProfile`` / ``ReplaceIamInstanceProfileAssociation``
on instances the attacker already controls; launch templates
(``ec2:CreateLaunchTemplateVersion`` then an Auto Scaling group); spot
fleets.
"""

from __future__ import annotations

from chaincut.graph.methods._base import Method, PassRoleMethod, WorkloadMethod
from chaincut.snapshot import WorkloadKind

_INSTANCE = "arn:aws:ec2:{region}:{account}:instance/*"


class RunInstances(PassRoleMethod):
    name = "ec2:RunInstances"
    actions = ("iam:PassRole", "ec2:RunInstances")
    service = "ec2.amazonaws.com"
    creates = (("ec2:RunInstances", _INSTANCE),)
    needs_instance_profile = True
    summary = "launch an instance with the role's instance profile"


class ModifyInstanceUserData(WorkloadMethod):
    name = "ec2:ModifyInstanceAttribute"
    actions = (
        "ec2:StopInstances",
        "ec2:ModifyInstanceAttribute",
        "ec2:StartInstances",
    )
    kind = WorkloadKind.EC2_INSTANCE
    summary = "replace an instance's user data and restart it"


class SendCommand(WorkloadMethod):
    name = "ssm:SendCommand"
    actions = ("ssm:SendCommand",)
    kind = WorkloadKind.EC2_INSTANCE
    summary = "run a command on an instance through Systems Manager"


class StartSession(WorkloadMethod):
    name = "ssm:StartSession"
    actions = ("ssm:StartSession",)
    kind = WorkloadKind.EC2_INSTANCE
    summary = "open a shell on an instance through Session Manager"


class SendSSHPublicKey(WorkloadMethod):
    name = "ec2-instance-connect:SendSSHPublicKey"
    actions = ("ec2-instance-connect:SendSSHPublicKey",)
    kind = WorkloadKind.EC2_INSTANCE
    summary = "push an SSH key with EC2 Instance Connect and log in"


METHODS: dict[str, type[Method]] = {
    cls.name: cls
    for cls in (RunInstances, ModifyInstanceUserData, SendCommand, StartSession,
                SendSSHPublicKey)
}  # fmt: skip
