"""Seeds -> passages: cluster shared shingles in both texts, merge, extend, verify.

Clustering allows reordering inside a passage (paraphrase swaps sentences) by
comparing source positions to the cluster's whole source range, not to the last
seed. Verification re-reads the aligned spans with rapidfuzz.
"""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz

from services.analyzer.shingles import SHINGLE
from services.analyzer.tokens import TokenSeq


@dataclass
class AlignParams:
    gap_draft: int = 24  # tokens between seeds of one passage in the draft
    gap_source: int = 40  # and in the source (wider: sentences may be reordered)
    min_words: int = 10  # syllables (Vietnamese) or words: shorter is a phrase, not a passage
    min_chars: int = 40
    min_seeds: int = 2
    min_density: float = 0.30  # share of passage tokens covered by seeds, each side
    min_lexical: float = 0.45
    # Evidence of reuse: each seed weighs 1 / (1 + its independent uses beyond one in the
    # common-phrase model), so the domain's stock phrasing counts for little.
    min_evidence: float = 3.0
    min_mean_evidence: float = 0.30  # and on average: most seeds must be rare
    # A run of this many identical tokens is copying however common its words are (the
    # common-phrase model weighs phrases, not whole sentences lifted from a directive).
    long_run: int = 15


@dataclass
class Passage:
    source_no: int
    d_start: int  # token range in the draft [d_start, d_end)
    d_end: int
    s_start: int
    s_end: int
    seeds: int
    lexical: float = 0.0
    semantic: float | None = None
    kind: str = "near"


def covered(passages: list[Passage], length: int) -> np.ndarray:
    """A bool per draft token: inside one of these passages."""
    mask = np.zeros(length, dtype=bool)
    for p in passages:
        mask[p.d_start:p.d_end] = True
    return mask


@dataclass
class _Cluster:
    d_min: int
    d_max: int
    s_min: int
    s_max: int
    n: int
    evidence: float = 0.0
    last_q: int = -1
    last_s: int = -1
    rows: list = field(default_factory=list)  # its seeds, (draft pos, source pos)


def cluster(seeds: np.ndarray, params: AlignParams) -> list[_Cluster]:
    """Group (draft pos, source pos, common uses) seeds into passage candidates."""
    order = np.lexsort((seeds[:, 1], seeds[:, 0]))
    clusters: list[_Cluster] = []
    open_: list[_Cluster] = []
    last_q = -1
    for qp, sp, common in seeds[order].tolist():
        if qp != last_q:  # close clusters the draft has moved past, once per draft position
            open_ = [c for c in open_ if qp - c.d_max <= params.gap_draft]
            last_q = qp
        # The open cluster the seed continues best, the first of equals: nearness to the
        # cluster's source range first (a paraphrase reorders sentences inside it), then,
        # among clusters about as near, the one whose last seed's diagonal the seed continues
        # (list items that open with the same words, close together in the directive). A
        # cluster the seed would spread over the directive (_proportionate) cannot take it.
        # Written out: this loop runs once per seed and open cluster.
        lo, hi = sp + params.gap_source, sp - params.gap_source
        c, best = None, None
        for o in open_:
            if o.s_min > lo or o.s_max < hi or o.last_q == qp:  # one seed per draft position
                continue
            s_lo, s_hi = (o.s_min if o.s_min < sp else sp), (o.s_max if o.s_max > sp else sp)
            d_lo, d_hi = (o.d_min if o.d_min < qp else qp), (o.d_max if o.d_max > qp else qp)
            if s_hi - s_lo > _span_limit(d_hi - d_lo, params):
                continue
            if o.s_min <= sp <= o.s_max:
                outside = 0
            else:
                outside = (o.s_min - sp if sp < o.s_min else sp - o.s_max) - SHINGLE
                if outside < 0:
                    outside = 0
            fit = (outside, abs((sp - qp) - (o.last_s - o.last_q)))
            if best is None or fit < best:
                c, best = o, fit
        if c is None:
            c = _Cluster(qp, qp, sp, sp, 0)
            clusters.append(c)
            open_.append(c)
        # comparisons, not min/max: this runs once per seed
        if qp < c.d_min:
            c.d_min = qp
        if qp > c.d_max:
            c.d_max = qp
        if sp < c.s_min:
            c.s_min = sp
        if sp > c.s_max:
            c.s_max = sp
        c.n += 1
        c.last_q, c.last_s = qp, sp
        c.evidence += 1.0 / (1.0 + common)
        c.rows.append((qp, sp))
    return _merge(clusters, params)


