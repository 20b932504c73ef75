"""moto served in-process on 127.0.0.1, with chaincut's additions installed.

moto's own ``ThreadedMotoServer`` binds its socket inside the server thread,
so a port already in use leaves the caller waiting forever (and werkzeug ends
the process). Here the socket is bound first, in the caller's thread, and a
busy port is a clear error.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from chaincut.errors import LabError
from chaincut.lab import auth, beanstalk, dispatch, iam, regions

log = logging.getLogger(__name__)

# moto gives every region's EC2 backend some thousand public AMIs, which costs
# a third of a second per region on first use; the lab launches nothing from
# them. A caller who set the variable keeps its value.
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

LOOPBACK = "127.0.0.1"


def _bind(port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind((LOOPBACK, port))
        listener.listen(128)
    except OSError as error:
        listener.close()
        if error.errno == errno.EADDRINUSE:
            raise LabError(
                f"port {port} on {LOOPBACK} is already in use:"
                " pick another with --port, or --port 0 for any free port"
            ) from error
        raise LabError(f"cannot listen on {LOOPBACK}:{port}: {error}") from error
    return listener


class LabServer:
    """An HTTP endpoint that answers AWS API calls from moto's backends."""

    def __init__(self, port: int = 0) -> None:
        self._requested_port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise LabError("the lab server is not running; start it first")
        return int(self._server.server_address[1])

    @property
    def endpoint_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        beanstalk.install()
        regions.install()
        iam.install()
        # Last: it freezes each response class's list of operations.
        dispatch.install()
        # werkzeug logs every request, and every failure inside moto with its
        # traceback, on a handler of its own; the caller sees the AWS error.
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        auth.install()
        listener = _bind(self._requested_port)
        try:
            # werkzeug exits the process when it cannot bind, so the socket is
            # bound here and handed over already listening.
            self._server = make_server(
                LOOPBACK,
                listener.getsockname()[1],
                DomainDispatcherApplication(create_backend_app),
                threaded=True,
                request_handler=MotoRequestHandler,
                fd=listener.fileno(),
            )
        finally:
            listener.close()  # werkzeug holds its own duplicate of it
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="chaincut-lab", daemon=True
        )
        self._thread.start()
        log.info("lab listening on %s", self.endpoint_url)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
