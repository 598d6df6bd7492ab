"""The gateway API end to end: upload, poll, duplicates, bad files, roles. Real app, real runner."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfWriter

from services.agencies import service as keys
from services.common.db import unit_of_work
from services.common.models import AgencyLevel, Role
from services.agencies.service import ensure_agency
from services.documents import repository as documents_repo
from services.common.settings import Settings
from services.gateway.app import create_app
from tests.conftest import shared
from tests.polling import wait_for
from tests.ingest.test_parsers import zip_bomb_docx

PROBLEM = "application/problem+json"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", max_upload_bytes=2 * 1024 * 1024)


@pytest.fixture
def api(settings):
    """A running app and a key per role: drafters of two agencies, a reviewer, an admin."""
    app = create_app(settings)
    with TestClient(app) as client:
        made = {}
        with unit_of_work(app.state.factory) as db:
            for code in ("UBND-LS", "UBND-DT"):
                ensure_agency(db=db, code=code, name=code, level=AgencyLevel.provincial_government)
            for name, role, agency in (
                ("lang_son", Role.drafter, "UBND-LS"),
                ("dong_thap", Role.drafter, "UBND-DT"),
                ("reviewer", Role.reviewer, None),
                ("admin", Role.admin, None),
            ):
                made[name] = {"Authorization": f"Bearer {keys.create_key(db=db, role=role, agency_code=agency, name=name)[1]}"}
        client.keys = made
        yield client


def upload(client, who: str, path: Path | None = None, *, data: bytes | None = None, name: str = "draft.txt", **fields):
    content = data if data is not None else path.read_bytes()
    return client.post(
        "/api/v1/drafts",
        headers=client.keys[who] if who else {},
        files={"file": (path.name if path else name, content)},
        data=fields,
    )


def wait_done(client, location: str, who: str, timeout: float = 60.0) -> dict:
    """The document once its last job has finished (done or failed)."""
    def finished():
        body = client.get(location, headers=client.keys[who]).json()
        return body if body["job"]["state"] in ("done", "failed") else None

    return wait_for(finished, timeout=timeout, what=f"{location} to finish")


def stored_count(client) -> tuple[int, int]:
    with client.app.state.factory() as db:
        documents = documents_repo.count(db=db)
    blobs = sum(1 for p in Path(client.app.state.settings.blob_dir).rglob("*") if p.is_file())
    return documents, blobs


def test_upload_is_accepted_then_parsed(api):
    response = upload(api, "dong_thap", shared("fixtures", "004_dong_thap_ke_hoach.pdf"))
    assert response.status_code == 202
    location = response.headers["Location"]
    assert location == f"/api/v1/drafts/{response.json()['id']}"
    assert response.json()["job"]["state"] in ("queued", "running", "done")
    body = wait_done(api, location, "dong_thap")
    assert body["status"] == "parsed" and body["job"]["state"] == "done" and body["job"]["attempts"] == 1
    md = body["metadata"]
    assert (md["reference"], md["doc_type"], md["date"]) == ("498/KH-UBND", "Kế hoạch", "2026-04-22")
    assert {c["reference"] for c in body["citations"]} == {
        "534/QĐ-TTg", "226-KL/TW", "76/NQ-CP", "178-QĐ/TW", "110/2023/QH15", "126/NQ-CP", "09/2019/NĐ-CP", "42/2022/NĐ-CP"}
    assert body["agency"] == "UBND-DT"
    assert body["created_at"].endswith(("Z", "+00:00")), "timestamps carry their zone on every backend"


def test_same_bytes_again_return_the_existing_draft(api):
    path = shared("seeds", "002_f498fa0f8298bd96.txt")
    first = upload(api, "lang_son", path)
    second = upload(api, "lang_son", path, name="renamed.txt")
    assert (first.status_code, second.status_code) == (202, 200)
    assert second.json()["id"] == first.json()["id"]
    assert second.headers["Location"] == first.headers["Location"]
    assert stored_count(api) == (1, 1)


def test_metadata_given_at_upload_wins_over_parsed(api):
    response = upload(api, "lang_son", shared("seeds", "002_f498fa0f8298bd96.txt"),
                      reference="7103/UBND-TH", issued_on="2025-12-24")
    body = wait_done(api, response.headers["Location"], "lang_son")
    assert (body["metadata"]["reference"], body["metadata"]["date"]) == ("7103/UBND-TH", "2025-12-24")
    assert body["metadata"]["doc_type"] == "Công văn"


def _encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(shared("fixtures", "002_lang_son_cong_van.pdf").read_bytes()))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    "make, status, title",
    [
        (lambda: b"GIF89a" + b"\0" * 64, 415, "Unsupported file type"),
        (lambda: b"", 422, "Empty document"),
        (lambda: b"a" * (2 * 1024 * 1024 + 1), 413, "Document too large"),
        (zip_bomb_docx, 413, "Document too large"),
        (_encrypted_pdf, 422, "Encrypted PDF"),
    ],
    ids=["wrong-type", "empty", "oversize", "zip-bomb", "encrypted-pdf"],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(api, make, status, title):
    response = upload(api, "lang_son", data=make(), name="draft.docx")
    assert response.status_code == status
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["status"] == status and problem["title"] == title and problem["detail"]
    assert stored_count(api) == (0, 0)


def test_no_key_is_401_and_a_bad_key_is_401(api):
    response = api.get("/api/v1/drafts")
    assert response.status_code == 401 and response.headers["content-type"].startswith(PROBLEM)
    response = api.get("/api/v1/drafts", headers={"Authorization": "Bearer dk_not-a-key"})
    assert response.status_code == 401


def test_drafter_cannot_read_another_agencys_draft(api):
    response = upload(api, "lang_son", shared("seeds", "002_f498fa0f8298bd96.txt"))
    location = response.headers["Location"]
    other = api.get(location, headers=api.keys["dong_thap"])
    assert other.status_code == 404 and other.headers["content-type"].startswith(PROBLEM)
    assert api.get(location, headers=api.keys["reviewer"]).status_code == 200
    listing = api.get("/api/v1/drafts", headers=api.keys["dong_thap"]).json()
    assert listing["total"] == 0 and listing["items"] == []


def test_reviewer_cannot_upload(api):
    response = upload(api, "reviewer", shared("seeds", "002_f498fa0f8298bd96.txt"))
    assert response.status_code == 403 and response.headers["content-type"].startswith(PROBLEM)


def test_admin_uploads_for_a_named_agency_and_unknown_agency_is_refused(api):
    path = shared("seeds", "000_b0328c80448f943d.txt")
    assert upload(api, "admin", path, agency="NOPE").status_code == 422
    assert stored_count(api) == (0, 0)
    response = upload(api, "admin", path, agency="UBND-LS")
    assert response.status_code == 202 and response.json()["agency"] == "UBND-LS"


def test_list_is_paginated(api):
    for seed in ("000_b0328c80448f943d.txt", "002_f498fa0f8298bd96.txt", "003_e22e6fd817a95a82.txt"):
        upload(api, "lang_son", shared("seeds", seed))
    page = api.get("/api/v1/drafts?limit=2&offset=0", headers=api.keys["lang_son"]).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    rest = api.get("/api/v1/drafts?limit=2&offset=2", headers=api.keys["lang_son"]).json()
    assert len(rest["items"]) == 1
    bad = api.get("/api/v1/drafts?limit=0", headers=api.keys["lang_son"])
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(PROBLEM)


def test_unknown_draft_is_404_problem(api):
    response = api.get("/api/v1/drafts/999999", headers=api.keys["admin"])
    assert response.status_code == 404 and response.json()["title"] == "Not found"


def test_health_and_readiness(api):
    assert api.get("/healthz").json() == {"status": "ok"}
    ready = api.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["database"] == "ok"
    assert api.get("/docs").status_code == 200


def test_queued_jobs_left_by_a_stopped_process_run_on_restart(settings):
    app = create_app(settings)
    with TestClient(app) as client:
        with unit_of_work(app.state.factory) as db:
            ensure_agency(db=db, code="UBND-LS", name="x", level=AgencyLevel.provincial_government)
            _, plain = keys.create_key(db=db, role=Role.drafter, agency_code="UBND-LS", name="d")
        client.app.state.runner.pool.shutdown(wait=True)  # the process "dies" before running the job
        response = client.post("/api/v1/drafts", headers={"Authorization": f"Bearer {plain}"},
                               files={"file": ("d.txt", shared("seeds", "003_e22e6fd817a95a82.txt").read_bytes())})
        assert response.status_code == 202
    response_location = response.headers["Location"]
    restarted = create_app(settings)
    with TestClient(restarted) as client:
        client.keys = {"d": {"Authorization": f"Bearer {plain}"}}
        body = wait_done(client, response_location, "d")
        assert body["status"] == "parsed" and body["metadata"]["reference"] == "-CV/ĐUVP"


def test_upload_and_parse_on_postgresql(pg_url, tmp_path):
    app = create_app(Settings(data_dir=tmp_path / "pg", database_url=pg_url))
    with TestClient(app) as client:
        with unit_of_work(app.state.factory) as db:
            ensure_agency(db=db, code="UBND-LS-PG", name="x", level=AgencyLevel.provincial_government)
            _, plain = keys.create_key(db=db, role=Role.drafter, agency_code="UBND-LS-PG", name="d")
        client.keys = {"d": {"Authorization": f"Bearer {plain}"}}
        response = upload(client, "d", shared("fixtures", "002_lang_son_cong_van.docx"))
        assert response.status_code == 202
        body = wait_done(client, response.headers["Location"], "d")
        assert body["status"] == "parsed", body  # a finished job always comes with its parse
        assert body["metadata"]["issuer"] == "Ủy ban nhân dân tỉnh Lạng Sơn"
        assert upload(client, "d", shared("fixtures", "002_lang_son_cong_van.docx")).status_code == 200


def test_metrics_count_uploads_and_jobs_for_an_admin_key_only(api):
    upload(api, "lang_son", shared("seeds", "002_f498fa0f8298bd96.txt"))
    upload(api, "lang_son", shared("seeds", "002_f498fa0f8298bd96.txt"))
    assert api.get("/metrics").status_code == 401
    assert api.get("/metrics", headers=api.keys["lang_son"]).status_code == 403
    text = api.get("/metrics", headers=api.keys["admin"]).text
    assert 'draftctl_uploads_total{kind="draft",outcome="duplicate"}' in text
    assert 'draftctl_jobs{kind="parse"' in text or 'draftctl_jobs{kind="analyze"' in text


def test_request_ids_are_echoed_and_logged_with_job_ids(api):
    import json as _json

    from tests.logcapture import json_log_lines

    with json_log_lines() as records:
        response = api.get("/healthz", headers={"X-Request-ID": "req-123"})
        assert response.headers["X-Request-ID"] == "req-123"
        assert api.get("/healthz").headers["X-Request-ID"]  # one is made up when none is sent
        created = upload(api, "lang_son", shared("seeds", "003_e22e6fd817a95a82.txt"))
        wait_done(api, created.headers["Location"], "lang_son")
    parsed = [_json.loads(line) for line in records]
    assert any(r.get("job_id") and "parsed document" in r["msg"] for r in parsed)
