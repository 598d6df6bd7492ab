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
