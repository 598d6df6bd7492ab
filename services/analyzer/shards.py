"""A registry split into shards, and what each shard answers when a check fans out.

A check asks every shard the same questions in rounds, and the coordinator
(`detect.detect_over`) merges the answers of one round before it asks the next:

1. `lexical`: the draft's seeds in the shard's directives. Per seeded directive: its
   evidence score, the first draft position it seeds at, its rare seeds, whether the
   draft cites it and a hash of the positions it seeds at; and the passages of the
   shard's `max_sources` best directives, one of those seeding the same positions
   (`best_seeded`; the registry's best are among them).
2. `sentences`: per draft sentence searched, the shard's closest directive sentences (the
   sentence layer), and the closest among the semantic layer's candidate directives (with
   their words, which the semantic layer embeds).
3. `grouped`: the sentence layer's passages from the draft sentences the coordinator
   matched to the shard's directives (they need the directives' words).
4. `documents`: the directives of the passages found, to finish the check (joins, edges,
   the report); a coordinator keeps the directives it fetched (`DocumentCache`), so the
   directives most drafts copy cross the network once.

A shard answers alone, and every order the coordinator sorts by is one each shard
computes alike: registry numbers of directives (a shard's own numbers map to them),
integer evidence scores, tf-idf weights over the whole registry (`wordstats`), sums in an
order no vocabulary changes. So the merged answers are those of one index holding every
directive, and a check returns exactly the passages a single shard returns.

Directive `n` of a registry split into `count` shards lives in shard `n % count`.
"""
from __future__ import annotations

import base64
import hashlib
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from services.analyzer import align, sentences, snapshot
from services.analyzer.align import Passage
from services.analyzer.index import DirectiveIndex, IndexedDocument
from services.analyzer.sentences import SentenceMatch, SentenceParams
from services.analyzer.tokens import TokenSeq
from services.analyzer.wordstats import WordStats

EVIDENCE_WINDOW = 100  # draft tokens over which a directive's seeds are weighed to rank it


def shard_of(number: int, count: int) -> int:
    """The shard a registry's directive `number` lives in."""
    return number % count


@dataclass(frozen=True)
class Seeded:
    """A directive the draft seeds in, as the coordinator ranks it."""

    no: int  # its registry number
    score: int  # align.evidence
    first: int  # the first draft position it seeds at: ties go to the directive seeded first
    rare: int  # seeds of shingles rare outside it (the semantic layer's candidates)
    cited: bool  # the draft cites it by số ký hiệu
    seeds: int | None = None  # a hash of the draft positions it seeds at and of its level
    # (`seeds_signature`; None from a worker that sends none: never taken for another's copy)

    def rank(self) -> tuple:
        return (-self.score, self.first, self.no)


def seeds_signature(positions: np.ndarray, level_rank: int) -> int:
    """A hash of a directive's seeded draft positions (distinct, sorted) and its level:
    directives of one level that seed the draft at exactly the same positions have the
    same, and one of them explains the draft as well as any."""
    digest = hashlib.blake2b(np.ascontiguousarray(positions, dtype=np.int64).tobytes(), digest_size=8,
                             person=level_rank.to_bytes(8, "little", signed=True))
    return int.from_bytes(digest.digest(), "little") >> 1  # a non-negative int64 (JSON, Celery)


def best_seeded(seeded: Sequence[Seeded], k: int) -> list[Seeded]:
    """The `k` best seeded directives by `Seeded.rank`, taking one of those that seed the
    draft at the same positions (the first by rank), but every one the draft cites (overlaps
    go to a cited directive): copies of one text (a document re-issued by many agencies,
    versions of one template) would otherwise fill every place, and the directive the draft
    really copies, ranked just after them, would never be aligned. Each shard's best are a
    superset of its directives among the registry's best: a check over shards aligns the
    directives one index would."""
    out: list[Seeded] = []
    taken: set[int] = set()
    for s in sorted(seeded, key=Seeded.rank):
        if len(out) == k:
            break
        if s.seeds is not None:
            if s.seeds in taken and not s.cited:
                continue
            taken.add(s.seeds)
        out.append(s)
    return out


@dataclass
class LexicalAnswer:
    seeded: list[Seeded]
    passages: dict[int, list[Passage]]  # of the shard's best directives, by registry number


Grouped = dict  # registry number -> the sentence layer's passages from that directive


@dataclass
class SentenceAnswer:
    units: list[list[SentenceMatch]]  # per unit asked, the closest directive sentences
    semantic: list[list[SentenceMatch]]  # per sentence asked, the closest of the candidates


