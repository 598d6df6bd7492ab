"""Sentence seeds: copying edited too heavily for shingles to survive.

Where a third of the words are swapped, dropped or replaced, few five-token shingles are
left, but a sentence still holds most of its words. Here each draft sentence that no
lexical passage covers is compared, as a bag of words weighted by rarity (tf-idf, every
sentence being a document), with the directive sentences it shares rare words with. The
rarity is the common-phrase model's (`phrases`: the sentences of a reference corpus that
hold the word), so a match depends on the draft, the directive and the model, never on
what else the registry holds; a draft in another language than the model's is weighed by
the registry's own sentences. A pair counts when both its cosine and the Dice overlap of its word
sets are high. Pairs in order in both texts are grouped into passages, and a passage needs
two aligned sentences, or one long and close one, or one shorter one holding most of the
directive sentence's words that is neither a numbered heading nor the domain's common
phrasing: one shared sentence of common wording is not copying.

Words, not language rules: Vietnamese syllables and English words alike.
"""
from __future__ import annotations

import math
import re
import threading
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from services.analyzer.align import WEAK, AlignParams, Passage, classify, lexical_similarity
from services.analyzer.align import covered as covered_by
from services.analyzer.index import DirectiveIndex
from services.analyzer.phrases import PhraseModel
from services.analyzer.shingles import shingle_hashes, word_hashes
from services.analyzer.tokens import TokenSeq
from services.analyzer.vocabulary import Vocabulary
from services.analyzer.wordstats import WordStats, idf as idf_of


@dataclass
class SentenceParams:
    min_tokens: int = 6  # a shorter sentence is read with the next one (a heading, a label, a
    # sentence that editing broke into pieces: "Lack. (this is called.) Pressure, a. Disk.")
    min_cosine: float = 0.28  # tf-idf cosine of an aligned pair
    min_dice: float = 0.28  # and the share of distinct words the two hold in common
    single_tokens: int = 15  # one aligned sentence is a passage when this long …
    single_cosine: float = 0.8  # … and this close,
    close_tokens: int = 8  # or when this long, …
    close_cosine: float = 0.7  # … this close …
    close_dice: float = 0.7  # … and holding most of the same words, unless a numbered heading
    # or a directive sentence of common phrasing: its shingles must hold the evidence of reuse
    # a lexical passage's seeds must (`align.AlignParams`), weighed by the common-phrase model
    close_evidence: float = AlignParams.min_evidence
    close_mean_evidence: float = AlignParams.min_mean_evidence
    min_lexical: float = 0.55  # character similarity of the whole passage (rapidfuzz ratio)
    min_sorted_lexical: float = 0.65  # or the same of the words sorted (moved words), …
    min_held: float = 0.6  # … or, for two directive sentences or more, the share of the draft
    # span's words (weighed by rarity) its directive span holds: heavy editing that deletes
    # words and reverses sentences leaves both character measures low
    max_held_spread: float = 4.0  # (a directive span at most this many times the draft's)
    clause_dice: float = 0.85  # a clause of a longer directive sentence, or a copied sentence glued
    # to the draft's own words: the stretches of the two that align hold this share of the same
    # words (Dice), …
    clause_words: int = 10  # … over this many of the draft's words at least, …
    clause_spread: float = 1.3  # … either sentence being this many times its stretch at least;
    # and the directive's stretch has twice the evidence of reuse a close sentence needs: a
    # fragment of the domain's formulas ("… theo mẫu quy định tại Phụ lục … kèm theo Nghị định
    # này") is alike far more often than a whole sentence
    clause_evidence: float = 2 * AlignParams.min_evidence
    max_draft_gap: int = 3  # draft sentences a passage may step over (as directive sentences)
    max_source_gap: int = 3  # directive sentences between aligned ones of a passage
    common_share: float = 0.02  # words in more of the registry's sentences do not rank candidates …
    common_postings: int = 3000  # … nor words in more sentences than this: the cost of ranking
    # follows the draft, not the registry (the corpus registry's 2% is about 2,800) …
    rare_postings: int = 10000  # … unless the reference corpus finds them rare, up to this many


