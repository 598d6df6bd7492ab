"""services/ingest/metadata.py on the real fixtures, seeds and corpus."""
from __future__ import annotations

import json

import pytest

from services.ingest.pipeline import parse
from tests.conftest import shared

LANG_SON_SUBJECT = (
    "thực hiện Kết luận số 226-KL/TW, ngày 11/12/2025 của Ban Bí thư về việc chấn chinh lề lối làm việc, "
    "nâng cao hiệu quả hoạt động của hệ thống chính trị"
)
DONG_THAP_SUBJECT = (
    "Triển khai thực hiện Quyết định số 534/QĐ-TTg ngày 31/3/2026 của Thủ tướng Chính phủ về việc ban hành "
    "Kế hoạch thực hiện Kết luận số 226-KL/TW ngày 11/12/2025 của Ban Bí thư về việc chấn chỉnh lề lối làm việc, "
    "nâng cao hiệu quả hoạt động của hệ thống chính trị"
)
LANG_SON = dict(
    issuer="Ủy ban nhân dân tỉnh Lạng Sơn", reference="/UBND-TH", number=None, symbol="UBND-TH",
    doc_type="Công văn", place="Lạng Sơn", date="2025-12", subject=LANG_SON_SUBJECT,
    recipients=["Các sở, ban, ngành", "Các cơ quan Trung ương trên địa bàn", "UBND các xã, phường"],
    signer="Đinh Hữu Học", signer_title="PHÓ CHỦ TỊCH", authority="KT.",
)
DONG_THAP = dict(
    issuer="Ủy ban nhân dân tỉnh Đồng Tháp", reference="498/KH-UBND", number="498", symbol="KH-UBND",
    doc_type="Kế hoạch", place="Đồng Tháp", date="2026-04-22", subject=DONG_THAP_SUBJECT, recipients=[],
    signer="Trần Văn Dũng", signer_title="PHÓ CHỦ TỊCH", authority="KT.",
)
EXPECTED = {
    ("fixtures", "002_lang_son_cong_van.docx"): LANG_SON,
    ("fixtures", "002_lang_son_cong_van.pdf"): LANG_SON,
    ("fixtures", "004_dong_thap_ke_hoach.docx"): DONG_THAP,
    ("fixtures", "004_dong_thap_ke_hoach.pdf"): DONG_THAP,
    ("seeds", "000_b0328c80448f943d.txt"): dict(
        # a draft that starts at "Kính gửi": no header block in the extract
        issuer=None, reference=None, doc_type=None, date=None, subject=None,
        recipients=["Các sở, ban, ngành, đơn vị thuộc tỉnh", "UBND các xã, phường"],
        signer="Vương Quốc Tuấn", signer_title="CHỦ TỊCH", authority=None,
    ),
    ("seeds", "002_f498fa0f8298bd96.txt"): LANG_SON,
    ("seeds", "003_e22e6fd817a95a82.txt"): dict(
        issuer=None, reference="-CV/ĐUVP", number=None, symbol="CV/ĐUVP", doc_type="Công văn", place="Ninh Bình",
        date="2026", subject="triển khai, thực hiện Kết luận số 226-KL/TW ngày 11/12/2025 của Ban Bí thư",
        recipients=["Các Chi bộ trực thuộc Đảng bộ Văn phòng", "Các Phòng, ban, trung tâm thuộc Văn phòng"],
        signer="Đặng Xuân Nguyên", signer_title="BÍ THƯ", authority="TM.",
    ),
    ("seeds", "004_8df03afd199811ae.txt"): dict(
        reference=None, doc_type="Kế hoạch", date=None, subject=DONG_THAP_SUBJECT,
        signer="Trần Văn Dũng", signer_title="PHÓ CHỦ TỊCH", authority="KT.",
    ),
    ("directives", "226-KL-TW.txt"): dict(
        issuer="Ban bí thư", reference="226-KL/TW", number="226", symbol="KL/TW", doc_type="Kết luận",
        place="Hà Nội", date="2025-12-11",
        subject="về việc chấn chỉnh lề lối làm việc, nâng cao hiệu quả hoạt động của hệ thống chính trị",
    ),
}


@pytest.mark.parametrize("where", list(EXPECTED), ids=lambda w: w[1])
def test_metadata_of_real_documents(where):
    parsed = parse(shared(*where).read_bytes(), with_sentences=False)
    got = {field: getattr(parsed.metadata, field) for field in EXPECTED[where]}
    assert got == EXPECTED[where]


def test_draft_blank_number_keeps_symbol_and_partial_date():
    md = parse(shared("seeds", "002_f498fa0f8298bd96.txt").read_bytes(), with_sentences=False).metadata
    assert (md.number, md.symbol, md.date) == (None, "UBND-TH", "2025-12")


def test_distribution_list_is_separated_from_the_signature_column_in_pdf():
    md = parse(shared("fixtures", "002_lang_son_cong_van.pdf").read_bytes(), with_sentences=False).metadata
    assert md.distribution == [
        "Như trên", "Thường trực Tỉnh ủy", "Chủ tịch, các Phó Chủ tịch UBND tỉnh",
        "Thường trực Đảng ủy UBND tỉnh", "C, PVP UBND tỉnh", "Lưu VT, TH (NNK)",
    ]


def test_header_and_footer_blocks_cover_the_standard_parts():
    parsed = parse(shared("fixtures", "002_lang_son_cong_van.docx").read_bytes(), with_sentences=False)
    header = parsed.text[parsed.header.start:parsed.header.end]
    footer = parsed.text[parsed.footer.start:parsed.footer.end]
    assert header.startswith("ỦY BAN NHÂN DÂN") and header.rstrip().endswith("UBND các xã, phường.")
    assert footer.startswith("Nơi nhận:") and footer.rstrip().endswith("Đinh Hữu Học")
    body = "".join(parsed.text[s.start:s.end] for s in parsed.content_spans())
    assert "Kính gửi" not in body and "Nơi nhận" not in body and "Thực hiện Kết luận" in body


def test_corpus_reference_and_date_agreement(capsys):
    records = [json.loads(line) for line in shared("corpus", "metadata.jsonl").read_text().splitlines()]
    sample = [r for r in records if r.get("so_ky_hieu") and r.get("date")]
    assert len(sample) >= 30
    ref_ok = date_ok = 0
    misses = []
    for record in sample:
        parsed = parse(shared("corpus", "docs", f"{record['id']}.txt").read_bytes(), with_sentences=False)
        ref_hit = parsed.metadata.reference == record["so_ky_hieu"].replace(" ", "")
        date_hit = parsed.metadata.date == record["date"]
        ref_ok += ref_hit
        date_ok += date_hit
        if not (ref_hit and date_hit):
            misses.append(f"{record['id']}: {parsed.metadata.reference}/{parsed.metadata.date}"
                          f" vs {record['so_ky_hieu']}/{record['date']}")
    ref_rate, date_rate = ref_ok / len(sample), date_ok / len(sample)
    with capsys.disabled():
        print(f"\ncorpus metadata agreement on {len(sample)} documents: "
              f"reference {ref_rate:.3f}, date {date_rate:.3f}, {len(misses)} with a miss")
    assert ref_rate >= 0.88, "\n".join(misses)
    assert date_rate >= 0.95, "\n".join(misses)
