"""Queries on the register of issued documents and on entered baselines."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.models import Baseline, Issuance


def exists(*, db: Session, agency_id: int, reference: str, issued_on: str) -> bool:
    return db.scalar(select(Issuance.id).where(Issuance.agency_id == agency_id, Issuance.reference == reference,
                                               Issuance.issued_on == issued_on)) is not None


def add(*, db: Session, **fields) -> Issuance:
    entry = Issuance(**fields)
    db.add(entry)
    db.flush()
    return entry


def in_range(*, db: Session, start: str, end: str, agency_id: int | None = None) -> list[Issuance]:
    """Entries issued from `start` to `end` (ISO dates, both included)."""
    query = select(Issuance).where(Issuance.issued_on >= start, Issuance.issued_on <= end)
    if agency_id is not None:
        query = query.where(Issuance.agency_id == agency_id)
    return list(db.scalars(query.order_by(Issuance.issued_on, Issuance.id)))


def baseline(*, db: Session, agency_id: int, year: int) -> int | None:
    return db.scalar(select(Baseline.count).where(Baseline.agency_id == agency_id, Baseline.year == year))


def set_baseline(*, db: Session, agency_id: int, year: int, count: int) -> Baseline:
    row = db.scalar(select(Baseline).where(Baseline.agency_id == agency_id, Baseline.year == year))
    if row is None:
        row = Baseline(agency_id=agency_id, year=year, count=count)
        db.add(row)
    row.count = count
    db.flush()
    return row


def for_document(*, db: Session, document_id: int) -> Issuance | None:
    return db.scalar(select(Issuance).where(Issuance.document_id == document_id))