class SentenceTable:
    """Every sentence of the index's directives as a bag of word ids, in flat arrays.

    Adding a directive appends its sentences; weights, sentence norms and the postings from
    word to sentences are derived from the counts when first needed after a change, by array
    operations, never by rereading the directives. Two sets of weights: the model's (`model`:
    a word's idf over the reference corpus's sentences; a word it never saw weighs most), for
    drafts in its language, and the registry's (idf over all these sentences), for others.
    The table of one shard of a split registry is given the whole registry's figures
    (`use`), so it weighs every word as the whole registry does. A sentence's words are kept in the order of their hashes, not
    of their ids, so its norm is summed in the same order in every shard: the same float.
    """

    def __init__(self, params: SentenceParams, vocabulary: Vocabulary, model: WordStats | None = None):
        self.params = params
        self.model = model if model is not None and model.sentences else None  # the model's figures
        self.vocabulary = vocabulary  # the index's: a sentence's words are the ids its tokens hold
        self.directives = 0  # how many of the index's directives have been read
        self._doc: list[np.ndarray] = []  # per chunk: directive number of each sentence
        self._spans: list[np.ndarray] = []  # per chunk: (start, end) token range of each
        self._ids: list[np.ndarray] = []  # per chunk: word ids of its sentences, one after another
        self._counts: list[np.ndarray] = []  # and their counts
        self._lengths: list[np.ndarray] = []  # distinct words of each sentence
        self._derived: dict | None = None
        self.stats: WordStats | None = None  # the whole registry's figures, for a shard's table

    def use(self, stats: WordStats | None) -> None:
        """Weigh words by these figures (the whole registry's) instead of the table's own."""
        if stats is not self.stats:
            self.stats = stats
            self._derived = None

    def adopt(self, stats: WordStats) -> None:
        """Take `stats` as the figures the table's derived arrays were computed with (a
        shard's snapshot, written with the registry's figures: nothing to compute again)."""
        self.stats = stats
        if self._derived is not None and self._derived.get("n"):
            self._derived.update(stats=stats, unseen=_unseen_idf(stats.sentences))

    def own_stats(self) -> WordStats:
        """The figures of this table's sentences alone."""
        if not self._ids:
            return WordStats.empty()
        df = np.bincount(np.concatenate(self._ids), minlength=len(self.vocabulary))
        words = np.flatnonzero(df)
        hashes = self.vocabulary.hashes(words)
        order = np.argsort(hashes)
        return WordStats(hashes[order], df[words][order].astype(np.int64), int(sum(len(d) for d in self._doc)))

    @classmethod
    def from_derived(cls, params: SentenceParams, vocabulary: Vocabulary, derived: dict, *,
                     directives: int, model: WordStats | None = None) -> "SentenceTable":
        """A table read back from its derived arrays (a snapshot's, memory-mapped, derived
        with the figures of `model`); the sentence count and the weight of an unseen word
        follow from them."""
        table = cls(params, vocabulary, model)
        for parts, name in ((table._doc, "doc"), (table._spans, "spans"), (table._ids, "ids"),
                            (table._counts, "counts")):
            parts.append(derived[name])
        table._lengths.append(np.diff(derived["offsets"]).astype(np.int32))
        table._derived = dict(derived, n=len(derived["doc"]), unseen=_unseen_idf(len(derived["doc"])))
        table.directives = directives
        return table

    def add(self, doc_no: int, tokens: TokenSeq, sentences: list[tuple[int, int]]) -> None:
        """Read a directive of the index (its words are ids of the table's vocabulary)."""
        docs, spans, ids, counts = [], [], [], []
        word_ids, kept = tokens.words.ids, ~tokens.excluded
        for a, b in held_units(tokens, sentences, self.params.min_tokens):
            words, times = np.unique(word_ids[a:b][kept[a:b]], return_counts=True)
            by_hash = np.argsort(self.vocabulary.hashes(words), kind="stable")
            words, times = words[by_hash], times[by_hash]
            docs.append(doc_no)
            spans.append((a, b))
            ids.append(words)
            counts.append(times)
        if docs:
            self._doc.append(np.asarray(docs, dtype=np.int32))
            self._spans.append(np.asarray(spans, dtype=np.int32).reshape(-1, 2))
            self._ids.append(np.concatenate(ids).astype(np.int32))
            self._counts.append(np.concatenate(counts).astype(np.float32))  # small integers: exact
            self._lengths.append(np.asarray([len(w) for w in ids], dtype=np.int32))
            self._derived = None
        self.directives = doc_no + 1

    @property
    def derived(self) -> dict:
        """Weights, norms and postings for the sentences read so far (cached until an add)."""
        if self._derived is None:
            for parts in (self._doc, self._spans, self._ids, self._counts, self._lengths):
                if len(parts) > 1:
                    parts[:] = [np.concatenate(parts)]  # one chunk from now on
            if not self._doc:
                self._derived = {"n": 0}
                return self._derived
            doc, spans, ids, counts, lengths = (x[0] for x in (self._doc, self._spans, self._ids, self._counts,
                                                              self._lengths))
            n = len(doc)
            offsets = np.concatenate([[0], np.cumsum(lengths)])
            words = len(self.vocabulary)
            if self.stats is None:
                df, total = np.bincount(ids, minlength=words), n  # each word once per sentence
            else:
                df, total = self.stats.df_of(self.vocabulary.hashes(np.arange(words))), self.stats.sentences
            idf = idf_of(df, total)
            norms = np.sqrt(np.add.reduceat((counts.astype(np.float64) * idf[ids]) ** 2, offsets[:-1]))
            sentence_of = np.repeat(np.arange(n, dtype=np.int32), lengths)
            order = np.argsort(ids, kind="stable")
            starts = np.searchsorted(ids[order], np.arange(words + 1))
            # Words in more than a share of the sentences say nothing about which one matches.
            followed = df <= max(8, min(int(self.params.common_share * total), self.params.common_postings))
            self._derived = {"n": n, "doc": doc, "spans": spans, "ids": ids, "counts": counts, "offsets": offsets,
                             "idf": idf, "norms": norms, "postings": sentence_of[order], "starts": starts,
                             "followed": followed, "unseen": _unseen_idf(total), "stats": self.stats}
            if self.model is not None:
                known = self.model.df_of(self.vocabulary.hashes(np.arange(words)))
                model_idf = idf_of(known, self.model.sentences)  # a word never seen: the most
                # The words that rank candidates for a draft the model weighs: those rare in
                # the registry (what bounds the postings a check reads) and, up to
                # `rare_postings`, those rare in the reference corpus. A registry that grows
                # with documents repeating a draft's words then keeps ranking by them, so a
                # draft's candidates among the directives it had change less (`make
                # bench-scale`, the corpus drafts' passages from the 219 corpus directives at
                # 20,000 directives: 0.83 the same as with the 219 alone, 0.79 before; 0.89
                # up to 30,000 postings and 0.96 with no bound, at p50 growths of 2.7 and 4.8
                # times from 219 against 1.4). Followed by the model alone, a word common in
                # the corpus but rare in a small registry would no longer rank, and the
                # development set lost precision (0.851 -> 0.834).
                self._derived.update(
                    model_followed=followed | ((known <= self.params.common_share * self.model.sentences)
                                               & (df <= self.params.rare_postings)),
                    model_idf=model_idf,
                    model_norms=np.sqrt(np.add.reduceat((counts.astype(np.float64) * model_idf[ids]) ** 2,
                                                        offsets[:-1])))
        return self._derived


