"""What every upload route does around `accept`: read the body within the limit, then
commit, then dispatch, then answer."""
from __future__ import annotations

from fastapi import Request, Response, UploadFile
from sqlalchemy.orm import Session

from services.common.errors import TooLarge
from services.common.metrics import UPLOADS
from services.documents.intake import Accepted


async def read_limited(upload: UploadFile, limit: int) -> bytes:
    """The uploaded file's bytes; TooLarge as soon as they pass `limit`."""
    chunks, size = [], 0
    while chunk := await upload.read(1 << 20):
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the file is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


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


def dispatch(request: Request, jobs: list[tuple[int, str]]) -> None:
    """Send committed jobs to the runner or the workers."""
    for job_id, kind in jobs:
        request.app.state.runner.enqueue(job_id, kind)
