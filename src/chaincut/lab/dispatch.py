"""moto's request dispatch, made cheaper for the lab.

For every request moto lists the methods of the response class with
``inspect.getmembers`` to see whether the action is implemented: about a
millisecond each time, a large share of a lab request. The lab's additions are
installed before it serves anything, so the list of a class does not change
afterwards and is computed once.
"""

from __future__ import annotations

import functools

from moto.core import responses, utils

from chaincut.lab._patch import once


@once
def install() -> None:
    original = utils.method_names_from_class

    @functools.cache
    def method_names_from_class(clazz: object) -> frozenset[str]:
        return frozenset(original(clazz))

    setattr(responses, "method_names_from_class", method_names_from_class)  # noqa: B010
