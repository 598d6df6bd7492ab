"""The Celery application: Redis broker, JSON messages carrying job ids, late acks.

Job state lives in our jobs table. A task claims its job with a guarded update, so a
redelivered or duplicate message does no harm; a job whose worker died is requeued by
the recovery sweep once its hard time limit has passed.
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta
from functools import lru_cache

from celery import Celery
from celery.backends.base import DisabledBackend
from celery.exceptions import TimeoutError as CeleryTimeout
from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun, worker_ready
from sqlalchemy.exc import OperationalError

from services.common.blobs import BlobStore
from services.common.db import make_engine, session_factory, unit_of_work
from services.common.dispatch import TASKS, CeleryDispatcher
from services.common.models import utcnow
from services.common.repositories import jobs as jobs_repo
from services.common.repositories import scans as scans_repo
from services.common.settings import get_settings

log = logging.getLogger(__name__)

HARD_LIMIT_S = get_settings().task_time_limit
# Not rounded: with a limit of a few seconds, int() put the soft limit on a scan chunk's own
# deadline (half the hard limit), where it interrupted a document mid-query.
SOFT_LIMIT_S = HARD_LIMIT_S * 0.8
STALE_AFTER_S = HARD_LIMIT_S + max(5, HARD_LIMIT_S // 10)  # past the hard limit: its worker is gone


def make_celery() -> Celery:
    settings = get_settings()
    app = Celery("draftctl", broker=settings.broker_url or "redis://127.0.0.1:6379/0")
    app.conf.update(
        task_serializer="json", accept_content=["json"], task_ignore_result=True,
        # Only the scan's chunks keep results: the chord that closes a scan counts them here.
        result_backend=settings.broker_url or "redis://127.0.0.1:6379/0", result_expires=timedelta(days=2),
        task_routes={"draftctl.scan_chunk": {"queue": "analyze"}, "draftctl.scan_finish": {"queue": "analyze"},
                     "draftctl.scan_abort": {"queue": "analyze"}, "draftctl.index_snapshot": {"queue": "analyze"}},
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_soft_time_limit=SOFT_LIMIT_S, task_time_limit=HARD_LIMIT_S,
        # Above the longest task, so a slow task is not handed to a second worker.
        broker_transport_options={"visibility_timeout": 2 * HARD_LIMIT_S},
        broker_connection_retry_on_startup=True,
        task_default_queue="ingest",
        timezone="Asia/Ho_Chi_Minh",
        beat_schedule={
            "recovery-sweep": {"task": "draftctl.sweep", "schedule": timedelta(minutes=3)},
            "nightly-index-snapshot": {"task": "draftctl.index_snapshot", "schedule": crontab(hour=1, minute=0)},
            "nightly-archive-scan": {"task": "draftctl.scan", "schedule": crontab(hour=1, minute=30)},
        },
        worker_hijack_root_logger=False,
    )
    return app


celery = make_celery()


@lru_cache(maxsize=1)
def _context():
    """Per worker process: the store, the blobs, the loaded index, the semantic layer."""
    from services.directives.registry import loaded_index
    from services.analyzer.semantic import SemanticLayer

    settings = get_settings()
    factory = session_factory(make_engine(settings.effective_database_url))
    loaded = loaded_index(settings)
    if loaded.split:
        loaded.fan_out = fan_out_to_shards
    return factory, BlobStore(settings.blob_dir), loaded, SemanticLayer.default(settings)


SHARD_ROUND_S = max(5, SOFT_LIMIT_S // 4)  # a round a shard has not answered by then will not be


def shard_queue(shard: int) -> str:
    """The queue of the workers serving one shard of a split registry."""
    return f"shard.{shard}"


@lru_cache(maxsize=None)
def _shard(shard: int):
    """The shard of the registry this worker serves (DRAFTCTL_INDEX_SHARD)."""
    from services.directives.registry import loaded_index

    settings = get_settings()
    if shard not in settings.served_shards:
        raise ValueError(f"this worker serves shards {settings.served_shards or 'none'}, not {shard} "
                         "(DRAFTCTL_INDEX_SHARD)")
    return loaded_index(settings, shard=shard)


@celery.task(name="draftctl.shard_round", ignore_result=False, acks_late=False)
def shard_round_task(shard: int, round_name: str, document_id: int, question: dict) -> dict:
    """One shard's answer to one round of a check (`analyzer.shards`)."""
    from services.documents.pipeline import answer_shard_round

    return answer_shard_round(factory=_context()[0], loaded=_shard(shard), round_name=round_name,
                              document_id=document_id, question=question)


