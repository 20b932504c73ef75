"""Shared fixtures: one lab account per test process.

moto keeps its state in process globals, so each pytest worker runs one lab
for the whole session. Tests that change the account ask for ``fresh_lab``,
which rebuilds the scenario (new names, new keys) before the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chaincut.collect import collect
from chaincut.lab import LAB_REGION, Lab
from chaincut.snapshot import Snapshot


@pytest.fixture(scope="session")
def session_lab() -> Iterator[Lab]:
    with Lab() as lab:
        yield lab


@pytest.fixture
def lab(session_lab: Lab) -> Lab:
    """The running lab, as the last test left it (read-only use)."""
    return session_lab


@pytest.fixture
def fresh_lab(session_lab: Lab) -> Iterator[Lab]:
    """A lab with the scenario just built, for tests that change the account."""
    session_lab.rebuild()
    yield session_lab
    session_lab.rebuild()


_snapshots: dict[str, Snapshot] = {}


@pytest.fixture
def lab_snapshot(session_lab: Lab) -> Snapshot:
    """The defender's snapshot of the lab's home region, as it is now.

    Collected once per scenario build: tests that rebuild the lab get a new
    one on their next use.
    """
    run_id = session_lab.state.run_id
    if run_id not in _snapshots:
        _snapshots.clear()
        _snapshots[run_id] = collect(session_lab.defender(), regions=[LAB_REGION])
    return _snapshots[run_id]
