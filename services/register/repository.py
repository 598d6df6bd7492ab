"""Queries on the register of issued documents and on entered baselines."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.models import Baseline, Issuance


def find(*, db: Session, agency_id: int, reference: str, issued_on: str) -> Issuance | None:
    """The agency's entry with this reference and date, if registered."""
    return db.scalar(select(Issuance).where(Issuance.agency_id == agency_id, Issuance.reference == reference,
                                            Issuance.issued_on == issued_on))


def add(*, db: Session, **fields) -> Issuance:
    """Store a new register entry."""
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
    """The entered count of the agency's documents of that year, if entered."""
    return db.scalar(select(Baseline.count).where(Baseline.agency_id == agency_id, Baseline.year == year))


def set_baseline(*, db: Session, agency_id: int, year: int, count: int) -> Baseline:
    """Enter (or change) the agency's count for a year."""
    row = db.scalar(select(Baseline).where(Baseline.agency_id == agency_id, Baseline.year == year))
    if row is None:
        row = Baseline(agency_id=agency_id, year=year, count=count)
        db.add(row)
    row.count = count
    db.flush()
    return row


def for_document(*, db: Session, document_id: int) -> Issuance | None:
    """The register entry of a stored document, if it is registered."""
    return db.scalar(select(Issuance).where(Issuance.document_id == document_id))


def issue_days(*, db: Session, document_ids: list[int]) -> dict[int, str]:
    """The register's issue date (ISO) of each of these documents that is registered."""
    if not document_ids:
        return {}
    rows = db.execute(select(Issuance.document_id, Issuance.issued_on).where(Issuance.document_id.in_(document_ids)))
    return {document_id: day for document_id, day in rows}
