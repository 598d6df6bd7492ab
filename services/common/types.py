"""Value types the edges share: an ISO date that is a date, never a number read as one."""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_day(value: Any) -> Any:
    # Pydantic's lax mode reads 0 or "0" as 1970-01-01 (a Unix time): a date is written as one.
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_day)]
