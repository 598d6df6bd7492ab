"""Queries on archive scans and the scan lock."""
from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from services.common.models import Document, DocumentKind, IndexEntry, Scan, ScanLock, utcnow


def start(*, db: Session, since: str | None) -> Scan:
    """A new scan record, running."""
    scan = Scan(state="running", since=since, errors=[])
    db.add(scan)
    db.flush()
    return scan


def take_lock(*, db: Session, scan_id: int, stale_before=None) -> bool:
    """Take the single scan lock for `scan_id`; False when another scan holds it. A lock
    taken before `stale_before` is taken over (its scan died without releasing it)."""
    if db.get(ScanLock, 1) is None:
        db.add(ScanLock(id=1, holder=None))
        db.flush()
    free = ScanLock.holder.is_(None)
    if stale_before is not None:
        free = or_(free, ScanLock.taken_at < stale_before)
    result = db.execute(update(ScanLock).where(ScanLock.id == 1, free).values(holder=scan_id, taken_at=utcnow()))
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


def set_chunks(*, db: Session, scan_id: int, total: int) -> None:
    db.execute(update(Scan).where(Scan.id == scan_id).values(chunks_total=total, chunks_done=0))


def chunk_done(*, db: Session, scan_id: int) -> None:
    # One UPDATE, so two workers finishing at once both count.
    db.execute(update(Scan).where(Scan.id == scan_id).values(chunks_done=Scan.chunks_done + 1))


def recent(*, db: Session, limit: int = 20) -> list[Scan]:
    """The latest scans, newest first."""
    return list(db.scalars(select(Scan).order_by(Scan.id.desc()).limit(limit)))
