"""Citing instead of copying (services/analyzer/citing.py) on real directives' parses."""
from __future__ import annotations

from dataclasses import asdict

from services.analyzer.citing import suggestion, unit_at
from services.ingest.pipeline import parse
from tests.conftest import shared


def _units(parsed) -> list[dict]:
    return [asdict(u) for u in parsed.units]


def test_a_passage_of_kl226_is_named_by_its_list_item_and_section(kl226):
    units = _units(kl226)
    start = kl226.text.index("- Chỉ ban hành văn bản khi thật cần thiết")
    assert unit_at(units, start + 40) == "gạch đầu dòng thứ 3 mục 1"
    after_list = kl226.text.index("Hằng năm, các tổ chức")
    assert unit_at(units, after_list + 10) == "mục 1"  # a paragraph after the list belongs to the section
    assert unit_at(units, 10) is None  # the header is in no unit


def test_a_passage_of_a_decree_is_named_by_khoan_and_dieu():
    decree = parse(shared("eval", "dev", "sources", "hr-nghi-dinh-so-191-2026-nd-cp-469672.txt").read_bytes(),
                   with_sentences=False)
    units = _units(decree)
    point = decree.text.index("b)", decree.text.index("Điều 12."))
    assert unit_at(units, point + 5) == "điểm b khoản 2 Điều 12"


def test_the_suggestion_cites_the_unit_and_the_directive():
    assert suggestion(unit="gạch đầu dòng thứ 3 mục 1", doc_type="Kết luận", reference="226-KL/TW",
                      issuer="Ban Bí thư") == "Thực hiện theo chỉ đạo tại gạch đầu dòng thứ 3 mục 1 Kết luận số 226-KL/TW."
    assert suggestion(unit="khoản 2 Điều 5", doc_type="Nghị định", reference="30/2020/NĐ-CP", issuer=None) \
        == "Thực hiện theo quy định tại khoản 2 Điều 5 Nghị định số 30/2020/NĐ-CP."
    assert suggestion(unit=None, doc_type=None, reference=None, issuer=None) == "Thực hiện theo chỉ đạo tại văn bản cấp trên."