def _unseen_idf(n: int) -> float:
    """The idf of a word none of the table's `n` sentences holds."""
    return float(idf_of(np.zeros(1), n)[0])


_TABLES = threading.Lock()  # checks run in threads of one process and share the index


def table(index: DirectiveIndex, params: SentenceParams) -> tuple[SentenceTable, dict]:
    """The index's sentence table brought up to date with directives added since, and its
    derived arrays, under a lock: concurrent checks share it (the arrays a check got stay
    valid while another adds to the table)."""
    with _TABLES:
        built = getattr(index, "_sentence_table", None)
        if built is None or built.params != params:
            built = SentenceTable(params, index.vocabulary, index.phrases.words)
            index._sentence_table = built  # derived from the index, never stored
        built.use(index.sentence_stats)
        for doc_no in range(built.directives, len(index.documents)):
            document = index.documents[doc_no]
            built.add(doc_no, document.tokens, document.sentences)
        return built, built.derived


def units(tokens: TokenSeq, sentences: list[tuple[int, int]], min_tokens: int) -> list[tuple[int, int]]:
    """Sentences as compared: one shorter than `min_tokens` (excluded tokens not counted) is
    joined to the next, and a short last one to the one before; a wholly excluded sentence
    is never part of one."""
    counted = np.concatenate([[0], np.cumsum(~tokens.excluded, dtype=np.int64)])
    out: list[tuple[int, int]] = []
    start = None
    for a, b in sentences:
        if counted[b] == counted[a]:  # wholly excluded (a citation, the header): never joined
            if start is not None:
                out.append((start, a))
                start = None
            continue
        start = a if start is None else start
        if counted[b] - counted[start] >= min_tokens:
            out.append((start, b))
            start = None
    if start is not None:
        last = sentences[-1][1]
        if out and out[-1][1] == start:
            out[-1] = (out[-1][0], last)
        else:
            out.append((start, last))
    return out


def held_units(tokens: TokenSeq, sentences: list[tuple[int, int]], min_tokens: int) -> list[tuple[int, int]]:
    """The units a directive's sentence table holds: those with `min_tokens` words or more
    outside excluded text."""
    counted = np.concatenate([[0], np.cumsum(~tokens.excluded, dtype=np.int64)])
    return [(a, b) for a, b in units(tokens, sentences, min_tokens) if counted[b] - counted[a] >= min_tokens]


def document_stats(tokens: TokenSeq, sentences: list[tuple[int, int]], params: SentenceParams) -> WordStats:
    """The sentence figures (`wordstats`) a directive adds to a registry's: what a shard
    counts of the directives other shards hold."""
    words = [list(dict.fromkeys(tokens.kept_words(a, b)))
             for a, b in held_units(tokens, sentences, params.min_tokens)]
    return WordStats.of_sentences(words)


def sentence_bag(tokens: TokenSeq, a: int, b: int) -> Counter:
    return Counter(tokens.kept_words(a, b))


class SentenceMatch(NamedTuple):
    """A directive sentence close to a draft sentence, named so that shards of a split
    registry name it alike: its directive's number and its place among that directive's
    sentences in the table."""

    value: float  # the ranking score (over the words followed)
    no: int  # directive number
    ordinal: int  # the sentence's place among its directive's sentences in the table
    cosine: float  # tf-idf cosine over every word
    dice: float  # Dice overlap of the word sets
    start: int  # its token range in the directive
    end: int
    text: str = ""  # its words, when asked for (the semantic layer embeds them)
    exact: float = 0.0  # the ranking score over every word that ranks, however long its postings
    # Where the directive sentence is much longer than the draft's, the stretches of the two
    # that align (`clause_of`): their Dice overlap, and their token ranges in the draft and in
    # the directive (0 when not measured).
    clause: float = 0.0
    clause_draft_start: int = 0
    clause_draft_end: int = 0
    clause_start: int = 0
    clause_end: int = 0
    as_clause: bool = False  # chosen for its clause: the passage is made of the two stretches


