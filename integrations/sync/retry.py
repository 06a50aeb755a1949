"""Calls to a CRM with retries: exponential backoff with full jitter, and the CRM's own
Retry-After when it sends one (429). A call that keeps failing raises its last error."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

from integrations.connectors.base import TemporaryFailure

T = TypeVar("T")


def with_retries(
    call: Callable[[], T], *, on_wait: Callable[[float, Exception], None] | None = None
) -> T:
    attempts = settings.INTEGRATIONS_RETRY_ATTEMPTS
    base = settings.INTEGRATIONS_RETRY_BASE_SECONDS
    cap = settings.INTEGRATIONS_RETRY_MAX_SECONDS
    for attempt in range(attempts):
        try:
            return call()
        except TemporaryFailure as exc:
            if attempt == attempts - 1:
                raise
            wait = exc.retry_after if exc.retry_after is not None else base * 2**attempt
            # full jitter (AWS's "exponential backoff and jitter"); Retry-After is a floor
            wait = min(cap, wait if exc.retry_after is not None else random.uniform(0, wait))  # noqa: S311
            if on_wait:
                on_wait(wait, exc)
            time.sleep(wait)
    raise AssertionError("unreachable")
