"""A registry split into shards returns exactly the passages of one index holding it all."""
from __future__ import annotations

import json

import numpy as np

from services.analyzer import shards
from services.analyzer.detect import DetectParams, detect, detect_over, index_document
from services.analyzer.index import DirectiveIndex
from services.analyzer.sentences import SentenceParams, document_stats
from services.analyzer.sentences import table as sentence_table
from services.analyzer.wordstats import WordStats
from services.ingest.pipeline import parse
from tests.conftest import shared


def _through_json(ask):
    """The shards reached as Celery reaches them: questions and answers as JSON text."""
    def relay(round_name, **question):
        sent = json.loads(json.dumps(shards.question_to_json(round_name, question)))
        asked = shards.question_from_json(round_name, sent)
        if "draft" in question:
            asked["draft"] = question["draft"]
        answers = ask(round_name, **asked)
        return [shards.answer_from_json(round_name, json.loads(json.dumps(shards.answer_to_json(round_name, a))))
                for a in answers]
    return relay


def test_two_and_three_shards_report_exactly_what_one_index_reports(dev_set, semantic_layer):
    index, drafts, _ = dev_set
    split = {count: shards.ask_local(shards.split(index, count)) for count in (2, 3)}
    relayed = _through_json(split[2])
    differ = []
    checked = 0
    for name, parsed in drafts.items():
        one = detect(parsed, index, key=name, params=DetectParams(), semantic=semantic_layer).to_json()
        for label, ask in (("2", split[2]), ("3", split[3]), ("2 over JSON", relayed)):
            other = detect_over(ask, parsed, key=name, params=DetectParams(), semantic=semantic_layer).to_json()
            if other != one:
                differ.append((label, name))
        checked += bool(one["passages"])
    assert checked >= 30  # drafts with passages: the comparison is not of empty reports
    assert differ == []


def test_a_check_restricted_to_some_directives_gives_the_same_passages_split_or_not(dev_set):
    index, drafts, _ = dev_set
    allowed = set(range(0, len(index.documents), 2))
    ask = shards.ask_local(shards.split(index, 2))
    for name, parsed in list(drafts.items())[:15]:
        one = detect(parsed, index, key=name, allowed=allowed)
        other = detect_over(ask, parsed, key=name, allowed=allowed)
        assert other.to_json() == one.to_json()
        assert {p.source for p in one.passages} <= {index.documents[i].key for i in allowed}


def test_each_shard_weighs_words_by_the_whole_registrys_sentences(dev_set):
    index, _, _ = dev_set
    params = SentenceParams()
    parts = shards.split(index, 3)
    whole = sentence_table(index, params)[0].own_stats()
    for part in parts:
        assert part.index.sentence_stats.sentences == whole.sentences
        assert np.array_equal(part.index.sentence_stats.hashes, whole.hashes)
        assert np.array_equal(part.index.sentence_stats.df, whole.df)
    # what a shard counts of a directive another shard holds is what that shard's table holds of it
    counted = WordStats.total([document_stats(d.tokens, d.sentences, params) for d in index.documents])
    assert counted.sentences == whole.sentences and np.array_equal(counted.df, whole.df)


def test_directive_n_lives_in_shard_n_modulo_the_count(kl226):
    index = DirectiveIndex()
    for n in range(5):
        index_document(index, key=f"d{n}", parsed=kl226)
    parts = shards.split(index, 2)
    assert [[d.key for d in p.index.documents] for p in parts] == [["d0", "d2", "d4"], ["d1", "d3"]]
    assert parts[1].documents([3, 4]) == {3: parts[1].index.documents[1]}


def test_the_seed_document_gets_the_same_passages_from_a_split_registry(kl226):
    seed = parse(shared("seeds", "000_b0328c80448f943d.txt").read_bytes(), with_sentences=False)
    index = DirectiveIndex()
    for name in ("hr-nghi-quyet-so-15-2026-nq-cp-469344.txt", "hr-thong-tu-so-44-2022-tt-btc-37701.txt"):
        index_document(index, key=name, parsed=parse(shared("corpus", "docs", name).read_bytes(),
                                                     with_sentences=False))
    index_document(index, key="226", parsed=kl226)
    one = detect(seed, index, key="s")
    split = detect_over(_through_json(shards.ask_local(shards.split(index, 2))), seed, key="s")
    assert len([p for p in one.passages if p.source == "226"]) >= 3
    assert split.to_json() == one.to_json()


def test_a_coordinator_fetches_each_directive_once_and_answers_the_same(dev_set):
    index, drafts, _ = dev_set
    ask = _through_json(shards.ask_local(shards.split(index, 2)))
    fetched: list[int] = []

    def counting(round_name, **question):
        if round_name == "documents":
            fetched.extend(question["numbers"])
        return ask(round_name, **question)

    cache = shards.DocumentCache()
    cached = cache.asking(counting)
    name, parsed = next((n, p) for n, p in drafts.items() if detect(p, index, key=n).passages)
    first = detect_over(cached, parsed, key=name)
    asked_first = len(fetched)
    again = detect_over(cached, parsed, key=name)
    assert asked_first >= 1 and len(fetched) == asked_first  # the second check fetched nothing
    assert first.to_json() == again.to_json() == detect(parsed, index, key=name).to_json()
