"""Queries on agencies."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.models import Agency, AgencyLevel


def get_by_code(*, db: Session, code: str) -> Agency | None:
    """The agency with this code, if known."""
    return db.scalar(select(Agency).where(Agency.code == code))


def ensure(*, db: Session, code: str, name: str, level: AgencyLevel) -> Agency:
    """The agency with this code, created if it does not exist yet."""
    agency = get_by_code(db=db, code=code)
    if agency is None:
        agency = Agency(code=code, name=name, level=level)
        db.add(agency)
        db.flush()
    return agency


def list_all(*, db: Session) -> list[Agency]:
    """Every agency, by code."""
    return list(db.scalars(select(Agency).order_by(Agency.code)))