def units_to_search(draft: TokenSeq, draft_sents: list[tuple[int, int]], existing: list[Passage],
                    params: SentenceParams) -> list[tuple[int, int, int]]:
    """The draft's sentences (as compared) the sentence layer searches: (unit number, start,
    end) of those no lexical passage covers and long enough."""
    covered = covered_by(existing, len(draft))
    out = []
    for k, (a, b) in enumerate(units(draft, draft_sents, params.min_tokens)):
        if covered[a:b].mean() >= 0.5:
            continue
        if sum(sentence_bag(draft, a, b).values()) < params.min_tokens:
            continue
        out.append((k, a, b))
    return out


def search(index: DirectiveIndex, draft: TokenSeq, spans: list[tuple[int, int]], *, allowed: set[int] | None,
           params: SentenceParams, numbers=None, with_text: bool = False,
           among: set[int] | None = None, with_clauses: bool = True) -> list[list[SentenceMatch]]:
    """For each draft span, the RANKED directive sentences of the index (of the `allowed`
    directives) that rank best for it, closest first (`with_text`: with their words);
    `merge_matches` keeps the CANDIDATES of them. Words the model finds rare whose postings
    are too long to read whole rank the sentences of the directives `among` (the lexical
    layer's candidates) still. `numbers` gives the
    registry number of each of the index's directives (an index that is one shard of a
    registry); by default their own. `with_clauses`: measure each candidate's clause the span
    holds (`clause_of`; the sentence layer's search, not the semantic layer's)."""
    if not spans:
        return []
    built, t = table(index, params)
    if t["n"] == 0:
        return [[] for _ in spans]
    mask = None if allowed is None else np.isin(t["doc"], np.fromiter(allowed, dtype=np.int32, count=len(allowed)))
    weighed = by_model(t, built.model, built.vocabulary, draft, params)
    first_row = np.searchsorted(t["doc"], np.arange(len(index.documents) + 1))
    extra = _postings_among(weighed, built.vocabulary, draft, spans, among, first_row) if among else {}
    # A clause alone is told from the domain's formulas by the common-phrase model's figures:
    # in a language the model does not speak, none is taken.
    clauses = with_clauses and "model" in weighed
    out = []
    for a, b in spans:
        found = []
        bag = sentence_bag(draft, a, b)
        length = sum(bag.values())
        for s, cosine, dice, value, exact, held in ranked(bag, built.vocabulary, weighed, mask, extra=extra):
            doc = int(t["doc"][s])
            start, end = (int(x) for x in t["spans"][s])
            source = index.documents[doc].tokens
            text = " ".join(source.words[start:end]) if with_text else ""
            clause = ()
            # (the distinct words both hold bound what can align)
            if clauses and held >= params.clause_dice * params.clause_words and length >= params.clause_words:
                clause = clause_of(draft, a, b, source, start, end, params)
            found.append(SentenceMatch(value, doc if numbers is None else int(numbers[doc]),
                                       s - int(first_row[doc]), cosine, dice, start, end, text, exact, *clause))
        out.append(found)
    return out


def _postings_among(t: dict, vocabulary: Vocabulary, draft: TokenSeq, spans: list[tuple[int, int]],
                    among: set[int], first_row: np.ndarray) -> dict[int, np.ndarray]:
    """Per word of the draft's spans that the model finds rare but whose postings are too
    long to rank by: its postings among the sentences of the directives `among`. Read once
    per check; the cost follows those directives, not the registry."""
    if "rare_ids" not in t:
        return {}
    words = sorted({w for a, b in spans for w in draft.kept_words(a, b)})
    ids = np.intersect1d(vocabulary.lookup(words), t["rare_ids"])
    ids = ids[~t["followed"][ids]]
    if len(ids) == 0:
        return {}
    inside = np.zeros(t["n"], dtype=bool)
    for d in among:
        inside[first_row[d]:first_row[d + 1]] = True
    postings, starts = t["postings"], t["starts"]
    out = {}
    for w in ids.tolist():
        rows = postings[starts[w]:starts[w + 1]]
        out[w] = rows[inside[rows]]
    return out


def by_model(t: dict, model: WordStats | None, vocabulary: Vocabulary, draft: TokenSeq,
             params: SentenceParams) -> dict:
    """The table's arrays with the weights (and the words that rank candidates) a check of
    `draft` uses: the model's, when the draft is in the model's language, else the registry's.
    With the model's, also the ids of the draft's words the model finds rare (`rare_ids`,
    sorted): they rank whatever the length of their postings."""
    if model is None or "model_idf" not in t:
        return t
    kept = draft.kept_words()
    if not model.speaks(kept):
        return t
    words = sorted(set(kept))
    rare = model.df_of(word_hashes(words)) <= params.common_share * model.sentences
    ids = vocabulary.lookup([w for w, r in zip(words, rare.tolist()) if r])
    return dict(t, idf=t["model_idf"], norms=t["model_norms"], followed=t["model_followed"], model=model,
                registry_followed=t["followed"], rare_ids=np.unique(ids[(ids >= 0) & (ids < len(t["idf"]))]))


def word_weights(words: list[str], vocabulary: Vocabulary, t: dict) -> list[float]:
    """The weight (idf) of each of these words in the table's arrays `t` (as `by_model` gives
    them); a word the arrays do not reach weighs as the model says, or as the registry's
    figures say (a shard's table: another shard may hold it), or as an unseen word."""
    return _weights_of(words, vocabulary.lookup(words).tolist() if words else [], t)


