"""Queries on archive scans and the scan lock."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.common.models import Document, DocumentKind, IndexEntry, Scan, ScanLock, utcnow


def start(*, db: Session, since: str | None) -> Scan:
    """A new scan record, running."""
    scan = Scan(state="running", since=since, errors=[])
    db.add(scan)
    db.flush()
    return scan


def take_lock(*, db: Session, scan_id: int) -> bool:
    """Take the single scan lock for `scan_id`; False when another scan holds it."""
    if db.get(ScanLock, 1) is None:
        db.add(ScanLock(id=1, holder=None))
        db.flush()
    result = db.execute(update(ScanLock).where(ScanLock.id == 1, ScanLock.holder.is_(None))
                        .values(holder=scan_id, taken_at=utcnow()))
    return result.rowcount == 1


def holder(*, db: Session) -> int | None:
    lock = db.get(ScanLock, 1)
    return lock.holder if lock else None


def release_lock(*, db: Session, scan_id: int) -> None:
    db.execute(update(ScanLock).where(ScanLock.id == 1, ScanLock.holder == scan_id).values(holder=None, taken_at=None))


def last_completed(*, db: Session) -> Scan | None:
    """The most recent scan that finished."""
    return db.scalar(select(Scan).where(Scan.state == "done").order_by(Scan.id.desc()).limit(1))


def get(*, db: Session, scan_id: int) -> Scan | None:
    return db.get(Scan, scan_id)


def directive_ids_indexed_since(*, db: Session, since) -> list[int]:
    """Documents whose index entry was added after `since` (all when None)."""
    query = select(IndexEntry.document_id)
    if since is not None:
        query = query.where(IndexEntry.created_at > since)
    return list(db.scalars(query))


def issued_ids(*, db: Session, since_date: str | None) -> list[int]:
    """Issued documents to re-check: all, or those stored on or after `since_date`."""
    query = select(Document.id).where(Document.kind == DocumentKind.issued).order_by(Document.id)
    if since_date:
        query = query.where(Document.created_at >= since_date)
    return list(db.scalars(query))