class LocalShard:
    """A shard held in this process: an index and, when it is one part of a registry, the
    registry number of each of its directives."""

    def __init__(self, index: DirectiveIndex, numbers: Sequence[int] | None = None):
        self.index = index
        self.numbers = None if numbers is None else np.asarray(numbers, dtype=np.int64)

    def _number(self, local: int) -> int:
        return local if self.numbers is None else int(self.numbers[local])

    def _local(self, numbers) -> set[int] | None:
        """The shard's own numbers of these registry numbers (None: all)."""
        if numbers is None or self.numbers is None:
            return None if numbers is None else set(numbers)
        wanted = np.fromiter(numbers, dtype=np.int64, count=len(numbers))
        return set(np.flatnonzero(np.isin(self.numbers, wanted)).tolist())

    def lexical(self, draft: TokenSeq, *, cited: Sequence[str], allowed: set[int] | None, max_sources: int,
                params: align.AlignParams) -> LexicalAnswer:
        all_seeds = self.index.seeds(draft, allowed=self._local(allowed))
        scores = align.evidence(all_seeds, EVIDENCE_WINDOW)
        cited = set(cited)
        seeded = {local: Seeded(self._number(local), scores[local], int(seeds[0, 0]), int((seeds[:, 2] == 0).sum()),
                                self.index.documents[local].meta.get("reference") in cited,
                                seeds_signature(np.unique(seeds[:, 0]), self.index.documents[local].level_rank))
                  for local, seeds in all_seeds.items()}
        local_of = {s.no: local for local, s in seeded.items()}
        best = [local_of[s.no] for s in best_seeded(list(seeded.values()), max_sources)]
        passages = {seeded[local].no: align.passages_for_source(
            draft, self.index.documents[local].tokens, seeded[local].no, all_seeds[local], params) for local in best}
        return LexicalAnswer(list(seeded.values()), passages)

    def sentences(self, draft: TokenSeq, *, units: Sequence[tuple[int, int]], semantic: Sequence[tuple[int, int]],
                  candidates: Sequence[int], allowed: set[int] | None, params: SentenceParams,
                  aligned: Sequence[int] = ()) -> SentenceAnswer:
        def local_of(numbers: Sequence[int]) -> set[int]:  # the shard's own, of those allowed
            return self._local([c for c in numbers if allowed is None or c in allowed])

        found_units = sentences.search(self.index, draft, list(units), allowed=self._local(allowed), params=params,
                                       numbers=self.numbers, among=local_of(aligned))
        among = local_of(candidates)
        found_semantic = (sentences.search(self.index, draft, list(semantic), allowed=among, params=params,
                                           numbers=self.numbers, with_text=True, among=among,
                                           with_clauses=False)
                          if among else [[] for _ in semantic])
        return SentenceAnswer(found_units, found_semantic)

    def grouped(self, draft: TokenSeq, *, matches: Sequence[tuple], params: SentenceParams) -> Grouped:
        local = {self._number(i): i for i in self._local(sorted({m.no for _, _, m in matches}))}
        here = [x for x in matches if x[2].no in local]
        return sentences.passages_of_matches(draft, here, lambda no: self.index.documents[local[no]].tokens, params,
                                             self.index.phrases, sentences.weigher(self.index, draft, params))

    def documents(self, numbers: Sequence[int]) -> dict[int, IndexedDocument]:
        local = self._local(numbers) or set()
        return {self._number(i): self.index.documents[i] for i in sorted(local)}


def split(index: DirectiveIndex, count: int) -> list[LocalShard]:
    """The directives of `index` as `count` shards in this process, weighing words by the
    whole registry's figures (what a split registry's workers are given)."""
    parts = [DirectiveIndex(phrases=index.phrases) for _ in range(count)]
    numbers: list[list[int]] = [[] for _ in range(count)]
    for no, document in enumerate(index.documents):
        k = shard_of(no, count)
        parts[k].add(document)
        numbers[k].append(no)
    share_sentence_stats(parts)
    return [LocalShard(part, nos) for part, nos in zip(parts, numbers)]


def share_sentence_stats(parts: list[DirectiveIndex], params: SentenceParams | None = None) -> WordStats:
    """Give every part the figures of all parts' sentences together."""
    params = params or SentenceParams()
    for part in parts:
        part.sentence_stats = None
    stats = WordStats.total([sentences.table(part, params)[0].own_stats() for part in parts])
    for part in parts:
        part.sentence_stats = stats
    return stats