def _weights_of(words: list[str], ids: list[int], t: dict) -> list[float]:
    """`word_weights` of words whose vocabulary ids (-1: none) are known already."""
    idf = t["idf"]
    foreign = [w for w, i in zip(words, ids) if not 0 <= i < len(idf)]
    stats = t.get("model", t.get("stats"))
    foreign_idf = iter(stats.idf_of(foreign).tolist() if stats is not None else [t["unseen"]] * len(foreign))
    return [float(idf[i]) if 0 <= i < len(idf) else next(foreign_idf) for i in ids]


def merge_matches(lists: list[list[SentenceMatch]], k: int = None) -> list[SentenceMatch]:
    """The matches one index holding every shard's directives would give: of the best
    RANKED by ranking score, the best `k` by that score over every word that ranks, and
    those of the best CLAUSE_CANDIDATES by it that hold a clause of the draft's sentence,
    ordered by cosine (ties: directive, then sentence)."""
    k = CANDIDATES if k is None else k
    pool = sorted((m for found in lists for m in found), key=lambda m: (-m.value, m.no, m.ordinal))[:RANKED]
    by_exact = sorted(pool, key=lambda m: (-m.exact, m.no, m.ordinal))
    # a long sentence the draft's is a clause of ranks low as a whole: kept for its clause
    # among a wider list by the same score (the whole pool's order moves as the registry grows)
    top = by_exact[:k] + [m for m in by_exact[k:CLAUSE_CANDIDATES] if m.clause >= SentenceParams.clause_dice]
    return sorted(top, key=lambda m: (-m.cosine, m.no, m.ordinal))


CLAUSE_GAP = 3  # words either text may hold between two aligned words of one stretch


def clause_of(draft: TokenSeq, a: int, b: int, source: TokenSeq, s: int, e: int,
              params: SentenceParams) -> tuple:
    """The stretches of the draft unit [a, b) and of the directive sentence [s, e) that
    align, where they are a part of either sentence (at most 1/`clause_spread` of it), as
    (Dice overlap of their words, draft start, draft end, directive start, directive end);
    () when none is long enough.

    A drafter takes a clause of a long sentence ("… được khấu trừ thuế giá trị gia tăng đầu
    vào"), edited, or a sentence that the layout glues to a line of the draft's own: the
    whole sentences then share too few words to match, while the stretches hold nearly the
    same. The words in common in order (`_densest_stretch`) are cut where either text puts
    more than CLAUSE_GAP words between two of them; the stretch with the most is the clause,
    and its Dice counts moved words too."""
    d_at = [k for k in range(a, b) if not draft.excluded[k]]
    s_at = [k for k in range(s, e) if not source.excluded[k]]
    d_words, s_words = [draft.words[k] for k in d_at], [source.words[k] for k in s_at]
    best = _densest_stretch(d_words, s_words)
    if best:
        # Again around it: words of the draft's own line that the directive holds elsewhere in
        # the sentence no longer take the place of the clause's first or last words.
        d_lo, s_lo = max(0, best[0][0] - 2 * CLAUSE_GAP), max(0, best[0][1] - 2 * CLAUSE_GAP)
        d_hi, s_hi = best[-1][0] + 1 + 2 * CLAUSE_GAP, best[-1][1] + 1 + 2 * CLAUSE_GAP
        again = [(i + d_lo, j + s_lo) for i, j in _densest_stretch(d_words[d_lo:d_hi], s_words[s_lo:s_hi])]
        if len(again) >= len(best):
            best = again
    if len(best) < params.clause_dice * params.clause_words:
        return ()
    (di, si), (dj, sj) = best[0], (best[-1][0] + 1, best[-1][1] + 1)
    if dj - di < params.clause_words:
        return ()
    # a part of either sentence: of the directive's, or of a draft sentence that glues it to its own
    if (sj - si) * params.clause_spread > len(s_at) and (dj - di) * params.clause_spread > len(d_at):
        return ()
    shared = sum((Counter(d_words[di:dj]) & Counter(s_words[si:sj])).values())
    return 2 * shared / ((dj - di) + (sj - si)), d_at[di], d_at[dj - 1] + 1, s_at[si], s_at[sj - 1] + 1


def _densest_stretch(d_words: list[str], s_words: list[str]) -> list[tuple[int, int]]:
    """The positions of the words two texts hold in the same order (longest common
    subsequence), cut where either puts more than CLAUSE_GAP words between two of them: the
    longest stretch."""
    pairs = [(i, j) for op in LCSseq.opcodes(d_words, s_words) if op.tag == "equal"
             for i, j in zip(range(op.src_start, op.src_end), range(op.dest_start, op.dest_end))]
    best: list[tuple[int, int]] = []
    stretch: list[tuple[int, int]] = []
    for i, j in pairs:
        if stretch and (i - stretch[-1][0] > CLAUSE_GAP + 1 or j - stretch[-1][1] > CLAUSE_GAP + 1):
            stretch = []
        stretch.append((i, j))
        if len(stretch) > len(best):
            best = list(stretch)
    return best


