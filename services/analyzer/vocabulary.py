"""Words as int32 ids: how the index holds its directives' tokens.

A registry holds tens of millions of tokens. As Python lists of strings they take 8 bytes
of pointer per token plus the list, and the start and end offsets as int64 16 more; as
ids into one vocabulary shared by every directive, with int32 offsets, a token takes 4 +
8 bytes, in arrays that can be written to files and memory-mapped. `WordIds` reads like
the list of words it replaces, so the aligners index and slice a directive's words as
they do a draft's.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from services.analyzer.shingles import word_hashes
from services.analyzer.tokens import TokenSeq


class Vocabulary:
    """Append-only: a word keeps its id, and each id its word's 64-bit hash (what shingle
    hashes are made of, computed once per distinct word instead of once per token)."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.words: list[str] = []
        self._hashes = np.zeros(1024, dtype=np.uint64)

    @classmethod
    def from_words(cls, words: list[str], hashes: np.ndarray) -> "Vocabulary":
        """A vocabulary read back: `words` in id order and their hashes (which may be a
        read-only memory map: it is copied only when a word is added)."""
        vocabulary = cls()
        vocabulary.words = list(words)
        vocabulary.ids = {w: i for i, w in enumerate(vocabulary.words)}
        vocabulary._hashes = hashes
        return vocabulary

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, words: Sequence[str]) -> np.ndarray:
        """The ids of these words, adding the words not seen yet."""
        ids = self.ids
        fresh = [w for w in dict.fromkeys(words) if w not in ids]
        if fresh:
            # hashes first, then the words: a reader in another thread that sees a word's
            # id sees its hash
            first, last = len(self.words), len(self.words) + len(fresh)
            hashes = self._hashes
            while last > len(hashes):  # doubled, never grown per word
                hashes = np.concatenate([hashes, np.zeros(max(len(hashes), 1024), dtype=np.uint64)])
            hashes[first:last] = word_hashes(fresh)
            self._hashes = hashes
            for w in fresh:
                self.words.append(w)
                ids[w] = len(self.words) - 1
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
