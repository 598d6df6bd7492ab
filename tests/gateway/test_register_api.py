"""The register and the 15% quota through the API: a two-year archive of 600 documents
imported as JSON lines, counts checked; entered baselines; issuing a draft; the periodic
report as JSON, CSV and .xlsx; all-or-nothing imports; roles."""
from __future__ import annotations

import io
import json

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from services.register.service import today as local_today
from services.agencies import service as keys
from services.common.db import unit_of_work
from services.common.models import AgencyLevel, Role
from services.agencies.service import ensure_agency
from services.common.settings import Settings
from services.gateway.app import create_app
from tests.conftest import empty_store, shared
from tests.gateway.test_api import PROBLEM, upload, wait_done
from tests.polling import wait_for

TYPES = [("Công văn", "{n}/UBND-TH"), ("Kế hoạch", "{n}/KH-UBND"), ("Báo cáo", "{n}/BC-UBND"),
         ("Thông báo", "{n}/TB-UBND"), ("Quyết định", "{n}/QĐ-UBND")]
PARTY_TYPES = [("Kế hoạch", "{n}-KH/HU"), ("Báo cáo", "{n}-BC/HU"), ("Công văn", "{n}-CV/HU")]


def _year(agency: str, year: int, counted: int, months: range, excluded: int, types=TYPES) -> list[dict]:
    """`counted` documents that count, spread over `months`, and `excluded` that do not
    (a legal-normative decision, a copy and a withdrawn letter, in turn)."""
    lines = []
    for i in range(counted):
        doc_type, pattern = types[i % len(types)]
        month = months[i % len(months)]
        lines.append({"agency": agency, "reference": pattern.format(n=i + 1), "doc_type": doc_type,
                      "date": f"{year}-{month:02d}-{i % 28 + 1:02d}", "subject": f"V/v việc số {i + 1}"})
    for i in range(excluded):
        day = f"{year}-{months[0]:02d}-{i % 28 + 1:02d}"
        kind = i % 3
        lines.append({"agency": agency, "doc_type": "Quyết định" if kind == 0 else "Công văn", "date": day,
                      "reference": [f"{i + 1}/{year}/QĐ-UBND", f"{i + 1}/SY-UBND", f"{900 + i}/UBND-TH"][kind],
                      "withdrawn": kind == 2})
    return lines


@pytest.fixture
def api(pg_url, tmp_path):
    app = create_app(Settings(data_dir=tmp_path / "data", database_url=pg_url, cache_dir=tmp_path / "cache"))
    with TestClient(app) as client:
        empty_store(app.state.factory)  # the session's schema: start from an empty register
        with unit_of_work(app.state.factory) as db:
            ensure_agency(db=db, code="UBND-LS-Q", name="UBND tỉnh Lạng Sơn", level=AgencyLevel.provincial_government)
            client.keys = {name: {"Authorization": f"Bearer {keys.create_key(db=db, role=role, agency_code=agency, name=name)[1]}"}
                           for name, role, agency in (("drafter", Role.drafter, "UBND-LS-Q"),
                                                      ("reviewer", Role.reviewer, None), ("admin", Role.admin, None))}
        yield client


def _ndjson(lines: list[dict]) -> bytes:
    return "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()


def _post_archive(api, lines, who="admin"):
    return api.post("/api/v1/archive", content=_ndjson(lines),
                    headers={**api.keys[who], "Content-Type": "application/x-ndjson"})


