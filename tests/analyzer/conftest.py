"""Analyzer fixtures: real directives and drafts from ../shared, parsed once per session."""
from __future__ import annotations

import json

import pytest

from services.analyzer.detect import index_document
from services.analyzer.index import DirectiveIndex
from services.analyzer.semantic import CachedEmbedder, E5Embedder, SemanticLayer
from services.ingest.pipeline import parse
from tests.conftest import shared


@pytest.fixture(scope="session")
def kl226():
    return parse(shared("directives", "226-KL-TW.txt").read_bytes(), with_sentences=False)


@pytest.fixture(scope="session")
def kl226_index(kl226) -> DirectiveIndex:
    index = DirectiveIndex()
    index_document(index, key="226-KL-TW.txt", parsed=kl226)
    return index


@pytest.fixture(scope="session")
def semantic_layer(tmp_path_factory) -> SemanticLayer:
    return SemanticLayer(CachedEmbedder(E5Embedder(), tmp_path_factory.mktemp("e5") / "embeddings.sqlite"))


@pytest.fixture(scope="session")
def dev_set():
    """The development evaluation set: sources indexed, drafts parsed, truth loaded."""
    truth = json.loads(shared("eval", "dev", "truth.json").read_text())
    index = DirectiveIndex()
    for path in sorted(shared("eval", "dev", "sources").iterdir()):
        index_document(index, key=path.name, parsed=parse(path.read_bytes(), with_sentences=False))
    drafts = {p.name: parse(p.read_bytes(), with_sentences=False) for p in sorted(shared("eval", "dev", "drafts").iterdir())}
    return index, drafts, truth
