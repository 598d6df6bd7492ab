"""/openapi.json says what the API does: every error as problem+json, a schema for every
answer, the real status of a report that is not ready, the archive's request body."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.common.settings import Settings
from services.gateway.app import create_app

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("openapi") / "data"))
    with TestClient(app) as client:
        return client.get("/openapi.json").json()


def _operations(spec):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_every_error_answer_is_documented_as_problem_json(spec):
    for name, operation in _operations(spec):
        for status, response in operation["responses"].items():
            if int(status) >= 400 and name != "GET /readyz":  # 503 there is the readiness answer itself
                assert list(response["content"]) == [PROBLEM], (name, status)
                assert response["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_every_operation_with_a_key_documents_401_and_403(spec):
    for name, operation in _operations(spec):
        if operation.get("security"):
            assert {"401", "403"} <= set(operation["responses"]), name


def test_every_success_answer_has_a_schema(spec):
    for name, operation in _operations(spec):
        for status, response in operation["responses"].items():
            if status.startswith("2"):
                schemas = [c.get("schema") for c in response.get("content", {}).values()]
                assert schemas and all(schemas), (name, status)
                assert all(s != {} and s.get("type") != "object" or s.get("properties") or s.get("additionalProperties")
                           for s in schemas), f"{name} {status} answers a bare object"


def test_a_report_not_ready_is_documented_as_409_not_202(spec):
    responses = spec["paths"]["/api/v1/drafts/{draft_id}/report"]["get"]["responses"]
    assert "409" in responses and "202" not in responses


def test_the_archive_documents_its_request_body(spec):
    body = spec["paths"]["/api/v1/archive"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/x-ndjson", "multipart/form-data"}
    assert body["multipart/form-data"]["schema"]["required"] == ["metadata"]


def test_ids_and_offsets_are_bounded_in_the_schema(spec):
    draft_id = next(p for p in spec["paths"]["/api/v1/drafts/{draft_id}"]["get"]["parameters"] if p["name"] == "draft_id")
    assert draft_id["schema"]["maximum"] == 2**31 - 1 and draft_id["schema"]["minimum"] == 1
