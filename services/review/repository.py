"""The audit log of drafts: append and read, never change."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.models import ApiKey, AuditEvent


def record(*, db: Session, document_id: int, action: str, key: ApiKey, reasons: list | None = None,
           comment: str | None = None) -> AuditEvent:
    event = AuditEvent(document_id=document_id, action=action, actor=key.name, actor_key_id=key.id,
                       actor_role=key.role.value, reasons=reasons or [], comment=comment)
    db.add(event)
    db.flush()
    return event


def for_documents(*, db: Session, document_ids: list[int]) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.document_id.in_(document_ids))
                           .order_by(AuditEvent.at, AuditEvent.id)))


def last_decision(*, db: Session, document_id: int) -> AuditEvent | None:
    return db.scalar(select(AuditEvent).where(AuditEvent.document_id == document_id,
                                              AuditEvent.action.in_(("approve", "return")))
                     .order_by(AuditEvent.id.desc()).limit(1))
