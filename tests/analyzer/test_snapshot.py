"""The index snapshot (services/analyzer/snapshot.py): the index written as files and
memory-mapped answers as the index it was written from, and takes new directives on top."""
from __future__ import annotations

import numpy as np
import pytest

from services.analyzer import snapshot
from services.analyzer.detect import DetectParams, detect, index_document
from services.analyzer.index import DirectiveIndex
from services.analyzer.postings import PostingsFile
from services.ingest.pipeline import parse
from tests.conftest import shared

LEXICAL = DetectParams(semantic=False)
SOURCES = ("hr-nghi-dinh-so-191-2026-nd-cp-469672.txt", "hr-thong-tu-so-44-2022-tt-btc-37701.txt")


def _parsed(*parts: str):
    return parse(shared(*parts).read_bytes(), with_sentences=False)


@pytest.fixture(scope="module")
def dev_drafts():
    folder = shared("eval", "dev", "drafts")
    return {p.name: parse(p.read_bytes(), with_sentences=False) for p in sorted(folder.iterdir())[:12]}


def _reports(index, drafts) -> dict:
    return {name: [(p.source, p.draft_start, p.draft_end, p.source_start, p.source_end, p.kind)
                   for p in detect(parsed, index, key=name, params=LEXICAL).passages]
            for name, parsed in drafts.items()}


def _index(sources) -> DirectiveIndex:
    index = DirectiveIndex()
    for name in sources:
        index_document(index, key=name, parsed=_parsed("eval", "dev", "sources", name))
    return index


def test_a_snapshot_answers_as_the_index_it_was_written_from(tmp_path, dev_drafts, kl226):
    index = _index(SOURCES)
    index_document(index, key="226", parsed=kl226)
    seed = {"seed": _parsed("seeds", "000_b0328c80448f943d.txt")}
    want = _reports(index, {**dev_drafts, **seed})
    assert sum(map(len, want.values())) >= 5, "the drafts copy these directives"

    snapshot.save(index, tmp_path / "snap")
    opened, info = snapshot.open_index(tmp_path / "snap")

    assert info["directives"] == 3 and len(opened) == 3
    assert _reports(opened, {**dev_drafts, **seed}) == want
    assert isinstance(opened._postings()[0], PostingsFile)  # read from the files, bucket by bucket
    assert isinstance(opened.documents[0].tokens.words.ids.base.base, np.memmap)  # mapped, never copied


def test_directives_added_after_opening_a_snapshot_are_checked_like_the_others(tmp_path, dev_drafts):
    snapshot.save(_index(SOURCES[:1]), tmp_path / "snap")
    opened, _ = snapshot.open_index(tmp_path / "snap")
    index_document(opened, key=SOURCES[1], parsed=_parsed("eval", "dev", "sources", SOURCES[1]))

    assert _reports(opened, dev_drafts) == _reports(_index(SOURCES), dev_drafts)


def test_a_snapshot_replaces_the_older_one_in_its_folder(tmp_path, dev_drafts):
    snapshot.save(_index(SOURCES[:1]), tmp_path / "snap")
    snapshot.save(_index(SOURCES), tmp_path / "snap")

    opened, info = snapshot.open_index(tmp_path / "snap")
    assert info["directives"] == 2 and [d.key for d in opened.documents] == list(SOURCES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap"]  # nothing half-written left


def test_a_folder_without_a_snapshot_is_a_clear_error(tmp_path):
    with pytest.raises(snapshot.SnapshotError, match="no readable index snapshot"):
        snapshot.open_index(tmp_path)
    (tmp_path / "manifest.json").write_text('{"format": 99}')
    with pytest.raises(snapshot.SnapshotError, match="format 99"):
        snapshot.open_index(tmp_path)


def test_a_snapshot_weighed_by_another_common_phrase_model_is_refused(tmp_path):
    from services.analyzer import phrases
    from services.analyzer.wordstats import WordStats

    snapshot.save(_index(SOURCES[:1]), tmp_path / "snap")
    bundled = phrases.load()
    rebuilt = bundled.with_words(WordStats(bundled.words.hashes, bundled.words.df + 1, bundled.words.sentences + 1))
    with pytest.raises(snapshot.SnapshotError, match="another common-phrase model"):
        snapshot.open_index(tmp_path / "snap", phrases=rebuilt)
    opened, _ = snapshot.open_index(tmp_path / "snap", phrases=bundled)
    assert len(opened) == 1


def test_opening_a_snapshot_reads_no_directive_and_no_word_until_a_check_asks(tmp_path, dev_drafts):
    index = _index(SOURCES)
    snapshot.save(index, tmp_path / "snap")
    opened, _ = snapshot.open_index(tmp_path / "snap")
    # start-up maps files: what it costs does not grow with the registry
    assert isinstance(opened.documents, snapshot.MappedDocuments) and not opened.documents._made
    assert opened.vocabulary._words is None
    assert _reports(opened, dev_drafts) == _reports(index, dev_drafts)
    assert opened.vocabulary.words == index.vocabulary.words
    assert [d.key for d in opened.documents] == [d.key for d in index.documents]


def test_a_worker_keeps_answering_from_a_snapshot_a_newer_one_replaced(tmp_path, dev_drafts):
    snapshot.save(_index(SOURCES), tmp_path / "snap")
    opened, _ = snapshot.open_index(tmp_path / "snap")
    snapshot.save(_index(SOURCES[:1]), tmp_path / "snap")  # the nightly snapshot, renamed into place
    # the files it mapped are gone from the folder, not from the process
    assert _reports(opened, dev_drafts) == _reports(_index(SOURCES), dev_drafts)


def test_words_added_after_opening_a_snapshot_get_ids_after_its_words(tmp_path):
    index = _index(SOURCES[:1])
    snapshot.save(index, tmp_path / "snap")
    opened, _ = snapshot.open_index(tmp_path / "snap")
    known = index.vocabulary.words[:3]
    assert opened.vocabulary.lookup(known + ["chưa-từng-thấy"]).tolist() == [0, 1, 2, -1]
    ids = opened.vocabulary.encode(["chưa-từng-thấy", known[1], "chưa-từng-thấy"]).tolist()
    assert ids == [len(index.vocabulary), 1, len(index.vocabulary)]
    assert opened.vocabulary.words[-1] == "chưa-từng-thấy" and len(opened.vocabulary) == len(index.vocabulary) + 1
