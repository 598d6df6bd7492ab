"""services/ingest/metadata.py on the real fixtures, seeds and corpus."""
from __future__ import annotations

import json
import re

import pytest

from services.ingest.normalize import comparison_key
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
    assert ref_rate >= 0.93, "\n".join(misses)
    assert date_rate >= 0.95, "\n".join(misses)


def _same(a: str | None, b: str | None) -> bool:
    return comparison_key(a or "").lower().replace(" ", "") == comparison_key(b or "").lower().replace(" ", "")


def test_metadata_agrees_with_the_source_sites_table_on_corpus_extra(capsys):
    """corpus-extra's metadata.jsonl gives each document's số ký hiệu, type, date and signer as
    the source site publishes them, independently of the text."""
    records = [json.loads(line) for line in shared("corpus-extra", "metadata.jsonl").read_text().splitlines()]
    sample = [r for r in records if r.get("site_metadata")]
    assert len(sample) >= 100
    fields = {"reference": "reference", "doc_type": "doc_type", "date": "date", "signer": "signer"}
    hits = {f: 0 for f in fields}
    misses: list[str] = []
    runs_into_date = []
    for record in sample:
        md = parse(shared("corpus-extra", "docs", f"{record['id']}.txt").read_bytes(), with_sentences=False).metadata
        for field, key in fields.items():
            if _same(getattr(md, field), record.get(key)):
                hits[field] += 1
            else:
                misses.append(f"{record['id']} {field}: {getattr(md, field)!r} vs {record.get(key)!r}")
        if md.subject and re.search(r",\s*ngày\s+\d{1,2}\s+tháng", md.subject):
            runs_into_date.append(f"{record['id']}: {md.subject!r}")
    rates = {f: hits[f] / len(sample) for f in fields}
    with capsys.disabled():
        print(f"\ncorpus-extra metadata agreement on {len(sample)} documents: "
              + ", ".join(f"{f} {r:.3f}" for f, r in rates.items()))
    for field, rate in rates.items():
        assert rate >= 0.95, f"{field} {rate:.3f}\n" + "\n".join(m for m in misses if f" {field}:" in m)
    assert not runs_into_date, "\n".join(runs_into_date)  # the trích yếu stops before the place/date line


def _extra(doc_id: str):
    return parse(shared("corpus-extra", "docs", f"{doc_id}.txt").read_bytes(), with_sentences=False).metadata


@pytest.mark.parametrize("doc_id, reference, doc_type", [
    ("03890575449f6e05", "5615/CT-CS", "Công văn"),  # a Cục Thuế letter: "CT" is not a Chỉ thị here
    ("8180ae11188469fd", "92/VBHN-BQP", "Văn bản hợp nhất"),  # under its number, the consolidated Quyết định's title
    ("8018a6f353d60a9e", "11554/VPCP-V.I", "Công văn"),  # a unit's numeral after a dot (Vụ I)
])
def test_the_type_comes_from_the_layout_before_the_letters_of_the_symbol(doc_id, reference, doc_type):
    md = _extra(doc_id)
    assert (md.reference, md.doc_type) == (reference, doc_type)


@pytest.mark.parametrize("doc_id, signer", [
    ("8ea98f884cf1d2a7", "Vũ Hải Sản"),  # after a military rank: "Thượng tướng Vũ Hải Sản"
    ("e01d3782fbed0967", "Phạm Minh Chính"),  # a footnote glued after the name
    ("85dfc8ce7a836e1d", "Vũ Mạnh Hà"),  # the appendix's title glued after the name
    ("b3bb1db5fda14e02", "Cao Anh Tuấn"),  # an English translation's title on the next line
])
def test_the_signer_is_read_under_the_titles_when_other_text_is_glued_after_the_name(doc_id, signer):
    assert _extra(doc_id).signer == signer


def test_the_subject_stops_before_the_place_and_date_line_it_was_joined_to():
    assert _extra("416ea29602e7fef9").subject == "chính sách thuế"