def best_match(matches: list[SentenceMatch], params: SentenceParams) -> SentenceMatch | None:
    """The directive sentence closest to a draft sentence, if close enough; or the longer
    directive sentence the draft's is a clause of, where that clause is closer than the
    whole closest sentence is (`clause_of`)."""
    closest = None
    for m in matches:
        if m.cosine < params.min_cosine:
            break
        if m.dice >= params.min_dice:
            closest = m
            break
    clauses = [m for m in matches if m.clause >= params.clause_dice]
    if clauses:
        of = max(clauses, key=lambda m: (m.clause, -m.no, -m.ordinal))
        if closest is None or (closest.cosine < params.single_cosine and closest.dice < of.clause):
            return of._replace(as_clause=True)
    return closest


def settle_repeats(chosen: list[tuple[int, tuple[int, int], SentenceMatch]],
                   found: dict[int, list[SentenceMatch]]) -> list[tuple[int, tuple[int, int], SentenceMatch]]:
    """Where a draft sentence's best match is a sentence its directive holds more than once
    (the same words, the same scores), the occurrence nearest the directive sentences its
    neighbours in the draft were matched to: a drafter copies a stretch from one place.
    `chosen` holds (unit number, its token range, its best match) in the draft's order,
    `found` every unit's matches."""
    out = list(chosen)
    for j, (k, span, m) in enumerate(chosen):
        if m.as_clause:  # a clause is no repeated whole sentence
            continue
        same = [x for x in found[k] if x.no == m.no and x.cosine == m.cosine and x.dice == m.dice]
        if len(same) < 2:
            continue
        near = [c[2].ordinal for c in chosen[max(0, j - 1):j] + chosen[j + 1:j + 2] if c[2].no == m.no]
        if near:
            best = min(same, key=lambda x: (min(abs(x.ordinal - o) for o in near), x.ordinal))
            out[j] = (k, span, best)
    return out


def passages_of_matches(draft: TokenSeq, best: list[tuple[int, tuple[int, int], SentenceMatch]],
                        tokens_of, params: SentenceParams, phrases: PhraseModel, weigh) -> dict[int, list[Passage]]:
    """Passages of the draft's sentences matched, heavily edited, to directive sentences, per
    directive in the order their first sentence comes in the draft: `best` holds (unit
    number, its token range, its best match) in the draft's order, `tokens_of` gives a
    matched directive's tokens by its number, `weigh` the weights of words (`weigher`)."""
    by_source: dict[int, list] = {}
    spans = {}
    clauses = set()  # the units matched as a clause of a longer directive sentence
    for k, span, m in best:
        if m.as_clause:
            clauses.add(k)
            spans[k] = (m.clause_draft_start, m.clause_draft_end)
            by_source.setdefault(m.no, []).append((k, m.ordinal, m.clause, m.clause, (m.clause_start, m.clause_end)))
        else:
            spans[k] = span
            by_source.setdefault(m.no, []).append((k, m.ordinal, m.cosine, m.dice, (m.start, m.end)))
    return {src: _group(aligned, spans, src, draft, tokens_of(src), params, phrases, weigh, clauses)
            for src, aligned in by_source.items()}


def weigher(index: DirectiveIndex, draft: TokenSeq, params: SentenceParams):
    """The weights a check of `draft` gives words in the sentence layer (`word_weights`),
    the table's arrays taken when first asked."""
    arrays = []

    def weigh(words: list[str]) -> list[float]:
        if not arrays:
            built, t = table(index, params)
            arrays.append((built.vocabulary, by_model(t, built.model, built.vocabulary, draft, params)))
        vocabulary, weighed = arrays[0]
        return word_weights(words, vocabulary, weighed)
    return weigh


CANDIDATES = 8  # directive sentences kept per draft sentence, scored exactly …
# … of this many ranked through the postings of the words that rank. Those postings are read
# only up to a bound (the cost follows the draft), so as the registry grows a word the model
# finds rare stops ranking and a draft's best sentence can fall out of a short list: the
# CANDIDATES are the best of a wider pool by the score over every word that ranks, however
# long its postings (`make bench-scale`).
RANKED = 64
# Candidates kept for a clause of theirs (`clause_of`) that the draft's sentence holds: the
# whole pool's gave the same dev figures, but 0.910 instead of 0.923 of the same passages at
# 20,000 directives (`bench/scale.py`); the CANDIDATES alone lose two of the dev set's clauses.
CLAUSE_CANDIDATES = 16


