"""Installing additions into moto exactly once per process."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable


def once(install: Callable[[], None]) -> Callable[[], None]:
    """Make ``install`` run on its first call only, even from several threads.

    moto's classes are process globals: wrapping one of their methods twice
    would run the addition twice on every request.
    """
    lock = threading.Lock()
    done = False

    @functools.wraps(install)
    def install_once() -> None:
        nonlocal done
        with lock:
            if not done:
                install()
                done = True

    return install_once
