"""Properties of the decision that hold for any policies and request."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from policy_helpers import ACCOUNT, ADMIN_SESSION, ALICE, CAROL, Doc

from chaincut.policy import (
    Decision,
    PolicyKind,
    PolicySet,
    Request,
    evaluate,
    parse_policy,
)

ACTIONS = ["s3:GetObject", "s3:PutObject", "iam:CreateAccessKey", "iam:GetUser"]
ACTION_PATTERNS = [*ACTIONS, "s3:*", "iam:Get*", "*", "iam:?etUser", "IAM:create*"]
RESOURCES = [
    "arn:aws:s3:::bucket/a",
    "arn:aws:s3:::bucket/b",
    f"arn:aws:iam::{ACCOUNT}:user/alice",
    f"arn:aws:iam::{ACCOUNT}:user/bob",
]
RESOURCE_PATTERNS = [
    *RESOURCES,
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:iam::*:user/*",
    f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
]
CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"aws:username": "alice"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}},
    {"StringNotLike": {"s3:prefix": "secret*"}},
]
PRINCIPALS = [ALICE, ADMIN_SESSION, CAROL]
CONTEXTS: list[dict[str, Any]] = [
    {},
    {"aws:SourceIp": "10.1.1.1", "aws:SecureTransport": True},
    {"aws:TagKeys": ["env"], "s3:prefix": "secret/x"},
]


@st.composite
def statements(draw: st.DrawFn, *, resource_policy: bool = False) -> Doc:
    statement: Doc = {
        "Effect": draw(st.sampled_from(["Allow", "Deny"])),
        "Action": draw(
            st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=2)
        ),
        "Resource": draw(st.sampled_from(RESOURCE_PATTERNS)),
    }
    if draw(st.booleans()):
        statement["Condition"] = draw(st.sampled_from(CONDITIONS))
    if resource_policy:
        statement["Principal"] = {"AWS": draw(st.sampled_from([*PRINCIPALS, ACCOUNT]))}
    return statement


def documents(*, resource_policy: bool = False) -> st.SearchStrategy[Doc]:
    return st.builds(
        lambda items: {"Version": "2012-10-17", "Statement": items},
        st.lists(statements(resource_policy=resource_policy), min_size=1, max_size=4),
    )


@st.composite
def cases(draw: st.DrawFn) -> tuple[Request, dict[str, Any]]:
    request = Request(
        draw(st.sampled_from(PRINCIPALS)),
        draw(st.sampled_from(ACTIONS)),
        draw(st.sampled_from(RESOURCES)),
        resource_account=ACCOUNT,
        context=draw(st.sampled_from(CONTEXTS)),
    )
    inputs: dict[str, Any] = {
        "identity": draw(st.lists(documents(), max_size=3)),
        "resource": draw(st.none() | documents(resource_policy=True)),
        "boundaries": draw(st.lists(documents(), max_size=1)),
        "scp_levels": draw(
            st.none()
            | st.lists(st.lists(documents(), min_size=1, max_size=2), max_size=2)
        ),
    }
    return request, inputs


def build(inputs: dict[str, Any]) -> PolicySet:
    def parse(document: Doc, kind: PolicyKind) -> Any:
        return parse_policy(document, name="p", kind=kind)

    levels = inputs["scp_levels"]
    return PolicySet(
        identity=tuple(parse(d, PolicyKind.IDENTITY) for d in inputs["identity"]),
        resource=None
        if inputs["resource"] is None
        else parse(inputs["resource"], PolicyKind.RESOURCE),
        boundaries=tuple(parse(d, PolicyKind.BOUNDARY) for d in inputs["boundaries"]),
        scp_levels=None
        if levels is None
        else tuple(tuple(parse(d, PolicyKind.SCP) for d in level) for level in levels),
    )


def decide(request: Request, inputs: dict[str, Any]) -> Decision:
    return evaluate(request, build(inputs)).decision


LAYERS = ["identity", "resource", "boundaries", "scp_levels"]


@settings(max_examples=150, deadline=None)
@given(cases(), st.sampled_from(LAYERS), statements(resource_policy=True))
def test_adding_a_deny_never_allows(
    case: tuple[Request, dict[str, Any]], layer: str, extra: Doc
) -> None:
    request, inputs = case
    before = decide(request, inputs)
    extra = {**extra, "Effect": "Deny"}
    widened = dict(inputs)
    if layer != "resource":
        extra.pop("Principal")
    if layer == "resource":
        base = inputs["resource"] or {"Version": "2012-10-17", "Statement": []}
        widened["resource"] = {**base, "Statement": [*base["Statement"], extra]}
    elif layer == "scp_levels":
        levels = inputs["scp_levels"] or [[]]
        widened["scp_levels"] = [[*levels[0], _wrap(extra)], *levels[1:]]
    else:
        widened[layer] = [*inputs[layer], _wrap(extra)]
    after = decide(request, widened)
    if before is not Decision.ALLOW:
        assert after is not Decision.ALLOW
    if before is Decision.EXPLICIT_DENY:
        assert after is Decision.EXPLICIT_DENY


def _wrap(statement: Doc) -> Doc:
    return {"Version": "2012-10-17", "Statement": [statement]}


@settings(max_examples=150, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_order_never_matters(case: tuple[Request, dict[str, Any]], rng: Any) -> None:
    request, inputs = case
    before = decide(request, inputs)
    shuffled = dict(inputs)
    # Statements inside each policy, then the policies of each layer.
    shuffled["identity"] = [_shuffle_statements(d, rng) for d in inputs["identity"]]
    rng.shuffle(shuffled["identity"])
    if inputs["resource"] is not None:
        shuffled["resource"] = _shuffle_statements(inputs["resource"], rng)
    if inputs["scp_levels"] is not None:
        levels = [
            [_shuffle_statements(d, rng) for d in lvl] for lvl in inputs["scp_levels"]
        ]
        for level in levels:
            rng.shuffle(level)
        shuffled["scp_levels"] = levels
    assert decide(request, shuffled) is before


def _shuffle_statements(document: Doc, rng: Any) -> Doc:
    items = list(document["Statement"])
    rng.shuffle(items)
    return {**document, "Statement": items}


@settings(max_examples=100, deadline=None)
@given(cases(), st.lists(cases(), max_size=6))
def test_cached_plans_agree_with_fresh_parses(
    case: tuple[Request, dict[str, Any]], others: list[tuple[Request, dict[str, Any]]]
) -> None:
    """Plans and memos built for earlier requests never change a later answer."""
    request, inputs = case
    shared = build(inputs)
    for other, _ in others:
        evaluate(other, shared)
    assert evaluate(request, shared) == evaluate(request, build(inputs))


@settings(max_examples=100, deadline=None)
@given(cases(), st.lists(st.sampled_from(RESOURCES), max_size=4))
def test_asking_again_agrees_with_asking_once(
    case: tuple[Request, dict[str, Any]], others: list[str]
) -> None:
    """A resource asked about again is decided from checks narrowed to it,
    and every answer, and its reasons, matches a fresh set's first answer."""
    request, inputs = case
    shared = build(inputs)
    first = evaluate(request, build(inputs))
    for _ in range(3):
        assert evaluate(request, shared) == first
        # Other resources of the same action share the plan in between.
        for resource in others:
            other = Request(
                request.principal, request.action, resource, context=request.context
            )
            assert evaluate(other, shared) == evaluate(other, build(inputs))
