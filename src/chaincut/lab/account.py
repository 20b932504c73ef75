"""The embedded lab account: a moto server with a scenario built in it.

Building happens with authentication off (moto accepts any key), then the
switch goes on and every request needs a real, active key of the account, and
chaincut's policy engine decides what each caller may do.
moto keeps its backends in module globals, so one lab runs per process; a
second start while one runs is refused rather than sharing state silently.
"""

from __future__ import annotations

import logging
import threading
import time
from types import TracebackType

from moto.moto_api._internal.models import moto_api_backend

from chaincut.aws import AccessKeyPair, AwsConnection
from chaincut.errors import LabError
from chaincut.lab import auth, decider, scenario
from chaincut.lab.server import LabServer

log = logging.getLogger(__name__)

LAB_REGION = "us-east-1"
DEFENDER_USER = "lab_defender"
SCENARIOS = (scenario.SCENARIO_NAME,)

# Any key works while authentication is off; this one only builds.
_BOOTSTRAP = AccessKeyPair("AKIALABBOOTSTRAP0000", "lab-bootstrap-not-a-secret")
# A denied call is final; retrying it only slows the lab down.
_LAB_ATTEMPTS = 2

_running_lock = threading.Lock()
_running: Lab | None = None


class Lab:
    """A running lab account. Use as a context manager, or start and stop."""

    def __init__(
        self,
        *,
        port: int = 0,
        scenario_name: str | None = scenario.SCENARIO_NAME,
        secret_value: str | None = None,
    ) -> None:
        if scenario_name is not None and scenario_name not in SCENARIOS:
            raise LabError(
                f"unknown scenario {scenario_name!r}:"
                f" choose one of {', '.join(SCENARIOS)}"
            )
        self._server = LabServer(port)
        self._scenario_name = scenario_name
        self._secret_value = secret_value
        self._state: scenario.ScenarioState | None = None
        self._defender_keys: AccessKeyPair | None = None
        self._account_id: str | None = None
        self.build_seconds = 0.0

    # -- life cycle --------------------------------------------------------

    def start(self) -> Lab:
        global _running
        with _running_lock:
            if _running is not None:
                raise LabError(
                    "a lab is already running in this process; stop it first"
                )
            _running = self
        started = time.perf_counter()
        try:
            self._server.start()
            self.rebuild()
        except BaseException:
            self.stop()
            raise
        self.build_seconds = time.perf_counter() - started
        return self

    def rebuild(self) -> None:
        """Empty the account and build the scenario again, fresh keys and all."""
        auth.disable_authentication()
        moto_api_backend.reset()
        bootstrap = self.connection(_BOOTSTRAP)
        self._account_id = bootstrap.account_id
        self._defender_keys = scenario.create_admin(bootstrap, DEFENDER_USER)
        self._state = None
        if self._scenario_name is not None:
            self._state = scenario.build(bootstrap, secret_value=self._secret_value)
        auth.set_access_decider(decider.decide_allowed)
        auth.enable_authentication()

    def stop(self) -> None:
        global _running
        self._server.stop()
        auth.disable_authentication()
        auth.set_access_decider(None)
        with _running_lock:
            if _running is self:
                _running = None

    def __enter__(self) -> Lab:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what callers use --------------------------------------------------

    @property
    def endpoint_url(self) -> str:
        return self._server.endpoint_url

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def region(self) -> str:
        return LAB_REGION

    @property
    def state(self) -> scenario.ScenarioState:
        if self._state is None:
            raise LabError("this lab was started without a scenario")
        return self._state

    @property
    def defender_keys(self) -> AccessKeyPair:
        if self._defender_keys is None:
            raise LabError("the lab is not running; start it first")
        return self._defender_keys

    @property
    def account_id(self) -> str:
        if self._account_id is None:
            raise LabError("the lab is not running; start it first")
        return self._account_id

    def connection(self, keys: AccessKeyPair) -> AwsConnection:
        """Reach the lab as the owner of ``keys``."""
        return AwsConnection.from_keys(
            keys,
            region=LAB_REGION,
            endpoint_url=self.endpoint_url,
            max_attempts=_LAB_ATTEMPTS,
        )

    def defender(self) -> AwsConnection:
        return self.connection(self.defender_keys)

    def attacker(self) -> AwsConnection:
        return self.connection(self.state.attacker)
