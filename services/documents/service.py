"""The rules every kind of document shares: reading one through the visibility rule, and
dates as documents give them (possibly partial)."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.orm import Session

from services.common.errors import InvalidInput, NotFound
from services.common.models import ApiKey, Document, DocumentKind
from services.documents import repository

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def visible_document(*, db: Session, key: ApiKey, document_id: int, kind: DocumentKind) -> Document:
    """The document of this kind, if `key` may read it; NotFound otherwise (also for another
    agency's document: its existence is not revealed)."""
    document = repository.get_visible(db=db, key=key, document_id=document_id, kind=kind)
    if document is None:
        raise NotFound(f"no such {kind.value}")
    return document


def check_partial_date(text: str, *, what: str = "date") -> str:
    """`text` if it is a real date, possibly partial (YYYY, YYYY-MM or YYYY-MM-DD), from 1945
    (the first state documents) to 2100; InvalidInput otherwise. A draft may carry the day
    it is planned for, so the future is allowed here (issuing checks its own date)."""
    match = _PARTIAL_DATE.fullmatch(text or "")
    try:
        if not match:
            raise ValueError
        year, month, day = int(match[1]), int(match[2] or 1), int(match[3] or 1)
        when = dt.date(year, month, day)
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a date: give YYYY-MM-DD, YYYY-MM or YYYY",
                           title="Invalid date") from None
    if not 1945 <= when.year <= 2100:
        raise InvalidInput(f"{what} {text!r} is outside 1945 to 2100", title="Invalid date")
    return text


def visible_draft(*, db: Session, key: ApiKey, draft_id: int) -> Document:
    """The draft, if `key` may read it; NotFound otherwise."""
    return visible_document(db=db, key=key, document_id=draft_id, kind=DocumentKind.draft)
