"""services/ingest/segment.py: units, sentences and spaCy tokens with offsets."""
from __future__ import annotations

from services.ingest.normalize import comparison_key, normalize
from services.ingest.pipeline import parse
from services.ingest.segment import tokens
from tests.conftest import shared


def test_structural_units_of_a_plan():
    parsed = parse(shared("fixtures", "004_dong_thap_ke_hoach.docx").read_bytes(), with_sentences=False)
    labels = [(u.kind, u.label) for u in parsed.units if u.kind != "paragraph"]
    assert ("muc", "I") in labels and ("muc", "II") in labels
    assert ("diem", "1") in labels and ("khoan", "a") in labels and ("y", "-") in labels
    assert sum(1 for u in parsed.units if u.kind == "row") >= 17
    for unit in parsed.units:
        assert 0 <= unit.start < unit.end <= len(parsed.text)
    muc = next(u for u in parsed.units if u.label == "I")
    assert parsed.text[muc.start:muc.end] == "I. MỤC ĐÍCH, YÊU CẦU"


def test_units_of_a_pdf_map_back_to_the_submitted_text():
    parsed = parse(shared("fixtures", "004_dong_thap_ke_hoach.pdf").read_bytes(), with_sentences=False)
    muc = next(u for u in parsed.units if u.label == "II")
    assert comparison_key(parsed.text[muc.start:muc.end]).startswith("II. NHIỆM VỤ, GIẢI PHÁP")


def test_sentences_have_offsets_into_the_submitted_text():
    parsed = parse(shared("seeds", "000_b0328c80448f943d.txt").read_bytes())
    assert len(parsed.sentences) > 20
    texts = [comparison_key(parsed.text[s.start:s.end]) for s in parsed.sentences]
    target = "Hằng năm các cơ quan, đơn vị, địa phương thực hiện tinh giản tối thiểu 15% số lượng văn bản hành chính so với năm trước."
    assert any(t.endswith(target) for t in texts), "the 15% sentence, rejoined across PDF lines"


def test_spacy_tokens_are_underthesea_words_with_offsets():
    text = "Thực hiện Kết luận số 226-KL/TW,\nchấn chỉnh lề lối\nlàm việc."
    norm = normalize(text)
    toks = tokens(norm)
    words = [t for t, _, _ in toks]
    assert "Thực hiện" in words and "chấn chỉnh" in words and "lề lối" in words
    for word, start, end in toks:
        assert comparison_key(text[start:end]) == word
