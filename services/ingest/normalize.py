"""Text normalisation that keeps an offset map back to the text as submitted.

An `OffsetText` is a string plus, for each of its characters, the span
[start, end) of the submitted text it came from. Every pass below takes one
and returns another, so the passes compose and any span found in the
normalised text maps back with `to_raw`.

Passes: Unicode (NFC per grapheme, Ð -> Đ, odd spaces), one tone-mark
convention (hòa, thủy: the mark on the first vowel of an open oa/oe/uy
syllable), and line repair for PDF-extracted text (drop page-number and
running-header lines, rejoin references split across lines, dehyphenate,
join lines inside a sentence, collapse white space).
"""
from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng


@dataclass(frozen=True)
class OffsetText:
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def identity(cls, text: str) -> "OffsetText":
        return cls(text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """The span of the submitted text behind text[start:end] (end exclusive)."""
        if not self.text:
            return (0, 0)
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else self.ends[-1]
            return (pos, pos)
        return (self.starts[start], self.ends[end - 1])

    def __len__(self) -> int:
        return len(self.text)


class _Builder:
    """Collects output characters, each tied to a span of the pass's input."""

    def __init__(self, source: OffsetText):
        self.source = source
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def emit(self, chars: str, i: int, j: int) -> None:
        """Emit `chars` as coming from source characters [i, j)."""
        s, e = self.source.starts[i], self.source.ends[j - 1]
        for ch in chars:
            self.chars.append(ch)
            self.starts.append(s)
            self.ends.append(e)

    def copy(self, i: int, j: int) -> None:
        """Emit source characters [i, j) unchanged, each from itself."""
        self.chars.extend(self.source.text[i:j])
        self.starts.extend(self.source.starts[i:j])
        self.ends.extend(self.source.ends[i:j])

    def build(self) -> OffsetText:
        return OffsetText("".join(self.chars), tuple(self.starts), tuple(self.ends))


# --- pass 1: Unicode ---------------------------------------------------------

_SPACE_LIKE = {"\u00a0", "\u2002", "\u2003", "\u2007", "\u2009", "\u202f", "\u3000", "\t", "\x0b", "\x0c"}
_DROP = {"\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\r"}
_CHAR_FIX = {"\u00d0": "\u0110", "\u00f0": "\u0111"}  # Icelandic Eth typed for Đ/đ


# Characters that pass 1 leaves as they are when no combining mark follows them: ASCII,
# Latin-1 and Latin Extended (Vietnamese precomposed letters included), all NFC alone.
_PLAIN = "\x00-\x08\n\x0e-\x9f\xa1-\xac\xae-\xcf\xd1-\xef\xf1-\u02ff\u1e00-\u1eff"
# Runs of them whose last character is followed by another or by the end: a combining mark
# after a run's last letter sends that letter to the cluster loop.
_PLAIN_RUN = re.compile(f"[{_PLAIN}]+(?=[{_PLAIN}]|$)")


def unicode_pass(src: OffsetText) -> OffsetText:
    """NFC per grapheme cluster, Ð->Đ, odd spaces -> space, invisible characters dropped."""
    out = _Builder(src)
    text, done = src.text, 0
    # Most text is plain: copied in runs, and only what lies between runs is read cluster
    # by cluster (a document is read once per check; the registry reads millions).
    for m in _PLAIN_RUN.finditer(text):
        _clusters(out, text, done, m.start())
        out.copy(m.start(), m.end())
        done = m.end()
    _clusters(out, text, done, len(text))
    return out.build()


def _clusters(out: _Builder, text: str, i: int, n: int) -> None:
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = text[i:j]
        if cluster in _DROP:
            pass
        elif cluster in _SPACE_LIKE:
            out.emit(" ", i, j)
        else:
            composed = unicodedata.normalize("NFC", cluster)
            out.emit("".join(_CHAR_FIX.get(c, c) for c in composed), i, j)
        i = j


# --- pass 2: one tone-mark convention ------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")
_OPEN_PAIRS = {"oa", "oe", "uy"}
_VOWELS = set("aăâeêioôơuưy")


def _split_marks(ch: str) -> tuple[str, str | None]:
    """A letter without its tone mark, and the tone mark (or None)."""
    parts = unicodedata.normalize("NFD", ch)
    tone = next((c for c in parts if c in TONE_MARKS), None)
    base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
    return base, tone


def _with_tone(base: str, tone: str | None) -> str:
    return unicodedata.normalize("NFC", base + tone) if tone else base


@lru_cache(maxsize=1 << 16)  # a language has a few thousand syllables
def _retone_word(word: str) -> str:
    """Put the tone of an open oa/oe/uy syllable on its first vowel (hoà -> hòa, uỷ -> ủy).

    Closed syllables (hoàn, thuyết) and qu-/gi- onsets (quý) are left alone: there the
    mark already sits where both conventions put it.
    """
    if len(word) < 2:
        return word
    bases, tones = zip(*(_split_marks(c) for c in word))
    lower = "".join(bases).lower()
    if lower[-2:] not in _OPEN_PAIRS or tones[-1] is None or tones[-2] is not None:
        return word
    if len(lower) >= 3 and (lower[-3] in _VOWELS or lower[-3] == "q"):
        return word
    return word[:-2] + _with_tone(bases[-2], tones[-1]) + bases[-1]


def tone_pass(src: OffsetText) -> OffsetText:
    """Apply `_retone_word` to every word; lengths are unchanged, so offsets map 1:1."""
    text = src.text
    pieces: list[str] = []
    last = 0
    for m in _WORD.finditer(text):
        pieces.append(text[last : m.start()])
        pieces.append(_retone_word(m.group()))
        last = m.end()
    pieces.append(text[last:])
    new = "".join(pieces)
    assert len(new) == len(text)
    return OffsetText(new, src.starts, src.ends)


# --- pass 3: lines -------------------------------------------------------------

_PAGE_NUMBER = re.compile(r"^\s*(?:-\s*\d{1,3}\s*-|(?:[Tt]rang\s+)?\d{1,3}(?:\s*/\s*\d{1,3})?)\s*$")
_RUNNING_HEADER = re.compile(r"^\s*CÔNG BÁO\s*/\s*Số\b.*$")
_MARKER = re.compile(
    r"^\s*(?:[IVXLC]+\.\s|\d+(?:\.\d+)*\.?\s|\d+\)\s|[a-zđ]\)\s|[-–—+•*]\s?|\(\d+\)\s|Điều\s+\d+|Chương\s+[IVXLC\d]+|Mục\s+\d+)"
)
_HARD_STARTS = re.compile(r"^\s*(?:(?:Kính gửi|Nơi nhận|V/v|Căn cứ|PHỤ LỤC|Phụ lục)\b|Số\s*:)")
# Lines that close a header element: the Quốc hiệu, the tiêu ngữ, the Party motto.
_HARD_ENDS = re.compile(r"(?:VIỆT NAM|Hạnh phúc|HẠNH PHÚC)\s*$")
_CAPS_START = re.compile(r"^\s*[A-ZĐÀ-Ỹ]{2,}\.?\s+[A-ZĐÀ-Ỹ]{2,}(?:\s|$)")
_END_PUNCT = tuple(".;:!?…")
_REF_TAIL = re.compile(r"(?:\d[\d.]*\s?[-/]\s?(?:\d{4}/)?(?:[A-ZĐ][\wĐđ]*[-/])*)([A-ZĐ]{0,3})$")
_REF_HEAD = re.compile(r"^([A-ZĐ][A-ZĐa-z\d]{0,2})(?=[\s,.;:)]|$)")


def _split_lines(src: OffsetText) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in re.finditer("\n", src.text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(src.text)))
    return spans


