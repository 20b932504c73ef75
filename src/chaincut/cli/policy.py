"""``chaincut policy``: the offline IAM policy simulator."""

from __future__ import annotations

import typer

policy_app = typer.Typer(help="Evaluate IAM requests offline.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")