def test_a_two_year_archive_of_600_documents_gives_the_right_quota(api):
    lines = (_year("SO-TP-Q", 2025, 130, range(1, 13), 10) + _year("SO-TP-Q", 2026, 100, range(1, 11), 6)
             + _year("UBND-LS-Q", 2025, 120, range(1, 13), 10) + _year("UBND-LS-Q", 2026, 110, range(1, 11), 6)
             + _year("HU-Q", 2025, 60, range(1, 13), 0, PARTY_TYPES) + _year("HU-Q", 2026, 50, range(1, 11), 3, PARTY_TYPES))
    assert len(lines) == 605
    response = _post_archive(api, lines)
    assert response.status_code == 200, response.text
    assert response.json() == {"lines": 605, "registered": 605, "already_registered": 0, "documents": 0,
                               "agencies_created": ["SO-TP-Q", "HU-Q"]}
    again = _post_archive(api, lines).json()  # the same archive again adds nothing
    assert (again["registered"], again["already_registered"], again["agencies_created"]) == (0, 605, [])

    quota = api.get("/api/v1/quota", params={"agency": "SO-TP-Q", "year": 2026, "as_of": "2026-10-31"},
                    headers=api.keys["admin"]).json()
    assert (quota["baseline"], quota["baseline_source"], quota["target_max"]) == (130, "register", 110)
    assert quota["issued"] == 100 and quota["remaining"] == 10
    assert quota["by_month"] == {f"{m:02d}": (10 if m <= 10 else 0) for m in range(1, 13)}
    assert quota["by_type"] == {"Công văn": 20, "Kế hoạch": 20, "Báo cáo": 20, "Thông báo": 20, "Quyết định": 20}
    assert quota["excluded"] == {"legal_normative": 2, "copy": 2, "withdrawn": 2}
    # Last year issued 130 evenly over 12 months; 2026 runs at 10 a month over 10 months.
    assert quota["projection"]["pro_rata"] == round(100 * 365 / 304)
    party = api.get("/api/v1/quota", params={"agency": "HU-Q", "year": 2026, "as_of": "2026-10-31"},
                    headers=api.keys["reviewer"]).json()
    assert (party["baseline"], party["target_max"], party["issued"]) == (60, 51, 50)

    # The drafter of UBND-LS-Q sees its own quota, not another agency's nor the province's.
    own = api.get("/api/v1/quota", params={"agency": "UBND-LS-Q", "year": 2026, "as_of": "2026-06-30"},
                  headers=api.keys["drafter"])
    assert own.status_code == 200 and own.json()["issued"] == 66  # 11 a month, Jan–Jun
    assert own.json()["target_max"] == 102
    other = api.get("/api/v1/quota", params={"agency": "SO-TP-Q"}, headers=api.keys["drafter"])
    assert other.status_code == 404 and other.headers["content-type"] == PROBLEM
    assert api.get("/api/v1/quota", headers=api.keys["drafter"]).status_code == 403

    province = api.get("/api/v1/quota", params={"year": 2026, "as_of": "2026-10-31"}, headers=api.keys["admin"]).json()
    mine = {a["agency"]: a for a in province["agencies"] if a["agency"].endswith("-Q")}
    assert {k: v["issued"] for k, v in mine.items()} == {"SO-TP-Q": 100, "UBND-LS-Q": 110, "HU-Q": 50}
    assert province["province"]["issued"] >= 260

    # The report for Q2, as JSON, CSV and .xlsx: 30 documents a quarter for SO-TP-Q, 33 for UBND-LS-Q.
    report = api.get("/api/v1/reports/issuance", params={"period": "2026-Q2"}, headers=api.keys["reviewer"]).json()
    rows = {r["agency"]: r for r in report["rows"] if r["agency"].endswith("-Q")}
    assert (rows["SO-TP-Q"]["issued_in_period"], rows["UBND-LS-Q"]["issued_in_period"], rows["HU-Q"]["issued_in_period"]) \
        == (30, 33, 15)
    assert rows["SO-TP-Q"]["issued_year_to_period_end"] == 60 and rows["SO-TP-Q"]["target_max"] == 110
    csv_text = api.get("/api/v1/reports/issuance", params={"period": "2026-Q2", "format": "csv"},
                       headers=api.keys["reviewer"]).text
    assert csv_text.splitlines()[0].startswith("agency,name,issued_in_period")
    assert any(line.startswith("SO-TP-Q,SO-TP-Q,30,60,130,110,") for line in csv_text.splitlines())
    xlsx = api.get("/api/v1/reports/issuance", params={"period": "2026-Q2", "format": "xlsx"},
                   headers=api.keys["reviewer"])
    book = load_workbook(io.BytesIO(xlsx.content))
    sheet = book["Cơ quan"]
    by_code = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert by_code["UBND-LS-Q"][2:6] == (33, 66, 120, 102)
    months = book["Theo tháng"]
    assert [r[0] for r in months.iter_rows(min_row=2, values_only=True)] == ["2026-04", "2026-05", "2026-06"]
    assert len(months._charts) == 1
    assert api.get("/api/v1/reports/issuance", params={"period": "2026-Q5"},
                   headers=api.keys["reviewer"]).status_code == 422
    assert api.get("/api/v1/reports/issuance", params={"period": "2026"}, headers=api.keys["drafter"]).status_code == 403


def test_an_entered_baseline_serves_when_the_register_lacks_last_year(api):
    assert _post_archive(api, _year("SO-MOI-Q", 2026, 12, range(1, 4), 0)).status_code == 200
    assert api.put("/api/v1/agencies/SO-MOI-Q/baseline/2025", json={"count": 40},
                   headers=api.keys["drafter"]).status_code == 403
    assert api.put("/api/v1/agencies/NOPE/baseline/2025", json={"count": 40},
                   headers=api.keys["admin"]).status_code == 404
    assert api.put("/api/v1/agencies/SO-MOI-Q/baseline/2025", json={"count": -1},
                   headers=api.keys["admin"]).status_code == 422
    assert api.put("/api/v1/agencies/SO-MOI-Q/baseline/2025", json={"count": 40},
                   headers=api.keys["admin"]).status_code == 200
    quota = api.get("/api/v1/quota", params={"agency": "SO-MOI-Q", "year": 2026, "as_of": "2026-12-31"},
                    headers=api.keys["admin"]).json()
    assert (quota["baseline"], quota["baseline_source"], quota["target_max"], quota["issued"]) == (40, "entered", 34, 12)
    assert quota["on_track"] is True


