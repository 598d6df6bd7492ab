"""Capture what the `services` loggers write, formatted as the service formats it (JSON)."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator

from services.common import logs


@contextmanager
def json_log_lines(level: int = logging.INFO) -> Iterator[list[str]]:
    """The JSON lines logged under `services` while the block runs."""
    lines: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Capture()
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.ContextFilter())
    logger = logging.getLogger("services")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