def _is_upper_line(s: str) -> bool:
    # A heading in capitals ("KẾ HOẠCH", "BỘ XÂY DỰNG"), not a reference fragment like "226-KL/T".
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 4 and not any(c.isdigit() for c in s) and all(c.isupper() for c in letters)


def _join_kind(prev: str, nxt: str, short_line: int, before: str = "") -> str:
    """How two consecutive non-empty lines meet: 'glue' (no space), 'space' or 'hard'
    (`before`: the line before `prev`)."""
    p, q = prev.rstrip(), nxt.lstrip()
    tail = _REF_TAIL.search(p)
    # A reference cut by the line break: "534/QĐ-" + "TTg", "226-KL/T" + "W", "226-" + "KL/TW".
    if tail and (p.endswith(("-", "/")) and re.match(r"^[A-ZĐ\d]", q)):
        return "glue"
    if tail and tail.group(1) and len(tail.group(1)) <= 3 and _REF_HEAD.match(q) and not _is_upper_line(q):
        return "glue"
    # Dehyphenation of an ordinary word: "docu-" + "ment".
    if re.search(r"[a-zà-ỹđ]-$", p) and re.match(r"^[a-zà-ỹđ]", q):
        return "dehyphen"
    if p.endswith(_END_PUNCT) or _MARKER.match(q) or _HARD_STARTS.match(q) or _HARD_ENDS.search(p):
        return "hard"
    if _CAPS_START.match(q) and not _CAPS_START.match(p):
        return "hard"  # a heading or a type name in capitals starts a new block ("KẾ HOẠCH Triển khai")
    if _is_upper_line(p) or _is_upper_line(q):
        return "hard"  # capitals are header lines and headings: each stays a line of its own
    if len(p) < short_line and q[:1].isupper() and _MARKER.match(p):
        return "hard"  # a short numbered heading ("3. Về tổ chức hội nghị") before its text
    if q[:1].isupper() and _is_upper_line(before) and _name_line(p) and not _name_line(f"{p} {q}"):
        # The signer's name under the titles in capitals ends its line: "THỨ TRƯỞNG" / "Cao Anh
        # Tuấn" + "Circular No. …"; a name wrapped over two lines ("Lê Hải" + "Hòa") stays one,
        # and so does a name inside a sentence ("giao cho" / "Ông Trần Văn" + "Bình, …").
        return "hard"
    return "space"