def _merge(clusters: list[_Cluster], params: AlignParams) -> list[_Cluster]:
    merged = True
    while merged:
        merged = False
        clusters.sort(key=lambda c: c.d_min)
        out: list[_Cluster] = []
        for c in clusters:
            if out:
                p = out[-1]
                near_d = c.d_min - (p.d_max + SHINGLE) <= params.gap_draft
                near_s = (c.s_min - (p.s_max + SHINGLE) <= params.gap_source) and (
                    p.s_min - (c.s_max + SHINGLE) <= params.gap_source)
                # Two clusters over the same draft text are two occurrences in the directive,
                # not one passage.
                shared_d = min(p.d_max, c.d_max) - max(p.d_min, c.d_min) + SHINGLE
                repeat = shared_d > 0.5 * (min(p.d_max - p.d_min, c.d_max - c.d_min) + SHINGLE)
                in_proportion = _proportionate(min(p.d_min, c.d_min), max(p.d_max, c.d_max),
                                               min(p.s_min, c.s_min), max(p.s_max, c.s_max), params)
                if near_d and near_s and not repeat and in_proportion:
                    p.d_min, p.d_max = min(p.d_min, c.d_min), max(p.d_max, c.d_max)
                    p.s_min, p.s_max = min(p.s_min, c.s_min), max(p.s_max, c.s_max)
                    p.n += c.n
                    p.evidence += c.evidence
                    p.rows.extend(c.rows)
                    merged = True
                    continue
            out.append(c)
        clusters = out
    return clusters


SPAN_RATIO = 2.0  # most directive tokens one draft token of a passage may stand for


def _span_limit(d_span: int, params: AlignParams) -> float:
    """The most directive text seeds spread over `d_span` draft tokens may span."""
    return SPAN_RATIO * (d_span + SHINGLE) + params.gap_source


def _proportionate(d_min: int, d_max: int, s_min: int, s_max: int, params: AlignParams) -> bool:
    """Whether seeds spanning these ranges can be one passage: a copy, even reordered or
    with a sentence dropped, covers about as much of the directive as of the draft."""
    return s_max - s_min <= _span_limit(d_max - d_min, params)


def _covered(starts: list[int]) -> int:
    """Tokens covered by shingles starting at these positions."""
    ordered = sorted(set(starts))
    return sum(min(SHINGLE, b - a) for a, b in zip(ordered, ordered[1:])) + (SHINGLE if ordered else 0)


def _same(draft: TokenSeq, source: TokenSeq, d: int, s: int) -> bool:
    """Draft token d and directive token s are the same word, neither excluded."""
    return (0 <= d < len(draft) and 0 <= s < len(source) and not draft.excluded[d] and not source.excluded[s]
            and draft.words[d] == source.words[s])


EXTEND_EDITS = 1  # single-token edits the extension may step over at each end
EXTEND_RUN = 4  # identical tokens that must follow an edit for it to be taken


def _extend(draft: TokenSeq, source: TokenSeq, p: Passage) -> None:
    """Grow a passage over identical tokens on either side (seeds stop k-1 tokens short),
    stepping over a word inserted, dropped or replaced when identical text resumes after it:
    an edit near the end of a short passage leaves no shingle beyond it."""
    def same(d: int, s: int) -> bool:
        return _same(draft, source, d, s)

    def resumes(d: int, s: int, step: int) -> bool:
        return all(same(d + step * i, s + step * i) for i in range(EXTEND_RUN))

    for step in (-1, 1):
        edits = 0
        while True:
            d, s = (p.d_start - 1, p.s_start - 1) if step < 0 else (p.d_end, p.s_end)
            if same(d, s):
                moved = (d, s)
            elif edits < EXTEND_EDITS:
                # a replaced word, a word only in the draft, a word only in the directive
                options = [(d + step, s + step), (d + step, s), (d, s + step)]
                moved = next((o for o in options if resumes(*o, step)), None)
                if moved is None:
                    break
                edits += 1
            else:
                break
            if step < 0:
                p.d_start, p.s_start = moved
            else:
                p.d_end, p.s_end = moved[0] + 1, moved[1] + 1


