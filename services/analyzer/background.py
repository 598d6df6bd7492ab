"""Background document frequencies: how many non-directive documents (the other drafts
of a call, the archive) hold each shingle, and how much of that is evidence against a
draft.

A shingle common in the background is domain phrasing ("khai thác khoáng sản"), not a
sign that one draft copied one directive. Two kinds of background document are told
apart:

- versions of the draft: documents holding most of its shingles (the same template, an
  earlier draft). What the draft shares with them it shares with itself; each counts.
- unrelated documents. The first one sharing a passage with the draft and a directive
  is not counted: two drafts copying the same directive sentence is the case we look
  for, and domain phrasing is found in more documents than that.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

VERSION_SHARE = 0.7  # share of the draft's shingles a document must hold to be a version of it
UNRELATED_ALLOWANCE = 1  # unrelated documents sharing a shingle before it counts against it


@dataclass
class Frequencies:
    documents: np.ndarray  # per query shingle: background documents holding it, the draft itself not counted
    weighted: np.ndarray  # those that count against it as evidence of copying


class Background:
    """Every background document's distinct shingles, in one array sorted by hash."""

    def __init__(self):
        self._segments: list[tuple[np.ndarray, np.ndarray]] = []
        self._merged: tuple[np.ndarray, np.ndarray] | None = None
        self.documents = 0

    def __len__(self) -> int:
        return self.documents

    def add(self, hashes: np.ndarray) -> None:
        distinct = np.unique(hashes)
        self._segments.append((distinct, np.full(len(distinct), self.documents, dtype=np.int32)))
        self.documents += 1
        self._merged = None

    def _rows(self) -> tuple[np.ndarray, np.ndarray]:
        if self._merged is None:
            if self._segments:
                hashes = np.concatenate([s[0] for s in self._segments])
                docs = np.concatenate([s[1] for s in self._segments])
                order = np.argsort(hashes, kind="stable")
                self._merged = (hashes[order], docs[order])
            else:
                self._merged = (np.zeros(0, np.uint64), np.zeros(0, np.int32))
            self._segments = [self._merged]
        return self._merged

    def frequencies(self, query: np.ndarray, *, query_included: bool) -> Frequencies:
        """Frequencies of each of a draft's seeding shingles (`query`, one per position);
        `query_included`: the draft itself is in the background."""
        zeros = np.zeros(len(query), np.int64)
        if self.documents == 0 or len(query) == 0:
            return Frequencies(documents=zeros, weighted=zeros)
        hashes, docs = self._rows()
        distinct, at = np.unique(query, return_inverse=True)
        lo = np.searchsorted(hashes, distinct, side="left")
        total = np.searchsorted(hashes, distinct, side="right") - lo
        holders = docs[_ranges(lo, total)]  # the documents holding each distinct shingle, in turn
        # versions of the draft: background documents holding VERSION_SHARE of its shingles
        is_version = np.bincount(holders, minlength=self.documents) >= VERSION_SHARE * len(distinct)
        ends = np.cumsum(total)
        running = np.concatenate([[0], np.cumsum(is_version[holders])])
        in_versions = running[ends] - running[ends - total]
        unrelated = total - in_versions
        if query_included:
            # the draft is its own (closest) version
            in_versions = np.maximum(in_versions - 1, 0)
            total = np.maximum(total - 1, 0)
        weighted = in_versions + np.maximum(unrelated - UNRELATED_ALLOWANCE, 0)
        return Frequencies(documents=total[at], weighted=weighted[at])


def _ranges(lo: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The indices lo[i] .. lo[i]+n[i]-1 for every i, concatenated."""
    if n.sum() == 0:
        return np.zeros(0, np.int64)
    keep = n > 0
    lo, n = lo[keep], n[keep]
    offsets = np.repeat(lo - np.concatenate([[0], np.cumsum(n)[:-1]]), n)
    return offsets + np.arange(n.sum())
