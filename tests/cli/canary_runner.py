"""Run one chaincut command with a canary planted in its private lab.

Used by the canary tests as ``python canary_runner.py OUT_FILE ARGS...``: the
lab's secret holds a known canary value, and once the command has finished the
secret values it must never show (the canary and the secondary user's secret
key, read back from the lab's state) are written to OUT_FILE for the test to
search the command's output with. The command's own output is untouched.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from moto.iam.models import iam_backends

from chaincut.cli import main
from chaincut.lab import account, scenario

CANARY = "canary-7f3a9c1e-do-not-leak-0b5d"


def _planting_build(*args: Any, **kwargs: Any) -> scenario.ScenarioState:
    kwargs["secret_value"] = CANARY
    return original_build(*args, **kwargs)


def _secrets_to_watch() -> list[str]:
    watched = [CANARY]
    for by_partition in iam_backends.values():
        for backend in by_partition.values():
            for user in backend.users.values():
                if user.name.startswith("secondary_user_"):
                    watched += [k.secret_access_key for k in user.access_keys]
    return watched


original_build = scenario.build
account.scenario.build = _planting_build  # type: ignore[method-assign]

if __name__ == "__main__":
    code = main(sys.argv[2:])
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(_secrets_to_watch(), out)
    sys.exit(code)
