"""Passages -> the report of one draft: spans in both texts, copied_ratio, per-source
breakdown and a verdict."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from services.analyzer.align import Passage
from services.analyzer.index import DirectiveIndex
from services.analyzer.tokens import TokenSeq
from services.ingest.document import ParsedDocument


@dataclass
class ReportedPassage:
    draft_start: int
    draft_end: int
    source: str
    source_start: int
    source_end: int
    kind: str
    lexical: float
    semantic: float | None
    source_reference: str | None = None


@dataclass
class Thresholds:
    """copied_ratio at or above `return_at` means the draft should be returned; above
    `review_at`, a reviewer should look."""

    review_at: float = 0.05
    return_at: float = 0.30


@dataclass
class DraftReport:
    draft: str
    copied_ratio: float
    passages: list[ReportedPassage]
    sources: list[dict] = field(default_factory=list)
    verdict: str = "ok"

    def to_json(self) -> dict:
        return asdict(self)


def build(
    *, draft_key: str, parsed: ParsedDocument, tokens: TokenSeq, passages: list[Passage],
    index: DirectiveIndex, thresholds: Thresholds = Thresholds(),
) -> DraftReport:
    reported = []
    for p in passages:
        src = index.documents[p.source_no]
        reported.append(ReportedPassage(
            draft_start=int(tokens.starts[p.d_start]),
            draft_end=int(tokens.ends[p.d_end - 1]),
            source=src.key,
            source_start=int(src.tokens.starts[p.s_start]),
            source_end=int(src.tokens.ends[p.s_end - 1]),
            kind=p.kind,
            lexical=round(p.lexical, 3),
            semantic=None if p.semantic is None else round(p.semantic, 3),
            source_reference=src.meta.get("reference"),
        ))
    content = parsed.content_spans()
    content_chars = sum(max(0, s.end - s.start) for s in content)
    copied = _union_inside([(r.draft_start, r.draft_end) for r in reported], [(s.start, s.end) for s in content])
    ratio = round(copied / content_chars, 4) if content_chars else 0.0
    by_source: dict[str, dict] = {}
    for r in reported:
        entry = by_source.setdefault(r.source, {"source": r.source, "reference": r.source_reference, "passages": 0, "chars": 0})
        entry["passages"] += 1
        entry["chars"] += r.draft_end - r.draft_start
    verdict = "return" if ratio >= thresholds.return_at else "review" if ratio >= thresholds.review_at or reported else "ok"
    return DraftReport(draft=draft_key, copied_ratio=ratio, passages=reported,
                       sources=sorted(by_source.values(), key=lambda e: -e["chars"]), verdict=verdict)


def _union_inside(spans: list[tuple[int, int]], within: list[tuple[int, int]]) -> int:
    """Characters covered by `spans` that also lie inside `within`."""
    total = 0
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    for s, e in merged:
        for ws, we in within:
            total += max(0, min(e, we) - max(s, ws))
    return total
