"""Shingle postings sorted by hash: in memory, or in a snapshot's files read with pread.

A check looks up a few thousand draft shingles. Binary search over a memory-mapped array
of 80 million hashes touches pages all over it, and every page it maps (with the kernel's
fault-around, 16 at a time) counts in the worker's resident set until, after a few drafts,
the whole file does. In a snapshot the postings are therefore bucketed by the top bits of
the hash: a small directory (in memory) says where each bucket starts, and a lookup reads
only its buckets' hashes and its matches' directives and positions, with `os.pread`. What a
check costs, in time and in memory, follows the draft, not the registry.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

BUCKET_BITS = 20  # about a million buckets: 8 MB of directory, ~80 hashes a bucket at 80 M postings
_FILES = (("post_hashes.u64", np.uint64), ("post_docs.i32", np.int32), ("post_positions.i32", np.int32))


class SortedPostings:
    """Postings in memory: (hash, directive number, position) arrays sorted by hash."""

    def __init__(self, hashes: np.ndarray, docs: np.ndarray, positions: np.ndarray):
        self.hashes, self.docs, self.positions = hashes, docs, positions

    def __len__(self) -> int:
        return len(self.hashes)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.hashes, self.docs, self.positions

    def pairs(self, q_hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each posting of a query shingle: the query row, the directive, the position
        (query rows in order, postings in order within a row)."""
        lo = np.searchsorted(self.hashes, q_hashes, side="left")
        hi = np.searchsorted(self.hashes, q_hashes, side="right")
        return _gather(lo, hi - lo, self.docs, self.positions)


def _gather(lo: np.ndarray, counts: np.ndarray, docs, positions):
    rows = np.repeat(np.arange(len(lo)), counts)
    at = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(lo, counts)
    return rows, np.asarray(docs[at], dtype=np.int32), np.asarray(positions[at], dtype=np.int32)


def write(folder: Path, hashes: np.ndarray, docs: np.ndarray, positions: np.ndarray) -> None:
    """Postings sorted by hash, as raw files, and the directory of their buckets."""
    for (name, dtype), array in zip(_FILES, (hashes, docs, positions)):
        np.ascontiguousarray(array, dtype=dtype).tofile(folder / name)
    top = (hashes >> np.uint64(64 - BUCKET_BITS)).astype(np.int64)
    np.save(folder / "post_buckets.npy", np.searchsorted(top, np.arange((1 << BUCKET_BITS) + 1)).astype(np.int64))


class PostingsFile:
    """A snapshot's postings, looked up bucket by bucket with pread."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.buckets = np.load(self.folder / "post_buckets.npy")
        self._fds = [os.open(self.folder / name, os.O_RDONLY) for name, _ in _FILES]

    def __del__(self):
        for fd in getattr(self, "_fds", ()):
            try:
                os.close(fd)
            except OSError:
                pass

    def __len__(self) -> int:
        return int(self.buckets[-1])

    def _read(self, k: int, start: int, stop: int) -> np.ndarray:
        dtype = _FILES[k][1]
        size = np.dtype(dtype).itemsize
        data = os.pread(self._fds[k], (stop - start) * size, start * size)
        return np.frombuffer(data, dtype=dtype)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The whole arrays, memory-mapped (for writing a new snapshot)."""
        return tuple(np.memmap(self.folder / name, dtype=dtype, mode="r") if len(self) else np.zeros(0, dtype)
                     for name, dtype in _FILES)

    def pairs(self, q_hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """As `SortedPostings.pairs`, reading only the query's buckets and matches."""
        if len(q_hashes) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32)
        lo = np.zeros(len(q_hashes), dtype=np.int64)
        counts = np.zeros(len(q_hashes), dtype=np.int64)
        bucket = (q_hashes >> np.uint64(64 - BUCKET_BITS)).astype(np.int64)
        order = np.argsort(bucket, kind="stable")
        edges = np.flatnonzero(np.r_[True, bucket[order][1:] != bucket[order][:-1], True])
        for a, b in zip(edges[:-1].tolist(), edges[1:].tolist()):
            queries = order[a:b]
            start, stop = int(self.buckets[bucket[queries[0]]]), int(self.buckets[bucket[queries[0]] + 1])
            if stop == start:
                continue
            hashes = self._read(0, start, stop)
            left = np.searchsorted(hashes, q_hashes[queries], side="left")
            lo[queries] = start + left
            counts[queries] = np.searchsorted(hashes, q_hashes[queries], side="right") - left
        found = np.flatnonzero(counts)
        docs = [self._read(1, int(lo[i]), int(lo[i] + counts[i])) for i in found.tolist()]
        positions = [self._read(2, int(lo[i]), int(lo[i] + counts[i])) for i in found.tolist()]
        rows = np.repeat(found, counts[found])
        if not docs:
            return rows, np.zeros(0, np.int32), np.zeros(0, np.int32)
        return rows, np.concatenate(docs), np.concatenate(positions)