def save_shard(shard: LocalShard, folder: Path, *, others: WordStats, info: dict | None = None) -> dict:
    """Write a shard as a snapshot (`snapshot.save`) with what it needs to answer as part of
    its registry: the registry number of each of its directives, and the sentence figures
    of the directives the other shards hold (`others`)."""
    numbers = np.arange(len(shard.index), dtype=np.int64) if shard.numbers is None else shard.numbers
    total = shard.index.sentence_stats  # the registry's figures the shard weighs by, read back mapped
    if total is None:
        own = sentences.table(shard.index, SentenceParams())[0].own_stats() if shard.index.documents else None
        total = WordStats.total([own or WordStats.empty(), others])
    return snapshot.save(shard.index, folder, info=dict(info or {}, others_sentences=others.sentences,
                                                        total_sentences=total.sentences),
                         arrays={"numbers": numbers, "others_hashes": others.hashes, "others_df": others.df,
                                 "total_hashes": total.hashes, "total_df": total.df})


def open_shard(folder: Path, phrases=None) -> tuple[LocalShard, WordStats, dict]:
    """A shard written by `save_shard`, mapped: the shard, weighing words by the registry's
    figures as they were when it was written, the other shards' figures, and the manifest.
    Raises snapshot.SnapshotError for a folder that holds no such shard."""
    index, manifest = snapshot.open_index(folder, phrases)
    try:
        others = WordStats(snapshot.extra(folder, "others_hashes"), snapshot.extra(folder, "others_df"),
                           manifest["info"]["others_sentences"])
        total = WordStats(snapshot.extra(folder, "total_hashes"), snapshot.extra(folder, "total_df"),
                          manifest["info"]["total_sentences"])
        numbers = snapshot.extra(folder, "numbers")
    except KeyError as exc:
        raise snapshot.SnapshotError(f"{folder}: not a shard's snapshot (no {exc})") from exc
    if len(numbers) != len(index.documents):
        raise snapshot.SnapshotError(f"{folder}: {len(numbers)} registry numbers for {len(index.documents)} directives")
    stored = getattr(index, "_sentence_table", None)
    if stored is not None and stored.params != SentenceParams():
        stored = None  # written with other settings: built again, with the registry's figures
    index.sentence_stats = total  # mapped: start-up does not count the shard's sentences again
    if stored is not None:
        stored.adopt(total)  # its arrays were derived with these very figures
    return LocalShard(index, numbers), others, manifest


Ask = Callable[..., list]  # ask(round, **question) -> one answer per shard


class DocumentCache:
    """The directives a coordinator fetched, by registry number, the least recently used
    dropped past `max_tokens` (a registry's directives never change once registered)."""

    def __init__(self, max_tokens: int = 20_000_000):
        self.max_tokens = max_tokens
        self._documents: OrderedDict[int, IndexedDocument] = OrderedDict()
        self._tokens = 0
        self._lock = threading.Lock()

    def asking(self, ask: Ask) -> Ask:
        """`ask`, with the documents round answered from the cache where it can."""
        def cached_ask(round_name: str, **question) -> list:
            if round_name != "documents":
                return ask(round_name, **question)
            with self._lock:
                known = {no: self._documents[no] for no in question["numbers"] if no in self._documents}
                for no in known:
                    self._documents.move_to_end(no)
            missing = [no for no in question["numbers"] if no not in known]
            answers = ask(round_name, numbers=missing) if missing else []
            with self._lock:
                for answer in answers:
                    for no, document in answer.items():
                        if no not in self._documents:
                            self._documents[no] = document
                            self._tokens += len(document.tokens)
                while self._tokens > self.max_tokens and len(self._documents) > 1:
                    _, dropped = self._documents.popitem(last=False)
                    self._tokens -= len(dropped.tokens)
            return [known, *answers]
        return cached_ask


def ask_local(shards: list[LocalShard]) -> Ask:
    """Ask shards held in this process, one after another."""
    def ask(round_name: str, **question) -> list:
        return [getattr(shard, round_name)(**question) for shard in shards]
    return ask


# Answers as JSON, for shards in other processes (Celery carries JSON only).

def passage_to_json(p: Passage) -> list:
    return [p.source_no, p.d_start, p.d_end, p.s_start, p.s_end, p.seeds, p.lexical, p.semantic, p.kind]


def passage_from_json(row: list) -> Passage:
    return Passage(*row)


