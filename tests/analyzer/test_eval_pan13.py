"""The four PAN 2013 text-alignment training folders (../shared/eval/pan13), each draft
checked against its candidate pairs as published systems are measured (`make eval`), held
to the issue's bars: above the best published system on the same documents."""
from __future__ import annotations

import json
from collections import defaultdict

import pytest

from services.analyzer.detect import DetectParams, detect, index_document
from services.analyzer.index import DirectiveIndex
from services.ingest.pipeline import parse
from tests.analyzer.test_eval_dev import _plagdet
from tests.conftest import shared

# Sanchez-Perez et al. 2015 (the best of the published figures in ../shared/eval/pan13) on
# these folders, and the bars above them
BARS = {"none": 0.975, "random": 0.92, "translation": 0.88, "summary": 0.62}


@pytest.mark.parametrize("subset", sorted(BARS))
def test_pan13_folder_plagdet_is_above_the_best_published_system(subset, semantic_layer, capsys):
    folder = shared("eval", "pan13", subset)
    truth = json.loads((folder / "truth.json").read_text())
    pairs: dict[str, set[str]] = defaultdict(set)
    for line in (folder / "pairs").read_text().splitlines():
        if line.split():
            draft, source = line.split()
            pairs[draft].add(source)
    index = DirectiveIndex()
    numbers = {path.name: index_document(index, key=path.name, parsed=parse(path.read_bytes(), path.name))
               for path in sorted((folder / "sources").iterdir())}
    detections = defaultdict(list)
    for path in sorted((folder / "drafts").iterdir()):
        allowed = {numbers[name] for name in pairs.get(path.name, ()) if name in numbers}
        report = detect(parse(path.read_bytes(), path.name), index, key=path.name, params=DetectParams(),
                        semantic=semantic_layer, allowed=allowed)
        detections[path.name] = [vars(p) for p in report.passages]
    figures = _plagdet().score(truth, detections)
    with capsys.disabled():
        print(f"\nPAN 2013 {subset}: {figures}")
    assert figures["plagdet"] >= BARS[subset]
    assert figures["granularity"] <= 1.10