def _name_line(line: str) -> bool:
    """Two to five capitalised words and nothing else, one with a Vietnamese letter: a
    person's name on its own line (a wrapped sentence keeps lower-case words on every line;
    an English title line, "The Old Man", is left as it was)."""
    words = line.split()
    return (2 <= len(words) <= 5 and all(w.isalpha() and w[0].isupper() and w[1:].islower() for w in words)
            and not line.isascii())


def reflow_pass(src: OffsetText) -> OffsetText:
    """Repair line breaks of extracted text; blank lines are ignored (seeds are double-spaced)."""
    lines = []
    for s, e in _split_lines(src):
        line = src.text[s:e]
        if not line.strip() or _PAGE_NUMBER.match(line) or _RUNNING_HEADER.match(line):
            continue
        lines.append((s, e))
    lengths = [len(src.text[s:e].strip()) for s, e in lines]
    typical = statistics.median(lengths) if lengths else 0
    short_line = int(typical * 0.6)
    out = _Builder(src)
    prev_text = before_text = None
    for s, e in lines:
        line = src.text[s:e]
        # Trim the line but keep offsets: emit its characters one by one.
        ls = s + (len(line) - len(line.lstrip()))
        le = s + len(line.rstrip())
        if prev_text is not None:
            kind = _join_kind(prev_text, line, short_line, before_text or "")
            if kind == "hard":
                out.emit("\n", ls - 1 if ls > 0 else ls, ls)
            elif kind == "space":
                out.emit(" ", ls - 1 if ls > 0 else ls, ls)
            elif kind == "dehyphen":
                out.chars.pop(), out.starts.pop(), out.ends.pop()
        _emit_collapsed(out, src.text, ls, le)
        before_text, prev_text = prev_text, line
    return out.build()


def collapse_pass(src: OffsetText) -> OffsetText:
    """Only trim lines and collapse runs of spaces; every newline stays (docx paragraphs)."""
    out = _Builder(src)
    first = True
    for s, e in _split_lines(src):
        line = src.text[s:e]
        if not line.strip():
            continue
        ls = s + (len(line) - len(line.lstrip()))
        le = s + len(line.rstrip())
        if not first:
            out.emit("\n", ls - 1 if ls > 0 else ls, ls)
        _emit_collapsed(out, src.text, ls, le)
        first = False
    return out.build()


_SPACE_RUN = re.compile(r"\s+")


def _emit_collapsed(out: _Builder, text: str, s: int, e: int) -> None:
    """Characters [s, e) with each run of white space as one space."""
    i = s
    for m in _SPACE_RUN.finditer(text, s, e):
        out.copy(i, m.start())
        out.emit(" ", m.start(), m.end())
        i = m.end()
    out.copy(i, e)


def normalize(text: str, *, reflow: bool = True, ocr: bool = False) -> OffsetText:
    """Normalised text for comparison and parsing, mapped back to `text`.

    `reflow` repairs PDF-style line breaks (txt and pdf); docx paragraphs are real,
    so they keep every newline. `ocr` repairs the usual faults of Vietnamese OCR.
    """
    ot = OffsetText.identity(text)
    if ocr:
        from services.ingest.ocr_fixes import ocr_pass, raw_pass

        ot = ocr_pass(unicode_pass(raw_pass(ot)))
    else:
        ot = unicode_pass(ot)
    ot = tone_pass(ot)
    return reflow_pass(ot) if reflow else collapse_pass(ot)


def comparison_key(text: str) -> str:
    """A short string (a name, a reference, a span) in the comparison convention: Unicode and
    tone passes, white space collapsed; no line repair, which needs a whole document."""
    return " ".join(tone_pass(unicode_pass(OffsetText.identity(text))).text.split())
