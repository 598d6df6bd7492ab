"""Queries on copy-detection reports."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.models import Report


def save(*, db: Session, document_id: int, body: dict, copied_ratio: float, verdict: str, checked: int) -> Report:
    """Store the report of a draft; a re-run replaces the previous one (one row per draft)."""
    report = db.scalar(select(Report).where(Report.document_id == document_id))
    if report is None:
        report = Report(document_id=document_id)
        db.add(report)
    report.body, report.copied_ratio, report.verdict, report.directives_checked = body, copied_ratio, verdict, checked
    db.flush()
    return report


def for_document(*, db: Session, document_id: int) -> Report | None:
    """The report of a draft, if analysed."""
    return db.scalar(select(Report).where(Report.document_id == document_id))
