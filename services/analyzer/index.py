"""The directive index: hashed token shingles in sorted arrays, searched with numpy.

Adding a directive appends a segment; segments are merged lazily, so adding one
directive never rebuilds the rest. The document-frequency cap is applied at query
time from the postings themselves: a shingle found in more than `df_cap` directives
is boilerplate (Quốc hiệu, "Nơi nhận", standard legal bases) and never seeds a match.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from services.analyzer import phrases as phrase_model
from services.analyzer.phrases import PhraseModel
from services.analyzer.shingles import SHINGLE, combine, shingle_hashes, window_any
from services.analyzer.tokens import TokenSeq
from services.analyzer.vocabulary import Vocabulary, compact

@dataclass
class IndexedDocument:
    key: str  # what the report names as the source (a path or a document id)
    tokens: TokenSeq
    level_rank: int = 0
    meta: dict = field(default_factory=dict)

    @property
    def sentences(self) -> list[tuple[int, int]]:
        """Token ranges of the directive's sentences (kept as an int32 array in `meta`)."""
        bounds = self.meta.get("sentences")
        return [] if bounds is None else [(a, b) for a, b in np.asarray(bounds).tolist()]


class DirectiveIndex:
    """Directives to check against. What counts as common phrasing comes from the
    common-phrase model (`phrases.PhraseModel`), never from the drafts checked: a report
    depends only on the draft, the directives and that model."""

    def __init__(self, df_cap_min: int = 4, df_cap_share: float = 0.10, phrases: PhraseModel | None = None):
        self.documents: list[IndexedDocument] = []
        self.vocabulary = Vocabulary()  # every directive's words, as ids
        self._segments: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._merged: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.phrases = phrases if phrases is not None else phrase_model.default()
        self.df_cap_min = df_cap_min
        self.df_cap_share = df_cap_share

    def __len__(self) -> int:
        return len(self.documents)

    @property
    def df_cap(self) -> int:
        """Most directives a seeding shingle may occur in."""
        return max(self.df_cap_min, math.ceil(self.df_cap_share * len(self.documents)))

    def add(self, document: IndexedDocument) -> int:
        """Index one directive; returns its number in this index."""
        doc_no = len(self.documents)
        tokens = compact(document.tokens, self.vocabulary)
        meta = dict(document.meta)
        meta["sentences"] = np.asarray(meta.get("sentences", []), dtype=np.int32).reshape(-1, 2)
        document = IndexedDocument(key=document.key, tokens=tokens, level_rank=document.level_rank, meta=meta)
        self.documents.append(document)
        hashes = combine(self.vocabulary.hashes(tokens.words.ids))
        keep = ~window_any(document.tokens.excluded, SHINGLE)
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

    def seeds(self, query: TokenSeq, *, allowed: set[int] | None = None) -> dict[int, np.ndarray]:
        """Shared shingles: per directive, rows of (query pos, directive pos, common uses).

        `common uses` is how many independent uses the shingle has in the common-phrase
        model beyond one: 0 marks a shingle rare outside the directive, the mark of reuse.
        Shingles in more than `df_cap` directives, or above the model's cap, never seed.
        """
        hashes, docs, pos = self._postings()
        q_hashes = shingle_hashes(query.words)
        if len(q_hashes) == 0 or len(hashes) == 0:
            return {}
        q_pos = np.nonzero(~window_any(query.excluded, SHINGLE))[0]
        q_hashes = q_hashes[q_pos]
        lo = np.searchsorted(hashes, q_hashes, side="left")
        hi = np.searchsorted(hashes, q_hashes, side="right")
        uses = self.phrases.uses_of(q_hashes)
        found = (hi > lo) & (uses <= self.phrases.common_cap)
        common = np.maximum(uses - 1, 0)
        out: dict[int, list[tuple[int, int, int]]] = {}
        cap = self.df_cap
        for qp, a, b, extra in zip(q_pos[found].tolist(), lo[found].tolist(), hi[found].tolist(),
                                   common[found].tolist()):
            d = docs[a:b]
            if b - a > cap and len(np.unique(d)) > cap:
                continue  # boilerplate shared by many directives
            for doc_no, p in zip(d.tolist(), pos[a:b].tolist()):
                if allowed is None or doc_no in allowed:
                    out.setdefault(doc_no, []).append((qp, p, extra))
        return {k: np.asarray(v, dtype=np.int64) for k, v in out.items()}
