"""A split registry on real workers: two shard workers answer each round of a check through
Celery (real Redis), the analyze worker merges, and the report is the one a single index
gives (real PostgreSQL)."""
from __future__ import annotations

import subprocess

from services.common.settings import Settings
from services.directives.registry import LoadedIndex
from services.documents.pipeline import check_document, stored_parse
from services.documents import repository
from services.analyzer.semantic import SemanticLayer
from tests.conftest import shared
from tests.gateway.test_api import upload, wait_done
from tests.polling import wait_for
from tests.test_cli import DRAFTCTL
from tests.worker.test_celery import Worker, _client, _env, machine_redis  # noqa: F401 (fixture)

DIRECTIVES = [("directives", "226-KL-TW.txt"), ("corpus", "docs", "hr-nghi-quyet-so-15-2026-nq-cp-469344.txt"),
              ("corpus", "docs", "hr-thong-tu-so-44-2022-tt-btc-37701.txt")]


class ShardWorker(Worker):
    def __init__(self, env: dict, log, shard: int):
        self.log = log
        self.proc = subprocess.Popen([DRAFTCTL, "worker", "--shard", str(shard), "--concurrency", "1"],
                                     env=env, stdout=log.open("a"), stderr=subprocess.STDOUT, start_new_session=True)


def _register_directives(client) -> None:
    for n, parts in enumerate(DIRECTIVES):
        response = client.post("/api/v1/directives", headers=client.keys["admin"],
                               files={"file": (parts[-1], shared(*parts).read_bytes())},
                               data={"level": "central_party", "issuer": "Ban Bí thư", "agency": f"SH-{n}"})
        assert response.status_code == 202, response.text
        location = response.headers["Location"]

        def indexed():
            job = client.get(location, headers=client.keys["admin"]).json()["job"]
            return job["kind"] == "index" and job["state"] == "done"
        wait_for(indexed, timeout=120, interval=0.3, what=f"the index job of {parts[-1]}")


def _as_one_index(client, settings, document_id: int) -> dict:
    """The stored report the document would get from one index holding every directive."""
    single = LoadedIndex()
    with client.app.state.factory() as db:
        single.refresh(db)
        document = repository.get(db=db, document_id=document_id)
        parsed, level = stored_parse(document), document.agency.level
    _, expected = check_document(parsed=parsed, loaded=single, document_id=document_id,
                                 allowed=single.higher_than(level), semantic=SemanticLayer.default(settings))
    assert any(p["source_reference"] == "226-KL/TW" for p in expected["passages"])
    return expected


def _spans(passages: list[dict]) -> list[tuple]:
    return [(p["draft_start"], p["draft_end"], p["source_document_id"], p["source_start"], p["source_end"], p["kind"])
            for p in passages]


def test_the_embedded_runner_checks_a_split_registry_in_process(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", index_shards=3)
    client = _client(settings)
    try:
        _register_directives(client)
        draft = upload(client, "drafter", shared("seeds", "000_b0328c80448f943d.txt"))
        body = wait_done(client, draft.headers["Location"], "drafter", timeout=120)
        assert body["job"]["state"] == "done", body
        report = client.get(f"{draft.headers['Location']}/report", headers=client.keys["drafter"]).json()
        assert _spans(report["passages"]) == _spans(_as_one_index(client, settings, body["id"])["passages"])
    finally:
        client.__exit__(None, None, None)


def test_two_shard_workers_return_the_passages_one_index_returns(pg_url, machine_redis, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", database_url=pg_url,
                        broker_url=machine_redis, index_shards=2)
    client = _client(settings)
    env = dict(_env(settings), DRAFTCTL_INDEX_SHARDS="2")
    workers = [Worker(env, tmp_path / "worker.log")] + [
        ShardWorker(env, tmp_path / f"shard{k}.log", k) for k in (0, 1)]
    try:
        _register_directives(client)
        draft = upload(client, "drafter", shared("seeds", "000_b0328c80448f943d.txt"))
        body = wait_done(client, draft.headers["Location"], "drafter", timeout=240)
        logs = "".join(w.log.read_text()[-2000:] for w in workers)
        assert body["job"]["kind"] == "analyze" and body["job"]["state"] == "done", logs
        report = client.get(f"{draft.headers['Location']}/report", headers=client.keys["drafter"]).json()
        for k in (0, 1):  # each shard answered the rounds of the check
            assert "draftctl.shard_round" in (tmp_path / f"shard{k}.log").read_text()

        # The same document checked against one index holding every directive of the store.
        expected = _as_one_index(client, settings, body["id"])
        assert _spans(report["passages"]) == _spans(expected["passages"])
        assert report["directives_checked"] == len(expected["checked"])
    finally:
        for w in workers:
            w.stop()
        client.__exit__(None, None, None)


def test_a_check_whose_shard_nobody_serves_fails_naming_the_queue(pg_url, machine_redis, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", database_url=pg_url,
                        broker_url=machine_redis, index_shards=2)
    client = _client(settings)
    # a short task limit, so the round without an answer gives up within seconds
    env = dict(_env(settings), DRAFTCTL_INDEX_SHARDS="2", DRAFTCTL_TASK_TIME_LIMIT="40")
    workers = [Worker(env, tmp_path / "worker.log"), ShardWorker(env, tmp_path / "shard0.log", 0)]
    try:
        text = shared("seeds", "000_b0328c80448f943d.txt").read_bytes() + b"\nBan soan thao rieng.\n"  # a new draft
        draft = upload(client, "drafter", data=text, name="unserved.txt")
        body = wait_done(client, draft.headers["Location"], "drafter", timeout=180)
        assert body["job"]["kind"] == "analyze" and body["job"]["state"] == "failed", body
        assert "shard.1" in body["job"]["error"] and "shard.0" not in body["job"]["error"]
    finally:
        for w in workers:
            w.stop()
        client.__exit__(None, None, None)
