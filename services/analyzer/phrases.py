"""The common-phrase model: how many independent uses each shingle has in a reference
corpus of real administrative documents.

A shingle that many writers use on their own ("an ninh chính trị, trật tự an toàn xã
hội") is the domain's phrasing, not evidence that a draft copied a directive. Counting
the documents that hold a shingle is not enough: a directive sentence that twenty
provinces copied is in twenty documents too, and those copies are exactly what the
detector must keep finding. So a use is counted once per distinct *context*: the
CONTEXT tokens just before and just after the shingle. Inside copies of one passage
both contexts are the rest of the copied text, the same in every copy: one use. A
stock phrase, or a fixed name or formula of up to 2 * CONTEXT + SHINGLE tokens, has
at least one side that changes from sentence to sentence: many uses. A shingle's uses
are the documents holding it, at most the larger of its distinct left and right
contexts. Longer fixed formulas look like copies; the detector's exclusions (header,
footer, legal bases, citations) and the directives' own frequency cap deal with them.

The model also holds how many of the corpus's sentences hold each word (`words`): the
sentence layer weighs a word by them (tf-idf), so a sentence match depends on the draft,
the directive and this model, never on what else the registry holds. A draft that is not
in the corpus's language (`WordStats.speaks`: an English text against a Vietnamese model)
is weighed by the registry's own figures.

The model depends only on the reference corpus, never on the drafts under check, so a
report is the same in every process, alone or in a batch. It is built by
`draftctl model build` and kept in `models/phrases.npz`; every process loads it once.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np

from services.analyzer.shingles import SHINGLE, shingle_hashes
from services.analyzer.wordstats import WordStats

CONTEXT = 3  # tokens on each side that make a use's context
MIN_STORED_USES = 2  # a shingle with one use weighs as one never seen: not stored
BUNDLED = Path(__file__).resolve().parents[2] / "models" / "phrases.npz"
FORMAT = 2  # 2: with the words' sentence frequencies


@dataclass(frozen=True)
class PhraseModel:
    hashes: np.ndarray  # sorted uint64 shingle hashes with at least MIN_STORED_USES uses
    uses: np.ndarray  # uint32: independent uses of each
    documents: int  # documents the model was counted over
    info: dict = field(default_factory=dict)  # how it was built
    words: WordStats = field(default_factory=WordStats.empty)  # sentences holding each word

    def with_words(self, words: WordStats) -> "PhraseModel":
        return replace(self, words=words)

    @property
    def words_digest(self) -> str:
        """What the word figures are, for a snapshot whose weights were derived from them."""
        digest = hashlib.sha1(self.words.hashes.tobytes())
        digest.update(self.words.df.tobytes())
        digest.update(str(self.words.sentences).encode())
        return digest.hexdigest()[:16]

    def uses_of(self, query: np.ndarray) -> np.ndarray:
        """Independent uses of each query shingle hash (0 or 1 for one not stored)."""
        if len(self.hashes) == 0 or len(query) == 0:
            return np.zeros(len(query), dtype=np.int64)
        at = np.minimum(np.searchsorted(self.hashes, query), len(self.hashes) - 1)
        return np.where(self.hashes[at] == query, self.uses[at], 0).astype(np.int64)

    @property
    def common_cap(self) -> int:
        """Uses above which a shingle is boilerplate and never seeds a match."""
        return max(20, int(0.10 * self.documents))

    @classmethod
    def empty(cls) -> "PhraseModel":
        return cls(np.zeros(0, np.uint64), np.zeros(0, np.uint32), 0, {})

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            np.savez_compressed(f, hashes=self.hashes, uses=self.uses, word_hashes=self.words.hashes,
                                word_df=self.words.df,
                                info=np.frombuffer(json.dumps({**self.info, "format": FORMAT,
                                                               "documents": self.documents,
                                                               "sentences": self.words.sentences}).encode(),
                                                   np.uint8))

    @classmethod
    def load(cls, path: Path) -> "PhraseModel":
        with np.load(path, allow_pickle=False) as data:
            info = json.loads(bytes(data["info"]).decode())
            if info.get("format") != FORMAT:
                raise ValueError(f"{path}: phrase model format {info.get('format')}, expected {FORMAT}; rebuild it "
                                 "with `draftctl model build`")
            words = WordStats(data["word_hashes"], data["word_df"].astype(np.int64), int(info["sentences"]))
            return cls(data["hashes"], data["uses"], int(info["documents"]), info, words)


@lru_cache(maxsize=4)
def load(path: str | None = None) -> PhraseModel:
    """The model at `path` (default: the bundled one), loaded once per process."""
    return PhraseModel.load(Path(path) if path else BUNDLED)


def default(settings=None) -> PhraseModel:
    """The model the settings name (DRAFTCTL_PHRASE_MODEL), else the bundled one."""
    from services.common.settings import get_settings

    path = (settings or get_settings()).phrase_model
    return load(str(path) if path else None)


def count(documents: Iterable[list[str]], *, info: dict | None = None) -> PhraseModel:
    """Count independent uses of every shingle over documents given as token lists."""
    hashes, docs, lefts, rights = [], [], [], []
    n_docs = 0
    for words in documents:
        h = shingle_hashes(words)
        if len(h) == 0:
            continue
        ctx = shingle_hashes(words, CONTEXT)
        n = len(h)
        # context before shingle i: tokens i-CONTEXT..i-1; after: i+SHINGLE..; at an edge of
        # the document the edge itself is the context
        left = np.zeros(n, np.uint64)
        right = np.ones(n, np.uint64)
        if n > CONTEXT:
            left[CONTEXT:] = ctx[:n - CONTEXT]
        tail = len(ctx) - SHINGLE
        if tail > 0:
            right[:tail] = ctx[SHINGLE:SHINGLE + tail]
        hashes.append(h)
        docs.append(np.full(n, n_docs, np.uint64))
        lefts.append(left)
        rights.append(right)
        n_docs += 1
    if not hashes:
        return PhraseModel(np.zeros(0, np.uint64), np.zeros(0, np.uint32), n_docs, info or {})
    h = np.concatenate(hashes)
    distinct, per_doc = _distinct_per_hash(h, np.concatenate(docs))
    _, per_left = _distinct_per_hash(h, np.concatenate(lefts))
    _, per_right = _distinct_per_hash(h, np.concatenate(rights))
    uses = np.minimum(per_doc, np.maximum(per_left, per_right))
    keep = uses >= MIN_STORED_USES
    return PhraseModel(distinct[keep], uses[keep].astype(np.uint32), n_docs, info or {})


def _distinct_per_hash(hashes: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct hashes, and how many distinct `other` values each occurs with."""
    order = np.lexsort((other, hashes))
    h, o = hashes[order], other[order]
    new_pair = np.ones(len(h), bool)
    new_pair[1:] = (h[1:] != h[:-1]) | (o[1:] != o[:-1])
    h = h[new_pair]
    starts = np.nonzero(np.concatenate([[True], h[1:] != h[:-1]]))[0]
    return h[starts], np.diff(np.concatenate([starts, [len(h)]]))
