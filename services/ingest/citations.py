"""Citations: every reference to another document in the body, with its type, số ký hiệu,
date and issuer when stated, and its span ("Kết luận số 226-KL/TW ngày 11/12/2025 của Ban Bí thư").

Runs on the normalised text, where references broken across PDF lines or table cells
are already rejoined; spans are normalised offsets, mapped back by the pipeline.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from services.ingest.references import REF, TYPE_WORD, canonical_type, parse_ref

NUMERIC_DATE = re.compile(r"^,?\s*(?:ngày\s*)?(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>(?:19|20)\d{2})")
WORDED_DATE = re.compile(r"^,?\s*ngày\s*(?P<d>\d{1,2})\s*tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>(?:19|20)\d{2})")
ISSUER = re.compile(
    r"^\s+của\s+(?P<issuer>[A-ZĐÀ-Ỹ][^,;.()\n]*?)(?=\s+(?:về|quy định|hướng dẫn|ban hành|sửa đổi|tại|đối với|"
    r"thực hiện|triển khai|và|về việc|phê duyệt|trong|với|nhằm|đến|gửi|được|để|là|đã|theo|nêu|có|cho)\b|[,;.()\n]|$)"
)
# What may stand between a type word and its number: "Kết luận số", "Nghị định số", "Kết luận".
TYPE_GAP = re.compile(r"^\s*(?:số\s*)?$")
LIST_GAP = re.compile(r"^\s*(?:,|và|,\s*và)\s*(?:số\s*)?$")


@dataclass
class FoundCitation:
    reference: str
    doc_type: str | None
    date: str | None
    issuer: str | None
    start: int
    end: int
    ref_start: int
    ref_end: int


def find(text: str, *, start: int = 0, end: int | None = None, exclude: set[str] = frozenset()) -> list[FoundCitation]:
    """Citations in text[start:end] (normalised text), skipping the references in `exclude`."""
    end = len(text) if end is None else end
    found: list[FoundCitation] = []
    for m in REF.finditer(text, start, end):
        ref = parse_ref(m)
        if ref.text in exclude:
            continue
        cite_start, doc_type = m.start(), None
        before = text[max(start, m.start() - 60): m.start()]
        types = list(TYPE_WORD.finditer(before))
        if types and TYPE_GAP.match(before[types[-1].end():]):
            doc_type = canonical_type(types[-1].group("type"))
            cite_start = m.start() - len(before) + types[-1].start()
        elif found and found[-1].ref_end <= m.start() and LIST_GAP.match(text[found[-1].end if found[-1].end <= m.start() else found[-1].ref_end: m.start()]):
            doc_type = found[-1].doc_type  # "các Nghị định số 09/2019/NĐ-CP và 42/2022/NĐ-CP"
        if doc_type is None:
            doc_type = ref.doc_type
        elif ref.doc_type and ref.type_code and doc_type in ("Văn bản",):
            doc_type = ref.doc_type
        cite_end = m.end()
        after = text[m.end(): min(end, m.end() + 200)]
        date = None
        dm = NUMERIC_DATE.match(after) or WORDED_DATE.match(after)
        if dm:
            date = f"{dm.group('y')}-{int(dm.group('m')):02d}-{int(dm.group('d')):02d}"
            cite_end = m.end() + dm.end()
            after = text[cite_end: min(end, cite_end + 200)]
        issuer = None
        im = ISSUER.match(after)
        if im and len(im.group("issuer").split()) <= 8:
            issuer = im.group("issuer").strip()
            cite_end += im.end("issuer")
        found.append(FoundCitation(ref.text, doc_type, date, issuer, cite_start, cite_end, m.start(), m.end()))
    return found


_NUMBER_SYMBOL = re.compile(r"^(\d+(?:/\d{4})?)[/-](.+)$")


def agree_misread(found: list[FoundCitation]) -> list[FoundCitation]:
    """In OCR'd text: a reference with the number, and the type, of a more frequent reference
    of the same document, whose symbol differs from that one's by at most half its letters
    ("534/QĐĐ-TH", "534/QĐ-TT" beside "534/QĐ-TTg" ×9), is that document cited again and
    misread: it takes the frequent spelling. A document does not cite two documents of one
    type under one number with symbols that close."""
    from collections import Counter

    from rapidfuzz.distance import Levenshtein

    counts = Counter(c.reference for c in found)
    first = {}
    for c in found:
        first.setdefault(c.reference, c)
    spelling: dict[str, FoundCitation] = {}
    for reference, citation in first.items():
        m = _NUMBER_SYMBOL.match(reference)
        if not m:
            continue
        rivals = []
        for other, rival in first.items():
            n = _NUMBER_SYMBOL.match(other)
            if (other == reference or not n or n.group(1) != m.group(1) or counts[other] <= counts[reference]
                    or (citation.doc_type and rival.doc_type and citation.doc_type != rival.doc_type)):
                continue
            if Levenshtein.distance(n.group(2), m.group(2)) <= max(1, len(n.group(2)) // 2):
                rivals.append(other)
        if rivals:
            spelling[reference] = first[max(rivals, key=lambda r: counts[r])]
    return [dataclasses.replace(c, reference=spelling[c.reference].reference,
                                doc_type=c.doc_type or spelling[c.reference].doc_type)
            if c.reference in spelling else c for c in found]
