"""Bad input gets a clear problem+json answer and changes nothing: huge integers, impossible
periods and dates, issuers that would become junk agencies."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from services.agencies import repository as agencies_repo
from services.common.db import unit_of_work
from services.common.models import Agency, AgencyLevel, Document
from tests.conftest import shared
from tests.gateway.test_api import PROBLEM, api, settings, upload  # noqa: F401 (fixtures)

HUGE = 2**63


def _count(api, model) -> int:
    with api.app.state.factory() as db:
        return db.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("path", [f"/api/v1/drafts/{HUGE}", f"/api/v1/drafts/{HUGE}/report",
                                  f"/api/v1/drafts/{HUGE}/audit", f"/api/v1/directives/{HUGE}",
                                  f"/api/v1/drafts?offset={HUGE}", f"/api/v1/directives?offset={HUGE}"])
def test_integers_past_64_bits_are_refused_as_invalid(api, path):
    response = api.get(path, headers=api.keys["admin"])
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM, response.text


def test_a_revision_of_a_huge_id_is_refused_and_nothing_is_stored(api):
    response = upload(api, "lang_son", shared("seeds", "002_f498fa0f8298bd96.txt"), revises=str(HUGE))
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert _count(api, Document) == 0


@pytest.mark.parametrize("period", ["0000", "9999-H2", "1999", "2026-Q5", "2026-13"])
def test_impossible_periods_are_refused(api, period):
    response = api.get("/api/v1/reports/issuance", params={"period": period}, headers=api.keys["admin"])
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert "period" in response.json()["detail"]


@pytest.mark.parametrize("day", ["2026-13-45", "2026-02-30", "0000-01-01"])
def test_an_impossible_date_at_upload_is_refused_and_nothing_is_stored(api, day):
    response = upload(api, "lang_son", shared("seeds", "002_f498fa0f8298bd96.txt"), issued_on=day)
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert day in response.json()["detail"] and _count(api, Document) == 0


@pytest.mark.parametrize("issuer", ["Ban\x07 Bí thư", "Bộ\x00 Tư pháp", "Bộ Tư pháp\u200b"])
def test_an_issuer_with_control_characters_creates_no_agency(api, issuer):
    agencies = _count(api, Agency)
    response = api.post("/api/v1/directives", headers=api.keys["admin"],
                        files={"file": ("kl.txt", shared("directives", "226-KL-TW.txt").read_bytes())},
                        data={"level": "central_party", "issuer": issuer})
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert _count(api, Agency) == agencies and _count(api, Document) == 0


@pytest.mark.parametrize("code", ["BBT/../x", "-BBT", "B B T", "BBT\x1f"])
def test_an_agency_code_that_is_not_a_code_is_refused(api, code):
    response = api.post("/api/v1/directives", headers=api.keys["admin"],
                        files={"file": ("kl.txt", shared("directives", "226-KL-TW.txt").read_bytes())},
                        data={"level": "central_party", "issuer": "Ban Bí thư", "agency": code})
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert _count(api, Document) == 0


def test_the_xlsx_report_is_written_even_with_a_name_stored_before_names_were_checked(api):
    with unit_of_work(api.app.state.factory) as db:  # a row as an older version could store it
        agencies_repo.add(db=db, code="JUNK", name="Sở\x07 cũ", level=AgencyLevel.provincial_department)
    response = api.get("/api/v1/reports/issuance", params={"period": "2026", "format": "xlsx"},
                       headers=api.keys["admin"])
    assert response.status_code == 200
    names = [row[1].value for row in load_workbook(io.BytesIO(response.content))["Cơ quan"].iter_rows(min_row=3)]
    assert "Sở cũ" in names
