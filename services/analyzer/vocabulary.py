"""Words as int32 ids: how the index holds its directives' tokens.

A registry holds tens of millions of tokens. As Python lists of strings they take 8 bytes
of pointer per token plus the list, and the start and end offsets as int64 16 more; as
ids into one vocabulary shared by every directive, with int32 offsets, a token takes 4 +
8 bytes, in arrays that can be written to files and memory-mapped. `WordIds` reads like
the list of words it replaces, so the aligners index and slice a directive's words as
they do a draft's.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import numpy as np

from services.analyzer.shingles import word_hashes
from services.analyzer.tokens import TokenSeq


class Vocabulary:
    """Append-only: a word keeps its id, and each id its word's 64-bit hash (what shingle
    hashes are made of, computed once per distinct word instead of once per token).

    A vocabulary read back from a snapshot (`mapped`) finds its words' ids through their
    hashes, sorted in a memory-mapped array, and reads its words only when a word is first
    asked for: opening it costs the same whatever its size. Words added later are kept in
    a dictionary on top."""

    def __init__(self) -> None:
        self._added: dict[str, int] = {}  # word -> id of the words added in this process
        self._words: list[str] | None = []  # by id (None: a mapped vocabulary's, not read yet)
        self._read_words = None  # how to read a mapped vocabulary's words
        self._mapped = 0  # ids below this are a mapped vocabulary's
        self._sorted = np.zeros(0, dtype=np.uint64)  # their hashes, sorted
        self._order = np.zeros(0, dtype=np.int64)  # and their ids in that order
        self._hashes = np.zeros(1024, dtype=np.uint64)
        self._lock = threading.Lock()

    @classmethod
    def mapped(cls, count: int, hashes: np.ndarray, sorted_hashes: np.ndarray, order: np.ndarray,
               read_words) -> "Vocabulary":
        """A vocabulary read back: `count` words whose hashes are `hashes` in id order (which
        may be read-only memory maps: copied only when a word is added), the same sorted
        with the ids in that order, and `read_words()` giving the words in id order."""
        vocabulary = cls()
        vocabulary._words, vocabulary._read_words = None, read_words
        vocabulary._mapped, vocabulary._hashes = count, hashes
        vocabulary._sorted, vocabulary._order = sorted_hashes, order
        return vocabulary

    @property
    def words(self) -> list[str]:
        """Every word, by id."""
        if self._words is None:
            with self._lock:
                if self._words is None:
                    words = self._read_words()
                    if len(words) != self._mapped:
                        raise ValueError(f"{len(words)} words for {self._mapped} ids")
                    self._words = words
        return self._words

    def __len__(self) -> int:
        return self._mapped + len(self._added)

    def lookup(self, words: Sequence[str]) -> np.ndarray:
        """The id of each of these words, -1 for a word the vocabulary does not hold."""
        out = np.fromiter((self._added.get(w, -1) for w in words), dtype=np.int64, count=len(words))
        if self._mapped:
            missing = np.flatnonzero(out < 0)
            if len(missing):
                hashes = word_hashes([words[i] for i in missing.tolist()])
                at = np.minimum(np.searchsorted(self._sorted, hashes), self._mapped - 1)
                found = self._sorted[at] == hashes
                out[missing[found]] = self._order[at[found]]
        return out

    def encode(self, words: Sequence[str]) -> np.ndarray:
        """The ids of these words, adding the words not seen yet."""
        distinct = list(dict.fromkeys(words))
        ids = dict(zip(distinct, self.lookup(distinct).tolist()))
        fresh = [w for w, i in ids.items() if i < 0]
        if fresh:
            # hashes first, then the words: a reader in another thread that sees a word's
            # id sees its hash
            first, last = len(self), len(self) + len(fresh)
            hashes = self._hashes
            while last > len(hashes):  # doubled, never grown per word
                hashes = np.concatenate([hashes, np.zeros(max(len(hashes), 1024), dtype=np.uint64)])
            hashes[first:last] = word_hashes(fresh)
            self._hashes = hashes
            listed = self.words
            for w in fresh:
                listed.append(w)
                self._added[w] = ids[w] = len(listed) - 1
        return np.fromiter((ids[w] for w in words), dtype=np.int32, count=len(words))

    def hashes(self, ids: np.ndarray) -> np.ndarray:
        return self._hashes[ids]


class WordIds(Sequence):
    """A directive's words as ids, read as the list of strings they stand for."""

    __slots__ = ("ids", "vocabulary")

    def __init__(self, ids: np.ndarray, vocabulary: Vocabulary):
        self.ids = ids
        self.vocabulary = vocabulary

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i):
        words = self.vocabulary.words
        if isinstance(i, slice):
            return [words[j] for j in self.ids[i].tolist()]
        return words[self.ids[i]]

    def __iter__(self) -> Iterator[str]:
        words = self.vocabulary.words
        return (words[j] for j in self.ids.tolist())


def compact(tokens: TokenSeq, vocabulary: Vocabulary) -> TokenSeq:
    """The same tokens with words as ids and offsets as int32 (a directive is far below
    2 G characters)."""
    return TokenSeq(WordIds(vocabulary.encode(tokens.words), vocabulary), tokens.starts.astype(np.int32),
                    tokens.ends.astype(np.int32), tokens.excluded, tokens.separators)
