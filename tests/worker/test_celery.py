"""Cooperating services with a real Celery worker process, real Redis and real PostgreSQL."""
from __future__ import annotations

import os
import re
import signal
import shutil
import socket
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.agencies import service as keys
from services.common.db import unit_of_work
from services.common.models import AgencyLevel, Job, Report, Role, utcnow
from services.agencies.service import ensure_agency
from services.common.settings import Settings
from services.gateway.app import create_app
from tests.conftest import REQUIRE_SERVICES, shared
from tests.polling import wait_for
from tests.gateway.test_api import upload, wait_done
from tests.test_cli import DRAFTCTL

REDIS_DB = 13  # a database of the machine's Redis kept for these tests


def _redis_url(port: int = 6379) -> str:
    return f"redis://127.0.0.1:{port}/{REDIS_DB}"


@pytest.fixture(scope="module")
def machine_redis():
    try:
        client = redis.Redis.from_url(_redis_url(), socket_connect_timeout=2)
        client.ping()
    except Exception as exc:
        if REQUIRE_SERVICES:
            pytest.fail(f"Redis is required here but not reachable: {exc}")
        pytest.skip(f"Redis not reachable at 127.0.0.1:6379: {exc}")
    client.flushdb()
    yield _redis_url()
    client.flushdb()