LAW_HEADER = (
    "|\nQUỐC HỘI\n------- |\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
    "--------------- | Luật số: 72/2025/QH15 | Hà Nội, ngày 16 tháng 6 năm 2025\n"
    "LUẬT\nTỔ CHỨC CHÍNH QUYỀN ĐỊA PHƯƠNG\nCăn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;\n"
    "Quốc hội ban hành Luật Tổ chức chính quyền địa phương.\n"
)


def test_a_law_number_in_a_cell_of_the_header_table_is_its_reference():
    md = parse(LAW_HEADER.encode(), with_sentences=False).metadata
    assert (md.reference, md.doc_type, md.date) == ("72/2025/QH15", "Luật", "2025-06-16")


def test_a_title_in_capitals_belongs_to_the_header_block_though_it_is_no_subject():
    # "LUẬT / SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA LUẬT BẦU CỬ …": the law's name, not its content,
    # as a subject in lower case is: a draft's title naming the law copies nothing of it
    law = parse(shared("corpus", "docs", "lh-83-2025-qh15-663780.txt").read_bytes(), with_sentences=False)
    header = law.text[law.header.start:law.header.end]
    assert law.metadata.subject is None and law.metadata.doc_type == "Luật"
    assert header.rstrip().endswith("SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA LUẬT BẦU CỬ ĐẠI BIỂU QUỐC HỘI VÀ ĐẠI BIỂU "
                                    "HỘI ĐỒNG NHÂN DÂN")
    assert "Căn cứ Hiến pháp" not in header


def test_an_issuer_block_under_a_table_border_is_read_and_is_part_of_the_header():
    # a header table converted to text starts with its border "|": the issuer lines under it
    # are the issuer's, standard text that a passage never starts in
    text = ("|\nỦY BAN NHÂN DÂN\n\nXÃ BẢO THẮNG\n\n|\n\n| |\n\nSố: 12/KH-UBND\n|\n"
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nĐộc lập - Tự do - Hạnh phúc\n\n|\n\n"
            "Bảo Thắng, ngày 05 tháng 01 năm 2026\n\nKẾ HOẠCH\n\nTinh gọn văn bản năm 2026\n\n"
            "Ủy ban nhân dân xã ban hành kế hoạch như sau.\n")
    parsed = parse(text.encode(), with_sentences=False)
    assert parsed.metadata.issuer == "Ủy ban nhân dân xã Bảo Thắng"
    standard = "".join(parsed.text[b.start:b.end] for b in parsed.boilerplate)
    assert "ỦY BAN NHÂN DÂN" in standard and "XÃ BẢO THẮNG" in standard


def test_a_doubled_slash_in_the_number_is_read_as_one():
    text = LAW_HEADER.replace("Luật số: 72/2025/QH15", "Số: 24/2026//NQ-CP").replace("QUỐC HỘI", "CHÍNH PHỦ")
    assert parse(text.encode(), with_sentences=False).metadata.reference == "24/2026/NQ-CP"


CONSOLIDATED = (
    "CÔNG BÁO/Số 338/Ngày 19-06-2026\nVĂN BẢN HỢP NHẤT - BỘ TÀI CHÍNH\n"
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nNGHỊ ĐỊNH\n"
    "Quy định chi tiết một số điều của Luật Thuế thu nhập doanh nghiệp\n"
    "Nghị định số 320/2025/NĐ-CP ngày 15 tháng 12 năm 2025 của Chính phủ, được sửa đổi, bổ sung bởi:\n"
    "Nghị định số 141/2026/NĐ-CP ngày 29 tháng 4 năm 2026 của Chính phủ.\n"
    + "".join(f"Điều {n}. Nội dung {n}\nNghị định này quy định chi tiết nội dung thứ {n} của Luật.\n"
              for n in range(1, 40))  # the authentication block lies past the header window
    + "Điều 40. Trách nhiệm thi hành\nCác Bộ trưởng chịu trách nhiệm thi hành Nghị định này./.\n"
    "BỘ TÀI CHÍNH\nXÁC THỰC VĂN BẢN HỢP NHẤT\nSố: 19/VBHN-BTC\nHà Nội, ngày 04 tháng 6 năm 2026\n"
    "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\n\nCao Anh Tuấn\n"
)


