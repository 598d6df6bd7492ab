"""Dispatch of committed jobs: to the in-process runner (embedded default) or to Celery.

Both share one contract: `enqueue(job_id, kind)` after the job row is committed, and a
failure to enqueue loses nothing (the row stays queued; the recovery sweep sends it).
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)

# Celery task names and queues, by job kind.
TASKS = {"parse": ("draftctl.parse", "ingest"), "analyze": ("draftctl.analyze", "analyze"),
         "index": ("draftctl.index", "analyze")}


class CeleryDispatcher:
    """Sends jobs to the Celery workers through the broker (ids only, never objects)."""

    def __init__(self, broker_url: str):
        from celery import Celery

        self.app = Celery("draftctl-dispatch", broker=broker_url)
        self.app.conf.update(task_serializer="json", broker_connection_retry=False,
                             broker_connection_max_retries=0, broker_transport_options={"max_retries": 0})

    def enqueue(self, job_id: int, kind: str) -> bool:
        name, queue = TASKS[kind]
        try:
            self.app.send_task(name, args=[job_id], queue=queue, retry=False)
            return True
        except Exception as exc:  # broker down: the job stays queued for the sweep
            log.warning("could not send job %s (%s) to the broker: %s; it stays queued", job_id, kind, exc)
            return False

    def resume_queued(self) -> int:
        return 0  # the workers' sweep does this

    def shutdown(self) -> None:
        self.app.close()