def test_a_malformed_line_rejects_the_whole_import_with_its_line_number(api):
    lines = _year("SO-HONG-Q", 2026, 5, range(1, 3), 0)
    bad = _ndjson(lines[:2]) + b"\n{not json\n" + _ndjson(lines[2:3]) + b"\n" + \
        json.dumps({"agency": "SO-HONG-Q", "reference": "1/X", "doc_type": "Công văn", "date": "2026-02-30"}).encode()
    response = api.post("/api/v1/archive", content=bad, headers={**api.keys["admin"], "Content-Type": "application/x-ndjson"})
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert [e["line"] for e in response.json()["errors"]] == [3, 5]
    assert "nothing was imported" in response.json()["detail"]
    assert api.get("/api/v1/quota", params={"agency": "SO-HONG-Q"}, headers=api.keys["admin"]).status_code == 404
    missing_file = _post_archive(api, [{**lines[0], "file": "cv.txt"}])
    assert missing_file.status_code == 422 and "not in the upload" in missing_file.json()["errors"][0]["error"]
    assert _post_archive(api, lines, who="drafter").status_code == 403
    wrong_type = api.post("/api/v1/archive", content=b"a,b", headers={**api.keys["admin"], "Content-Type": "text/csv"})
    assert wrong_type.status_code == 415


def test_an_archive_with_files_stores_them_as_issued_documents(api):
    seed = shared("seeds", "000_b0328c80448f943d.txt")
    lines = [{"agency": "UBND-LS-Q", "reference": "77/KH-UBND", "doc_type": "Kế hoạch", "date": "2026-03-03",
              "subject": "Kế hoạch thực hiện Kết luận 226", "file": "kh77.txt"}]
    response = api.post("/api/v1/archive", headers=api.keys["admin"],
                        files=[("metadata", ("archive.jsonl", _ndjson(lines), "application/x-ndjson")),
                               ("files", ("kh77.txt", seed.read_bytes(), "text/plain"))])
    assert response.status_code == 200, response.text
    assert (response.json()["registered"], response.json()["documents"]) == (1, 1)


def test_issuing_a_draft_enters_the_register_and_its_report_shows_the_quota(api):
    response = upload(api, "drafter", shared("seeds", "000_b0328c80448f943d.txt"))
    body = wait_done(api, response.headers["Location"], "drafter", timeout=120)
    draft = body["id"]
    before = api.get("/api/v1/quota", params={"agency": "UBND-LS-Q"}, headers=api.keys["drafter"]).json()["issued"]
    report = wait_report(api, draft)
    assert report["quota"]["agency"] == "UBND-LS-Q" and report["quota"]["issued_after"] == before + 1
    # Issued today: it counts in this year's quota.
    issue = {"number": "512", "date": local_today().isoformat(), "symbol": "KH-UBND", "doc_type": "Kế hoạch"}
    assert api.post(f"/api/v1/drafts/{draft}/issue", json={**issue, "number": "5 12"},
                    headers=api.keys["drafter"]).status_code == 422
    assert api.post(f"/api/v1/drafts/{draft}/issue", json=issue, headers=api.keys["reviewer"]).status_code == 403
    issued = api.post(f"/api/v1/drafts/{draft}/issue", json=issue, headers=api.keys["drafter"])
    assert issued.status_code == 201 and issued.json()["reference"] == "512/KH-UBND"
    assert api.post(f"/api/v1/drafts/{draft}/issue", json=issue, headers=api.keys["drafter"]).status_code == 409
    after = api.get("/api/v1/quota", params={"agency": "UBND-LS-Q"}, headers=api.keys["drafter"]).json()
    assert after["issued"] == before + 1 and after["by_type"].get("Kế hoạch", 0) >= 1


def wait_report(api, draft_id: int, who: str = "drafter", timeout: float = 120) -> dict:
    """The draft's report, once it is ready."""
    def ready():
        response = api.get(f"/api/v1/drafts/{draft_id}/report", headers=api.keys[who])
        return response.json() if response.status_code == 200 else None

    return wait_for(ready, timeout=timeout, interval=0.2, what=f"the report of draft {draft_id}")
