"""services/ingest/citations.py: every reference in the body, with offsets into the submitted text."""
from __future__ import annotations

import unicodedata

import pytest

from services.ingest.normalize import comparison_key
from services.ingest.pipeline import parse
from tests.conftest import shared

DONG_THAP = ["534/QĐ-TTg", "226-KL/TW", "76/NQ-CP", "178-QĐ/TW", "110/2023/QH15", "126/NQ-CP", "09/2019/NĐ-CP", "42/2022/NĐ-CP"]
LANG_SON = ["226-KL/TW", "610-CV/ĐU"]
EXPECTED = {
    ("fixtures", "002_lang_son_cong_van.docx"): LANG_SON,
    ("fixtures", "002_lang_son_cong_van.pdf"): LANG_SON,
    ("fixtures", "004_dong_thap_ke_hoach.docx"): DONG_THAP,
    ("fixtures", "004_dong_thap_ke_hoach.pdf"): DONG_THAP,
    ("seeds", "000_b0328c80448f943d.txt"): ["226-KL/TW", "07/CT-UBND", "4573/UBND-NC", "4411/UBND-NC", "1891/UBND-NC", "2345/UBND-TTPVHCC"],
    ("seeds", "002_f498fa0f8298bd96.txt"): LANG_SON,
    ("seeds", "003_e22e6fd817a95a82.txt"): ["649-CV/ĐU", "226-KL/TW"],
    ("seeds", "004_8df03afd199811ae.txt"): DONG_THAP,
    ("directives", "226-KL-TW.txt"): ["151-TTr/VPTW"],
}


def _distinct_in_order(citations) -> list[str]:
    seen: list[str] = []
    for c in citations:
        if c.reference not in seen:
            seen.append(c.reference)
    return seen


@pytest.mark.parametrize("where", list(EXPECTED), ids=lambda w: w[1])
def test_citations_of_real_documents(where):
    parsed = parse(shared(*where).read_bytes(), with_sentences=False)
    assert _distinct_in_order(parsed.citations) == EXPECTED[where]


@pytest.mark.parametrize("where", list(EXPECTED), ids=lambda w: w[1])
def test_citation_spans_point_at_the_cited_string_in_the_submitted_text(where):
    parsed = parse(shared(*where).read_bytes(), with_sentences=False)
    for c in parsed.citations:
        ref_text = comparison_key(parsed.text[c.ref_start:c.ref_end]).replace(" ", "")
        assert ref_text == c.reference
        span = comparison_key(parsed.text[c.start:c.end])
        assert c.reference in span.replace(" ", "")  # a PDF break inside it reads as a space
        if c.doc_type and not span[0].isdigit():
            assert span.lower().startswith(c.doc_type.lower())


def test_citation_details_type_date_issuer():
    parsed = parse(shared("fixtures", "004_dong_thap_ke_hoach.pdf").read_bytes(), with_sentences=False)
    by_ref = {}
    for c in parsed.citations:
        by_ref.setdefault(c.reference, c)
    assert (by_ref["534/QĐ-TTg"].doc_type, by_ref["534/QĐ-TTg"].date, by_ref["534/QĐ-TTg"].issuer) == (
        "Quyết định", "2026-03-31", "Thủ tướng Chính phủ")
    assert (by_ref["178-QĐ/TW"].doc_type, by_ref["178-QĐ/TW"].date, by_ref["178-QĐ/TW"].issuer) == (
        "Quy định", "2024-06-27", "Bộ Chính trị")
    assert (by_ref["110/2023/QH15"].doc_type, by_ref["110/2023/QH15"].issuer) == ("Nghị quyết", "Quốc hội")


def test_citation_split_across_pdf_table_cells_is_found():
    parsed = parse(shared("fixtures", "004_dong_thap_ke_hoach.pdf").read_bytes(), with_sentences=False)
    split = [c for c in parsed.citations if "\n" in parsed.text[c.ref_start:c.ref_end]]
    assert split, "the PDF breaks 226-KL/TW and 534/QĐ-TTg inside table cells"
    assert {"226-KL/TW", "534/QĐ-TTg"} <= {c.reference for c in split}


def test_citation_offsets_survive_nfd_and_old_tone_marks():
    original = shared("seeds", "003_e22e6fd817a95a82.txt").read_text(encoding="utf-8")
    mangled = unicodedata.normalize("NFD", original.replace("Ủy", "Uỷ").replace("hóa", "hoá"))
    parsed = parse(mangled.encode("utf-8"), with_sentences=False)
    assert _distinct_in_order(parsed.citations) == ["649-CV/ĐU", "226-KL/TW"]
    first = parsed.citations[0]
    assert unicodedata.normalize("NFC", parsed.text[first.start:first.end]).startswith("Công văn số 649-CV/ĐU")
    assert first.issuer == "Đảng ủy Ủy ban nhân dân tỉnh"


def test_own_reference_is_not_a_citation():
    parsed = parse(shared("fixtures", "004_dong_thap_ke_hoach.docx").read_bytes(), with_sentences=False)
    assert "498/KH-UBND" not in {c.reference for c in parsed.citations}


def test_in_ocr_text_a_misread_reference_takes_the_documents_own_spelling():
    from services.ingest.citations import agree_misread, find

    text = ("Thực hiện Quyết định số 534/QĐ-TTg ngày 31/3/2026; Quyết định số 534/QĐ-TTg về kế hoạch; "
            "theo Quyết định số 534/QĐĐ-TH. và Nghị định số 534/NĐ-CP; Thông tư số 15/2025/TT-BTC, "
            "Thông tư số 15/2025/TT-BCT.")
    found = agree_misread(find(text))
    refs = [c.reference for c in found]
    assert refs.count("534/QĐ-TTg") == 3
    assert "534/NĐ-CP" in refs  # another type under the same number is another document
    assert "15/2025/TT-BTC" in refs and "15/2025/TT-BCT" in refs  # as frequent: neither wins