def lexical_similarity(draft: TokenSeq, source: TokenSeq, p: Passage) -> float:
    a = " ".join(draft.words[p.d_start:p.d_end])
    b = " ".join(source.words[p.s_start:p.s_end])
    return fuzz.ratio(a, b) / 100.0


VERBATIM = 0.95  # lexical similarity of a word-for-word copy


def classify(lexical: float, semantic: float | None = None) -> str:
    if lexical >= VERBATIM:
        return "verbatim"
    if lexical >= 0.70:
        return "near"
    return "paraphrase"


def disambiguate(seeds: np.ndarray, window: int = 40) -> np.ndarray:
    """Where one draft position matches several places in the source (text repeated in the
    directive), keep the match inside the longest identical stretch; where two places hold
    the text about as long, the one nearest the diagonal its unambiguous neighbours follow.

    A drafter who takes a list the directive repeats takes it from one place, and the place
    that holds the longest run of the same words is that place, even when a neighbouring
    passage was taken from elsewhere.

    Where no unambiguous neighbour is near (the whole passage occurs more than once in the
    directive), every match of the longest stretch is kept: clustering then yields one
    candidate per occurrence and `_occurrences` picks one.
    """
    if len(seeds) == 0:
        return seeds
    seeds = seeds[np.argsort(seeds[:, 0], kind="stable")]
    positions, first, counts = np.unique(seeds[:, 0], return_index=True, return_counts=True)
    if counts.max() == 1:
        return seeds
    runs = run_lengths(seeds)
    anchors = seeds[first[counts == 1]]  # sorted by draft position
    anchor_offsets = anchors[:, 1] - anchors[:, 0]
    keep = [seeds[first[counts == 1]]]
    for q, at, n in zip(positions[counts > 1].tolist(), first[counts > 1].tolist(), counts[counts > 1].tolist()):
        rows, lengths = seeds[at:at + n], runs[at:at + n]
        longest = lengths >= lengths.max() - SHINGLE  # about as long: left to the neighbours
        rows = rows[longest]
        lo, hi = np.searchsorted(anchors[:, 0], [q - window, q + window + 1])
        if hi == lo or len(rows) == 1:
            keep.append(rows)
            continue
        offset = statistics.median(anchor_offsets[lo:hi].tolist())  # np.median costs 20x on a few values
        keep.append(rows[np.argmin(np.abs((rows[:, 1] - rows[:, 0]) - offset))][None, :])
    return np.concatenate(keep)


def run_lengths(seeds: np.ndarray) -> np.ndarray:
    """For each seed, the draft tokens covered by the run of seeds on its diagonal (source
    minus draft position) that it belongs to: seeds no more than a shingle apart continue a
    run, so a stock phrase that does not seed does not break it."""
    diagonal = seeds[:, 1] - seeds[:, 0]
    order = np.lexsort((seeds[:, 0], diagonal))
    q, d = seeds[order, 0], diagonal[order]
    breaks = np.ones(len(order), dtype=bool)
    breaks[1:] = (d[1:] != d[:-1]) | (q[1:] - q[:-1] > SHINGLE)
    run_id = np.cumsum(breaks) - 1
    starts = q[breaks]
    ends = np.maximum.reduceat(q, np.nonzero(breaks)[0])
    lengths = np.empty(len(order), dtype=np.int64)
    lengths[order] = (ends - starts + SHINGLE)[run_id]
    return lengths


OCCURRENCE_GAP = 2 * SHINGLE  # source gap inside one occurrence, when occurrences are told apart


def _occurrence_clusters(seeds: np.ndarray, params: AlignParams) -> list[_Cluster]:
    """One cluster per occurrence of a passage's text, even where occurrences lie close
    together (list items that open with the same words): the seeds are clustered with a
    narrow source gap, within bands of diagonals (source minus draft position) split where
    the diagonal jumps far, which keeps each clustering small."""
    narrow = AlignParams(**{**vars(params), "gap_source": OCCURRENCE_GAP})
    offsets = seeds[:, 1] - seeds[:, 0]
    order = np.argsort(offsets, kind="stable")
    bands = np.split(order, np.nonzero(np.diff(offsets[order]) > 2 * params.gap_source)[0] + 1)
    return [c for band in bands for c in cluster(seeds[band], narrow)]


