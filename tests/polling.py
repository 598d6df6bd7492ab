"""The one way tests wait: poll a condition until it holds or a deadline passes."""
from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def wait_for(probe: Callable[[], T | None], *, timeout: float = 60.0, interval: float = 0.1,
             what: str = "the condition") -> T:
    """Call `probe` until it returns something truthy, and return that; AssertionError after
    `timeout` seconds. The only sleep the suite has is this bounded one."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} did not happen within {timeout:g} s")
        time.sleep(interval)
