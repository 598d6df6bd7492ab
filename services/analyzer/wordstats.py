"""Sentence frequencies of words: what the sentence table's tf-idf weights are made of.

A word's weight is the idf of the sentences of the registry that hold it. A registry split
into shards keeps one set of these figures for all its shards, summed over them, so every
shard weighs a word as the whole registry does and a check gives the same passages however
the registry is split. Words are keyed by their 64-bit hash (the vocabulary's), which every
shard computes alike whatever ids its own vocabulary gives them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from services.analyzer.shingles import word_hashes

LANGUAGE_SHARE = 0.85  # words a text shares with the figures' sentences to be in their language
# (Vietnamese documents outside the reference corpus: 0.96 and more; English ones: 0.68 at most)


@dataclass(frozen=True)
class WordStats:
    hashes: np.ndarray  # sorted uint64 word hashes
    df: np.ndarray  # int64: sentences holding each word
    sentences: int  # sentences counted

    @classmethod
    def empty(cls) -> "WordStats":
        return cls(np.zeros(0, np.uint64), np.zeros(0, np.int64), 0)

    @classmethod
    def of_sentences(cls, words_per_sentence: list[list[str]]) -> "WordStats":
        """The figures of these sentences, each given by its distinct words."""
        flat = [w for words in words_per_sentence for w in words]
        hashes, df = np.unique(word_hashes(flat) if flat else np.zeros(0, np.uint64), return_counts=True)
        return cls(hashes.astype(np.uint64), df.astype(np.int64), len(words_per_sentence))

    @classmethod
    def total(cls, parts: list["WordStats"]) -> "WordStats":
        """The figures of all these parts' sentences together."""
        parts = [p for p in parts if p.sentences or len(p.hashes)]
        if not parts:
            return cls.empty()
        hashes, inverse = np.unique(np.concatenate([p.hashes for p in parts]), return_inverse=True)
        df = np.bincount(inverse, weights=np.concatenate([p.df for p in parts]), minlength=len(hashes))
        return cls(hashes.astype(np.uint64), np.rint(df).astype(np.int64), sum(p.sentences for p in parts))

    def df_of(self, hashes: np.ndarray) -> np.ndarray:
        """Sentences holding each of these words (0 for a word never seen)."""
        if len(self.hashes) == 0 or len(hashes) == 0:
            return np.zeros(len(hashes), dtype=np.int64)
        at = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
        return np.where(self.hashes[at] == hashes, self.df[at], 0)

    def speaks(self, words: list[str]) -> bool:
        """Whether these words are in the language of the sentences counted: most of them
        occur there (a text's words, repeats included)."""
        if not words or not self.sentences:
            return False
        counts = Counter(words)  # each distinct word hashed once
        known = self.df_of(word_hashes(list(counts))) > 0
        return sum(n for n, k in zip(counts.values(), known.tolist()) if k) / len(words) >= LANGUAGE_SHARE

    def idf_of(self, words: list[str]) -> np.ndarray:
        """The weight of each of these words (`idf`)."""
        return idf(self.df_of(word_hashes(words) if words else np.zeros(0, np.uint64)), self.sentences)


def idf(df: np.ndarray, sentences: int) -> np.ndarray:
    """Inverse sentence frequency, smoothed so an unseen word weighs most but finitely."""
    return np.log((sentences + 1) / (np.asarray(df, dtype=np.float64) + 0.5))
