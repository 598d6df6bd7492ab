"""Queries on agencies and API keys (only SHA-256 hashes of keys are stored)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.common.models import Agency, AgencyLevel, ApiKey


def get_by_code(*, db: Session, code: str) -> Agency | None:
    """The agency with this code, if known."""
    return db.scalar(select(Agency).where(Agency.code == code))


def add(*, db: Session, code: str, name: str, level: AgencyLevel) -> Agency:
    """Store a new agency."""
    agency = Agency(code=code, name=name, level=level)
    db.add(agency)
    db.flush()
    return agency


def list_all(*, db: Session) -> list[Agency]:
    """Every agency, by code."""
    return list(db.scalars(select(Agency).order_by(Agency.code)))


def add_key(*, db: Session, key: ApiKey) -> ApiKey:
    """Store a new key row."""
    db.add(key)
    db.flush()
    return key


def get_key(*, db: Session, key_id: int) -> ApiKey | None:
    """The key with this id."""
    return db.get(ApiKey, key_id)


def usable_key_by_hash(*, db: Session, key_hash: str, now: datetime) -> ApiKey | None:
    """The key with this hash, if it is neither revoked nor expired at `now`."""
    return db.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None),
                                          or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now)))


def list_keys(*, db: Session) -> list[ApiKey]:
    """Every key, newest first."""
    return list(db.scalars(select(ApiKey).order_by(ApiKey.id.desc())))
