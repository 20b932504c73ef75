"""``chaincut policy``: the offline IAM policy simulator."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from chaincut.errors import InputError

policy_app = typer.Typer(help="Evaluate IAM requests offline.", no_args_is_help=True)


@policy_app.command("eval")
def eval_command(
    source: str = typer.Argument(
        "-", metavar="[FILE|-]", help="A case or an array of cases; '-' reads stdin."
    ),
) -> None:
    """Decide each request of FILE offline and print the decisions as JSON.

    A case holds "request" (principal, action, resource, resource_account,
    context) and optionally identity_policies, resource_policy,
    permission_boundaries, session_policy and scp_levels. A malformed case
    answers {"error": ...} in its place.
    """
    from chaincut.policy.simulate import load_cases, run_cases

    text = _read(source)
    answers = run_cases(load_cases(text, source=_label(source)))
    sys.stdout.write(json.dumps(answers, indent=2) + "\n")


def _label(source: str) -> str:
    return "stdin" if source == "-" else source


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            f"{source}: cannot read ({error}); give a readable JSON file or '-'"
        ) from error


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")
