"""AWS calls made for the collector: a failure becomes a coverage gap.

A call that is denied, or a service that does not answer in a region, must
show up in the snapshot as a hole in what chaincut saw. It must never crash
the run and never pass silently as "nothing there". Errors that are not AWS
errors (a bug in chaincut) are not caught here.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import botocore.exceptions

from chaincut.aws import error_code, is_access_denied
from chaincut.snapshot import CoverageGap, GapKind

log = logging.getLogger(__name__)

# Failures of the service rather than of chaincut: an endpoint that does not
# exist or answer in a region, a reply that is not what the API promises.
_UNREACHABLE = (botocore.exceptions.BotoCoreError,)


class CallRecorder:
    """Makes calls and remembers the ones that failed."""

    def __init__(self) -> None:
        self._gaps: list[CoverageGap] = []
        self._lock = threading.Lock()

    @property
    def gaps(self) -> tuple[CoverageGap, ...]:
        with self._lock:
            return tuple(self._gaps)

    def call(
        self,
        client: Any,
        method: str,
        *,
        resource: str = "",
        absent: tuple[str, ...] = (),
        **params: Any,
    ) -> dict[str, Any] | None:
        """``client.method(**params)``, or None after recording a gap.

        ``absent`` lists error codes that mean "there is none" (a bucket with no
        policy): those return None without a gap.
        """
        try:
            return dict(getattr(client, method)(**params))
        except botocore.exceptions.ClientError as error:
            if error_code(error) in absent:
                return None
            self._record(client, method, resource, error)
            return None
        except _UNREACHABLE as error:
            self._record(client, method, resource, error)
            return None

    def pages(
        self,
        client: Any,
        method: str,
        key: str,
        *,
        resource: str = "",
        whole_pages: bool = False,
        **params: Any,
    ) -> list[Any] | None:
        """Every item under ``key`` across all pages, or None after a gap.

        With ``whole_pages`` the pages themselves are returned, for answers
        that carry several lists (``key`` is then ignored).
        """
        items: list[Any] = []
        try:
            for page in client.get_paginator(method).paginate(**params):
                if whole_pages:
                    items.append(page)
                else:
                    items.extend(page.get(key, []))
        except botocore.exceptions.ClientError as error:
            self._record(client, method, resource, error)
            return None
        except _UNREACHABLE as error:
            self._record(client, method, resource, error)
            return None
        return items

    def _record(
        self, client: Any, method: str, resource: str, error: Exception
    ) -> None:
        service = str(client.meta.service_model.service_name)
        operation = str(client.meta.method_to_api_mapping.get(method, method))
        region = str(client.meta.region_name)
        if isinstance(error, botocore.exceptions.ClientError):
            code = error_code(error)
            kind = GapKind.ACCESS_DENIED if is_access_denied(error) else GapKind.ERROR
        else:
            code = type(error).__name__
            kind = GapKind.NOT_AVAILABLE
        gap = CoverageGap(service, operation, region, kind, code, resource)
        # One line per gap at DEBUG; the run's summary reports them all.
        log.debug(
            "coverage gap: %s:%s in %s %s(%s)",
            service,
            operation,
            region,
            f"on {resource} " if resource else "",
            code,
        )
        with self._lock:
            self._gaps.append(gap)
