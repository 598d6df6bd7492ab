"""Nightly-scan throughput with one and with two Celery worker processes, and the same
scan in one process (no broker) as the baseline measured in the same run.

Each run starts from an empty PostgreSQL schema and data folder: 21 directives registered
(226-KL/TW and 20 Chính phủ documents of the corpus), 200 other corpus documents dropped
into the archive folder; `draftctl scan` (or `scan --on-workers`) imports, parses and checks
them. Workers are started and ready before the clock starts. Results are merged into
bench/results.json under "scan".

usage: python bench/scan_workers.py --shared ../shared --out bench/results.json
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import redis
from sqlalchemy import create_engine, text

import harness
from harness import DRAFTCTL, PG_BASE, REDIS



def _prepare(shared: Path, work: Path, schema: str) -> dict:
    records = [json.loads(line) for line in (shared / "corpus" / "metadata.jsonl").read_text().splitlines()]
    directives = sorted((r for r in records if r["level"] == "central_government"), key=lambda r: r["id"])[:20]
    taken = {r["id"] for r in directives}
    archive = sorted((r for r in records if r["id"] not in taken), key=lambda r: r["n_chars"])[:200]
    env = dict(os.environ, DRAFTCTL_DATA_DIR=str(work / "data"), DRAFTCTL_CACHE_DIR=str(work / "cache"),
               DRAFTCTL_DATABASE_URL=f"{PG_BASE}?options=-csearch_path%3D{schema}", DRAFTCTL_BROKER_URL=REDIS)
    (work / "data" / "archive").mkdir(parents=True)
    for r in archive:
        shutil.copy(shared / "corpus" / "docs" / f"{r['id']}.txt", work / "data" / "archive" / f"{r['id']}.txt")
    _register(env, shared / "directives" / "226-KL-TW.txt", "BBT", "central_party")
    for r in directives:
        _register(env, shared / "corpus" / "docs" / f"{r['id']}.txt", "CP", "central_government")
    return env


def _register(env: dict, path: Path, agency: str, level: str) -> None:
    """Register a directive in the store: parse and index, as the API's jobs do."""
    from services.documents.pipeline import run_index_job
    from services.common.blobs import BlobStore
    from services.common.db import make_engine, session_factory, unit_of_work
    from services.common.migrate import upgrade
    from services.common.models import AgencyLevel, DocumentKind
    from services.agencies.service import ensure_agency
    from services.common.settings import Settings
    from services.documents.intake import accept
    from services.documents.pipeline import run_parse_job

    settings = Settings(data_dir=Path(env["DRAFTCTL_DATA_DIR"]), database_url=env["DRAFTCTL_DATABASE_URL"])
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    factory, blobs = session_factory(engine), BlobStore(settings.blob_dir)
    with unit_of_work(factory) as db:
        owner, _ = ensure_agency(db=db, code=agency, name=agency, level=AgencyLevel(level))
        job = accept(db=db, blobs=blobs, settings=settings, data=path.read_bytes(), filename=path.name,
                     kind=DocumentKind.directive, agency_id=owner.id, given={}).job.id
    for follow_up, _ in run_parse_job(job, factory, blobs):
        run_index_job(follow_up, factory)
    engine.dispose()


def _run(shared: Path, workers: int) -> dict:
    schema = f"draftctl_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    redis.Redis.from_url(REDIS).flushdb()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = _prepare(shared, work, schema)
        procs = harness.start_workers(env, workers, work) if workers else []
        try:
            started = time.perf_counter()
            command = [DRAFTCTL, "scan"] + (["--on-workers"] if workers else [])
            done = subprocess.run(command, env=env, capture_output=True, text=True)
            elapsed = time.perf_counter() - started
        finally:
            harness.stop(procs)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    summary = done.stdout.strip().splitlines()[0]
    return {"workers": workers, "files": 200, "seconds": round(elapsed, 1),
            "documents_per_s": round(200 / elapsed, 2), "summary": summary}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--out", default="bench/results.json")
    args = ap.parse_args()
    shared = Path(args.shared)
    runs = {"in_process": _run(shared, 0), "one_worker": _run(shared, 1), "two_workers": _run(shared, 2)}
    scan = {
        "what": "archive scan of 200 corpus documents against 21 directives (PostgreSQL, Redis, 2 cores)",
        **runs,
        "two_vs_one_worker": round(runs["one_worker"]["seconds"] / runs["two_workers"]["seconds"], 2),
        "one_worker_vs_in_process": round(runs["in_process"]["seconds"] / runs["one_worker"]["seconds"], 2),
    }
    harness.merge_results(Path(args.out), {"scan": scan})
    print(json.dumps(scan, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
