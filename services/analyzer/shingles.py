"""Hashed token shingles: the unit the index, the seeds and the common-phrase model share."""
from __future__ import annotations

import hashlib

import numpy as np

SHINGLE = 5  # tokens per shingle (syllables: about two to three words)


def word_hashes(words) -> np.ndarray:
    """A stable 64-bit hash of each word."""
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little") for w in words),
        dtype=np.uint64,
        count=len(words),
    )


def shingle_hashes(words, k: int = SHINGLE) -> np.ndarray:
    """64-bit stable hashes of every k-token window (position i covers tokens i..i+k-1)."""
    if len(words) < k:
        return np.zeros(0, dtype=np.uint64)
    return combine(word_hashes(words), k)


def combine(token_hashes: np.ndarray, k: int = SHINGLE) -> np.ndarray:
    """Shingle hashes from the hashes of their tokens."""
    n = len(token_hashes) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    # Polynomial rolling combination of token hashes: cheap and order-sensitive.
    out = np.zeros(n, dtype=np.uint64)
    mult = np.uint64(0x100000001B3)
    with np.errstate(over="ignore"):
        for j in range(k):
            out = out * mult + token_hashes[j : n + j]
    return out


def window_any(flags: np.ndarray, k: int) -> np.ndarray:
    """For each window start i, whether any of flags[i:i+k] is set."""
    n = len(flags) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=bool)
    c = np.concatenate([[0], np.cumsum(flags.astype(np.int32))])
    return (c[k:k + n] - c[:n]) > 0
