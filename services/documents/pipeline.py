"""The document pipeline: each kind of document has a declared sequence of jobs.

    draft:     parse -> analyze   (checked against every higher-level directive)
    directive: parse -> index     (enters the registry drafts are checked against)
    issued:    parse -> analyze   (an archived document is checked like a draft)

A job row is written in the transaction that makes it due and sent only after that
transaction commits; a handler claims its job with a guarded update, so a duplicate
delivery does nothing. The file is parsed once, by the parse job: the later jobs read
the stored parse. The handlers run in the in-process runner and in the Celery workers.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.orm import Session, sessionmaker

from services.analyzer import exclusions
from services.analyzer.detect import DetectParams, detect_over
from services.analyzer.shards import DRAFT_ROUNDS, ROUNDS, answer_to_json, ask_local, question_from_json
from services.analyzer.tokens import TokenSeq, tokenize
from services.directives.registry import LoadedIndex, register
from services.analyzer.report import DraftReport, combine
from services.common.blobs import BlobStore
from services.common.db import unit_of_work
from services.common.errors import Conflict, DraftctlError
from services.common.models import AgencyLevel, Document, DocumentKind, DocumentStatus, JobState
from services.common.repositories import jobs as jobs_repo
from services.documents import repository
from services.ingest.document import ParsedDocument
from services.ingest.pipeline import parse

log = logging.getLogger(__name__)

PARSE = "parse"
ANALYZE = "analyze"
INDEX = "index"
STEPS: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.draft: (PARSE, ANALYZE),
    DocumentKind.directive: (PARSE, INDEX),
    DocumentKind.issued: (PARSE, ANALYZE),
}
FollowUps = list[tuple[int, str]]  # (job id, kind), committed, to dispatch


def next_step(kind: DocumentKind, done: str) -> str | None:
    """The job that follows `done` for a document of this kind, if any."""
    steps = STEPS[kind]
    at = steps.index(done)
    return steps[at + 1] if at + 1 < len(steps) else None


def stored_parse(document: Document) -> ParsedDocument:
    """The document's parse as the parse job stored it."""
    if document.parsed is None or document.text is None:
        raise Conflict(f"document {document.id} is not parsed", title="Not parsed")
    return ParsedDocument.from_json(document.text, document.parsed)


def run_parse_job(job_id: int, factory: sessionmaker[Session], blobs: BlobStore) -> FollowUps:
    """Parse, store, and return the follow-up job to dispatch."""
    return parse_job(job_id, factory, blobs)[1]


# The task's time is up (Celery's soft limit): the job is failed, and the exception goes on
# up, so that the task (an archive scan's chunk) fails as a whole rather than one document.
TIME_UP = "stopped at the task time limit (DRAFTCTL_TASK_TIME_LIMIT)"


def parse_job(job_id: int, factory: sessionmaker[Session],
              blobs: BlobStore) -> tuple[ParsedDocument | None, FollowUps]:
    """The parse job, also handing back the parse (the archive scan goes on with it)."""
    document_id = _claim(factory, job_id)
    if document_id is None:
        return None, []  # already running or finished elsewhere: a duplicate delivery
    with factory() as db:
        sha = repository.get(db=db, document_id=document_id).sha256
    try:
        parsed = parse(blobs.get(sha))
    except DraftctlError as exc:
        _fail(factory, job_id, exc.detail, document_id=document_id)
        return None, []
    except SoftTimeLimitExceeded:
        _fail(factory, job_id, TIME_UP, document_id=document_id)
        raise
    except Exception as exc:  # a parser bug must not leave the job running forever
        log.exception("parse job %s failed", job_id)
        _fail(factory, job_id, f"internal error: {type(exc).__name__}: {exc}", document_id=document_id)
        return None, []
    with unit_of_work(factory) as db:
        document = repository.record_parse(db=db, document_id=document_id, parsed=parsed)
        jobs_repo.finish(db=db, job_id=job_id, state=JobState.done)
        follow_ups = _follow_up(db, document, PARSE)
    log.info("parsed document %s (job %s)", document_id, job_id)
    return parsed, follow_ups


def run_index_job(job_id: int, factory: sessionmaker[Session]) -> FollowUps:
    """Register a parsed directive in the index, from its stored parse."""
    claimed = _claim(factory, job_id)
    if claimed is None:
        return []
    try:
        with unit_of_work(factory) as db:
            document = repository.get(db=db, document_id=claimed)
            level = document.agency.level if document.agency else AgencyLevel.central_party
            register(db=db, document=document, parsed=stored_parse(document), level=level)
            jobs_repo.finish(db=db, job_id=job_id, state=JobState.done)
            return _follow_up(db, document, INDEX)
    except SoftTimeLimitExceeded:
        _fail(factory, job_id, TIME_UP)
        raise
    except Exception as exc:
        log.exception("index job %s failed", job_id)
        _fail(factory, job_id, f"{type(exc).__name__}: {exc}")
        return []