def ranked(bag: Counter, vocabulary: Vocabulary, t: dict, mask,
           k: int = RANKED, extra: dict[int, np.ndarray] | None = None) -> list[tuple]:
    """The directive sentences closest to this bag of words, best first, at most `k`:
    (sentence number in the table, tf-idf cosine, Dice overlap of the word sets, ranking
    score, the ranking score over every word that ranks whatever its postings, the number
    of distinct words both hold).

    Candidates are ranked through the postings of words that are not too common (the
    `followed` ones), then scored exactly over every word. `mask` (a bool per table
    sentence, or None for all) restricts the directives searched. The cost follows the
    postings read, never the size of the table. Sums run over the bag's words in their
    order, so they come out the same whatever ids a vocabulary gives the words.
    """
    idf, postings, starts = t["idf"], t["postings"], t["starts"]
    words = list(bag)
    looked_up = vocabulary.lookup(words).tolist()
    known = {i: bag[w] for w, i in zip(words, looked_up) if 0 <= i < len(idf)}
    weights = {w: c * idf[w] for w, c in known.items()}
    norm = math.sqrt(sum((c * weight) ** 2 for c, weight in zip(bag.values(), _weights_of(words, looked_up, t))))
    posted, gains = [], []
    for w, weight in weights.items():
        if t["followed"][w]:  # each sentence once in a word's postings
            sentences_of = postings[starts[w]:starts[w + 1]]
        elif extra and w in extra:  # a word's postings among the lexical layer's candidates
            sentences_of = extra[w]
        else:
            continue
        posted.append(sentences_of)
        gains.append(np.full(len(sentences_of), weight * idf[w]))
    if not posted:
        return []
    hit, inverse = np.unique(np.concatenate(posted), return_inverse=True)
    # summed in the order of the words, as a running score per sentence would be
    values = np.bincount(inverse, weights=np.concatenate(gains)) / np.maximum(t["norms"][hit], 1e-9)
    if mask is not None:
        values, hit = values[mask[hit]], hit[mask[hit]]
    if len(hit) == 0:
        return []
    if len(hit) > k:
        # the best k, ties at the boundary all kept, then ordered by score and, for the same
        # score (a sentence the directive repeats), the first occurrence first
        floor = np.partition(values, len(values) - k)[len(values) - k]
        keep = values >= floor
        values, hit = values[keep], hit[keep]
    order = np.lexsort((hit, -values))[:k]
    chosen, chosen_values = hit[order], values[order]
    # Scored exactly over every word, all candidates at once: each sentence's words are read
    # in their stored order (that of their hashes), so a sum is the same float in any shard.
    offsets = t["offsets"]
    lo, lengths = offsets[chosen], offsets[chosen + 1] - offsets[chosen]
    owner = np.repeat(np.arange(len(chosen)), lengths)
    at = np.repeat(lo - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths) + np.arange(int(lengths.sum()))
    words, counts = t["ids"][at], t["counts"][at]
    bag_ids = np.fromiter(known, dtype=np.int64, count=len(known))
    bag_order = np.argsort(bag_ids)
    bag_ids, bag_weights = bag_ids[bag_order], np.fromiter(weights.values(), dtype=np.float64,
                                                           count=len(weights))[bag_order]
    pos = np.minimum(np.searchsorted(bag_ids, words), max(0, len(bag_ids) - 1))
    shared = (bag_ids[pos] == words) if len(bag_ids) else np.zeros(len(words), dtype=bool)
    dots = np.bincount(owner[shared], weights=bag_weights[pos[shared]] * counts[shared] * idf[words[shared]],
                       minlength=len(chosen))
    held = np.bincount(owner[shared], minlength=len(chosen))
    # the words that rank with no bound on their postings: those the registry finds rare, and
    # those the model does (the model's words weigh a draft in its language)
    ranking = t.get("registry_followed", t["followed"])[bag_ids]
    if "rare_ids" in t:
        ranking = ranking | np.isin(bag_ids, t["rare_ids"])
    ranks = shared & ranking[pos]
    exact = np.bincount(owner[ranks], weights=bag_weights[pos[ranks]] * idf[words[ranks]], minlength=len(chosen))
    out = []
    for j, (s, value) in enumerate(zip(chosen.tolist(), chosen_values.tolist())):
        dice = 2 * int(held[j]) / (len(bag) + int(lengths[j]))
        out.append((s, float(dots[j] / (norm * t["norms"][s] or 1.0)), dice, value,
                    float(exact[j] / max(t["norms"][s], 1e-9)), int(held[j])))
    out.sort(key=lambda x: (-x[1], x[0]))
    return out


_ROMAN = re.compile(r"[ivxlc]+")
_SECTION_WORDS = frozenset({"điều", "chương", "mục", "phần", "article", "chapter", "section", "part"})


def numbered_heading(tokens: TokenSeq, a: int, b: int) -> bool:
    """Whether the sentence at tokens [a, b) opens with a section number ("3.2.", "II.",
    "Điều 5", "Chapter 3"): a document that implements another takes over its headings
    ("2. Đối với người lái xe, người áp tải"), which is structure, not copied content."""
    words = tokens.kept_words(a, b)[:2]
    if not words:
        return False
    if words[0] in _SECTION_WORDS:
        words = words[1:]
    return bool(words) and (words[0].isdigit() or _ROMAN.fullmatch(words[0]) is not None)