def fan_out_to_shards(document_id: int):
    """How a check of the document reaches the shards: each round a Celery group, one task
    per shard on its queue, whose answers come back through the result backend."""
    from celery import group

    from services.analyzer.shards import answer_from_json, question_to_json

    count = get_settings().index_shards

    def ask(round_name: str, **question) -> list:
        payload = question_to_json(round_name, question)
        job = group(shard_round_task.s(k, round_name, document_id, payload)
                    .set(queue=shard_queue(k), expires=SHARD_ROUND_S) for k in range(count))
        result = job.apply_async()
        try:
            answers = result.get(timeout=SHARD_ROUND_S, disable_sync_subtasks=False)
        except CeleryTimeout:
            missing = [shard_queue(k) for k, part in enumerate(result.results) if not part.ready()]
            result.revoke()
            raise RuntimeError(f"no answer to the {round_name} round of the check within {SHARD_ROUND_S} s from "
                               f"{', '.join(missing)}: is a worker serving each shard running "
                               "(draftctl worker --shard K)?") from None
        finally:
            result.forget()
        return [answer_from_json(round_name, answer) for answer in answers]
    return _fetched_directives().asking(ask)


@lru_cache(maxsize=1)
def _fetched_directives():
    """The directives this process fetched from the shards, kept for the next checks."""
    from services.analyzer.shards import DocumentCache

    return DocumentCache()


def _dispatch(follow_ups) -> None:
    dispatcher = _dispatcher()
    for job_id, kind in follow_ups or []:
        dispatcher.enqueue(job_id, kind)


@lru_cache(maxsize=1)
def _dispatcher() -> CeleryDispatcher:
    return CeleryDispatcher(get_settings().broker_url or "redis://127.0.0.1:6379/0")


_RETRY = dict(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, retry_backoff_max=60, max_retries=8)


@celery.task(name=TASKS["parse"][0], **_RETRY)
def parse_task(self, job_id: int) -> None:
    from services.documents.pipeline import run_parse_job

    factory, blobs, _, _ = _context()
    _dispatch(run_parse_job(job_id, factory, blobs))


@celery.task(name=TASKS["analyze"][0], **_RETRY)
def analyze_task(self, job_id: int) -> None:
    from services.documents.pipeline import run_analyze_job

    factory, _, loaded, semantic = _context()
    _dispatch(run_analyze_job(job_id, factory, loaded, semantic))


@celery.task(name=TASKS["index"][0], **_RETRY)
def index_task(self, job_id: int) -> None:
    from services.documents.pipeline import run_index_job

    factory, _, _, _ = _context()
    _dispatch(run_index_job(job_id, factory))


def sweep(*, queued_grace_s: float = 30, stale_after_s: float = STALE_AFTER_S) -> dict:
    """Requeue jobs whose worker died, and send jobs whose message never left (broker down)."""
    factory = _context()[0]
    now = utcnow()
    with unit_of_work(factory) as db:
        requeued = [j for j in jobs_repo.stale_running_ids(db=db, older_than=now - timedelta(seconds=stale_after_s))
                    if jobs_repo.requeue(db=db, job_id=j, older_than=now - timedelta(seconds=stale_after_s))]
    with factory() as db:
        pending = jobs_repo.queued_before(db=db, older_than=now - timedelta(seconds=queued_grace_s))
    sent = sum(_dispatcher().enqueue(job_id, kind) for job_id, kind in pending)
    if requeued or sent:
        log.info("recovery sweep: %d stale jobs requeued, %d queued jobs sent", len(requeued), sent)
    return {"requeued": len(requeued), "sent": sent}


@celery.task(name="draftctl.sweep")
def sweep_task() -> dict:
    return sweep()


@task_prerun.connect
def _job_id_in_logs(task=None, args=None, **_):
    from services.common import logs

    if args and isinstance(args[0], int):
        logs.job_id.set(args[0])


@task_postrun.connect
def _clear_job_id(**_):
    from services.common import logs

    logs.job_id.set(None)


