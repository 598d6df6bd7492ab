"""Analysis tokens: lower-cased syllables/words of the normalised text, with raw offsets.

Shingles are built over syllables (Vietnamese) or words (other languages) rather than
underthesea's segmented words: segmentation of the same phrase changes with its
neighbours after an edit, which would break shingles exactly where edits are, and it
costs most of the index-build budget (≈50 k chars/s). Syllable 4-grams cover about
two Vietnamese words.
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from sys import intern

import numpy as np

from services.ingest.document import ParsedDocument

WORD = re.compile(r"\w+")


@dataclass
class TokenSeq:
    words: list[str]
    starts: np.ndarray  # raw start offset of each token
    ends: np.ndarray  # raw end offset (exclusive)
    excluded: np.ndarray  # bool: token lies in a span that is never copying
    # Code of the raw text before each token (punctuation, space or line break), to tell
    # apart occurrences of the same words laid out differently; None in entries stored
    # before it was kept.
    separators: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.words)

    def kept_words(self, a: int = 0, b: int | None = None) -> list[str]:
        """The words of tokens [a, b) outside excluded spans, in order."""
        b = len(self.words) if b is None else b
        return [w for w, x in zip(self.words[a:b], self.excluded[a:b].tolist()) if not x]


def words_of(normalised_text: str) -> list[str]:
    """The analysis tokens' words alone, of text already normalised (as `tokenize` reads it)."""
    return WORD.findall(normalised_text.lower())


def tokenize(parsed: ParsedDocument, excluded_spans: list[tuple[int, int]] = ()) -> TokenSeq:
    """Tokens of a parsed document; `excluded_spans` are raw spans to mark as excluded."""
    norm = parsed.norm
    text = norm.text.lower()
    words, starts, ends, separators = [], [], [], []
    for m in WORD.finditer(text):
        s, e = norm.to_raw(m.start(), m.end())
        separators.append(separator_code(parsed.text[ends[-1] if ends else 0:s]))
        words.append(intern(m.group()))  # one object per distinct word: a registry holds millions
        starts.append(s)
        ends.append(e)
    starts_a = np.asarray(starts, dtype=np.int64)
    ends_a = np.asarray(ends, dtype=np.int64)
    excluded = np.zeros(len(words), dtype=bool)
    for s, e in excluded_spans:
        lo = np.searchsorted(ends_a, s, side="right")
        hi = np.searchsorted(starts_a, e, side="left")
        excluded[lo:hi] = True
    return TokenSeq(words, starts_a, ends_a, excluded, np.asarray(separators, dtype=np.uint32))


_SPACES = re.compile(r"[^\S\n]+")
_BREAKS = re.compile(r"\s*\n\s*")


def separator_code(raw: str) -> int:
    """A stable code of the text between two tokens, runs of spaces and of line breaks
    each counted as one."""
    return zlib.crc32(_BREAKS.sub("\n", _SPACES.sub(" ", raw)).encode())


_SENTENCE_END = re.compile(r"[.!?;:…]+(?=\s|$)|\n")


def sentence_bounds(parsed: ParsedDocument, tokens: TokenSeq) -> list[tuple[int, int]]:
    """Token ranges of sentences and list items (split at . ! ? ; : and line ends).

    A regular-expression split, not underthesea's: it runs over whole directive
    collections and must treat a "- " list item as a sentence of its own.
    """
    norm = parsed.norm
    cuts = sorted({norm.to_raw(m.end() - 1, m.end())[1] for m in _SENTENCE_END.finditer(norm.text)})
    bounds, start = [], 0
    positions = np.searchsorted(tokens.starts, np.asarray(cuts, dtype=np.int64), side="left")
    for pos in positions.tolist() + [len(tokens)]:
        if pos > start:
            bounds.append((start, pos))
            start = pos
    return bounds
