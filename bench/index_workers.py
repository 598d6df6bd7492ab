"""Directive indexing throughput with one and with two Celery worker processes, and the same
batch in one process (no broker) as the baseline measured in the same run.

Each run starts from an empty PostgreSQL schema and data folder. A batch of central-level
corpus documents (--directives, default 60) is registered as directives the way an admin
does it: POST /api/v1/directives to a gateway (`draftctl serve`), each upload a parse job
then an index job (the directive's index entry stored). With DRAFTCTL_BROKER_URL set the
gateway only sends the jobs to the workers (`draftctl worker --concurrency 1`, one or two
processes); without it its in-process runner runs them. Workers and gateway are started,
and warmed with a few other directives (every worker has run a parse and an index task),
before the clock starts. The clock runs from the first upload until every directive of the
batch has its index entry (or a failed job), polled in the database. Results are merged
into bench/results.json under "index_workers".

usage: python bench/index_workers.py --shared ../shared --out bench/results.json [--directives 60]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import redis
from sqlalchemy import create_engine, text

import harness
from harness import DRAFTCTL, PG_BASE, REDIS

CENTRAL = {"central_party", "central_legislature", "central_government", "ministry_or_central_agency"}
BAR = 1.6  # the bar: two workers index a batch at least 1.6x as fast as one


def _documents(shared: Path, n: int) -> tuple[list[dict], list[dict]]:
    """The batch: `n` central-level corpus documents spread evenly over their sizes (the
    middle of each n-th of the size order), uploaded in id order; and the warm-up documents,
    small ones outside the batch."""
    records = [json.loads(line) for line in (shared / "corpus" / "metadata.jsonl").read_text().splitlines()]
    central, seen = [], set()
    for r in sorted((r for r in records if r["level"] in CENTRAL), key=lambda r: (r["n_chars"], r["id"])):
        if r["sha1"] not in seen:  # the same bytes twice would be one directive
            seen.add(r["sha1"])
            central.append(r)
    if not 1 <= n <= len(central) - 4:
        raise SystemExit(f"--directives must be between 1 and {len(central) - 4}")
    batch = [central[int((i + 0.5) * len(central) / n)] for i in range(n)]
    taken = {r["id"] for r in batch}
    warm = [r for r in central if r["id"] not in taken and r["n_chars"] >= 3000][:4]
    return sorted(batch, key=lambda r: r["id"]), warm


def _gateway(env: dict, logs: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = logs / "gateway.log"
    proc = harness.start([DRAFTCTL, "serve", "--host", "127.0.0.1", "--port", str(port)], env, log)
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    harness.wait(ready, timeout=120, interval=0.5, what="gateway starting", alive=harness.alive([proc], [log]))
    return proc, base


def _upload(client: httpx.Client, shared: Path, record: dict) -> int:
    path = shared / "corpus" / "docs" / f"{record['id']}.txt"
    response = client.post("/api/v1/directives", files={"file": (path.name, path.read_bytes())},
                           data={"level": record["level"], "issuer": record["issuing_body"]})
    if response.status_code != 202:
        raise RuntimeError(f"{path.name}: {response.status_code} {response.text[:500]}")
    return response.json()["id"]


def _finished(db, ids: list[int]) -> int:
    """Directives of `ids` whose registration is over: indexed, or a job failed."""
    return db.execute(text(
        "SELECT count(*) FROM jobs WHERE document_id = ANY(:ids) "
        "AND ((kind = 'index' AND state::text = 'done') OR state::text = 'failed')"), {"ids": ids}).scalar_one()


def _tasks_finished(log: Path, name: str) -> int:
    return len(re.findall(rf"Task {re.escape(name)}\[[^\]]+\] succeeded", log.read_text()))


def _warm(client, shared: Path, db, warm: list[dict], workers: int, logs: Path, alive) -> bool:
    """Register warm-up directives until every worker has run a parse and an index task
    (imports, its store and index context); the in-process runner: one directive."""
    files = [logs / f"worker{i}.log" for i in range(workers)]
    for round_ in range(len(warm) // max(workers, 1)):
        chosen = warm[round_ * max(workers, 1):(round_ + 1) * max(workers, 1)]
        ids = [_upload(client, shared, r) for r in chosen]
        harness.wait(lambda: _finished(db, ids) == len(ids), timeout=300, what="warm-up directives", alive=alive)
        if all(_tasks_finished(f, "draftctl.parse") and _tasks_finished(f, "draftctl.index") for f in files):
            return True
    return False


def _run(shared: Path, batch: list[dict], warm: list[dict], workers: int, timeout: float) -> dict:
    schema = f"draftctl_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    redis.Redis.from_url(REDIS).flushdb()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
            env = dict(os.environ, DRAFTCTL_DATA_DIR=str(work / "data"), DRAFTCTL_CACHE_DIR=str(work / "cache"),
                       DRAFTCTL_DATABASE_URL=url)
            env.pop("DRAFTCTL_BROKER_URL", None)
            if workers:
                env["DRAFTCTL_BROKER_URL"] = REDIS
            made = subprocess.run([DRAFTCTL, "keys", "create", "--role", "admin", "--name", "bench"], env=env,
                                  capture_output=True, text=True, timeout=120)
            if made.returncode != 0:
                raise RuntimeError(made.stderr[-2000:])
            key = made.stdout.strip().splitlines()[-1]
            procs: list[subprocess.Popen] = []
            engine = create_engine(url, isolation_level="AUTOCOMMIT")
            try:
                procs += harness.start_workers(env, workers, work)
                gateway, base = _gateway(env, work)
                procs.append(gateway)
                logs = [work / f"worker{i}.log" for i in range(workers)] + [work / "gateway.log"]
                alive = harness.alive(procs, logs)
                with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=120) as client, \
                        engine.connect() as db:
                    warmed = _warm(client, shared, db, warm, workers, work, alive)
                    load = os.getloadavg()[0]
                    started = time.perf_counter()
                    ids = [_upload(client, shared, r) for r in batch]
                    uploaded = time.perf_counter() - started
                    harness.wait(lambda: _finished(db, ids) == len(ids), timeout=timeout, interval=0.1,
                          what=f"{len(ids)} directives on {workers or 'no'} worker(s)", alive=alive)
                    elapsed = time.perf_counter() - started
                    stats = _job_stats(db, ids)
            finally:
                harness.stop(procs)
                engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    busy = sum(stats["job_seconds"].values())
    return {"workers": workers, "directives": len(batch), "seconds": round(elapsed, 1),
            "directives_per_s": round(len(batch) / elapsed, 2), "upload_seconds": round(uploaded, 1),
            **stats, "jobs_running_on_average": round(busy / elapsed, 2), "warmed": warmed,
            "load_1m_before": round(load, 2)}


def _job_stats(db, ids: list[int]) -> dict:
    """Indexed and failed directives, and the jobs' summed running time by kind."""
    rows = db.execute(text(
        "SELECT kind, count(*), sum(extract(epoch FROM finished_at - started_at)) FROM jobs "
        "WHERE document_id = ANY(:ids) AND finished_at IS NOT NULL GROUP BY kind"), {"ids": ids}).all()
    failed = db.execute(text(
        "SELECT d.filename, j.kind, j.error FROM jobs j JOIN documents d ON d.id = j.document_id "
        "WHERE j.document_id = ANY(:ids) AND j.state::text = 'failed'"), {"ids": ids}).all()
    indexed = db.execute(text("SELECT count(*) FROM index_entries WHERE document_id = ANY(:ids)"),
                         {"ids": ids}).scalar_one()
    return {"indexed": indexed, "failed": len(failed),
            "job_seconds": {kind: round(float(total or 0), 1) for kind, _, total in sorted(rows)},
            **({"errors": [f"{f} ({k}): {(e or '')[:200]}" for f, k, e in failed[:5]]} if failed else {})}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--out", default="bench/results.json")
    ap.add_argument("--directives", type=int, default=60, help="directives in the batch")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds one mode may take to index the batch")
    args = ap.parse_args()
    shared = Path(args.shared)
    batch, warm = _documents(shared, args.directives)
    runs = {"in_process": _run(shared, batch, warm, 0, args.timeout),
            "one_worker": _run(shared, batch, warm, 1, args.timeout),
            "two_workers": _run(shared, batch, warm, 2, args.timeout)}
    from services.common.settings import Settings

    chars = sum(r["n_chars"] for r in batch)
    speedup = round(runs["one_worker"]["seconds"] / runs["two_workers"]["seconds"], 2)
    result = {
        "what": f"{len(batch)} central-level corpus documents ({chars:,} characters) registered as directives "
                f"through POST /api/v1/directives: parse and index jobs, from the first upload to the last index "
                f"entry (PostgreSQL, Redis, {os.cpu_count()} cores; in_process: the gateway's runner, "
                f"{Settings().runner_threads} threads)",
        **runs,
        "two_vs_one_worker": speedup,
        "one_worker_vs_in_process": round(runs["in_process"]["seconds"] / runs["one_worker"]["seconds"], 2),
        "bar_two_vs_one": BAR,
        "meets_bar": speedup >= BAR,
    }
    harness.merge_results(Path(args.out), {"index_workers": result})
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