def run_analyze_job(job_id: int, factory: sessionmaker[Session], loaded: LoadedIndex, semantic=None,
                    params: DetectParams | None = None) -> FollowUps:
    """Check a parsed draft or issued document against every higher-level directive."""
    claimed = _claim(factory, job_id)
    if claimed is None:
        return []
    try:
        with factory() as db:
            loaded.refresh(db)
            document = repository.get(db=db, document_id=claimed)
            parsed, level = stored_parse(document), document.agency.level if document.agency else None
        allowed = loaded.higher_than(level)
        report, body = check_document(parsed=parsed, loaded=loaded, document_id=claimed, allowed=allowed,
                                      semantic=semantic, params=params)
        with unit_of_work(factory) as db:
            record_check(db=db, document_id=claimed, body=body)
            jobs_repo.finish(db=db, job_id=job_id, state=JobState.done)
            return _follow_up(db, repository.get(db=db, document_id=claimed), ANALYZE)
    except SoftTimeLimitExceeded:
        _fail(factory, job_id, TIME_UP)
        raise
    except Exception as exc:
        log.exception("analyze job %s failed", job_id)
        _fail(factory, job_id, f"{type(exc).__name__}: {exc}")
        return []


def check_document(*, parsed: ParsedDocument, loaded: LoadedIndex, document_id: int, allowed: set[int],
                   semantic=None, params: DetectParams | None = None) -> tuple[DraftReport, dict]:
    """Detect against the loaded index; the report and its stored form, whose passages name
    the directive's document id and which lists the directives checked."""
    if loaded.split:
        if loaded.fan_out is None:
            raise RuntimeError("the registry is split into shards (DRAFTCTL_INDEX_SHARDS) but this process "
                               "has no way to reach them")
        ask = loaded.fan_out(document_id)
    else:
        ask = ask_local([loaded.shard_view()])
    report = detect_over(ask, parsed, key=f"document:{document_id}", params=params, allowed=allowed,
                         semantic=semantic)
    body = report.to_json(with_content=True)
    for passage in body["passages"]:
        passage["source_document_id"] = int(passage["source"].split(":")[1])  # key: "document:ID"
    body["checked"] = loaded.documents_of(allowed)
    return report, body


_DRAFTS: OrderedDict[tuple[int, str], TokenSeq] = OrderedDict()  # the drafts of the last checks
_DRAFTS_LOCK = threading.Lock()


def _draft_tokens(document: Document) -> TokenSeq:
    """A draft's tokens as a check reads them, kept for the rounds of one check."""
    key = (document.id, str(document.updated_at))
    with _DRAFTS_LOCK:
        if key in _DRAFTS:
            _DRAFTS.move_to_end(key)
            return _DRAFTS[key]
    parsed = stored_parse(document)
    tokens = tokenize(parsed, exclusions.excluded_spans(parsed))
    with _DRAFTS_LOCK:
        _DRAFTS[key] = tokens
        while len(_DRAFTS) > 16:
            _DRAFTS.popitem(last=False)
    return tokens


def answer_shard_round(*, factory: sessionmaker[Session], loaded: LoadedIndex, round_name: str, document_id: int,
                       question: dict) -> dict:
    """What this process's shard of a split registry answers to one round of a check of
    the document (`analyzer.shards`), as JSON."""
    if round_name not in ROUNDS:
        raise ValueError(f"unknown round {round_name!r}; rounds are {', '.join(ROUNDS)}")
    asked = question_from_json(round_name, question)
    with factory() as db:
        loaded.refresh(db)
        if round_name in DRAFT_ROUNDS:
            asked["draft"] = _draft_tokens(repository.get(db=db, document_id=document_id))
    answer = getattr(loaded.shard_view(), round_name)(**asked)
    return answer_to_json(round_name, answer)


def record_check(*, db: Session, document_id: int, body: dict) -> None:
    """Add a check's findings to the document's report: a check against some directives
    never erases what an earlier check found against others."""
    earlier = repository.report_of(db=db, document_id=document_id)
    if earlier is not None:
        body = combine(earlier.body, body)
    repository.save_report(db=db, document_id=document_id, body=body, copied_ratio=body["copied_ratio"],
                           verdict=body["verdict"], checked=len(body["checked"]))


def _follow_up(db: Session, document: Document, done: str) -> FollowUps:
    kind = next_step(document.kind, done)
    if kind is None:
        return []
    return [(jobs_repo.create(db=db, document_id=document.id, kind=kind).id, kind)]


def _claim(factory: sessionmaker[Session], job_id: int) -> int | None:
    """The job's document id, once this process holds the job; None for a duplicate."""
    with unit_of_work(factory) as db:
        if not jobs_repo.claim(db=db, job_id=job_id):
            return None
        return jobs_repo.get(db=db, job_id=job_id).document_id


def _fail(factory: sessionmaker[Session], job_id: int, reason: str, *, document_id: int | None = None) -> None:
    """The job failed; a failed parse also marks the document failed."""
    with unit_of_work(factory) as db:
        if document_id is not None:
            repository.set_status(db=db, document_id=document_id, status=DocumentStatus.failed, error=reason)
        jobs_repo.finish(db=db, job_id=job_id, state=JobState.failed, error=reason)
