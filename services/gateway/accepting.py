"""What every upload route does once `accept` has run: commit, then dispatch, then answer."""
from __future__ import annotations

from fastapi import Request, Response
from sqlalchemy.orm import Session

from services.common.metrics import UPLOADS
from services.ingest.intake import Accepted


def commit_and_dispatch(*, request: Request, response: Response, db: Session, accepted: Accepted,
                        kind: str, location: str) -> None:
    """Commit the document and job rows, then send the job (never before the commit).

    A new upload answers 202; the same bytes again answer 200 with the existing document.
    """
    db.commit()
    UPLOADS.labels(kind=kind, outcome="new" if accepted.created else "duplicate").inc()
    if accepted.created:
        request.app.state.runner.enqueue(accepted.job.id, accepted.job.kind)
    else:
        response.status_code = 200
    response.headers["Location"] = location
