"""Queries on jobs; every state change is a guarded UPDATE so a duplicate run does no harm."""
from __future__ import annotations

from sqlalchemy import func, select, update
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


def stale_running_ids(*, db: Session, older_than) -> list[int]:
    """Jobs still running although they started before `older_than` (their worker died)."""
    return list(db.scalars(select(Job.id).where(Job.state == JobState.running, Job.started_at < older_than)))


def requeue(*, db: Session, job_id: int, older_than) -> bool:
    """Move a stale running job back to queued, so it can be claimed again."""
    result = db.execute(
        update(Job).where(Job.id == job_id, Job.state == JobState.running, Job.started_at < older_than)
        .values(state=JobState.queued, error="worker lost; requeued")
    )
    return result.rowcount == 1


def queued_before(*, db: Session, older_than) -> list[tuple[int, str]]:
    """Queued jobs created before `older_than` (their message may never have been sent)."""
    rows = db.execute(select(Job.id, Job.kind).where(Job.state == JobState.queued, Job.created_at < older_than)
                      .order_by(Job.id))
    return [(i, k) for i, k in rows]


def counts_by_state(*, db: Session) -> list[tuple[str, str, int]]:
    """(kind, state, number of jobs) for every kind and state present."""
    rows = db.execute(select(Job.kind, Job.state, func.count()).group_by(Job.kind, Job.state))
    return [(k, s.value, n) for k, s, n in rows]
