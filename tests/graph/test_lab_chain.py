"""The lab's beanstalk_secrets chain, through the library and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chaincut.cli import main
from chaincut.graph import ADMIN, USE_LEAKED_KEY, AttackGraph, build_graph
from chaincut.lab import Lab
from chaincut.snapshot import Snapshot


def _arn(snapshot: Snapshot, name: str) -> str:
    return next(u.arn for u in snapshot.iam.users if u.name == name)


@pytest.fixture
def graph(lab_snapshot: Snapshot) -> AttackGraph:
    return build_graph(lab_snapshot)


def test_low_priv_user_reaches_the_secret(
    lab: Lab, lab_snapshot: Snapshot, graph: AttackGraph
) -> None:
    state = lab.state
    low = _arn(lab_snapshot, state.low_priv_user)
    secondary = _arn(lab_snapshot, state.secondary_user)
    admin = _arn(lab_snapshot, state.admin_user)
    (path,) = graph.paths(source=low, target=f"secret:{state.secret_name}")
    steps = [(s.source, s.method, s.target) for s in path.steps]
    holder = steps[0][2]
    assert steps == [
        (low, "read_credential_holder", holder),
        (holder, USE_LEAKED_KEY, secondary),
        (secondary, "iam:CreateAccessKey", admin),
        (admin, "secretsmanager:GetSecretValue", f"secret:{state.secret_name}"),
    ]
    read = path.steps[0].calls[0]
    assert read.action == "elasticbeanstalk:DescribeConfigurationSettings"
    assert read.resource.endswith(
        f":environment/{state.application_name}/{state.environment_name}"
    )
    assert read.allowed_by[0].statement == "BeanstalkRead"
    assert path.steps[2].calls[0].allowed_by[0].statement == "CreateKeys"
    assert path.steps[3].calls[0].resource == state.secret_arn


def test_low_priv_user_reaches_admin(
    lab_snapshot: Snapshot, graph: AttackGraph
) -> None:
    low = next(u.arn for u in lab_snapshot.iam.users if "low_priv" in u.name)
    (path,) = graph.paths(source=low, target=ADMIN)
    assert path.steps[-1].target == ADMIN


def test_minimal_cut_disconnects_and_is_cheapest(
    lab: Lab, lab_snapshot: Snapshot, graph: AttackGraph
) -> None:
    target = f"secret:{lab.state.secret_name}"
    low = _arn(lab_snapshot, lab.state.low_priv_user)
    cut = graph.cut(target)
    removed = set(cut.edges)
    assert removed == set(graph.minimal_cut(target))
    rest = AttackGraph(
        graph.account_id,
        graph.nodes,
        graph.targets,
        graph.holders,
        tuple(e for e in graph.edges if e not in removed),
        graph.admins,
    )
    assert rest.paths(source=low, target=target) == []
    # One cheap fix: deny secondary_user iam:CreateAccessKey (it is itself a
    # source, so removing the leaked key alone would not do).
    assert [f.kind.value for f in cut.fixes] == ["deny_credential_creation"]
    assert cut.cost == 1
    # From low_priv_user alone, removing the leaked credential is cheapest.
    (fix,) = graph.cut(target, [low]).fixes
    assert fix.kind.value == "remove_leaked_credential"


@pytest.mark.slow
def test_cli_json(
    lab: Lab, lab_snapshot: Snapshot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "snapshot.json"
    lab_snapshot.save(file)
    assert main(["paths", "--snapshot", str(file), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    low = _arn(lab_snapshot, lab.state.low_priv_user)
    secret = f"secret:{lab.state.secret_name}"
    (path,) = [
        p for p in document["paths"] if p["source"] == low and p["target"] == secret
    ]
    assert [s["method"] for s in path["steps"]] == [
        "read_credential_holder",
        USE_LEAKED_KEY,
        "iam:CreateAccessKey",
        "secretsmanager:GetSecretValue",
    ]
    assert path["steps"][2]["to"] == _arn(lab_snapshot, lab.state.admin_user)
    assert lab_snapshot.secrets[0].arn in json.dumps(document)


def test_cli_bad_target(tmp_path: Path, lab_snapshot: Snapshot) -> None:
    file = tmp_path / "snapshot.json"
    lab_snapshot.save(file)
    assert main(["paths", "--snapshot", str(file), "--to", "nothing"]) == 2
    assert main(["paths", "--snapshot", str(file), "--to", "secret:absent"]) == 2
    assert main(["paths"]) == 2
