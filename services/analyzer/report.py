"""Passages -> the report of one draft: spans in both texts, copied_ratio, per-source
breakdown and a verdict."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from services.analyzer.align import Passage
from services.analyzer.index import IndexedDocument
from services.analyzer.tokens import TokenSeq, separator_code
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
    content: list[tuple[int, int]] = field(default_factory=list)  # the spans copied_ratio counts over

    def to_json(self, *, with_content: bool = False) -> dict:
        """The report as JSON; `with_content` adds the content spans (what a stored report
        needs to be combined with a later check)."""
        out = asdict(self)
        if with_content:
            out["content"] = [list(c) for c in self.content]
        else:
            del out["content"]
        return out


_CLOSING = re.compile(r"[.;:,!?)\]”\"…]{1,3}")
# What may follow a copied clause's closing punctuation before the directive's next word: the
# directive's tokens keep only a code of the text between two words (`separator_code`), so its
# punctuation is recognised by the codes of these continuations.
_AFTER_CLOSING = ("", " ", "\n", "\n- ", "\n-", "\n+ ", "\n+", " - ", "\n• ", "\n* ")


# Marks that end a sentence or a list item, and the codes of the directive's text after its
# word when one of them ends it there, with the mark's length.
_ENDS = (".", ";", ":", "!", "?", "…")
_ENDING_CODES = {separator_code(mark + after): len(mark) for mark in _ENDS for after in _AFTER_CLOSING}


def _closing(text: str, tokens: TokenSeq, d_end: int, source: TokenSeq, s_end: int) -> tuple[int, int]:
    """Characters of the closing punctuation ("." ";" ")." …) right after the passage's last
    word, in the draft and in the directive: the same marks in both, part of what was copied
    as a reader counts it; or each text's own where both end a sentence there (a copied
    sentence made a list item ends with ";" where the directive has ".")."""
    m = _CLOSING.match(text, int(tokens.ends[d_end - 1]))
    if m is None or source.separators is None or s_end >= len(source):
        return 0, 0
    code = int(source.separators[s_end])
    if any(separator_code(m.group() + after) == code for after in _AFTER_CLOSING):
        return len(m.group()), len(m.group())
    if m.group() in _ENDS and code in _ENDING_CODES:
        return len(m.group()), _ENDING_CODES[code]
    return 0, 0


_BULLETS = ("- ", "-", "+ ", "+", "• ", "•", "* ", "– ", "—")
_BULLET_MARKS = "".join(sorted({bullet[0] for bullet in _BULLETS}))
_BULLET_BEFORE = re.compile(rf"(?:^|\n)[ \t]*([{re.escape(_BULLET_MARKS)}][ \t]*)$")
# The codes of the directive's text before a word that opens a list item, with that text's
# length and the bullet's.
_BULLET_CODES = {separator_code(end + "\n" + bullet): (len(end) + 1 + len(bullet), len(bullet))
                 for end in ("", ".", ";", ":", ",", "./.") for bullet in _BULLETS}


def _opening(text: str, tokens: TokenSeq, d_start: int, source: TokenSeq, s_start: int) -> tuple[int, int]:
    """Characters of the bullet ("- ", "+ ", "• ") before the passage's first word where that
    word opens a list item, in the draft and in the directive: a copied item is read with its
    bullet, as a copied sentence with its closing mark."""
    start = int(tokens.starts[d_start])
    m = _BULLET_BEFORE.search(text, max(0, start - 40), start)
    draft = len(m.group(1)) if m else 0
    source_bullet = 0
    if source.separators is not None and s_start > 0:
        gap, bullet = _BULLET_CODES.get(int(source.separators[s_start]), (0, 0))
        # (the code is of the text with runs of spaces and of line breaks collapsed: the raw text
        # is at least that long, and the bullet ends it unless spaces were doubled after it)
        if gap and int(source.starts[s_start]) - int(source.ends[s_start - 1]) >= gap:
            source_bullet = bullet
    return draft, source_bullet


def build(
    *, draft_key: str, parsed: ParsedDocument, tokens: TokenSeq, passages: list[Passage],
    documents: Mapping[int, IndexedDocument], thresholds: Thresholds = Thresholds(),
) -> DraftReport:
    """The report of these passages (`documents`: their directives, by number)."""
    reported = []
    for p in passages:
        src = documents[p.source_no]
        closing, source_closing = _closing(parsed.text, tokens, p.d_end, src.tokens, p.s_end)
        bullet, source_bullet = _opening(parsed.text, tokens, p.d_start, src.tokens, p.s_start)
        reported.append(ReportedPassage(
            draft_start=int(tokens.starts[p.d_start]) - bullet,
            draft_end=int(tokens.ends[p.d_end - 1]) + closing,
            source=src.key,
            source_start=int(src.tokens.starts[p.s_start]) - source_bullet,
            source_end=int(src.tokens.ends[p.s_end - 1]) + source_closing,
            kind=p.kind,
            lexical=round(p.lexical, 3),
            semantic=None if p.semantic is None else round(p.semantic, 3),
            source_reference=src.meta.get("reference"),
        ))
    content = [(s.start, s.end) for s in parsed.content_spans()]
    ratio, sources, verdict = summarize([asdict(r) for r in reported], content, thresholds)
    return DraftReport(draft=draft_key, copied_ratio=ratio, passages=reported, sources=sources, verdict=verdict,
                       content=content)


def summarize(passages: list[dict], content: list[tuple[int, int]],
              thresholds: Thresholds = Thresholds()) -> tuple[float, list[dict], str]:
    """copied_ratio, the per-source breakdown and the verdict of a set of passages."""
    content_chars = sum(max(0, e - s) for s, e in content)
    copied = _union_inside([(p["draft_start"], p["draft_end"]) for p in passages], content)
    ratio = round(copied / content_chars, 4) if content_chars else 0.0
    by_source: dict[str, dict] = {}
    for p in passages:
        entry = by_source.setdefault(p["source"], {"source": p["source"], "reference": p.get("source_reference"),
                                                   "passages": 0, "chars": 0})
        entry["passages"] += 1
        entry["chars"] += p["draft_end"] - p["draft_start"]
    verdict = "return" if ratio >= thresholds.return_at else "review" if ratio >= thresholds.review_at or passages else "ok"
    return ratio, sorted(by_source.values(), key=lambda e: -e["chars"]), verdict


def combine(earlier: dict, later: dict, thresholds: Thresholds = Thresholds()) -> dict:
    """The report of a document checked first against `earlier["checked"]` directives and
    then against `later["checked"]`: what the later check says of a directive replaces what
    the earlier said of it, and every other finding stays.

    Where passages of the two checks cover the same draft text, a passage more than half
    covered by the other check's passages is dropped, as detection drops a passage mostly
    inside another; copied_ratio counts the union of what stays."""
    rechecked = set(later["checked"])
    kept = [p for p in earlier.get("passages", []) if p["source_document_id"] not in rechecked]
    added = [p for p in later["passages"] if _covered(p, kept) * 2 <= _length(p)]
    kept = [k for k in kept if _covered(k, added) * 2 <= _length(k)]
    passages = sorted(kept + added, key=lambda p: (p["draft_start"], p["draft_end"]))
    content = [tuple(c) for c in later["content"]]
    ratio, sources, verdict = summarize(passages, content, thresholds)
    # A report stored before "checked" was kept names at least the directives it found passages of.
    before = earlier.get("checked") or {p["source_document_id"] for p in earlier.get("passages", [])}
    checked = sorted(set(before) | rechecked)
    return {**later, "copied_ratio": ratio, "passages": passages, "sources": sources, "verdict": verdict,
            "checked": checked}


def _length(p: dict) -> int:
    return max(1, p["draft_end"] - p["draft_start"])


def _covered(p: dict, others: list[dict]) -> int:
    """Characters of `p` (in the draft) that `others` cover."""
    spans = [(max(p["draft_start"], o["draft_start"]), min(p["draft_end"], o["draft_end"])) for o in others]
    return _union_inside([(s, e) for s, e in spans if e > s], [(p["draft_start"], p["draft_end"])])


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