def _rare_phrasing(source: TokenSeq, a: int, b: int, draft: TokenSeq, span: tuple[int, int],
                   phrases: PhraseModel, params: SentenceParams, evidence: float | None = None) -> bool:
    """Whether the directive's words from the first to the last the draft sentence at `span`
    holds ([a, b) being the directive sentence) have the evidence of reuse a lexical passage
    must: each of their shingles weighs 1 / (1 + its uses beyond one in the common-phrase
    model), one above the model's cap nothing. The domain's names and stock phrases have
    none ("Ban Thường trực Ủy ban MTTQ Việt Nam xã", "ký quỹ cải tạo phục hồi môi trường").
    The directive's words, in its order: edits make the draft's shingles new whatever the
    phrasing was."""
    held = set(draft.kept_words(*span))
    words = source.kept_words(a, b)
    shared = [k for k, w in enumerate(words) if w in held]
    if not shared:
        return False
    uses = phrases.uses_of(shingle_hashes(words[shared[0]:shared[-1] + 1]))
    if len(uses) == 0:
        return False
    weights = np.where(uses > phrases.common_cap, 0.0, 1.0 / (1.0 + np.maximum(uses - 1, 0)))
    needed = params.close_evidence if evidence is None else evidence
    return weights.sum() >= needed and weights.mean() >= params.close_mean_evidence


def _word_order_free(draft: TokenSeq, source: TokenSeq, p: Passage) -> float:
    """Character similarity of the two spans' words put in order: heavy editing moves words
    around, which plain character similarity punishes as if they were changed."""
    return fuzz.token_sort_ratio(" ".join(draft.words[p.d_start:p.d_end]),
                                 " ".join(source.words[p.s_start:p.s_end])) / 100.0


def _held_share(draft: TokenSeq, source: TokenSeq, p: Passage, weigh) -> float:
    """The share of the draft span's distinct words, each weighed by its rarity (`weigh`),
    that the directive span holds too."""
    held = set(source.kept_words(p.s_start, p.s_end))
    words = list(dict.fromkeys(draft.kept_words(p.d_start, p.d_end)))
    weights = weigh(words)
    total = sum(weights)
    return sum(w for word, w in zip(words, weights) if word in held) / total if total else 0.0


def _group(aligned, sents: dict[int, tuple[int, int]], src: int, draft: TokenSeq,
           source: TokenSeq, params: SentenceParams, phrases: PhraseModel, weigh,
           clauses: set[int] = frozenset()) -> list[Passage]:
    """Aligned sentences near each other in both texts, as passages: `aligned` holds (draft
    unit, directive sentence, cosine, Dice, its token range in the directive); `weigh` gives
    words their weights (`word_weights`); the units of `clauses` are aligned with a clause of
    a longer directive sentence (their Dice as both measures, the two stretches as spans)."""
    out: list[Passage] = []
    group: list[tuple] = []

    def alone(members: list[tuple]) -> bool:
        """Whether these aligned sentences are a passage even as one directive sentence: a
        clause of rare phrasing, or a sentence long and close, or shorter, holding most of
        the same words, no numbered heading and of rare phrasing."""
        d_tokens = sum(sents[i][1] - sents[i][0] for i, *_ in members)
        if len(members) == 1 and members[0][0] in clauses:
            i, _, closeness, _, (a, b) = members[0]
            return closeness >= params.clause_dice and _rare_phrasing(source, a, b, draft, sents[i], phrases, params,
                                                                     evidence=params.clause_evidence)
        if d_tokens >= params.single_tokens and max(c for _, _, c, _, _ in members) >= params.single_cosine:
            return True
        if len(members) != 1:
            return False
        i, _, cosine, dice, (a, b) = members[0]
        return (d_tokens >= params.close_tokens and cosine >= params.close_cosine and dice >= params.close_dice
                and not numbered_heading(draft, *sents[i]) and _rare_phrasing(source, a, b, draft, sents[i], phrases,
                                                                            params))

    def passage(members: list[tuple]) -> Passage | None:
        """The passage these aligned sentences make, if they make one: two directive
        sentences or more, or one sentence alone (`alone`)."""
        aligned_sentences = len({s for _, s, *_ in members})
        if aligned_sentences < 2 and not alone(members):
            return None
        s_ranges = [span for *_, span in members]
        p = Passage(src, sents[members[0][0]][0], sents[members[-1][0]][1],
                    min(a for a, _ in s_ranges), max(b for _, b in s_ranges), seeds=len(members))
        p.lexical = lexical_similarity(draft, source, p)
        if (p.lexical < params.min_lexical and _word_order_free(draft, source, p) < params.min_sorted_lexical
                and not (aligned_sentences >= 2
                         and p.s_end - p.s_start <= params.max_held_spread * (p.d_end - p.d_start)
                         and _held_share(draft, source, p, weigh) >= params.min_held)):
            return None
        p.kind = classify(p.lexical)
        return p

    def flush():
        if not group:
            return
        whole = passage(group)
        if whole is not None:
            out.append(whole)
        else:
            # A sentence that is a passage alone stays one when the sentences aligned around
            # it do not hold together; the others are not passages alone, but may be pieces of
            # a condensed copy if a passage and others join them (align.join_condensed): a
            # summary rewrites most of its sentences.
            for member in group:
                i, *_, (a, b) = member
                own = passage([member]) if len(group) > 1 else None
                out.append(own or Passage(src, sents[i][0], sents[i][1], a, b, seeds=1, kind=WEAK))
        group.clear()

    for i, s, cosine, dice, span in aligned:
        if group:
            last_i = group[-1][0]
            lo, hi = min(g[1] for g in group), max(g[1] for g in group)
            if (i - last_i > params.max_draft_gap + 1 or s < lo - params.max_source_gap
                    or s > hi + params.max_source_gap):
                flush()
        group.append((i, s, cosine, dice, span))
    flush()
    return out