def _occurrences(draft: TokenSeq, source: TokenSeq, p: Passage, seeds: np.ndarray,
                 params: AlignParams, seen: dict) -> Passage:
    """The occurrence of a passage's text in the directive that matches it best.

    Disambiguation follows the neighbours' diagonal, which is wrong when the whole passage
    occurs more than once in the directive (or a neighbour belongs to another copy): here
    the seeds of the passage's draft span, ambiguous ones included, are clustered again, one
    candidate per occurrence, and the one matching the most distinct draft positions wins;
    then the one closest in length to the draft's text; then the one laid out most like it
    (punctuation and line breaks: a copy keeps those of the place it was taken from); then
    the first.
    """
    inside = seeds[(seeds[:, 0] >= p.d_start) & (seeds[:, 0] < p.d_end)]
    positions, counts = np.unique(inside[:, 0], return_counts=True)
    if (counts > 1).sum() < 0.5 * len(positions):
        return p  # mostly unambiguous: the neighbours' diagonal is right

    def key(q: Passage, support: int) -> tuple:
        return (support, -abs((q.s_end - q.s_start) - (q.d_end - q.d_start)),
                same_layout(draft, source, q), -q.s_start)

    rows_in_p = inside[(inside[:, 1] >= p.s_start) & (inside[:, 1] < p.s_end)]
    best, best_key = p, key(p, len(np.unique(rows_in_p[:, 0])))
    if (p.d_start, p.d_end) not in seen:  # clusters of one draft span repeat in a directive
        seen[p.d_start, p.d_end] = _occurrence_clusters(inside, params)
    for c in seen[p.d_start, p.d_end]:
        support = len({qp for qp, _ in c.rows})
        if support < best_key[0]:
            continue
        q = Passage(p.source_no, c.d_min, c.d_max + SHINGLE, c.s_min, c.s_max + SHINGLE, c.n)
        if min(q.d_end, p.d_end) - max(q.d_start, p.d_start) < 0.5 * (p.d_end - p.d_start):
            continue
        _extend(draft, source, q)
        if key(q, support) > best_key:
            q.lexical = lexical_similarity(draft, source, q)
            if q.lexical >= params.min_lexical:
                best, best_key = q, key(q, support)
    best.kind = classify(best.lexical)
    return best


def same_layout(draft: TokenSeq, source: TokenSeq, p: Passage) -> int:
    """Token positions, paired in order, at which draft and directive have the same
    separator before the token (the first token's is outside the passage)."""
    if draft.separators is None or source.separators is None:
        return 0
    n = min(p.d_end - p.d_start, p.s_end - p.s_start) - 1
    if n <= 0:
        return 0
    d = draft.separators[p.d_start + 1:p.d_start + 1 + n]
    s = source.separators[p.s_start + 1:p.s_start + 1 + n]
    return int((d == s).sum())


def passages_for_source(
    draft: TokenSeq, source: TokenSeq, source_no: int, seeds: np.ndarray, params: AlignParams
) -> list[Passage]:
    """Passages of the draft copied from one directive: seeds rare enough to be evidence of
    reuse, or a long run of identical tokens."""
    out = []
    occurrences: dict = {}  # draft span -> its seeds' occurrence clusters
    seeds = without_litany(seeds)
    for c in cluster(disambiguate(seeds), params):
        if c.n < params.min_seeds:
            continue
        rare = c.evidence >= params.min_evidence and c.evidence / c.n >= params.min_mean_evidence
        p = Passage(source_no, c.d_min, c.d_max + SHINGLE, c.s_min, c.s_max + SHINGLE, c.n)
        _extend(draft, source, p)
        d_len, s_len = p.d_end - p.d_start, p.s_end - p.s_start
        if d_len < params.min_words:
            continue
        if (draft.ends[p.d_end - 1] - draft.starts[p.d_start] < params.min_chars
                or source.ends[p.s_end - 1] - source.starts[p.s_start] < params.min_chars or s_len < params.min_words):
            continue  # too short on either side: a shared name or phrase, not a passage
        if (_covered([q for q, _ in c.rows]) / d_len < params.min_density
                or _covered([s for _, s in c.rows]) / max(1, s_len) < params.min_density):
            continue
        p.lexical = lexical_similarity(draft, source, p)
        if p.lexical < params.min_lexical:
            continue
        if not rare and longest_run(draft, source, c.rows) < params.long_run:
            continue
        p.kind = classify(p.lexical)
        out.append(_occurrences(draft, source, p, seeds, params, occurrences))
    return out


