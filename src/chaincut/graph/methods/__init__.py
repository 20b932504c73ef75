"""Escalation methods, one module per service family, behind one base class.

``METHODS`` is the explicit name-to-class map the builder walks; each module
keeps its own ``METHODS`` map and the two must agree (a test checks that no
name is claimed twice and every class declares its actions and fix).
"""

from __future__ import annotations

from chaincut.graph.methods import (
    cloudformation,
    codebuild,
    credentials,
    ec2,
    ecs,
    glue,
    iam,
    lambda_,
    orchestration,
    sagemaker,
    sts,
)
from chaincut.graph.methods._base import BuildContext, Method

_MODULES = (
    credentials,
    iam,
    sts,
    ec2,
    lambda_,
    ecs,
    cloudformation,
    codebuild,
    glue,
    sagemaker,
    orchestration,
)


def _collect() -> dict[str, type[Method]]:
    found: dict[str, type[Method]] = {}
    for module in _MODULES:
        for name, cls in module.METHODS.items():
            if name in found:
                raise ValueError(f"escalation method {name!r} defined twice")
            found[name] = cls
    return found


METHODS: dict[str, type[Method]] = _collect()

__all__ = ["METHODS", "BuildContext", "Method"]
