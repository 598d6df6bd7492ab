"""The draftctl command line, run as a user runs it (a subprocess of the installed script)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import shared

DRAFTCTL = shutil.which("draftctl", path=str(Path(sys.executable).parent)) or "draftctl"


def run(*args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if data_dir is not None:
        env["DRAFTCTL_DATA_DIR"] = str(data_dir)
        env.pop("DRAFTCTL_DATABASE_URL", None)
    return subprocess.run([DRAFTCTL, *args], capture_output=True, text=True, env=env, timeout=300)


def test_parse_json_contract_on_the_dong_thap_pdf():
    result = run("parse", str(shared("fixtures", "004_dong_thap_ke_hoach.pdf")), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    md = doc["metadata"]
    for field in ("issuer", "reference", "number", "symbol", "doc_type", "place", "date", "subject", "recipients", "signer"):
        assert field in md
    assert (md["reference"], md["doc_type"], md["date"]) == ("498/KH-UBND", "Kế hoạch", "2026-04-22")
    refs = {c["reference"] for c in doc["citations"]}
    assert refs == {"534/QĐ-TTg", "226-KL/TW", "76/NQ-CP", "178-QĐ/TW", "110/2023/QH15", "126/NQ-CP",
                    "09/2019/NĐ-CP", "42/2022/NĐ-CP"}
    for c in doc["citations"]:
        assert set(c) >= {"reference", "doc_type", "date", "issuer", "start", "end"}
        assert doc["text"][c["ref_start"]:c["ref_end"]].replace("\n", "").replace(" ", "") == c["reference"]
    assert doc["units"] and isinstance(doc["text"], str)


def test_parse_absent_values_are_null():
    result = run("parse", str(shared("seeds", "000_b0328c80448f943d.txt")), "--json")
    md = json.loads(result.stdout)["metadata"]
    assert md["reference"] is None and md["date"] is None and md["issuer"] is None


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n\0\0\0"], ids=["empty", "image"])
def test_parse_bad_file_exits_non_zero_with_one_line_reason(tmp_path, content):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(content)
    result = run("parse", str(bad), "--json")
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.docx" in lines[0]


def test_parse_missing_file_is_a_clear_error(tmp_path):
    result = run("parse", str(tmp_path / "nope.pdf"))
    assert result.returncode != 0 and "nope.pdf" in result.stderr


def test_keys_create_prints_the_key_as_its_last_line(tmp_path):
    added = run("agencies", "add", "UBND-LS", "--name", "UBND tỉnh Lạng Sơn", "--level", "provincial_government",
                data_dir=tmp_path)
    assert added.returncode == 0, added.stderr
    made = run("keys", "create", "--role", "drafter", "--agency", "UBND-LS", "--name", "chuyên viên", data_dir=tmp_path)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    assert key.startswith("dk_") and len(key) > 30


def test_keys_create_for_unknown_agency_fails_and_stores_nothing(tmp_path):
    made = run("keys", "create", "--role", "drafter", "--agency", "NOPE", data_dir=tmp_path)
    assert made.returncode != 0 and "unknown agency" in made.stderr
    bad_role = run("keys", "create", "--role", "boss", data_dir=tmp_path)
    assert bad_role.returncode != 0


def test_report_issuance_writes_an_xlsx_with_the_period_counts(tmp_path):
    from openpyxl import load_workbook

    from services.common.db import make_engine, session_factory, unit_of_work
    from services.common.migrate import upgrade
    from services.common.models import AgencyLevel
    from services.agencies.service import ensure_agency
    from services.register import repository as issuances

    url = f"sqlite:///{tmp_path / 'draftctl.db'}"
    upgrade(url)
    with unit_of_work(session_factory(make_engine(url))) as db:
        agency, _ = ensure_agency(db=db, code="STP", name="Sở Tư pháp", level=AgencyLevel.provincial_department)
        for i, day in enumerate(["2026-01-10", "2026-03-05", "2026-05-20", "2026-07-01"]):
            issuances.add(db=db, agency_id=agency.id, reference=f"{i + 1}/STP-VP", doc_type="Công văn",
                          issued_on=day, source="import")
        issuances.add(db=db, agency_id=agency.id, reference="3/2026/QĐ-UBND", doc_type="Quyết định",
                      issued_on="2026-02-01", source="import")  # legal-normative: not counted
    out = tmp_path / "h1.xlsx"
    done = run("report", "issuance", "--period", "2026-H1", "--out", str(out), data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = list(load_workbook(out)["Cơ quan"].iter_rows(min_row=3, values_only=True))
    assert rows == [("STP", "Sở Tư pháp", 3, 3, None, None, None, 6, None)]
    bad = run("report", "issuance", "--period", "2026-H3", "--out", str(out), data_dir=tmp_path)
    assert bad.returncode != 0 and "period" in bad.stderr
    wrong = run("report", "issuance", "--period", "2026-H1", "--out", str(tmp_path / "r.pdf"), data_dir=tmp_path)
    assert wrong.returncode != 0 and ".xlsx" in wrong.stderr


def test_detect_takes_several_sources_after_one_flag_and_the_flag_repeated(tmp_path):
    kl226, seed = shared("directives", "226-KL-TW.txt"), shared("seeds", "000_b0328c80448f943d.txt")
    other = shared("corpus", "docs", "hr-chi-thi-so-21-ct-ttg-469580.txt")
    for args in (["--sources", str(other), str(kl226), "--json", str(seed)],
                 ["--sources", str(other), "--sources", str(kl226), "--json", str(seed)],
                 ["--json", "--sources", str(other), str(kl226), "--", str(seed)]):
        result = run("detect", "--no-semantic", *args)
        assert result.returncode == 0, result.stderr
        reports = json.loads(result.stdout)
        assert [r["draft"] for r in reports] == [str(seed)]  # no source was checked as a draft
        assert {p["source"] for p in reports[0]["passages"]} == {str(kl226)}


def test_detect_with_every_path_after_sources_says_where_the_drafts_go():
    result = run("detect", "--sources", str(shared("directives", "226-KL-TW.txt")),
                 str(shared("seeds", "000_b0328c80448f943d.txt")))
    assert result.returncode != 0 and result.stdout == ""
    assert "no drafts given" in result.stderr and "--" in result.stderr


def test_detect_records_an_unreadable_draft_and_checks_the_others(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ab\0\0\0\0\0cd")
    seed = shared("seeds", "000_b0328c80448f943d.txt")
    result = run("detect", "--no-semantic", "--sources", str(shared("directives", "226-KL-TW.txt")), "--json",
                 str(bad), str(seed))
    assert result.returncode == 1
    failed, checked = json.loads(result.stdout)
    assert failed["draft"] == str(bad) and failed["error"] and failed["passages"] == []
    assert checked["draft"] == str(seed) and checked["passages"]
    assert "bad.txt" in result.stderr


def test_parse_of_several_files_reports_each_bad_one_and_goes_on(tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "a-good.pdf").write_bytes(shared("fixtures", "002_lang_son_cong_van.pdf").read_bytes())
    (folder / "b-bad.txt").write_bytes(b"abc\0\0\0\0\0def")
    (folder / "c-good.txt").write_bytes(shared("seeds", "000_b0328c80448f943d.txt").read_bytes())
    result = run("parse", str(folder), "--json", "--no-text")
    assert result.returncode == 1
    entries = json.loads(result.stdout)
    assert [Path(e["file"]).name for e in entries] == ["a-good.pdf", "b-bad.txt", "c-good.txt"]
    assert entries[0]["parsed"]["metadata"]["reference"] == "/UBND-TH" and "parsed" in entries[2]
    assert entries[1]["reason"] == "Unsupported file type" and "binary" in entries[1]["error"]
    assert "skipped 1: Unsupported file type" in result.stderr


def test_detect_with_pairs_checks_each_draft_against_its_paired_sources_only(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "kl226.txt").write_bytes(shared("directives", "226-KL-TW.txt").read_bytes())
    (sources / "other.txt").write_text("Quy định về phí và lệ phí đối với hoạt động cấp phép.\n", encoding="utf-8")
    seed = shared("seeds", "000_b0328c80448f943d.txt")
    pairs = tmp_path / "pairs"
    found = {}
    for paired in ("kl226.txt", "other.txt"):
        pairs.write_text(f"{seed.name} {paired}\n", encoding="utf-8")
        result = run("detect", "--no-semantic", "--sources", str(sources), "--pairs", str(pairs), "--json", str(seed))
        assert result.returncode == 0, result.stderr
        [report] = json.loads(result.stdout)
        found[paired] = {Path(p["source"]).name for p in report["passages"]}
    assert found == {"kl226.txt": {"kl226.txt"}, "other.txt": set()}

    pairs.write_text(f"{seed.name}\n", encoding="utf-8")
    result = run("detect", "--no-semantic", "--sources", str(sources), "--pairs", str(pairs), "--json", str(seed))
    assert result.returncode != 0 and "line 1" in result.stderr and result.stdout == ""


def test_detect_offsets_of_files_with_a_byte_order_mark_index_the_text_as_python_decodes_it(tmp_path):
    # Notepad saves UTF-8 with a byte-order mark; a reader of the file (`open(path,
    # encoding="utf-8")`, the PAN tools) counts it as the text's first character
    kl226, seed = shared("directives", "226-KL-TW.txt"), shared("seeds", "000_b0328c80448f943d.txt")
    source, draft = tmp_path / "kl226.txt", tmp_path / "draft.txt"
    source.write_bytes(b"\xef\xbb\xbf" + kl226.read_bytes())
    draft.write_bytes(b"\xef\xbb\xbf" + seed.read_bytes())
    result = run("detect", "--no-semantic", "--sources", str(source), "--json", str(draft))
    assert result.returncode == 0, result.stderr
    [report] = json.loads(result.stdout)
    plain = run("detect", "--no-semantic", "--sources", str(kl226), "--json", str(seed))
    [without] = json.loads(plain.stdout)
    assert len(report["passages"]) == len(without["passages"]) >= 3
    draft_text, source_text = draft.read_text(encoding="utf-8"), source.read_text(encoding="utf-8")
    for p, q in zip(report["passages"], without["passages"]):
        assert (p["draft_start"], p["source_start"]) == (q["draft_start"] + 1, q["source_start"] + 1)
        assert draft_text[p["draft_start"]:p["draft_end"]] == seed.read_text(encoding="utf-8")[
            q["draft_start"]:q["draft_end"]]
        assert source_text[p["source_start"]:p["source_end"]] == kl226.read_text(encoding="utf-8")[
            q["source_start"]:q["source_end"]]


def test_a_shard_worker_needs_a_split_registry_and_a_queue_of_its_own(tmp_path):
    env = {**os.environ, "DRAFTCTL_DATA_DIR": str(tmp_path), "DRAFTCTL_BROKER_URL": "redis://127.0.0.1:6379/13"}
    env.pop("DRAFTCTL_INDEX_SHARDS", None)
    unsplit = subprocess.run([DRAFTCTL, "worker", "--shard", "0"], capture_output=True, text=True, env=env, timeout=60)
    assert unsplit.returncode != 0 and "DRAFTCTL_INDEX_SHARDS" in unsplit.stderr
    env["DRAFTCTL_INDEX_SHARDS"] = "2"
    missing = subprocess.run([DRAFTCTL, "worker", "--shard", "2"], capture_output=True, text=True, env=env, timeout=60)
    assert missing.returncode != 0 and "numbered from 0" in missing.stderr
    waiting = subprocess.run([DRAFTCTL, "worker", "--shard", "0", "--queues", "analyze"], capture_output=True,
                             text=True, env=env, timeout=60)
    assert waiting.returncode != 0 and "workers of their own" in waiting.stderr
    assert not (tmp_path / "draftctl.db").exists()  # refused before anything was set up
