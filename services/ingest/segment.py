"""Segmentation: structural units (I., 1., 1.1., a), -, +, table rows), sentences
(underthesea), and word tokens from underthesea inside a spaCy `Language`, so every
token and sentence carries character offsets.
"""
from __future__ import annotations

import re
from functools import lru_cache

from services.ingest.document import Span, Unit
from services.ingest.normalize import OffsetText

UNIT_MARKERS: list[tuple[str, re.Pattern, int]] = [
    ("chuong", re.compile(r"^(Chương\s+[IVXLC\d]+)\b"), 0),
    ("muc", re.compile(r"^([IVXLC]+)\.\s"), 1),
    ("dieu", re.compile(r"^(Điều\s+\d+[a-z]?)\.?"), 1),
    ("diem", re.compile(r"^(\d+(?:\.\d+)*)\.?\s"), 2),
    ("khoan", re.compile(r"^([a-zđ])\)\s"), 5),
    ("y", re.compile(r"^([-–•])\s?"), 6),
    ("y", re.compile(r"^(\+)\s?"), 7),
]


def _lines(text: str):
    start = 0
    for m in re.finditer("\n", text):
        yield start, m.start()
        start = m.end()
    yield start, len(text)


def units(norm: OffsetText, rows: list[tuple[int, int]] | None = None) -> list[Unit]:
    """One unit per paragraph line of the normalised text, typed by its leading marker.

    `rows` are raw spans the parser knows are table rows (docx).
    """
    row_starts = {s for s, _ in rows or []}
    out: list[Unit] = []
    for s, e in _lines(norm.text):
        line = norm.text[s:e]
        if not line.strip():
            continue
        raw_s, raw_e = norm.to_raw(s, e)
        if raw_s in row_starts:
            out.append(Unit("row", None, 8, raw_s, raw_e))
            continue
        for kind, pattern, level in UNIT_MARKERS:
            m = pattern.match(line)
            if m:
                label = m.group(1)
                out.append(Unit(kind, label, level + (label.count(".") if kind == "diem" else 0), raw_s, raw_e))
                break
        else:
            out.append(Unit("paragraph", None, 9, raw_s, raw_e))
    return out


@lru_cache(maxsize=1)
def _sent_tokenize():
    from underthesea import sent_tokenize

    return sent_tokenize


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a normalised text (underthesea, paragraph by paragraph)."""
    tokenize = _sent_tokenize()
    spans: list[tuple[int, int]] = []
    for s, e in _lines(text):
        line = text[s:e]
        if not line.strip():
            continue
        cursor = 0
        for sentence in tokenize(line):
            sentence = sentence.strip()
            if not sentence:
                continue
            at = line.find(sentence, cursor)
            if at == -1:  # the tokenizer altered the text: fall back to the rest of the line
                spans.append((s + cursor, e))
                cursor = len(line)
                break
            spans.append((s + at, s + at + len(sentence)))
            cursor = at + len(sentence)
    return spans


def sentences(norm: OffsetText) -> list[Span]:
    return [Span(*norm.to_raw(s, e)) for s, e in sentence_spans(norm.text)]


class UndertheseaTokenizer:
    """A spaCy tokenizer that uses underthesea's word segmentation ("Kết luận" is one token)."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str):
        from spacy.tokens import Doc
        from underthesea import word_tokenize

        words: list[str] = []
        spaces: list[bool] = []
        cursor = 0
        for token in word_tokenize(text):
            at = text.find(token, cursor)
            if at == -1:  # underthesea normalised something: keep its syllables as they stand
                pieces = token.split()
                for piece in pieces:
                    at = text.find(piece, cursor)
                    if at == -1:
                        continue
                    _push(text, words, spaces, cursor, at, piece)
                    cursor = at + len(piece)
                continue
            _push(text, words, spaces, cursor, at, token)
            cursor = at + len(token)
        if cursor < len(text):
            if text[cursor:].strip():
                words.append(text[cursor:].strip())
                spaces.append(False)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        assert doc.text == text[: len(doc.text)]
        return doc


def _push(text: str, words: list[str], spaces: list[bool], cursor: int, at: int, token: str) -> None:
    gap = text[cursor:at]
    if gap.strip():  # text underthesea skipped: keep it as its own token
        words.append(gap.strip())
        spaces.append(True)
    elif gap and words:
        spaces[-1] = True
    elif gap and not words:
        words.append(gap)
        spaces.append(False)
    words.append(token)
    spaces.append(False)


@lru_cache(maxsize=1)
def vi_nlp():
    """spacy.blank('vi') with the underthesea tokenizer and a sentencizer (no downloaded model)."""
    import spacy

    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    nlp.tokenizer = UndertheseaTokenizer(nlp.vocab)
    return nlp


def tokens(norm: OffsetText) -> list[tuple[str, int, int]]:
    """Word tokens of a normalised text with raw offsets: (token, start, end)."""
    doc = vi_nlp()(norm.text)
    out = []
    for tok in doc:
        if tok.is_space:
            continue
        s, e = norm.to_raw(tok.idx, tok.idx + len(tok.text))
        out.append((tok.text, s, e))
    return out
