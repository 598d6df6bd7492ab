"""Queries on API keys; only SHA-256 hashes of keys are stored."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.models import ApiKey


def add(*, db: Session, key: ApiKey) -> ApiKey:
    """Store a new key row."""
    db.add(key)
    db.flush()
    return key


def get_active_by_hash(*, db: Session, key_hash: str) -> ApiKey | None:
    """The unrevoked key with this hash."""
    return db.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None)))
