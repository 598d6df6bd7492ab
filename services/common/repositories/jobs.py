"""Queries on jobs; every state change is a guarded UPDATE so a duplicate run does no harm."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.common.models import Job, JobState, utcnow


def create(*, db: Session, document_id: int, kind: str) -> Job:
    """A new queued job for a document."""
    job = Job(document_id=document_id, kind=kind, state=JobState.queued)
    db.add(job)
    db.flush()
    return job


def get(*, db: Session, job_id: int) -> Job | None:
    """The job with this id."""
    return db.get(Job, job_id)


def claim(*, db: Session, job_id: int) -> bool:
    """Move a queued job to running; False if someone else has it or it is finished."""
    result = db.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == JobState.queued)
        .values(state=JobState.running, attempts=Job.attempts + 1, started_at=utcnow(), error=None)
    )
    return result.rowcount == 1


def finish(*, db: Session, job_id: int, state: JobState, error: str | None = None) -> bool:
    """Move a running job to done or failed; False if it was not running."""
    assert state in (JobState.done, JobState.failed)
    result = db.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == JobState.running)
        .values(state=state, error=error, finished_at=utcnow())
    )
    return result.rowcount == 1


def queued_ids(*, db: Session) -> list[int]:
    """Ids of jobs still waiting to run, oldest first."""
    return list(db.scalars(select(Job.id).where(Job.state == JobState.queued).order_by(Job.id)))


def latest_for_document(*, db: Session, document_id: int) -> Job | None:
    """The most recent job of a document."""
    return db.scalar(select(Job).where(Job.document_id == document_id).order_by(Job.id.desc()).limit(1))
