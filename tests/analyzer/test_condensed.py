"""Condensed copies (services/analyzer/align.join_condensed): which pieces of one directive,
close together in a draft, are one passage over the stretch of the directive they condense."""
from __future__ import annotations

import numpy as np

from services.analyzer.align import WEAK, AlignParams, Passage, join_condensed
from services.analyzer.tokens import TokenSeq


def _tokens(n: int) -> TokenSeq:
    words = [f"w{i}" for i in range(n)]
    starts = np.arange(n, dtype=np.int64) * 4
    return TokenSeq(words=words, starts=starts, ends=starts + 3, excluded=np.zeros(n, dtype=bool))


DRAFT, DIRECTIVE = _tokens(200), _tokens(3000)


def _join(*pieces: tuple[int, int, int, int, str]) -> list[tuple[int, int, int, int]]:
    passages = [Passage(0, d0, d1, s0, s1, seeds=5, kind=kind) for d0, d1, s0, s1, kind in pieces]
    return [(p.d_start, p.d_end, p.s_start, p.s_end) for p in join_condensed(passages, DRAFT, {0: DIRECTIVE},
                                                                               AlignParams())]


def test_a_summary_that_reorders_what_it_keeps_is_one_passage_over_the_whole_stretch():
    assert _join((0, 20, 100, 120, "near"), (22, 40, 10, 30, "verbatim"), (42, 60, 200, 220, "near")) == [
        (0, 60, 10, 220)]


def test_a_rewritten_sentence_out_of_the_directives_order_is_no_evidence():
    """Without it, the two passages copy one to one, and stay two."""
    assert _join((0, 20, 100, 120, "near"), (22, 30, 50, 60, WEAK), (32, 50, 150, 170, "near")) == [
        (0, 20, 100, 120), (32, 50, 150, 170)]


def test_two_pieces_that_each_condense_their_part_of_the_directive_are_one_passage():
    assert _join((0, 20, 0, 40, "paraphrase"), (22, 40, 60, 100, "near")) == [(0, 40, 0, 100)]
    # two copies, each as long as its source, side by side in the draft stay two passages
    assert _join((0, 20, 0, 20, "verbatim"), (22, 40, 600, 618, "near")) == [(0, 20, 0, 20), (22, 40, 600, 618)]


def test_pieces_spread_over_far_more_of_the_directive_than_a_summary_condenses_stay_apart():
    pieces = [(0, 20, 0, 20, "near"), (22, 40, 1200, 1218, "near"), (42, 60, 2400, 2418, "near")]
    assert _join(*pieces) == [(0, 20, 0, 20), (22, 40, 1200, 1218), (42, 60, 2400, 2418)]
    # within fifteen times the draft passage, they condense it
    assert _join((0, 20, 0, 20, "near"), (22, 40, 400, 418, "near"), (42, 60, 800, 818, "near")) == [
        (0, 60, 0, 818)]


def test_a_passage_that_condenses_its_part_and_a_sentence_kept_from_further_on_are_one_passage():
    # the first condenses 30 directive tokens into 18; the second is copied as is, much later
    assert _join((0, 18, 0, 30, "near"), (18, 26, 200, 208, "verbatim")) == [(0, 26, 0, 208)]
    # a rewritten sentence (WEAK) does not condense anything by being matched to a longer one
    assert _join((0, 20, 0, 20, "verbatim"), (22, 28, 500, 520, WEAK)) == [(0, 20, 0, 20)]


def test_a_rewritten_sentence_that_runs_on_from_a_passage_in_both_texts_extends_it():
    assert _join((0, 20, 100, 120, "near"), (21, 30, 122, 131, WEAK)) == [(0, 30, 100, 131)]
    assert _join((0, 9, 88, 98, WEAK), (10, 30, 100, 120, "near")) == [(0, 30, 88, 120)]


def test_a_rewritten_sentence_alike_a_directive_sentence_elsewhere_does_not_extend_a_passage():
    # before the passage in the draft, after it in the directive: a sentence of the draft's own
    assert _join((0, 9, 122, 131, WEAK), (10, 30, 100, 120, "near")) == [(10, 30, 100, 120)]
    # after it in both, but far on in the directive
    assert _join((0, 20, 100, 120, "near"), (21, 30, 300, 309, WEAK)) == [(0, 20, 100, 120)]
