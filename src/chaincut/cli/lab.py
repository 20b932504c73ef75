"""``chaincut lab``: run the embedded account, or build the scenario for real."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from chaincut.aws import AccessKeyPair, AwsConnection
from chaincut.cli._target import ProfileOption, RegionOption
from chaincut.errors import InputError
from chaincut.lab import scenario

lab_app = typer.Typer(
    help="The embedded lab account and the vulnerable scenario.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(lab_app, name="lab")


@lab_app.command("serve")
def serve(
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (0: any free).")
    ] = 4566,
    scenario_name: Annotated[
        str, typer.Option("--scenario", help="Scenario to build.")
    ] = scenario.SCENARIO_NAME,
) -> int:
    """Run the lab in the foreground and print how to reach it. Ctrl-C stops it."""
    from chaincut.cli import stderr
    from chaincut.lab import Lab

    lab = Lab(port=port, scenario_name=scenario_name)
    with stderr.status(f"starting the lab and building {scenario_name}"):
        lab.start()
    try:
        # Plain text: these lines are meant to be pasted into a shell or a
        # config file exactly as printed.
        sys.stdout.write(_connection_text(lab) + "\n")
        sys.stdout.flush()
        stderr.print("lab running; Ctrl-C stops it", highlight=False)
        threading.Event().wait()
    except KeyboardInterrupt:
        stderr.print("stopping the lab", highlight=False)
    finally:
        lab.stop()
    return 0


def _connection_text(lab: object) -> str:
    from chaincut.lab import Lab

    assert isinstance(lab, Lab)  # for the type checker; only Lab reaches here
    state = lab.state
    lines = [
        f"# chaincut lab: {state.scenario} (run {state.run_id})",
        f"# endpoint {lab.endpoint_url}  region {lab.region}"
        f"  account {state.account_id}",
        "",
        f"# The attacker's starting point: {state.low_priv_user}",
        *_exports(lab.endpoint_url, lab.region, state.attacker),
        "",
        "# The defender (administrator of the lab account):",
        *_exports(lab.endpoint_url, lab.region, lab.defender_keys),
        "",
        "# As AWS CLI profiles: add to ~/.aws/config",
    ]
    identities = (("attacker", state.attacker), ("defender", lab.defender_keys))
    for name, _ in identities:
        lines += [
            f"[profile chaincut-lab-{name}]",
            f"region = {lab.region}",
            f"endpoint_url = {lab.endpoint_url}",
        ]
    lines.append("# and to ~/.aws/credentials")
    for name, keys in identities:
        lines += [
            f"[chaincut-lab-{name}]",
            f"aws_access_key_id = {keys.access_key_id}",
            f"aws_secret_access_key = {keys.secret_access_key}",
        ]
    return "\n".join(lines)


def _exports(endpoint: str, region: str, keys: AccessKeyPair) -> list[str]:
    return [
        f"export AWS_ENDPOINT_URL={endpoint}",
        f"export AWS_DEFAULT_REGION={region}",
        f"export AWS_ACCESS_KEY_ID={keys.access_key_id}",
        f"export AWS_SECRET_ACCESS_KEY={keys.secret_access_key}",
    ]


ApplyOption = Annotated[
    bool,
    typer.Option(
        "--apply", help="Make the changes; without it, only say what would change."
    ),
]


@lab_app.command("create")
def create(
    profile: ProfileOption = None,
    region: RegionOption = None,
    state_file: Annotated[
        Path | None,
        typer.Option(
            help="Where to keep the attacker's key (default: ./chaincut-lab-RUN.json)."
        ),
    ] = None,
    apply: ApplyOption = False,
) -> int:
    """Build the vulnerable scenario in a real account (tagged chaincut:lab)."""
    from chaincut.cli import result_console, stderr

    aws = AwsConnection.from_profile(profile, region)
    if not apply:
        stderr.print(
            "would create in this account, tagged chaincut:lab: three IAM users"
            " (one an administrator) with access keys, two managed policies, two"
            " roles and an instance profile, a VPC and subnet, a Beanstalk"
            " application and environment (it launches billed instances), and a"
            " Secrets Manager secret.\nRun again with --apply to create them.",
            highlight=False,
        )
        return 0
    with stderr.status("building beanstalk_secrets"):
        state = scenario.build(aws)
    path = state_file or Path(f"chaincut-lab-{state.run_id}.json")
    private = {
        **state.to_public_dict(),
        "attacker_secret_access_key": state.attacker.secret_access_key,
    }
    _write_private(path, private)
    result_console().print_json(json.dumps(state.to_public_dict()))
    stderr.print(
        f"built run {state.run_id}; the attacker's key is in {path} (mode 0600)."
        f"\nRemove it all with: chaincut lab destroy --run-id {state.run_id} --apply",
        highlight=False,
    )
    return 0


def _write_private(path: Path, content: dict[str, str]) -> None:
    if path.exists():
        raise InputError(f"{str(path)!r} exists already: choose another --state-file")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(content, handle, indent=2)


@lab_app.command("destroy")
def destroy(
    profile: ProfileOption = None,
    region: RegionOption = None,
    run_id: Annotated[
        str | None, typer.Option(help="Only this run's resources (default: every run).")
    ] = None,
    apply: ApplyOption = False,
) -> int:
    """Remove what 'lab create' made: only resources tagged chaincut:lab."""
    from chaincut.cli import result_console, stderr

    aws = AwsConnection.from_profile(profile, region)
    with stderr.status("finding resources tagged chaincut:lab"):
        found = scenario.find_tagged(aws, run_id)
    out = result_console()
    if not found:
        stderr.print("nothing tagged chaincut:lab found", highlight=False)
        return 0
    for resource in found:
        out.print(
            f"{resource.kind}\t{resource.name}\trun {resource.run_id}", highlight=False
        )
    if not apply:
        stderr.print(f"{len(found)} resources would be removed; run again with --apply")
        return 0
    scenario.destroy(
        aws,
        found,
        progress=lambda r: stderr.print(f"removed {r.kind} {r.name}", highlight=False),
    )
    return 0
