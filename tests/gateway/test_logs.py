"""Logs are JSON lines everywhere: the server's own and access lines, and a bug's traceback."""
from __future__ import annotations

import json

from fastapi.testclient import TestClient

from services.common.settings import Settings
from services.gateway.app import create_app
from tests.logcapture import json_log_lines
from tests.serving import get, serving
from tests.test_cli import run


def test_the_served_gateway_writes_only_json_lines_with_access_fields(tmp_path):
    data = tmp_path / "data"
    created = run("keys", "create", "--role", "admin", data_dir=data)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    with serving(data, tmp_path / "server.log") as base:
        assert get(f"{base}/api/v1/drafts", key)[0] == 200
        try:
            get(f"{base}/api/v1/drafts/1")
        except OSError:
            pass  # 401, as it should: the line is what this test reads
    lines = [line for line in (tmp_path / "server.log").read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    access = [r for r in records if r["logger"] == "uvicorn.access"]
    assert {(r["method"], r["path"], r["status"]) for r in access} >= {("GET", "/api/v1/drafts", 200),
                                                                       ("GET", "/api/v1/drafts/1", 401)}
    assert any(r["logger"] == "uvicorn.error" and "Uvicorn running" in r["msg"] for r in records)


def test_a_bug_answers_problem_json_and_logs_its_traceback_as_one_json_line(tmp_path):
    app = create_app(Settings(data_dir=tmp_path / "data"))

    @app.get("/boom")  # a route with a bug, added to the real app for this test
    def boom():
        raise RuntimeError("a bug")

    with json_log_lines() as lines, TestClient(app) as client:
        response = client.get("/boom", headers={"X-Request-ID": "req-boom"})
    assert response.status_code == 500 and response.headers["content-type"] == "application/problem+json"
    assert "a bug" not in response.text and response.headers["X-Request-ID"] == "req-boom"
    [record] = [json.loads(line) for line in lines if "boom" in line]
    assert record["level"] == "error" and record["request_id"] == "req-boom"
    assert "RuntimeError: a bug" in record["exc"] and "\n" not in lines[-1]
