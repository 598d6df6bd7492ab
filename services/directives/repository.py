"""Queries on the copy-detection index entries."""
from __future__ import annotations

from typing import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.models import Document, IndexEntry


def upsert(*, db: Session, entry: IndexEntry) -> IndexEntry:
    """Store a directive's index entry. The same entry again changes nothing; a different
    one replaces the document's older entry under a new id, so that workers, which load
    entries by id, take it in (and retire the older one)."""
    existing = db.scalar(select(IndexEntry).where(IndexEntry.document_id == entry.document_id))
    if existing is not None:
        if existing.level == entry.level and existing.payload == entry.payload:
            return existing
        db.delete(existing)
        db.flush()
    db.add(entry)
    db.flush()
    return entry


def with_ids(*, db: Session, ids: list[int], batch: int = 500) -> Iterator[tuple[IndexEntry, Document]]:
    """These entries with their documents, in the order of `ids`, read `batch` at a time (a
    registry's entries hold its tokens: the session keeps none the caller does not)."""
    for at in range(0, len(ids), batch):
        wanted = ids[at:at + batch]
        rows = db.execute(select(IndexEntry, Document).join(Document, Document.id == IndexEntry.document_id)
                          .where(IndexEntry.id.in_(wanted)))
        found = {e.id: (e, d) for e, d in rows}
        yield from (found[i] for i in wanted if i in found)


def catalogue_newer_than(*, db: Session, after_id: int) -> list[tuple[int, object, int]]:
    """(entry id, level, document id) of the entries added after `after_id`, oldest first:
    what a process that holds no shard of a split registry loads (never the payloads)."""
    rows = db.execute(select(IndexEntry.id, IndexEntry.level, IndexEntry.document_id)
                      .where(IndexEntry.id > after_id).order_by(IndexEntry.id))
    return [tuple(row) for row in rows]


def count(*, db: Session) -> int:
    return db.scalar(select(func.count()).select_from(IndexEntry)) or 0
