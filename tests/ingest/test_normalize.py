"""services/ingest/normalize.py: one convention for comparison, offsets back to the submitted text."""
from __future__ import annotations

import unicodedata

import pytest

from services.ingest.normalize import normalize

SENTENCE = "Hằng năm các cơ quan thực hiện tinh giản tối thiểu 15% số lượng văn bản hành chính so với năm trước."


def test_nfd_input_normalises_to_nfc_and_maps_back_to_decomposed_text():
    nfd = unicodedata.normalize("NFD", SENTENCE)
    assert nfd != SENTENCE
    norm = normalize(nfd)
    assert norm.text == SENTENCE
    i = norm.text.index("tinh giản")
    s, e = norm.to_raw(i, i + len("tinh giản"))
    assert unicodedata.normalize("NFC", nfd[s:e]) == "tinh giản"


def test_old_style_tone_marks_take_one_convention():
    assert normalize("hoà thuỷ Uỷ ban khoẻ thoả").text == "hòa thủy Ủy ban khỏe thỏa"


def test_closed_syllables_and_qu_onsets_keep_their_tone_position():
    assert normalize("hoàn thành quý khoảng thuyết").text == "hoàn thành quý khoảng thuyết"


def test_icelandic_eth_becomes_d_with_stroke():
    assert normalize("ÐẢNG CỘNG SẢN; Ðảng ủy").text == "ĐẢNG CỘNG SẢN; Đảng ủy"


def test_reference_split_across_pdf_lines_is_rejoined():
    text = "nội dung thực hiện Kết luận\n226-KL/T\nW vào quy định; Quyết định số\n534/QĐ-\nTTg; Kết luận số \n226- KL/TW"
    norm = normalize(text)
    assert "226-KL/TW vào" in norm.text
    assert "534/QĐ-TTg" in norm.text
    i = norm.text.index("226-KL/TW vào")
    s, e = norm.to_raw(i, i + 9)
    assert text[s:e] == "226-KL/T\nW"


def test_lines_inside_a_sentence_are_joined_and_headings_kept():
    text = "1. Mục đích\na) Tổ chức quán triệt sâu sắc và triển khai\nthực hiện nghiêm túc.\nb) Khắc phục"
    assert normalize(text).text == "1. Mục đích\na) Tổ chức quán triệt sâu sắc và triển khai thực hiện nghiêm túc.\nb) Khắc phục"


def test_a_signers_name_on_its_own_line_is_not_joined_to_the_next_block():
    text = "THỨ TRƯỞNG\nCao Anh Tuấn\nCircular No. 109/2025/TT-BTC dated November 18, 2025\n"
    assert "Cao Anh Tuấn\nCircular" in normalize(text).text
    # a name wrapped over two lines is one name; an English title line is left to the reflow
    assert "Lê Hải Hòa" in normalize("CHỦ TỊCH\nLê Hải\nHòa\n").text
    assert "The Old Man And" in normalize("The Old Man\nAnd the sea went on and on\n").text
    # a name inside a sentence is no signer's
    assert "Ông Trần Văn Bình, Phó" in normalize("giao cho\nÔng Trần Văn\nBình, Phó Chủ tịch thực hiện.\n").text


def test_page_number_lines_and_gazette_running_headers_are_dropped():
    text = "CÔNG BÁO/Số 242/Ngày 22-04-2026\n30\nĐiều 1. Phạm vi\n- 2 -\nnội dung"
    assert normalize(text).text == "Điều 1. Phạm vi nội dung"


def test_every_normalised_character_maps_inside_the_submitted_text():
    text = unicodedata.normalize("NFD", "Thực hiện Kết luận số 226-KL/T\nW ngày 11/12/2025\n\n  12 \nhoà")
    norm = normalize(text)
    for i in range(len(norm.text)):
        s, e = norm.to_raw(i, i + 1)
        assert 0 <= s < e <= len(text)


def test_docx_paragraphs_keep_every_newline_without_reflow():
    assert normalize("KẾ HOẠCH\ntriển khai\n\nthực hiện", reflow=False).text == "KẾ HOẠCH\ntriển khai\nthực hiện"


@pytest.mark.parametrize("ocr_text, repaired", [
    ("Vie \u0323t Nam", "Vi\u1eb9t Nam"),  # a mark read apart joins its letter
    ("Số : 12/UBND-VP", "Số: 12/UBND-VP"),
    ("Sô: 12/UBND-VP", "Số: 12/UBND-VP"),
    ("Hà Nội, ngày 22 tháng 4 nám 2026", "Hà Nội, ngày 22 tháng 4 năm 2026"),
    ("Kết luận số 226-KL/IW, Chỉ thị 05-CT/T'W", "Kết luận số 226-KL/TW, Chỉ thị 05-CT/TW"),
    ("ƯBND tỉnh", "UBND tỉnh"),
    ("tuởng thưong thuở", "tưởng thương thuở"),  # ươ; thuở is a real uơ
    ("610-CV/Đ\u00d0U và ĐĐBQH", "610-CV/ĐU và ĐĐBQH"),  # OCR's doubled Đ; ĐĐBQH is real
])
def test_ocr_repairs_the_usual_faults_of_vietnamese_ocr(ocr_text, repaired):
    out = normalize(ocr_text, ocr=True)
    assert out.text == repaired
    assert out.to_raw(0, len(out.text)) == (0, len(ocr_text))


def test_ocr_repairs_apply_to_ocr_text_only():
    typed = "Số : 12/UBND-VP ngày 22 tháng 4 nam 2026, 226-KL/IW"
    assert normalize(typed).text == typed
