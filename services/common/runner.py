"""In-process job runner (the embedded default): a thread pool that runs job handlers.

Handlers are registered by kind; each gets a job id and a session factory, claims
the job with a guarded update and owns its unit of work. The same handlers run
under Celery when a broker is configured.
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from services.common import logs
from services.common.metrics import TASK_SECONDS
from services.common.repositories import jobs as jobs_repo

log = logging.getLogger(__name__)

# A handler may return follow-up jobs (id, kind), already committed, to run next.
Handler = Callable[[int, sessionmaker[Session]], "list[tuple[int, str]] | None"]


class JobRunner:
    def __init__(self, factory: sessionmaker[Session], threads: int = 2):
        self.factory = factory
        self.handlers: dict[str, Handler] = {}
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="draftctl-job")
        self.pending: set[Future] = set()
        self._kinds: dict[Handler, str] = {}

    def register(self, kind: str, handler: Handler) -> None:
        self.handlers[kind] = handler
        self._kinds[handler] = kind

    def enqueue(self, job_id: int, kind: str) -> Future | None:
        """Run the job in the background; call only after the job row is committed.

        If the runner cannot take it (shutting down), the job stays queued in the
        database and `resume_queued` runs it at the next start: nothing is lost.
        """
        handler = self.handlers[kind]
        try:
            future = self.pool.submit(self._run, handler, job_id)
        except RuntimeError:
            log.warning("runner not accepting work; job %s stays queued for the next start", job_id)
            return None
        self.pending.add(future)
        future.add_done_callback(self.pending.discard)
        return future

    def _run(self, handler: Handler, job_id: int) -> None:
        started = time.perf_counter()
        token = logs.job_id.set(job_id)
        try:
            follow_ups = handler(job_id, self.factory) or []
        except Exception:  # the handler records failures itself; this is the last resort
            log.exception("job %s crashed", job_id)
            return
        finally:
            logs.job_id.reset(token)
            TASK_SECONDS.labels(kind=self._kinds.get(handler, "job"), state="finished").observe(time.perf_counter() - started)
        for next_id, kind in follow_ups:
            if kind in self.handlers:
                self.enqueue(next_id, kind)

    def resume_queued(self) -> int:
        """Enqueue jobs left queued by an earlier process (e.g. a restart before they ran)."""
        with self.factory() as db:
            queued = [(j, jobs_repo.get(db=db, job_id=j).kind) for j in jobs_repo.queued_ids(db=db)]
        for job_id, kind in queued:
            if kind in self.handlers:
                self.enqueue(job_id, kind)
        return len(queued)

    def wait_idle(self, timeout: float = 60.0) -> None:
        for future in list(self.pending):
            future.result(timeout=timeout)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True)
