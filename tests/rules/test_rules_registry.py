"""The rule catalogue: every rule carries complete, valid metadata."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

import pytest

import chaincut.rules
from chaincut.policy.catalog import action_info
from chaincut.rules import (
    CollectorCall,
    RuleDefinitionError,
    RuleMeta,
    Severity,
    registry,
    rule,
)
from chaincut.rules._core import validate

RULES = registry()
FAMILIES = sorted(
    name
    for _, name, _ in pkgutil.iter_modules(chaincut.rules.__path__)
    if not name.startswith("_") and name != "logpattern"
)


def test_registry_is_not_empty_and_ids_are_unique() -> None:
    ids = [r.meta.id for r in RULES]
    assert len(ids) >= 30
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids)


@pytest.mark.parametrize("found", RULES, ids=lambda r: r.meta.id)
def test_rule_has_metadata_and_permissions(found: chaincut.rules.Rule) -> None:
    meta = found.meta
    validate(meta)  # raises on anything malformed
    assert meta.title and meta.fix and meta.remediation and found.doc
    assert isinstance(meta.severity, Severity)
    assert meta.permissions
    for permission in meta.permissions:
        assert action_info(permission) is not None, permission
    assert meta.family in FAMILIES
    assert meta.id.startswith(meta.family.split("_")[0] + "-")


def test_every_family_module_registers_rules() -> None:
    assert {r.meta.family for r in RULES} == set(FAMILIES)
    for family in FAMILIES:
        importlib.import_module(f"chaincut.rules.{family}")


def test_every_rule_reaching_the_chain_names_an_attack_technique() -> None:
    chain = ("beanstalk-plaintext", "iam-credentials", "secrets-access")
    for found in RULES:
        if found.meta.id.startswith(chain):
            assert found.meta.attack


_GOOD = RuleMeta(
    id="demo-thing",
    title="A thing",
    severity=Severity.LOW,
    family="demo",
    needs=(CollectorCall("iam", "ListUsers", "iam:ListUsers"),),
    remediation="fix-thing",
    fix="Fix the thing.",
)


@pytest.mark.parametrize(
    "change",
    [
        {"id": "Demo_Thing"},
        {"id": "other-thing"},
        {"title": " "},
        {"needs": ()},
        {"needs": (CollectorCall("iam", "ListUsers", "ListUsers"),)},
        {"attack": ("1078",)},
        {"cis": ("three",)},
        {"remediation": "Fix It"},
        {"fix": ""},
    ],
)
def test_malformed_metadata_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(RuleDefinitionError):
        validate(dataclasses.replace(_GOOD, **change))  # type: ignore[arg-type]


def test_registering_an_id_twice_is_refused() -> None:
    existing = RULES[0].meta

    def check(context: object, meta: object) -> list[object]:
        """A second rule with the same id."""
        return []

    check.__module__ = f"chaincut.rules.{existing.family}"
    validate(existing)  # so the refusal below is the duplicate, not the metadata
    with pytest.raises(RuleDefinitionError):
        rule(
            id=existing.id,
            title="again",
            severity=Severity.LOW,
            needs=existing.needs,
            remediation="again",
            fix="Again.",
        )(check)  # type: ignore[arg-type]


def test_a_rule_without_docstring_is_refused() -> None:
    def check(context: object, meta: object) -> list[object]:
        return []

    check.__module__ = "chaincut.rules.iam_credentials"
    validate(dataclasses.replace(_GOOD, id="iam-undocumented", family="iam_x"))
    with pytest.raises(RuleDefinitionError):
        rule(
            id="iam-undocumented",
            title="t",
            severity=Severity.LOW,
            needs=_GOOD.needs,
            remediation="r",
            fix="F.",
        )(check)  # type: ignore[arg-type]
