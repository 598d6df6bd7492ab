"""Repairs of the usual faults of Vietnamese OCR, as one normaliser pass (offsets kept).

Only text that came from OCR goes through it: each rule rewrites something no typist writes
but Tesseract often reads, and leaves alone what a document may really say.

- A tone or vowel mark read as a separate character after a space ("Vie ̣t") joins its letter.
- The diphthong ươ read as ưo or uơ: Vietnamese spelling has ươ only (thuở, huơ, quơ aside).
- The date line, "ngày 22 tháng 4 nám 2026": its three words, with a mark misread.
- "Số:" at the head of a line read as "Sô:", "S6:", "Số :".
- The Party's central suffix "/TW" of a reference read as "/IW", "/T'W", "/UW".
- "UBND" read with a horn, "ƯBND".
- Đ read twice, as Đ and the look-alike Icelandic Ð ("ĐÐU" for ĐU): run on the text as OCR
  gave it, before the Unicode pass maps every Ð to Đ (after which "ĐĐ", as in ĐĐBQH, is real).
"""
from __future__ import annotations

import re
import unicodedata

from services.ingest.normalize import OffsetText, _Builder

_MARK_AFTER_SPACE = re.compile(r"([^\W\d_]) ([\u0300-\u036f]+)")
_U_HORN_O = re.compile(r"ư([oóòỏõọ])|(?<![qQhH])(?<![tT][hH])u([ơớờởỡợ])", re.IGNORECASE)
_HORN_O = dict(zip("oóòỏõọ", "ơớờởỡợ"))
_DATE = re.compile(r"\b(ng\w{2})(\s+)(\d{1,2})(\s+)(th\w{3})(\s+)(\d{1,2})(\s+)(n\w{2})(\s+)(\d{4})\b")
_NUMBER_LINE = re.compile(r"(?m)^(\s*)(S[ốôồổớơóoòỗộ6]|SỐ)(\s*)[:;.](?=\s*(?:\d|/))")
_CENTRAL = re.compile(r"(?<=-[A-ZĐ]{2}/)(?:IW|T'W|UW|TVV|TW')(?![\w'])")
_UBND = re.compile(r"\b(?:ƯBND|UBNĐ|ƯBNĐ)\b")


def _bare(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c)).replace("đ", "d")


def _date(m: re.Match) -> str | None:
    """The date line with its three words spelled right, or None when they are not those."""
    day_word, month_word, year_word = m.group(1), m.group(5), m.group(9)
    if (_bare(day_word), _bare(month_word), _bare(year_word)) != ("ngay", "thang", "nam"):
        return None
    return "".join(("ngày", m.group(2), m.group(3), m.group(4), "tháng", m.group(6), m.group(7), m.group(8), "năm",
                    m.group(10), m.group(11)))


def _diphthong(m: re.Match) -> str:
    whole = m.group(0)
    if m.group(1) is not None:  # ư + o: the o takes its horn
        o = m.group(1)
        horned = _HORN_O[o.lower()]
        return whole[0] + (horned.upper() if o.isupper() else horned)
    u = whole[0]
    return ("Ư" if u.isupper() else "ư") + whole[1]


def _rules():
    yield _MARK_AFTER_SPACE, lambda m: unicodedata.normalize("NFC", m.group(1) + m.group(2))
    yield _U_HORN_O, _diphthong
    yield _DATE, _date
    yield _NUMBER_LINE, lambda m: m.group(1) + "Số" + ":"
    yield _CENTRAL, lambda m: "TW"
    yield _UBND, lambda m: "UBND"


_DOUBLED_D = re.compile("(?<=\u0110)\u00d0|(?<=\u0111)\u00f0")


def raw_pass(src: OffsetText) -> OffsetText:
    """The repairs that need the characters OCR gave, before the Unicode pass."""
    return _substitute(src, _DOUBLED_D, lambda m: "")


def ocr_pass(src: OffsetText) -> OffsetText:
    """Every rule in turn; a replacement of equal length keeps per-character offsets."""
    for pattern, repair in _rules():
        src = _substitute(src, pattern, repair)
    return src


def _substitute(src: OffsetText, pattern: re.Pattern, repair) -> OffsetText:
    text = src.text
    out = _Builder(src)
    last = 0
    for m in pattern.finditer(text):
        new = repair(m)
        if new is None or new == m.group(0):
            continue
        for k in range(last, m.start()):
            out.emit(text[k], k, k + 1)
        i, j = m.start(), m.end()
        if len(new) == j - i:
            for k, ch in enumerate(new):
                out.emit(ch, i + k, i + k + 1)
        elif new:  # no rule matches an empty string, so [i, j) is never empty
            out.emit(new, i, j)
        last = j
    if last == 0:
        return src
    for k in range(last, len(text)):
        out.emit(text[k], k, k + 1)
    return out.build()
