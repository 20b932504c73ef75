"""Reading a credential holder: configuration that holds another user's key.

Handled: one edge from a principal to each credential holder (see
``chaincut.graph._holders``) it may read: one of the holder's read actions
allowed on each of its resources (for Beanstalk,
``elasticbeanstalk:DescribeConfigurationSettings`` on
``arn:aws:elasticbeanstalk:REGION:ACCOUNT:environment/APP/ENV``). The edge
from the holder to the key's owner is made by the builder, only for an
active key of a known user.

Not handled: reading the same settings through another API (Beanstalk
saved configurations and ``DescribeConfigurationOptions``, Lambda's
``GetFunction`` code package, CloudTrail request parameters).
"""

from __future__ import annotations

from collections.abc import Iterator

from chaincut.graph._model import Call, Edge, Fix, FixKind
from chaincut.graph.methods._base import BuildContext, Method


class ReadCredentialHolder(Method):
    name = "read_credential_holder"
    actions = ()
    fix_kind = FixKind.DENY_CONFIGURATION_READ
    summary = "read configuration that holds another user's access key"

    def prefilter(self, context: BuildContext, source: str) -> bool:
        actions = {a for holder in context.holders for a in holder.read_actions}
        return any(context.could(source, action) for action in actions)

    def edges(self, context: BuildContext, source: str) -> Iterator[Edge]:
        for holder in context.holders:
            calls: list[Call] = []
            for resource in holder.resources:
                call = context.evaluator.first_call_of(
                    source, holder.read_actions, resource
                )
                if call is None:
                    break
                calls.append(call)
            else:
                yield Edge(
                    source,
                    holder.id,
                    self.name,
                    tuple(calls),
                    self.fix_for(source, holder.read_actions),
                )

    def fix_for(self, source: str, actions: tuple[str, ...]) -> Fix:
        return Fix(self.fix_kind, source, actions)


METHODS: dict[str, type[Method]] = {ReadCredentialHolder.name: ReadCredentialHolder}
