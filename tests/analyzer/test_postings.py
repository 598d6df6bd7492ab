"""Postings read from a snapshot's files (services/analyzer/postings.py) find exactly what
the same postings in memory find."""
from __future__ import annotations

import numpy as np

from services.analyzer import postings


def test_postings_read_bucket_by_bucket_find_what_the_arrays_in_memory_find(tmp_path):
    rng = np.random.default_rng(3)
    # few distinct hashes, many repeated (a shingle in many directives), some in one bucket
    distinct = np.concatenate([rng.integers(0, 2**64, 500, dtype=np.uint64),
                               np.uint64(7 << 44) + np.arange(40, dtype=np.uint64)])
    hashes = rng.choice(distinct, 5000)
    order = np.argsort(hashes, kind="stable")
    hashes, docs, positions = hashes[order], rng.integers(0, 300, 5000)[order], np.arange(5000)[order]
    postings.write(tmp_path, hashes, docs, positions)
    in_memory = postings.SortedPostings(hashes, docs.astype(np.int32), positions.astype(np.int32))
    on_disk = postings.PostingsFile(tmp_path)
    queries = np.concatenate([rng.choice(distinct, 300), rng.integers(0, 2**64, 50, dtype=np.uint64)])

    want, got = in_memory.pairs(queries), on_disk.pairs(queries)

    assert len(on_disk) == 5000 and len(want[0]) > 1000
    for a, b in zip(want, got):
        assert np.array_equal(a, b)
    assert [len(x) for x in on_disk.pairs(np.zeros(0, np.uint64))] == [0, 0, 0]
