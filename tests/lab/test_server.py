"""Starting and stopping the lab: clear errors, one lab per process."""

from __future__ import annotations

import socket

import pytest

from chaincut.errors import LabError
from chaincut.lab import Lab
from chaincut.lab.server import LabServer


def test_a_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        server = LabServer(port)
        with pytest.raises(LabError, match=str(port)):
            server.start()


def test_a_second_lab_in_the_same_process_is_refused(lab: Lab) -> None:
    with pytest.raises(LabError, match="already running"):
        Lab().start()
    # The refused start left the running lab alone.
    lab.defender().client("iam").list_users()


def test_unknown_scenario_is_refused() -> None:
    with pytest.raises(LabError, match="unknown scenario"):
        Lab(scenario_name="no_such_scenario")


def test_lab_endpoint_is_loopback(lab: Lab) -> None:
    assert lab.endpoint_url == f"http://127.0.0.1:{lab.port}"