def _pings(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Worker:
    def __init__(self, env: dict, log: Path):
        self.log = log
        self.proc = subprocess.Popen([DRAFTCTL, "worker", "--queues", "ingest,analyze", "--concurrency", "1"],
                                     env=env, stdout=log.open("a"), stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes, as a crash or an OOM kill would."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _env(settings: Settings) -> dict:
    env = dict(os.environ)
    env.update(DRAFTCTL_DATABASE_URL=settings.database_url, DRAFTCTL_BROKER_URL=settings.broker_url,
               DRAFTCTL_DATA_DIR=str(settings.data_dir), DRAFTCTL_CACHE_DIR=str(settings.cache_dir))
    return env


def _client(settings: Settings):
    app = create_app(settings)
    client = TestClient(app)
    client.__enter__()
    with unit_of_work(app.state.factory) as db:
        ensure_agency(db=db, code="UBND-W", name="UBND tỉnh", level=AgencyLevel.provincial_government)
        client.keys = {
            "drafter": {"Authorization": f"Bearer {keys.create_key(db=db, role=Role.drafter, agency_code='UBND-W', name='d')[1]}"},
            "admin": {"Authorization": f"Bearer {keys.create_key(db=db, role=Role.admin, agency_code=None, name='a')[1]}"},
        }
    return client


def _report(client, document_id: int) -> Report | None:
    with client.app.state.factory() as db:
        return db.scalar(select(Report).where(Report.document_id == document_id))


def _tasks_finished(worker: "Worker", name: str) -> int:
    """How many `name` tasks the worker's log says succeeded."""
    return len(re.findall(rf"Task {re.escape(name)}\[[^\]]+\] succeeded", worker.log.read_text()))


def test_upload_is_processed_by_a_celery_worker_into_postgresql(pg_url, machine_redis, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", database_url=pg_url,
                        broker_url=machine_redis)
    client = _client(settings)
    worker = Worker(_env(settings), tmp_path / "worker.log")
    try:
        response = client.post("/api/v1/directives", headers=client.keys["admin"],
                               files={"file": ("kl.txt", shared("directives", "226-KL-TW.txt").read_bytes())},
                               data={"level": "central_party", "issuer": "Ban Bí thư", "agency": "BBT-W"})
        assert response.status_code == 202
        def indexed():
            job = client.get(response.headers["Location"], headers=client.keys["admin"]).json()["job"]
            return job["kind"] == "index" and job["state"] == "done"

        wait_for(indexed, timeout=120, interval=0.3, what="the directive's index job")
        draft = upload(client, "drafter", shared("seeds", "000_b0328c80448f943d.txt"))
        assert draft.status_code == 202
        body = wait_done(client, draft.headers["Location"], "drafter", timeout=180)
        assert body["job"]["kind"] == "analyze" and body["job"]["state"] == "done", worker.log.read_text()[-3000:]
        report = client.get(f"{draft.headers['Location']}/report", headers=client.keys["drafter"]).json()
        assert report["directives_checked"] == 1 and report["passages"]
        stored = _report(client, body["id"])

        # The same task delivered twice: the guarded claim makes both deliveries no-ops.
        from services.common.dispatch import CeleryDispatcher

        done_before = _tasks_finished(worker, "draftctl.analyze")
        dispatcher = CeleryDispatcher(machine_redis)
        dispatcher.enqueue(body["job"]["id"], "analyze")
        dispatcher.enqueue(body["job"]["id"], "analyze")
        wait_for(lambda: _tasks_finished(worker, "draftctl.analyze") >= done_before + 2, timeout=60,
                 what="the two duplicate deliveries")
        again = _report(client, body["id"])
        assert (again.id, again.created_at, again.body) == (stored.id, stored.created_at, stored.body)
        with client.app.state.factory() as db:
            job = db.get(Job, body["job"]["id"])
            assert (job.state.value, job.attempts) == ("done", 1)
    finally:
        worker.stop()
        client.__exit__(None, None, None)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_upload_while_the_broker_is_down_is_accepted_and_processed_later(pg_url, tmp_path):
    port = _free_port()
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", database_url=pg_url,
                        broker_url=_redis_url(port))
    client = _client(settings)
    server = worker = None
    try:
        response = upload(client, "drafter", shared("seeds", "003_e22e6fd817a95a82.txt"))
        assert response.status_code == 202  # accepted although no broker answers
        assert response.json()["job"]["state"] == "queued"
        assert client.get("/readyz").status_code == 503
        server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                   "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _pings(settings.broker_url), timeout=30, what="redis-server to answer")
        worker = Worker(_env(settings), tmp_path / "worker.log")  # its start-up sweep sends the queued job
        body = wait_done(client, response.headers["Location"], "drafter", timeout=180)
        assert body["status"] == "parsed" and body["job"]["kind"] == "analyze", worker.log.read_text()[-3000:]
        with client.app.state.factory() as db:
            parse_jobs = db.scalars(select(Job).where(Job.document_id == body["id"], Job.kind == "parse")).all()
        assert len(parse_jobs) == 1 and parse_jobs[0].attempts == 1
        assert _report(client, body["id"]) is not None
    finally:
        if worker:
            worker.stop()
        if server:
            server.terminate()
            server.wait(timeout=10)
        client.__exit__(None, None, None)


def test_a_worker_killed_mid_analysis_is_replaced_and_the_job_finishes_once(pg_url, machine_redis, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", database_url=pg_url,
                        broker_url=machine_redis, task_time_limit=15)
    env = _env(settings)
    env["DRAFTCTL_TASK_TIME_LIMIT"] = "15"
    client = _client(settings)
    first = Worker(env, tmp_path / "worker.log")
    second = None
    try:
        response = client.post("/api/v1/directives", headers=client.keys["admin"],
                               files={"file": ("kl.txt", shared("directives", "226-KL-TW.txt").read_bytes())},
                               data={"level": "central_party", "issuer": "Ban Bí thư", "agency": "BBT-K"})
        assert response.status_code == 202
        # A long real document, so the analysis is still running when the worker dies.
        big = shared("corpus", "docs", "sct-nd-146-2025-phan-quyen-phan-cap.txt")
        draft = upload(client, "drafter", big)
        document_id = draft.json()["id"]
        def analysing():
            with client.app.state.factory() as db:
                job = db.scalars(select(Job).where(Job.document_id == document_id, Job.kind == "analyze")).first()
            return job if job is not None and job.state.value == "running" else None

        job = wait_for(analysing, timeout=180, interval=0.05, what="the analysis to start")
        first.kill()
        with client.app.state.factory() as db:
            assert db.get(Job, job.id).state.value == "running"  # left behind by the dead worker
        # The sweep takes a running job for lost once it is past the hard time limit and a margin.
        stale_after = timedelta(seconds=15 + 5)
        wait_for(lambda: utcnow() - job.started_at > stale_after, timeout=60, interval=0.5,
                 what="the dead worker's job to go stale")
        second = Worker(env, tmp_path / "worker.log")  # its start-up sweep requeues and sends it
        body = wait_done(client, draft.headers["Location"], "drafter", timeout=240)
        assert body["job"]["id"] == job.id and body["job"]["state"] == "done", (tmp_path / "worker.log").read_text()[-3000:]
        assert body["job"]["attempts"] == 2
        assert _report(client, document_id) is not None
    finally:
        if second:
            second.stop()
        first.stop()
        client.__exit__(None, None, None)