MAX_PLACES = 32  # places in one directive a draft shingle may match and still seed


def without_litany(seeds: np.ndarray) -> np.ndarray:
    """The seeds without draft positions that match more than MAX_PLACES places of the
    directive: a phrase it repeats that often (the name of a body it addresses in every
    article, the labels of a form it repeats) says nothing about where a copy came from,
    and its pairs with every repetition in the draft would cost more than all other seeds."""
    if len(seeds) <= MAX_PLACES:
        return seeds
    _, inverse, counts = np.unique(seeds[:, 0], return_inverse=True, return_counts=True)
    if counts.max() <= MAX_PLACES:
        return seeds
    return seeds[counts[inverse] <= MAX_PLACES]


def longest_run(draft: TokenSeq, source: TokenSeq, rows: list[tuple[int, int]]) -> int:
    """The longest run of identical, non-excluded tokens through any of the seeds."""
    best = 0
    reached: dict[int, int] = {}  # diagonal -> the draft position its last run ended at
    for qp, sp in sorted(rows):
        diagonal = sp - qp
        if reached.get(diagonal, -1) > qp:
            continue  # inside a run already measured
        start = qp
        while _same(draft, source, start - 1, start - 1 + diagonal):
            start -= 1
        end = qp
        while _same(draft, source, end, end + diagonal):
            end += 1
        reached[diagonal] = end
        best = max(best, end - start)
    return best


CITED_PREFERENCE = 1.25  # weight of a passage from a directive the draft itself cites: the
# directives above a commune repeat each other's names and formulas, so another directive often
# holds a few more words around the same run (at 1.05, 57 of the implementing bench's 59 pairs
# were credited to their parent, silver recall 0.968; at 1.25, 58 and 0.974)


def resolve_overlaps(passages: list[Passage], cited: set[int] = frozenset()) -> list[Passage]:
    """One detection per copied passage: where passages from different sources cover the
    same draft text, keep the strongest. Text that several directives hold alike (an
    amending decree, a consolidated text) is credited to the one the draft cites."""
    def strength(p: Passage) -> float:
        return p.lexical * (p.d_end - p.d_start) * (CITED_PREFERENCE if p.source_no in cited else 1.0)

    ranked = sorted(passages, key=strength, reverse=True)
    kept: list[Passage] = []
    for p in ranked:
        overlap = False
        for q in kept:
            inter = min(p.d_end, q.d_end) - max(p.d_start, q.d_start)
            if inter > 0.5 * (p.d_end - p.d_start):
                overlap = True
                break
        if not overlap:
            kept.append(p)
    return sorted(kept, key=lambda p: p.d_start)


def merge_adjacent(passages: list[Passage], draft: TokenSeq, sources: dict[int, TokenSeq],
                   params: AlignParams) -> list[Passage]:
    """One detection per copied passage: join neighbouring passages from the same directive
    (an edit in the middle can leave a gap wider than clustering bridges).

    The draft gap counts only tokens that could have matched: a citation quoted inside the
    copied text is excluded from seeding, and must not split the passage around it. Passages
    that touch in the draft are joined even when the directive has them further apart, in
    its order: a paraphrase drops some sentences (and reorders those close together).
    """
    out: list[Passage] = []
    for p in sorted(passages, key=lambda q: q.d_start):
        prev = next((q for q in reversed(out) if q.source_no == p.source_no), None)
        if prev is not None and _continues(prev, p, draft, sources[p.source_no], params) and not any(
                q is not prev and q.source_no != p.source_no and q.d_start >= prev.d_end and q.d_end <= p.d_start
                for q in out):
            prev.d_start, prev.d_end = min(prev.d_start, p.d_start), max(prev.d_end, p.d_end)
            prev.s_start, prev.s_end = min(prev.s_start, p.s_start), max(prev.s_end, p.s_end)
            prev.seeds += p.seeds
            prev.lexical = lexical_similarity(draft, sources[p.source_no], prev)
            if prev.semantic is None or p.semantic is None:
                prev.kind = classify(prev.lexical)
            continue
        out.append(p)
    return out


