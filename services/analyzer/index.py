"""The directive index: hashed token shingles in sorted arrays, searched with numpy.

Adding a directive appends a segment; segments are merged lazily, so adding one
directive never rebuilds the rest. The document-frequency cap is applied at query
time from the postings themselves: a shingle found in more than `df_cap` directives
is boilerplate (Quốc hiệu, "Nơi nhận", standard legal bases) and never seeds a match.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np

from services.analyzer.background import Background
from services.analyzer.tokens import TokenSeq

SHINGLE = 5  # tokens per shingle (syllables: about two to three words)


def shingle_hashes(words: list[str], k: int = SHINGLE) -> np.ndarray:
    """64-bit stable hashes of every k-token window (position i covers tokens i..i+k-1)."""
    if len(words) < k:
        return np.zeros(0, dtype=np.uint64)
    token_ids = np.fromiter(
        (int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little") for w in words),
        dtype=np.uint64,
        count=len(words),
    )
    # Polynomial rolling combination of token hashes: cheap and order-sensitive.
    out = np.zeros(len(words) - k + 1, dtype=np.uint64)
    mult = np.uint64(0x100000001B3)
    with np.errstate(over="ignore"):
        for j in range(k):
            out = out * mult + token_ids[j : len(words) - k + 1 + j]
    return out


@dataclass
class IndexedDocument:
    key: str  # what the report names as the source (a path or a document id)
    tokens: TokenSeq
    level_rank: int = 0
    meta: dict = field(default_factory=dict)


class DirectiveIndex:
    """Directives to check against, plus the background (`background.Background`): every
    other document the index has seen (drafts, the archive), whose frequencies tell domain
    phrasing from reuse."""

    def __init__(self, df_cap_min: int = 4, df_cap_share: float = 0.10):
        self.documents: list[IndexedDocument] = []
        self._segments: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._merged: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.background = Background()
        self.df_cap_min = df_cap_min
        self.df_cap_share = df_cap_share

    def __len__(self) -> int:
        return len(self.documents)

    @property
    def background_docs(self) -> int:
        return len(self.background)

    @property
    def df_cap(self) -> int:
        """Most directives a seeding shingle may occur in."""
        return max(self.df_cap_min, math.ceil(self.df_cap_share * len(self.documents)))

    @property
    def total_cap(self) -> int:
        """Most documents of the whole collection (directives and background) it may occur in."""
        return max(self.df_cap_min, math.ceil(self.df_cap_share * (len(self.documents) + self.background_docs)))

    def add_background(self, words: list[str]) -> None:
        """Count a non-directive document's shingles in the background frequencies."""
        self.background.add(shingle_hashes(words))

    def add(self, document: IndexedDocument) -> int:
        """Index one directive; returns its number in this index."""
        doc_no = len(self.documents)
        self.documents.append(document)
        hashes = shingle_hashes(document.tokens.words)
        keep = ~_window_any(document.tokens.excluded, SHINGLE)
        positions = np.nonzero(keep)[0].astype(np.int32)
        self._segments.append((hashes[keep], np.full(len(positions), doc_no, dtype=np.int32), positions))
        self._merged = None
        return doc_no

    def _postings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._merged is None:
            if not self._segments:
                empty = np.zeros(0, dtype=np.uint64)
                self._merged = (empty, np.zeros(0, np.int32), np.zeros(0, np.int32))
            else:
                hashes = np.concatenate([s[0] for s in self._segments])
                docs = np.concatenate([s[1] for s in self._segments])
                pos = np.concatenate([s[2] for s in self._segments])
                order = np.argsort(hashes, kind="stable")
                self._merged = (hashes[order], docs[order], pos[order])
                self._segments = [self._merged]
        return self._merged

    def seeds(
        self, query: TokenSeq, *, allowed: set[int] | None = None, query_in_background: bool = False
    ) -> dict[int, np.ndarray]:
        """Shared shingles: per directive, rows of (query pos, directive pos, background df).

        The background df counts the non-directive documents holding the shingle that
        weigh against it (`Background.frequencies`): 0 means only directives and this
        draft share it, the mark of reuse. The cap on the whole collection counts all.
        """
        hashes, docs, pos = self._postings()
        q_hashes = shingle_hashes(query.words)
        if len(q_hashes) == 0 or len(hashes) == 0:
            return {}
        q_pos = np.nonzero(~_window_any(query.excluded, SHINGLE))[0]
        q_hashes = q_hashes[q_pos]
        lo = np.searchsorted(hashes, q_hashes, side="left")
        hi = np.searchsorted(hashes, q_hashes, side="right")
        found = hi > lo
        bg = self.background.frequencies(q_hashes, query_included=query_in_background)
        out: dict[int, list[tuple[int, int, int]]] = {}
        cap, total_cap = self.df_cap, self.total_cap
        rows = zip(q_pos[found].tolist(), lo[found].tolist(), hi[found].tolist(), bg.documents[found].tolist(),
                   bg.weighted[found].tolist())
        for qp, a, b, in_bg, extra in rows:
            d = docs[a:b]
            n_docs = len(np.unique(d))
            if n_docs > cap or n_docs + in_bg + 1 > total_cap:
                continue  # boilerplate or domain phrasing shared by many documents
            for doc_no, p in zip(d.tolist(), pos[a:b].tolist()):
                if allowed is None or doc_no in allowed:
                    out.setdefault(doc_no, []).append((qp, p, extra))
        return {k: np.asarray(v, dtype=np.int64) for k, v in out.items()}


def _window_any(flags: np.ndarray, k: int) -> np.ndarray:
    """For each window start i, whether any of flags[i:i+k] is set."""
    n = len(flags) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=bool)
    c = np.concatenate([[0], np.cumsum(flags.astype(np.int32))])
    return (c[k:k + n] - c[:n]) > 0
