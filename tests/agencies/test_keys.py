"""API keys end their life without SQL: revoked through the API or the CLI, or expired."""
from __future__ import annotations

from datetime import timedelta

from services.agencies.repository import get_key
from services.common.db import unit_of_work
from services.common.models import utcnow
from tests.gateway.test_api import PROBLEM, api, settings  # noqa: F401 (fixtures)
from tests.test_cli import run


def _new_key(api, **fields) -> dict:
    response = api.post("/api/v1/keys", json={"role": "drafter", "agency": "UBND-LS", **fields},
                        headers=api.keys["admin"])
    assert response.status_code == 201, response.text
    return response.json()


def test_an_admin_revokes_a_key_and_it_is_refused_from_then_on(api):
    created = _new_key(api, name="chuyên viên tạm")
    bearer = {"Authorization": f"Bearer {created['key']}"}
    assert api.get("/api/v1/drafts", headers=bearer).status_code == 200
    revoked = api.post(f"/api/v1/keys/{created['id']}/revoke", headers=api.keys["admin"])
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    refused = api.get("/api/v1/drafts", headers=bearer)
    assert refused.status_code == 401 and refused.headers["content-type"] == PROBLEM
    again = api.post(f"/api/v1/keys/{created['id']}/revoke", headers=api.keys["admin"])
    assert again.status_code == 409
    listed = {k["id"]: k for k in api.get("/api/v1/keys", headers=api.keys["admin"]).json()}
    assert listed[created["id"]]["state"] == "revoked" and "key" not in listed[created["id"]]
    assert api.post(f"/api/v1/keys/{created['id']}/revoke", headers=api.keys["lang_son"]).status_code == 403
    assert api.post("/api/v1/keys/999999/revoke", headers=api.keys["admin"]).status_code == 404


def test_a_key_past_its_expiry_is_refused(api):
    created = _new_key(api, days=30)
    assert created["expires_at"] is not None and created["state"] == "active"
    bearer = {"Authorization": f"Bearer {created['key']}"}
    assert api.get("/api/v1/drafts", headers=bearer).status_code == 200
    with unit_of_work(api.app.state.factory) as db:  # thirty days later
        get_key(db=db, key_id=created["id"]).expires_at = utcnow() - timedelta(seconds=1)
    assert api.get("/api/v1/drafts", headers=bearer).status_code == 401
    listed = {k["id"]: k for k in api.get("/api/v1/keys", headers=api.keys["admin"]).json()}
    assert listed[created["id"]]["state"] == "expired"


def test_a_key_for_an_unknown_agency_or_a_drafter_without_one_is_refused(api):
    for body in ({"role": "drafter", "agency": "NOPE"}, {"role": "drafter"}, {"role": "admin", "days": 0}):
        response = api.post("/api/v1/keys", json=body, headers=api.keys["admin"])
        assert response.status_code == 422 and response.headers["content-type"] == PROBLEM


def test_keys_are_listed_and_revoked_on_the_command_line(tmp_path):
    assert run("agencies", "add", "UBND-X", "--name", "UBND xã", "--level", "commune", data_dir=tmp_path).returncode == 0
    created = run("keys", "create", "--role", "drafter", "--agency", "UBND-X", "--days", "7", data_dir=tmp_path)
    assert created.returncode == 0, created.stderr
    key_id = created.stderr.split("drafter key ")[1].split()[0]
    listed = run("keys", "list", data_dir=tmp_path)
    assert listed.returncode == 0 and "active" in listed.stdout and "UBND-X" in listed.stdout
    assert run("keys", "revoke", key_id, data_dir=tmp_path).returncode == 0
    assert "revoked" in run("keys", "list", data_dir=tmp_path).stdout
    twice = run("keys", "revoke", key_id, data_dir=tmp_path)
    assert twice.returncode == 1 and "revoked already" in twice.stderr
    unknown = run("keys", "revoke", str(2**70), data_dir=tmp_path)
    assert unknown.returncode == 1 and "no API key" in unknown.stderr