def _draft_gap(draft: TokenSeq, prev: Passage, p: Passage) -> int:
    """Draft tokens between two passages that could have matched: a citation quoted inside
    copied text is excluded from seeding, and does not count as a gap."""
    return int((~draft.excluded[prev.d_end:p.d_start]).sum()) if p.d_start > prev.d_end else 0


def _continues(prev: Passage, p: Passage, draft: TokenSeq, source: TokenSeq, params: AlignParams) -> bool:
    """Whether passage p (later in the draft) continues prev, from the same directive."""
    d_gap = _draft_gap(draft, prev, p)
    s_gap = max(p.s_start - prev.s_end, prev.s_start - p.s_end)
    if not _proportionate(min(prev.d_start, p.d_start), max(prev.d_end, p.d_end) - SHINGLE,
                          min(prev.s_start, p.s_start), max(prev.s_end, p.s_end) - SHINGLE, params):
        return False
    if -SHINGLE <= p.s_start - prev.s_end <= SHINGLE and d_gap <= params.gap_draft:
        return True  # the directive's text runs on: the draft replaced a few of its words
    if d_gap <= 2 * params.gap_draft and s_gap <= 2 * params.gap_source:
        return d_gap < params.min_words or _gap_shared(prev, p, draft, source, params.gap_source) >= GAP_SHARED
    if p.s_start < prev.s_start:
        # Touching in the draft but far apart in the directive, in the other order: the
        # drafter took a later part, then an earlier one; two copies, each in its own place
        # (reordering within a stretch is joined above, a section dropped below).
        return False
    longest = max(prev.s_end - prev.s_start, p.s_end - p.s_start)
    return d_gap <= params.gap_draft // 4 and s_gap <= 3 * longest


CONDENSED_PIECES = 3  # pieces that make one condensed copy …
CONDENSING = 1.5  # … or two, whose directive spans are together this many times their draft spans
MAX_CONDENSING = 15  # a directive stretch longer than this many times the draft passage is not
# condensed by it: the pieces happen to fall far apart (PAN 2013's summaries condense up to 12 times)
# The kind of a piece that is evidence only inside a condensed copy: a draft sentence close to
# a directive sentence but not a passage on its own (a summary rewrites every sentence).
WEAK = "weak"


