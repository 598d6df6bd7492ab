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