def test_a_consolidated_text_takes_the_number_under_its_authentication_heading():
    md = parse(CONSOLIDATED.encode(), with_sentences=False).metadata
    assert (md.reference, md.doc_type) == ("19/VBHN-BTC", "Văn bản hợp nhất")
    # beside the heading, in the block's other column, it is found as well
    beside = CONSOLIDATED.replace("BỘ TÀI CHÍNH\nXÁC THỰC VĂN BẢN HỢP NHẤT\nSố: 19/VBHN-BTC",
                                  "BỘ TÀI CHÍNH Số: 19/VBHN-BTC\nXÁC THỰC VĂN BẢN HỢP NHẤT")
    assert parse(beside.encode(), with_sentences=False).metadata.reference == "19/VBHN-BTC"


def test_a_consolidated_text_authenticated_as_xac_nhan_takes_its_own_number():
    # Some ministries head the block "XÁC NHẬN VĂN BẢN HỢP NHẤT", the number above the heading
    confirmed = CONSOLIDATED.replace("XÁC THỰC VĂN BẢN HỢP NHẤT", "XÁC NHẬN VĂN BẢN HỢP NHẤT")
    assert parse(confirmed.encode(), with_sentences=False).metadata.reference == "19/VBHN-BTC"
    md = parse(shared("corpus", "docs", "hr-van-ban-hop-nhat-so-4246-vbhn-bldtbxh-34873.txt").read_bytes(),
               with_sentences=False).metadata
    assert (md.reference, md.doc_type) == ("4246/VBHN-BLĐTBXH", "Văn bản hợp nhất")


def test_a_line_in_lower_case_after_the_title_is_body_text_not_the_subject():
    head = ("ỦY BAN NHÂN DÂN\nXÃ LƯƠNG MINH\nSố: 12/BC-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Độc lập - Tự do - Hạnh phúc\nLương Minh, ngày 05 tháng 3 năm 2026\nBÁO CÁO\n")
    pasted = "hợp chặt chẽ trong thực hiện nhiệm vụ quản lý nhà nước theo ngành, lĩnh vực;\n"
    body = "Ủy ban nhân dân xã báo cáo kết quả thực hiện nhiệm vụ quý I năm 2026 như sau.\n"
    parsed = parse((head + pasted + body).encode(), with_sentences=False)
    assert parsed.metadata.subject is None
    assert parsed.header.end <= parsed.text.index(pasted)  # the pasted line is checked as content
    titled = parse((head + "Kết quả thực hiện nhiệm vụ quý I năm 2026\nCăn cứ Kế hoạch số 3/KH-UBND;\n" + body)
                   .encode(), with_sentences=False)
    assert titled.metadata.subject == "Kết quả thực hiện nhiệm vụ quý I năm 2026"
    # a Party document's trích yếu may open in lower case
    party = parse("ĐẢNG CỘNG SẢN VIỆT NAM\nBAN CHẤP HÀNH TRUNG ƯƠNG\nSố: 01-HD/TW\nHƯỚNG DẪN\n"
                  "một số vấn đề cụ thể thi hành Điều lệ Đảng\nI. NỘI DUNG\n".encode(), with_sentences=False)
    assert party.metadata.subject == "một số vấn đề cụ thể thi hành Điều lệ Đảng"


def test_a_number_that_ocr_read_as_letters_is_read_as_digits():
    # a scanned decision: OCR gave "11" as "II"; a số is written in Arabic digits
    md = parse(shared("corpus", "docs", "sct-qd-11-2026-qd-ubnd-lao-cai-ocr.txt").read_bytes(),
               with_sentences=False).metadata
    assert (md.number, md.reference) == ("11", "11/2026/QĐ-UBND")
    typed = parse("ỦY BAN NHÂN DÂN\nXÃ TÂN LẬP\nSố: lO/UBND-VP\nV/v báo cáo\n".encode(), "a.txt").metadata
    assert typed.reference == "10/UBND-VP"
    # a blank number between a table's borders is no number
    blank = parse("ỦY BAN NHÂN DÂN\nXÃ TÂN LẬP\nSố: ||/QĐ-UBND\nQUYẾT ĐỊNH\n".encode(), "b.txt").metadata
    assert blank.number is None
