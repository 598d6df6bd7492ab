"""Queries on the copy-detection index entries."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.models import Document, IndexEntry


def upsert(*, db: Session, entry: IndexEntry) -> IndexEntry:
    """Store a directive's index entry, replacing an older one of the same document."""
    existing = db.scalar(select(IndexEntry).where(IndexEntry.document_id == entry.document_id))
    if existing is not None:
        existing.level, existing.payload = entry.level, entry.payload
        return existing
    db.add(entry)
    db.flush()
    return entry


def newer_than(*, db: Session, after_id: int) -> list[tuple[IndexEntry, Document]]:
    """Entries added after `after_id` with their documents, oldest first (incremental loading)."""
    rows = db.execute(
        select(IndexEntry, Document).join(Document, Document.id == IndexEntry.document_id)
        .where(IndexEntry.id > after_id).order_by(IndexEntry.id)
    )
    return [(e, d) for e, d in rows]


def count(*, db: Session) -> int:
    return db.scalar(select(func.count()).select_from(IndexEntry)) or 0
