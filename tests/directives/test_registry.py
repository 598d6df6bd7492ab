"""The directive registry's stored entries (services/directives/registry.py)."""
from __future__ import annotations

import io

import numpy as np

from services.analyzer.detect import analysis_tokens
from services.directives.registry import decode, encode


def test_a_stored_entry_keeps_the_directives_tokens_and_layout(kl226):
    tokens, sentences = analysis_tokens(kl226, as_source=True)
    loaded, loaded_sentences = decode(encode(tokens, sentences))
    assert loaded.words == tokens.words and loaded_sentences == sentences
    assert np.array_equal(loaded.separators, tokens.separators)
    assert np.array_equal(loaded.excluded, tokens.excluded)


def test_an_entry_stored_before_the_layout_was_kept_still_loads(kl226):
    tokens, sentences = analysis_tokens(kl226, as_source=True)
    buf = io.BytesIO()
    np.savez_compressed(buf, words=np.asarray(tokens.words).astype(str), starts=tokens.starts, ends=tokens.ends,
                        excluded=tokens.excluded, sentences=np.asarray(sentences, dtype=np.int64).reshape(-1, 2))
    loaded, _ = decode(buf.getvalue())
    assert loaded.words == tokens.words and loaded.separators is None


def test_loaded_entries_share_one_object_per_distinct_word(kl226):
    """A registry holds millions of tokens: each distinct word is one string object, shared
    by every entry a worker loads and by the documents it tokenises."""
    tokens, sentences = analysis_tokens(kl226, as_source=True)
    payload = encode(tokens, sentences)
    first, _ = decode(payload)
    second, _ = decode(payload)
    assert len(set(map(id, first.words))) == len(set(first.words)) < len(first.words)
    assert all(a is b for a, b in zip(first.words, second.words))
    assert all(a is b for a, b in zip(first.words, tokens.words))


def _stored_directive(db, kl226, name: str):
    from services.common.models import AgencyLevel, Document, DocumentKind
    from services.directives.registry import register

    document = Document(kind=DocumentKind.directive, sha256=name.ljust(64, "0"), filename=f"{name}.txt",
                        media_type="text/plain", size=1)
    db.add(document)
    db.flush()
    return register(db=db, document=document, parsed=kl226, level=AgencyLevel.central_party)


def test_a_directive_whose_registration_commits_after_a_later_ones_is_still_loaded(pg_url, kl226):
    """Entry ids are given at insert and seen at commit: the registration that began first
    can commit last, after a worker has loaded the other one."""
    from services.analyzer.phrases import PhraseModel
    from services.common.db import make_engine, session_factory
    from services.common.migrate import upgrade
    from services.directives.registry import LoadedIndex
    from tests.conftest import empty_store

    upgrade(pg_url)
    factory = session_factory(make_engine(pg_url))
    empty_store(factory)
    loaded = LoadedIndex(PhraseModel.empty())
    shard = LoadedIndex(PhraseModel.empty(), shard=0, shards=2)
    slow, fast = factory(), factory()
    try:
        first = _stored_directive(slow, kl226, "first")  # id given, not committed
        second = _stored_directive(fast, kl226, "second")
        assert first.id < second.id
        fast.commit()
        with factory() as db:
            assert loaded.refresh(db) == 1 and shard.refresh(db) == 1
        slow.commit()
        with factory() as db:
            assert loaded.refresh(db) == 1 and shard.refresh(db) == 1  # the earlier id, committed late
            assert loaded.refresh(db) == 0
            later = LoadedIndex(PhraseModel.empty())  # a process started after both commits
            later_shard = LoadedIndex(PhraseModel.empty(), shard=0, shards=2)
            later.refresh(db)
            later_shard.refresh(db)
        assert sorted(loaded.document_ids) == sorted([first.document_id, second.document_id])
        assert len(loaded.index) == 2
        # loaded in another order, numbered alike: a directive's number is its entry's id
        assert loaded.document_ids != later.document_ids
        assert dict(zip(loaded.entry_ids, loaded.document_ids)) == dict(zip(later.entry_ids, later.document_ids))
        assert loaded.higher_than(None) == later.higher_than(None) == {first.id, second.id}
        assert shard.numbers == later_shard.numbers == [n for n in (first.id, second.id) if n % 2 == 0]
    finally:
        slow.close()
        fast.close()


def test_a_directive_registered_again_is_checked_in_its_new_form_only(pg_url, kl226, tmp_path):
    from services.analyzer.phrases import PhraseModel
    from services.common.db import make_engine, session_factory, unit_of_work
    from services.common.migrate import upgrade
    from services.common.models import AgencyLevel, Document
    from services.directives.registry import LoadedIndex, register
    from services.ingest.pipeline import parse
    from tests.conftest import empty_store

    upgrade(pg_url)
    factory = session_factory(make_engine(pg_url))
    empty_store(factory)
    with unit_of_work(factory) as db:
        first = _stored_directive(db, kl226, "kl226")
        old_id, document_id = first.id, first.document_id
    loaded = LoadedIndex(PhraseModel.empty())
    with factory() as db:
        assert loaded.refresh(db) == 1
    with unit_of_work(factory) as db:  # the same parse again: nothing changes
        assert register(db=db, document=db.get(Document, document_id), parsed=kl226,
                        level=AgencyLevel.central_party).id == old_id
    shorter = parse(kl226.text[:len(kl226.text) // 2].encode("utf-8"), with_sentences=False)  # parsed again, differently
    with unit_of_work(factory) as db:
        new_id = register(db=db, document=db.get(Document, document_id), parsed=shorter,
                          level=AgencyLevel.central_party).id
    assert new_id > old_id
    with factory() as db:
        assert loaded.refresh(db) == 1
    assert loaded.higher_than(None) == {new_id} and loaded.retired == {old_id}
    assert loaded.documents_of(loaded.higher_than(AgencyLevel.commune)) == [document_id]
    # a snapshot keeps what is retired
    loaded.save_snapshot(tmp_path / "snap")
    reopened = LoadedIndex(PhraseModel.empty(), tmp_path / "snap")
    with factory() as db:
        assert reopened.refresh(db) == 0
    assert reopened.higher_than(None) == {new_id}
