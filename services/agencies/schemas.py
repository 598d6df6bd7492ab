"""Pydantic models of the agency and API-key endpoints."""
from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.agencies.service import CODE_PATTERN, MAX_KEY_DAYS
from services.common.models import AgencyLevel, Role


class AgencyOut(BaseModel):
    code: str
    name: str
    level: AgencyLevel


class KeyIn(BaseModel):
    role: Role
    agency: str | None = Field(default=None, max_length=64, pattern=CODE_PATTERN,
                               description="agency code (required for a drafter)")
    name: str | None = Field(default=None, min_length=1, max_length=200, description="a label for the key")
    days: int | None = Field(default=None, ge=1, le=MAX_KEY_DAYS, description="expires after this many days; "
                             "none: never")


class KeyOut(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="the key's first characters, to recognise it")
    role: Role
    agency: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    state: str = Field(description="active, revoked or expired")


class KeyCreated(KeyOut):
    key: str = Field(description="the key itself: shown once, never stored")