def answer_to_json(round_name: str, answer) -> dict:
    if round_name == "lexical":
        return {"seeded": [list(asdict(s).values()) for s in answer.seeded],
                "passages": [[no, [passage_to_json(p) for p in ps]] for no, ps in answer.passages.items()]}
    if round_name == "sentences":
        return {"units": [[list(m) for m in found] for found in answer.units],
                "semantic": [[list(m) for m in found] for found in answer.semantic]}
    if round_name == "grouped":
        return {"passages": [[no, [passage_to_json(p) for p in ps]] for no, ps in answer.items()]}
    if round_name == "documents":
        return {"documents": [[no, document_to_json(d)] for no, d in answer.items()]}
    raise ValueError(f"unknown round {round_name!r}")


def answer_from_json(round_name: str, data: dict):
    if round_name == "lexical":
        return LexicalAnswer([Seeded(*row) for row in data["seeded"]],
                             {no: [passage_from_json(r) for r in rows] for no, rows in data["passages"]})
    if round_name == "sentences":
        return SentenceAnswer([[SentenceMatch(*m) for m in found] for found in data["units"]],
                              [[SentenceMatch(*m) for m in found] for found in data["semantic"]])
    if round_name == "grouped":
        return {no: [passage_from_json(r) for r in rows] for no, rows in data["passages"]}
    if round_name == "documents":
        return {no: document_from_json(d) for no, d in data["documents"]}
    raise ValueError(f"unknown round {round_name!r}")


def question_to_json(round_name: str, question: dict) -> dict:
    """A round's question without the draft (a shard in another process reads the draft
    itself from the store)."""
    out = {k: v for k, v in question.items() if k != "draft"}
    if out.get("allowed") is not None:
        out["allowed"] = sorted(out["allowed"])
    if "params" in out:
        out["params"] = asdict(out["params"])
    for k in ("units", "semantic"):
        if k in out:
            out[k] = [list(span) for span in out[k]]
    if "matches" in out:
        out["matches"] = [[k, list(span), list(m)] for k, span, m in out["matches"]]
    return out


def question_from_json(round_name: str, data: dict) -> dict:
    question = dict(data)
    if question.get("allowed") is not None:
        question["allowed"] = set(question["allowed"])
    if "params" in question:
        question["params"] = (align.AlignParams if round_name == "lexical" else SentenceParams)(**question["params"])
    for k in ("units", "semantic"):
        if k in question:
            question[k] = [tuple(span) for span in question[k]]
    if "matches" in question:
        question["matches"] = [(k, tuple(span), SentenceMatch(*m)) for k, span, m in question["matches"]]
    return question


ROUNDS = ("lexical", "sentences", "grouped", "documents")
DRAFT_ROUNDS = ("lexical", "sentences", "grouped")  # the rounds whose question includes the draft


def _packed(array: np.ndarray, dtype) -> str:
    """An array as base64 text of its little-endian bytes (JSON carries text, not arrays)."""
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<")).tobytes()).decode()


def _unpacked(text: str, dtype) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.dtype(dtype).newbyteorder("<")).astype(dtype)


def document_to_json(document: IndexedDocument) -> dict:
    """A directive as compact JSON: its distinct words once, each token an id of them, and
    the arrays as base64 (a directive runs to tens of thousands of tokens)."""
    tokens = document.tokens
    words = list(tokens.words)
    distinct = list(dict.fromkeys(words))
    position = {w: i for i, w in enumerate(distinct)}
    meta = {k: v for k, v in document.meta.items() if k != "sentences"}
    return {"key": document.key, "level_rank": document.level_rank, "meta": meta,
            "sentences": _packed(np.asarray(document.meta.get("sentences", []), dtype=np.int32).reshape(-1, 2),
                                 np.int32),
            "distinct": distinct, "ids": _packed(np.fromiter((position[w] for w in words), np.int32, len(words)),
                                                 np.int32),
            "starts": _packed(tokens.starts, np.int64), "ends": _packed(tokens.ends, np.int64),
            "excluded": _packed(tokens.excluded, np.bool_),
            "separators": None if tokens.separators is None else _packed(tokens.separators, np.uint32)}


def document_from_json(data: dict) -> IndexedDocument:
    distinct = data["distinct"]
    tokens = TokenSeq([distinct[i] for i in _unpacked(data["ids"], np.int32).tolist()],
                      _unpacked(data["starts"], np.int64), _unpacked(data["ends"], np.int64),
                      _unpacked(data["excluded"], np.bool_),
                      None if data["separators"] is None else _unpacked(data["separators"], np.uint32))
    meta = dict(data["meta"], sentences=_unpacked(data["sentences"], np.int32).reshape(-1, 2))
    return IndexedDocument(key=data["key"], tokens=tokens, level_rank=data["level_rank"], meta=meta)
