"""Spans of a draft that are never copying: the header and footer blocks, citations of
other documents together with the title they quote, legal bases ("Căn cứ …"), and text
the draft marks as a quotation."""
from __future__ import annotations

import re

from services.ingest.document import ParsedDocument

# A citation's own clause runs to the end of the title it quotes: up to ";", ".", ":",
# a bracket or the end of the line.
_CLAUSE_END = re.compile(r"[;.:(\n]|\)\s*[,;]")
_NEXT_WORD = re.compile(r"[ \t]*(\w)")
_PREAMBLE_LINE = re.compile(r"\s*(?:Căn cứ|Xét đề nghị|Theo đề nghị)\b")
# The national motto and the Party's name are never copying, wherever a (mis-read) layout
# puts them.
_MOTTO = re.compile(r"CỘNG\s+H(?:ÒA|OÀ)\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM|ĐẢNG\s+CỘNG\s+SẢN\s+VIỆT\s+NAM"
                    r"|Độc\s+lập\s*[-–]\s*Tự\s+do\s*[-–]\s*Hạnh\s+phúc", re.IGNORECASE)
# Every pair of quotation marks is read, short ones too: skipping a short pair ("id") would
# pair its closing mark with the next opening one and take the prose between for a quotation.
_QUOTED = re.compile(r"“[^”\n]*”|«[^»\n]*»")
_QUOTED_MIN = 10  # characters, the marks included: a quoted word is not a quotation
_ASCII_QUOTE = re.compile(r'"')


def excluded_spans(parsed: ParsedDocument) -> list[tuple[int, int]]:
    """Raw spans to ignore in a draft."""
    # The standard elements only: text pasted between header lines is still the draft's own.
    spans: list[tuple[int, int]] = [(b.start, b.end) for b in parsed.boilerplate]
    norm = parsed.norm
    text = norm.text
    spans.extend(citation_clauses(parsed))
    spans.extend(_preamble(parsed))
    quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(text)] + ascii_quotations(text)
    spans.extend(norm.to_raw(a, b) for a, b in quoted if b - a >= _QUOTED_MIN)
    return spans + motto_spans(parsed)


def ascii_quotations(text: str) -> list[tuple[int, int]]:
    """Spans of text between straight quotation marks ("…"), marks included.

    The same mark opens and closes, so a stray one (a quotation left open, an inch sign)
    would pair with the next quotation's opening mark and take the prose between for a
    quotation. A mark opens when no word touches it on the left and text follows it, and
    closes when text touches it on the left and no word follows; an opening mark met
    while another is open replaces it, and a quotation never crosses a line break.
    """
    spans, opened = [], None
    for m in _ASCII_QUOTE.finditer(text):
        i = m.start()
        before = text[i - 1] if i > 0 else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        closes = opened is not None and not before.isspace() and not after.isalnum()
        if closes and "\n" not in text[opened:i]:
            spans.append((opened, i + 1))
            opened = None
        elif not before.isalnum() and not after.isspace():
            opened = i
    return spans


def motto_spans(parsed: ParsedDocument) -> list[tuple[int, int]]:
    """Raw spans of the national motto lines and the Party's name."""
    return [parsed.norm.to_raw(m.start(), m.end()) for m in _MOTTO.finditer(parsed.norm.text)]


_TITLE_MIN_CHARS = 20  # what follows the citation in its clause, for it to be a title


def citation_clauses(parsed: ParsedDocument) -> list[tuple[int, int]]:
    """Citations that quote a title ("Thực hiện Kết luận số … của … về việc …"), each to the
    end of its clause (raw spans).

    A bare mention inside copied text ("… hướng dẫn thực hiện Quyết định số 142/2008/QĐ-TTg;")
    is part of that text, not a citation block of the draft's own.
    """
    out = []
    for c in parsed.citations:
        end = _clause_end(parsed, c.end)
        if end - c.end >= _TITLE_MIN_CHARS or c.issuer:
            out.append((c.start, max(end, c.end)))
    return out


_PREAMBLE_REACH = 800  # characters after the header where the first legal basis may start


def _preamble(parsed: ParsedDocument) -> list[tuple[int, int]]:
    """The legal bases that open the body: consecutive "Căn cứ …" items right after the
    header, each running over its wrapped lines to the ";" or "." that ends it."""
    norm = parsed.norm
    text = norm.text
    body_start = 0
    if parsed.header:
        # the first normalised position at or after the header's raw end
        body_start = next((i for i, s in enumerate(norm.starts) if s >= parsed.header.end), len(text))
    spans = []
    item_start = None  # normalised start of the legal basis being read
    for m in re.finditer(r"[^\n]+", text[body_start:]):
        line = m.group()
        start, end = body_start + m.start(), body_start + m.end()
        if _PREAMBLE_LINE.match(line):
            item_start = start
        elif item_start is None:
            # Title and subject lines may sit between the header and the first basis; a long
            # line, or anything after the last basis, is the body proper.
            # (a title in capitals may be long)
            if spans or (len(line.split()) > 15 and line != line.upper()) or start - body_start > _PREAMBLE_REACH:
                break
            continue
        if line.rstrip().endswith((";", ".", ":")):
            spans.append(norm.to_raw(item_start, end))
            item_start = None
    if item_start is not None:
        spans.append(norm.to_raw(item_start, len(text)))
    return spans


def _clause_end(parsed: ParsedDocument, raw_end: int) -> int:
    """Where the clause of a citation ends in the raw text (the quoted title included)."""
    text = parsed.text
    limit = raw_end + 400  # a title longer than this is not a title
    pos = raw_end
    while True:
        m = _CLAUSE_END.search(text, pos)
        end = m.start() if m else len(text)
        # A decree's title may join its parts with ";" ("… bảo hiểm y tế; chi tổ chức …"):
        # a ";" followed on the same line by a lower-case word continues the title.
        nxt = _NEXT_WORD.match(text, m.end()) if m and m.group() == ";" else None
        if not (nxt and nxt.group(1).islower() and end < limit):
            return min(end, limit)
        pos = m.end()


def source_spans(parsed: ParsedDocument) -> list[tuple[int, int]]:
    """Raw spans of a directive that are not its content: its own header and footer."""
    spans = []
    if parsed.header:
        spans.append((parsed.header.start, parsed.header.end))
    if parsed.footer:
        spans.append((parsed.footer.start, parsed.footer.end))
    return spans + motto_spans(parsed)
