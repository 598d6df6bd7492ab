"""Merge candidates on real corpus documents, imported through the archive API."""
from __future__ import annotations

import json


from tests.conftest import shared
from tests.polling import wait_for
from tests.gateway.test_api import PROBLEM, wait_done
from tests.gateway.test_register_api import _ndjson, api, wait_report  # noqa: F401 (fixture)

# Real documents of two provincial agencies (../shared/corpus): reference and date as issued.
SNNMT = {
    "sct-cv-6791-snnmt-17-7-2026-y-kien-tham-dinh-ccn-bao-dap": ("6791/SNNMT-KHTC", "2026-07-17"),
    "sct-cv-6795-snnmt-ks-17-7-2026-nghia-vu-sau-cap-phep": ("6795/SNNMT-KS", "2026-07-17"),
    "sct-cv-6987-snnmt-ks-23-7-2026-nghia-vu-sau-cap-phep": ("6987/SNNMT-KS", "2026-07-23"),
}
UBND = {
    "sct-qd-11-2026-qd-ubnd-lao-cai-ocr": ("11/2026/QĐ-UBND", "2026-01-29"),
    "sct-qd-16-2026-quy-che-ccn-lao-cai-ocr": ("16/2026/QĐ-UBND", "2026-02-25"),
    "sct-cv-3686-ubnd-xd-kien-nghi-bxd-pccc-vuong-mac": ("3686/UBND-XD", "2026-05-11"),
    "sct-cv-4390-ubnd-nln": ("4390/UBND-NLN", "2026-05-27"),
    "sct-cv-5973-ubnd-kt-11-6-2026-tang-cuong-qlnn-khoang-san": ("5973/UBND-KT", "2026-06-11"),
    "sct-cv-7103-ubnd-th": ("7103/UBND-TH", "2026-07-10"),
}


def _corpus_file(name_prefix: str):
    matches = sorted(shared("corpus", "docs").glob(f"{name_prefix[:40]}*.txt"))
    assert matches, name_prefix
    return matches[0]


def _import(api, agency: str, documents: dict) -> None:
    lines, files = [], []
    for doc_id, (reference, day) in documents.items():
        path = _corpus_file(doc_id)
        lines.append({"agency": agency, "reference": reference, "doc_type": "Công văn", "date": day,
                      "file": path.name})
        files.append(("files", (path.name, path.read_bytes(), "text/plain")))
    response = api.post("/api/v1/archive", headers=api.keys["admin"],
                        files=[("metadata", ("a.jsonl", _ndjson(lines), "application/x-ndjson"))] + files)
    assert response.status_code == 200, response.text


def _wait_parsed(api, count: int, timeout: float = 180) -> None:
    from sqlalchemy import func, select

    from services.common.models import Document, DocumentStatus

    def parsed():
        with api.app.state.factory() as db:
            return db.scalar(select(func.count()).select_from(Document)
                             .where(Document.status != DocumentStatus.received)) >= count

    wait_for(parsed, timeout=timeout, interval=0.3, what="the archive documents to be parsed")


def test_related_documents_cluster_unrelated_ones_do_not_and_a_resend_is_a_duplicate(api):
    _import(api, "SNNMT-M", SNNMT)
    _import(api, "UBND-LC-M", UBND)
    _wait_parsed(api, len(SNNMT) + len(UBND))

    snnmt = api.get("/api/v1/merge-candidates", params={"agency": "SNNMT-M"}, headers=api.keys["reviewer"]).json()
    assert len(snnmt["clusters"]) == 1
    cluster = snnmt["clusters"][0]
    assert {d["reference"] for d in cluster["documents"]} == {"6795/SNNMT-KS", "6987/SNNMT-KS"}
    assert cluster["duplicates"] is True
    pair = cluster["pairs"][0]
    assert pair["relation"] == "duplicate" and pair["date_gap_days"] == 6 and min(pair["containment"]) >= 0.75
    assert "6795/SNNMT-KS ngày 17/07/2026" in pair["suggestion"]

    # The UBND documents treat unrelated subjects: two decisions on different matters, letters on
    # fire safety, a decree, minerals. None of them pairs.
    ubnd = api.get("/api/v1/merge-candidates", params={"agency": "UBND-LC-M", "from": "2026-01-01", "to": "2026-12-31"},
                   headers=api.keys["admin"]).json()
    assert ubnd["clusters"] == [], json.dumps(ubnd, ensure_ascii=False)[:3000]

    assert api.get("/api/v1/merge-candidates", params={"agency": "SNNMT-M", "from": "2026-08-01", "to": "2026-01-01"},
                   headers=api.keys["admin"]).status_code == 422
    refused = api.get("/api/v1/merge-candidates", params={"agency": "SNNMT-M"}, headers=api.keys["drafter"])
    assert refused.status_code == 404 and refused.headers["content-type"] == PROBLEM


def test_a_draft_report_names_the_issued_document_it_could_be_merged_into(api):
    _import(api, "UBND-LS-Q", {k: v for k, v in SNNMT.items() if "6795" in k})
    _wait_parsed(api, 1)
    # A draft that repeats 6795 with an edited request: the drafter's own agency issued it six days ago.
    draft = _corpus_file("sct-cv-6987-snnmt-ks-23-7-2026-nghia-vu-sau-cap-phep")
    response = api.post("/api/v1/drafts", headers=api.keys["drafter"], files={"file": (draft.name, draft.read_bytes())})
    assert response.status_code == 202
    wait_done(api, response.headers["Location"], "drafter", timeout=120)
    report = wait_report(api, response.json()["id"])
    candidates = report["merge_candidates"]
    assert [c["document"]["reference"] for c in candidates] == ["6795/SNNMT-KS"]
    assert candidates[0]["relation"] == "duplicate" and candidates[0]["suggestion"].startswith("Gần như trùng")
