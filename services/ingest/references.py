"""The grammar of số ký hiệu and document type names, shared by metadata and citations.

Forms (Nghị định 30/2020/NĐ-CP, Quy định 399-QĐ/TW):
  state          534/QĐ-TTg        công văn   4573/UBND-NC
  normative      30/2020/NĐ-CP     110/2023/QH15   66.13/2026/NQ-CP
  Party          226-KL/TW         610-CV/ĐU
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# One segment of a symbol: capitals and digits, at most one lower-case letter (TTg, TTr, QyĐ).
SEG = r"[A-ZĐ][A-ZĐ0-9]*(?:[a-z][A-ZĐ0-9]*)?"
SYMBOL = rf"{SEG}(?:\s?[-/]\s?{SEG})*"
REF = re.compile(
    rf"(?<![\w/.-])(?P<num>\d{{1,5}}(?:\.\d{{1,3}})?)\s?(?P<sep>[/-])\s?"
    rf"(?:(?P<year>(?:19|20)\d{{2}})\s?/\s?)?(?P<sym>{SYMBOL})(?![\w])"
)

# Names of document types: Nghị định 30/2020 (29 administrative types), legal-normative
# types, and Party types (Quy định 399-QĐ/TW).
ADMINISTRATIVE_TYPES = (
    "Nghị quyết", "Quyết định", "Chỉ thị", "Quy chế", "Quy định", "Thông cáo", "Thông báo",
    "Hướng dẫn", "Chương trình", "Kế hoạch", "Phương án", "Đề án", "Dự án", "Báo cáo", "Biên bản",
    "Tờ trình", "Hợp đồng", "Công văn", "Công điện", "Bản ghi nhớ", "Bản thỏa thuận", "Giấy ủy quyền",
    "Giấy mời", "Giấy giới thiệu", "Giấy nghỉ phép", "Phiếu gửi", "Phiếu chuyển", "Phiếu báo", "Thư công",
)
NORMATIVE_TYPES = (
    "Hiến pháp", "Bộ luật", "Luật", "Pháp lệnh", "Lệnh", "Nghị định", "Thông tư", "Thông tư liên tịch",
    "Nghị quyết liên tịch", "Văn bản hợp nhất", "Quy chuẩn", "Điều lệ",
)
PARTY_TYPES = ("Kết luận", "Thông tri", "Chương trình hành động")
# Longest first so "Thông tư liên tịch" wins.
TYPE_NAMES = sorted(ADMINISTRATIVE_TYPES + NORMATIVE_TYPES + PARTY_TYPES, key=len, reverse=True)

# Type codes in the symbol (first segment for state documents, before "/" for Party ones).
TYPE_CODES = {
    "NQ": "Nghị quyết", "QĐ": "Quyết định", "CT": "Chỉ thị", "QC": "Quy chế", "QyĐ": "Quy định",
    "TC": "Thông cáo", "TB": "Thông báo", "HD": "Hướng dẫn", "CTr": "Chương trình", "KH": "Kế hoạch",
    "PA": "Phương án", "ĐA": "Đề án", "DA": "Dự án", "BC": "Báo cáo", "BB": "Biên bản", "TTr": "Tờ trình",
    "HĐ": "Hợp đồng", "CĐ": "Công điện", "GN": "Bản ghi nhớ", "TTh": "Bản thỏa thuận", "GUQ": "Giấy ủy quyền",
    "GM": "Giấy mời", "GGT": "Giấy giới thiệu", "NP": "Giấy nghỉ phép", "PG": "Phiếu gửi", "PC": "Phiếu chuyển",
    "PB": "Phiếu báo", "NĐ": "Nghị định", "TT": "Thông tư", "TTLT": "Thông tư liên tịch",
    "NQLT": "Nghị quyết liên tịch", "VBHN": "Văn bản hợp nhất", "KL": "Kết luận", "CV": "Công văn",
    "L": "Lệnh", "CTHĐ": "Chương trình hành động", "SY": "Bản sao y", "TrS": "Bản trích sao", "SL": "Bản sao lục",
}

def _initial_either_case(name: str) -> str:
    return f"[{name[0]}{name[0].lower()}]" + re.escape(name[1:])


TYPE_WORD = re.compile(r"(?<![\w])(?P<type>" + "|".join(map(_initial_either_case, TYPE_NAMES)) + r")(?![\w])")


@dataclass(frozen=True)
class Reference:
    number: str | None
    year: str | None
    symbol: str
    sep: str

    @property
    def text(self) -> str:
        middle = f"{self.year}/" if self.year else ""
        return f"{self.number or ''}{self.sep}{middle}{self.symbol}"

    @property
    def type_code(self) -> str | None:
        """The type abbreviation in the symbol: QĐ in QĐ-TTg, KL in KL/TW (None for công văn)."""
        first = re.split(r"[-/]", self.symbol)[0]
        return first if first in TYPE_CODES else None

    @property
    def doc_type(self) -> str | None:
        code = self.type_code
        if code:
            return TYPE_CODES[code]
        if self.sep == "/" and not self.year:
            return "Công văn"  # 4573/UBND-NC: no type code, the issuer comes first
        return None


def parse_ref(match: re.Match) -> Reference:
    symbol = re.sub(r"\s", "", match.group("sym"))
    return Reference(number=match.group("num"), year=match.group("year"), symbol=symbol, sep=match.group("sep"))


def first_reference(text: str) -> Reference | None:
    """The first số ký hiệu in `text` (a reference field, a citation), or None."""
    match = REF.search(text or "")
    return parse_ref(match) if match else None


def canonical_type(name: str) -> str:
    """'kế hoạch' -> 'Kế hoạch' (the spelling in TYPE_NAMES)."""
    low = name.lower()
    for n in TYPE_NAMES:
        if n.lower() == low:
            return n
    return name[:1].upper() + name[1:].lower()