@worker_ready.connect
def _sweep_on_start(**_):
    try:
        sweep(queued_grace_s=0)
    except Exception:  # the periodic sweep will try again
        log.exception("start-up sweep failed")


def start_scan_on_workers(*, settings, factory, since: str | None = None, chunk_size: int | None = None):
    """Plan a scan here and fan it out: a group of chunk tasks, `scan_finish` as the chord's
    callback. Returns the plan; the scan record tells when it is finished."""
    from celery import chord

    from services.worker.scan import begin_scan, finish_scan

    plan = begin_scan(settings=settings, factory=factory, since=since)
    chunks = plan.chunks(chunk_size or settings.scan_chunk_size)
    with unit_of_work(factory) as db:
        scans_repo.set_chunks(db=db, scan_id=plan.scan_id, total=len(chunks))
    if not chunks:
        finish_scan(factory=factory, scan_id=plan.scan_id, parts=[], state="done")
        return plan
    try:
        header = [scan_chunk_task.s(plan.scan_id, files, documents, plan.new_directives) for files, documents in chunks]
        result = chord(header)(scan_finish_task.s(plan.scan_id).on_error(scan_abort_task.si(plan.scan_id)))
        # Nobody waits on the chord here (the scan record tells). Its result objects would each
        # unsubscribe from Redis when freed, which at interpreter exit prints a traceback.
        consumer, disabled = result.backend.result_consumer, DisabledBackend(celery)
        for node in (result, *result.parent.results):
            consumer.cancel_for(node.id)
            node.backend = disabled
    except Exception:  # broker down: nothing was sent, so close the scan rather than hold the lock
        finish_scan(factory=factory, scan_id=plan.scan_id, parts=[], state="failed")
        raise
    return plan


@celery.task(name="draftctl.scan", acks_late=False)
def scan_task() -> dict:
    """The nightly archive scan; a scan already running makes this one a no-op."""
    from services.common.errors import Conflict

    factory = _context()[0]
    try:
        plan = start_scan_on_workers(settings=get_settings(), factory=factory)
    except Conflict as exc:
        log.info("nightly scan skipped: %s", exc.detail)
        return {"skipped": exc.detail}
    return {"scan": plan.scan_id, "files": len(plan.files), "documents": len(plan.documents)}


@celery.task(name="draftctl.index_snapshot", acks_late=False)
def index_snapshot_task() -> dict:
    """Nightly: the registry's index snapshot (DRAFTCTL_INDEX_SNAPSHOT), which workers started
    afterwards map instead of loading every entry."""
    from services.directives.registry import write_snapshot

    factory, _, loaded, _ = _context()
    return write_snapshot(settings=get_settings(), factory=factory, loaded=loaded)


@celery.task(name="draftctl.scan_chunk", ignore_result=False)
def scan_chunk_task(scan_id: int, files: list[str], documents: list[int], new_directives: list[int]) -> dict:
    from services.worker.scan import scan_items

    factory, _, loaded, _ = _context()
    # Lexical only, as a scan in one process: the archive is large and e5 does ~25 sentences/s.
    part = scan_items(settings=get_settings(), factory=factory, files=files, documents=documents,
                      new_directives=new_directives, loaded=loaded, semantic=None,
                      deadline=time.monotonic() + 0.5 * HARD_LIMIT_S)
    with unit_of_work(factory) as db:
        scans_repo.chunk_done(db=db, scan_id=scan_id)
    return part


@celery.task(name="draftctl.scan_finish")
def scan_finish_task(parts: list[dict], scan_id: int) -> dict:
    from services.worker.scan import finish_scan

    result = finish_scan(factory=_context()[0], scan_id=scan_id, parts=parts, state="done")
    return {"scan": scan_id, "new_findings": result.new_findings, "errors": len(result.errors)}


@celery.task(name="draftctl.scan_abort")
def scan_abort_task(scan_id: int, *_failure) -> None:
    """A chunk task failed outright (time limit, lost worker): close the scan as failed."""
    from services.worker.scan import ScanResult, finish_scan

    log.error("scan %s: a chunk failed; the scan is closed as failed", scan_id)
    failure = ScanResult(scan_id=scan_id, errors=[
        {"chunk": True, "error": "a chunk task failed (time limit or lost worker); see the worker log"}])
    finish_scan(factory=_context()[0], scan_id=scan_id, parts=[failure.part()], state="failed")
