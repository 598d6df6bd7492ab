"""The directive index: hashed token shingles in sorted arrays, searched with numpy.

Adding a directive appends a segment; segments are merged lazily, so adding one
directive never rebuilds the rest. What is too common to seed a match comes from the
common-phrase model alone, never from the registry: a draft gets the same seeds from a
directive whatever else is registered, in a registry of 200 directives or of 20,000, and
in each shard of a split registry.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from services.analyzer import phrases as phrase_model
from services.analyzer.phrases import PhraseModel
from services.analyzer.postings import PostingsFile, SortedPostings
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

    def __init__(self, phrases: PhraseModel | None = None):
        self.documents: list[IndexedDocument] = []
        self.vocabulary = Vocabulary()  # every directive's words, as ids
        # Postings (shingle hash, directive number, position), each part sorted by hash: those
        # of a snapshot, read from its files, then those added since, merged lazily.
        self._frozen: list[PostingsFile] = []
        self._segments: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._merged: SortedPostings | None = None
        self.phrases = phrases if phrases is not None else phrase_model.default()
        # The whole registry's sentence figures when this index is one shard of it
        # (`wordstats`); None: the index's own.
        self.sentence_stats = None

    def __len__(self) -> int:
        return len(self.documents)

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

    @property
    def shingles(self) -> int:
        """Postings held: one per shingle position of every directive, exclusions left out."""
        return sum(len(part) for part in self._postings())

    def _postings(self) -> list[SortedPostings | PostingsFile]:
        """The sorted parts of the postings, in the order their directives were added."""
        if self._merged is None and self._segments:
            hashes = np.concatenate([s[0] for s in self._segments])
            docs = np.concatenate([s[1] for s in self._segments])
            pos = np.concatenate([s[2] for s in self._segments])
            order = np.argsort(hashes, kind="stable")
            self._merged = SortedPostings(hashes[order], docs[order], pos[order])
            self._segments = [self._merged.arrays()]
        return self._frozen + ([self._merged] if self._merged is not None else [])

    def seeds(self, query: TokenSeq, *, allowed: set[int] | None = None) -> dict[int, np.ndarray]:
        """Shared shingles: per directive, rows of (query pos, directive pos, common uses).

        `common uses` is how many independent uses the shingle has in the common-phrase
        model beyond one: 0 marks a shingle rare outside the directive, the mark of reuse.
        Shingles above the model's cap never seed.
        Rows come in the order of the query's positions, directives in the order they
        first seed.
        """
        parts = self._postings()
        q_hashes = shingle_hashes(query.words)
        if len(q_hashes) == 0 or not parts:
            return {}
        q_pos = np.nonzero(~window_any(query.excluded, SHINGLE))[0]
        q_hashes = q_hashes[q_pos]
        uses = self.phrases.uses_of(q_hashes)
        wanted = uses <= self.phrases.common_cap
        q_pos, q_hashes, common = q_pos[wanted], q_hashes[wanted], np.maximum(uses[wanted] - 1, 0)
        # Every (query position, posting) pair, part by part, then put in query order.
        found = [part.pairs(q_hashes) for part in parts]
        rows = np.concatenate([f[0] for f in found])
        if len(rows) == 0:
            return {}
        docs = np.concatenate([f[1] for f in found])
        pos = np.concatenate([f[2] for f in found])
        part_no = np.repeat(np.arange(len(found)), [len(f[0]) for f in found])
        order = np.lexsort((part_no, rows))  # stable: postings order within a part
        rows, docs, pos = rows[order], docs[order], pos[order]
        if allowed is not None:
            keep = np.isin(docs, np.fromiter(allowed, dtype=np.int32, count=len(allowed)))
            rows, docs, pos = rows[keep], docs[keep], pos[keep]
        if len(rows) == 0:
            return {}
        table = np.stack([q_pos[rows], pos.astype(np.int64), common[rows]], axis=1)
        by_doc = np.argsort(docs, kind="stable")
        bounds = np.flatnonzero(np.diff(docs[by_doc])) + 1
        groups = np.split(by_doc, bounds)
        groups.sort(key=lambda g: g[0])  # directives in the order they first seed
        return {int(docs[g[0]]): table[g] for g in groups}