def join_condensed(passages: list[Passage], draft: TokenSeq, sources: dict[int, TokenSeq],
                   params: AlignParams) -> list[Passage]:
    """A draft passage that condenses a longer stretch of a directive (a summary keeps a
    phrase here and a sentence there): pieces from one directive close together in the draft
    (gaps of at most `gap_draft` tokens that could have matched, nothing from another
    directive between) are one passage whose source span is the stretch they condense, when
    there are three or more, or two of which one condenses or both do together
    (`CONDENSING`), or a WEAK piece and a passage it continues in the directive's order, and
    the stretch is at most `MAX_CONDENSING` times the draft passage.

    Pieces are passages, and WEAK pieces: draft sentences the sentence layer aligned with a
    directive sentence that are no passage on their own (a summary rewrites most of its
    sentences). A run needs at least one passage; WEAK pieces outside a run are dropped.
    Passages may come in another order than the directive's (a summary reorders what it
    keeps); a WEAK piece must follow the one before it there, or it is no evidence."""
    out: list[Passage] = []
    run: list[Passage] = []

    def condensed(joined: Passage) -> bool:
        if not any(q.kind != WEAK for q in run):
            return False
        if joined.s_end - joined.s_start > MAX_CONDENSING * (joined.d_end - joined.d_start):
            return False
        if len(run) >= CONDENSED_PIECES:
            return True
        if len(run) != 2:
            return False
        first, second = run
        if sum(q.s_end - q.s_start for q in run) >= CONDENSING * sum(q.d_end - q.d_start for q in run):
            return True  # together they condense
        if any(q.kind != WEAK and q.s_end - q.s_start >= CONDENSING * (q.d_end - q.d_start) for q in run):
            return True  # a passage that condenses, and a piece kept from elsewhere
        # A rewritten sentence that runs on from a passage in both texts: the copy goes on,
        # edited more heavily than shingles survive (one before the passage in the draft but
        # after it in the directive is a sentence of the draft's own that happens to be alike).
        return (WEAK in (first.kind, second.kind) and -SHINGLE <= second.s_start - first.s_end
                <= params.gap_source)

    def flush() -> None:
        if not run:
            return
        joined = Passage(run[0].source_no, run[0].d_start, max(q.d_end for q in run),
                         min(q.s_start for q in run), max(q.s_end for q in run),
                         seeds=sum(q.seeds for q in run), kind="paraphrase")
        if condensed(joined):
            joined.lexical = lexical_similarity(draft, sources[joined.source_no], joined)
            out.append(joined)
        else:
            out.extend(q for q in run if q.kind != WEAK)
        run.clear()

    for p in sorted(passages, key=lambda q: q.d_start):
        if run:
            last = run[-1]
            if p.source_no != last.source_no or _draft_gap(draft, last, p) > params.gap_draft:
                flush()
            elif p.s_start < last.s_end and p.kind == WEAK:
                continue
        run.append(p)
    flush()
    return out


GAP_SHARED = 0.5  # share of a long draft gap's words that the directive's gap must hold


def _gap_shared(prev: Passage, p: Passage, draft: TokenSeq, source: TokenSeq, margin: int) -> float:
    """Share of the words between two passages in the draft that the directive holds around
    them: an edited or reordered stretch keeps most of its words, a sentence of the
    drafter's own between two copied ones keeps few, and must not be reported as copied."""
    d_words = [w for i, w in enumerate(draft.words[prev.d_end:p.d_start], prev.d_end) if not draft.excluded[i]]
    lo = max(0, min(prev.s_start, p.s_start) - margin)
    s_words = Counter(source.words[lo:max(prev.s_end, p.s_end) + margin])
    shared = 0
    for w in d_words:
        if s_words[w] > 0:
            s_words[w] -= 1
            shared += 1
    return shared / max(1, len(d_words))


EVIDENCE_UNIT = 1 << 20  # a seed's weight in fixed point: sums are exact in any order and any shard


def evidence(all_seeds: dict[int, np.ndarray], window: int) -> dict[int, int]:
    """Per directive, the most evidence of reuse its seeds hold within `window` draft tokens
    (each draft position once, weighing 1 / (1 + its common uses)), in units of
    1 / EVIDENCE_UNIT. Integers, so a directive scores the same whatever other directives
    are scored with it (in one index or in each shard of a split one). Cheap: array
    operations over all seeds, no alignment."""
    if not all_seeds:
        return {}
    docs = list(all_seeds)
    rows = np.concatenate([all_seeds[d] for d in docs])
    owner = np.repeat(np.arange(len(docs), dtype=np.int64), [len(all_seeds[d]) for d in docs])
    key, first = np.unique((owner << 32) | rows[:, 0], return_index=True)  # (directive, draft position)
    weights = np.rint(EVIDENCE_UNIT / (1.0 + rows[first, 2])).astype(np.int64)
    total = np.concatenate([[0], np.cumsum(weights)])
    ahead = np.searchsorted(key, key + window, side="left")  # never past the directive's own positions
    windowed = total[ahead] - total[:-1]
    starts = np.flatnonzero(np.r_[True, (key[1:] >> 32) != (key[:-1] >> 32)])
    return dict(zip(docs, np.maximum.reduceat(windowed, starts).tolist()))


def by_evidence(all_seeds: dict[int, np.ndarray], window: int) -> list[int]:
    """Directives ordered by `evidence`, best first; equal ones in the order given."""
    scores = evidence(all_seeds, window)
    return sorted(scores, key=lambda d: -scores[d])
