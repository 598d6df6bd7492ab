"""Citing instead of copying: the structural unit of a directive a passage comes from
(Chương / Mục / Điều / khoản / điểm, from the directive's parse) and the sentence a
drafter can write instead of the copy, as Kết luận 226-KL/TW asks.

Units are the parse's lines typed by their leading marker (ingest.segment). Their names
follow how Vietnamese documents cite each other: inside an Điều, "1." is a khoản and "a)"
a điểm; in a plan or a Party document, "I." is a Mục, "1." a mục (or a điểm under a Mục),
and a "- " item is a gạch đầu dòng, counted from the first of its list.
"""
from __future__ import annotations

from dataclasses import dataclass

_HEADINGS = {"chuong", "muc", "dieu", "diem", "khoan", "y"}
# Types whose content is a rule (quy định); the others direct (chỉ đạo).
_RULES = ("luật", "bộ luật", "nghị định", "thông tư", "pháp lệnh", "nghị quyết liên tịch")


@dataclass(frozen=True)
class _Open:
    kind: str
    label: str
    level: int
    ordinal: int  # the n-th "- " item of its list (for kind "y")


def _name(unit: _Open, outer: list[_Open]) -> str:
    under_dieu = any(u.kind == "dieu" for u in outer)
    under_muc = any(u.kind == "muc" for u in outer)
    if unit.kind == "chuong":
        return unit.label
    if unit.kind == "muc":
        return f"Mục {unit.label}"
    if unit.kind == "dieu":
        return unit.label
    if unit.kind == "diem":
        return f"khoản {unit.label}" if under_dieu else f"điểm {unit.label}" if under_muc else f"mục {unit.label}"
    if unit.kind == "khoan":
        return f"điểm {unit.label}" if under_dieu else f"tiết {unit.label}"
    return f"gạch đầu dòng thứ {unit.ordinal}"


def unit_at(units: list[dict], offset: int) -> str | None:
    """The unit holding `offset` of a directive's text, innermost first ("gạch đầu dòng
    thứ 3 mục 1", "khoản 2 Điều 5"), from its parse's units; None outside any."""
    stack: list[_Open] = []
    dashes = 0
    for unit in sorted(units, key=lambda u: u["start"]):
        if unit["start"] > offset:
            break
        kind, level = unit["kind"], unit["level"]
        if kind not in _HEADINGS:
            # A plain paragraph after a list closes the list: it belongs to the section above.
            stack = [u for u in stack if u.kind != "y"]
            dashes = 0
            continue
        if kind == "y":
            dashes = dashes + 1 if stack and stack[-1].kind == "y" and stack[-1].level == level else 1
        stack = [u for u in stack if u.level < level]
        stack.append(_Open(kind, unit.get("label") or "", level, dashes if kind == "y" else 0))
        if kind != "y":
            dashes = 0
    if any(u.kind == "dieu" for u in stack):
        # Articles are numbered through the whole document: "khoản 9 Điều 15" needs no Chương.
        stack = [u for u in stack if u.kind not in ("chuong", "muc")]
    if not stack:
        return None
    names = [_name(u, stack[:i]) for i, u in enumerate(stack)]
    return " ".join(reversed(names))


def suggestion(*, unit: str | None, doc_type: str | None, reference: str | None, issuer: str | None) -> str:
    """What to write instead of the copied passage: a citation of the unit it comes from."""
    kind = (doc_type or "").strip()
    verb = "quy định" if kind.lower().startswith(_RULES) else "chỉ đạo"
    document = f"{kind} số {reference}" if kind and reference else f"văn bản số {reference}" if reference \
        else f"{kind} của {issuer}" if kind and issuer else "văn bản cấp trên"
    where = f"{unit} " if unit else ""
    return f"Thực hiện theo {verb} tại {where}{document}."
