"""The development evaluation set, scored with the PAN measures (plagdet.py from ../shared).

Prints the figures and asserts floors at what the detector reaches (see the README's figures).
"""
from __future__ import annotations

import importlib.util
from collections import defaultdict

from services.analyzer.detect import DetectParams, detect
from services.analyzer.exclusions import citation_clauses
from tests.conftest import shared


def _plagdet():
    spec = importlib.util.spec_from_file_location("plagdet", shared("tools", "plagdet.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dev_set_figures(dev_set, semantic_layer, capsys):
    index, drafts, truth = dev_set
    detections = defaultdict(list)
    inside_citations = 0
    for name, parsed in drafts.items():
        report = detect(parsed, index, key=name, params=DetectParams(), semantic=semantic_layer)
        for p in report.passages:
            detections[name].append(vars(p))
            inside_citations += any(p.draft_start >= s and p.draft_end <= e for s, e in citation_clauses(parsed))
    figures = _plagdet().score(truth, detections, by_kind=True)
    with capsys.disabled():
        print(f"\ndev set: {figures}, detections inside citations: {inside_citations}")
    assert inside_citations == 0
    assert figures["granularity"] <= 1.10
    # Floors at the figures this code reaches (README, "Figures"); the bars are higher
    # (plagdet and precision 0.90, host-reuse 0.90, none and format 0.95): raise
    # these as they are met, never lower them.
    # Host-reuse went from 0.86 to 0.84 when repeated text began to be traced to the place
    # holding its longest identical run (precision 0.81 to 0.84): see the README's figures.
    # Paraphrase went from 0.83 to 0.89 when the sentence layer began to weigh words by the
    # common-phrase model's sentence frequencies instead of the registry's 24 sources.
    recall = figures["recall_by_obfuscation"]
    assert figures["plagdet"] >= 0.87 and figures["precision"] >= 0.85
    assert recall["host-reuse"] >= 0.84 and recall["none"] >= 0.99 and recall["format"] >= 0.94
    # Edit reached its bar (0.82 to 0.91) and random went from 0.64 to 0.81 when a draft
    # sentence began to be matched with a clause of a longer directive sentence.
    # Paraphrase reached its bar (0.896 to 0.908) when a passage began to take each text's own
    # closing mark and a list item's bullet.
    assert recall["edit"] >= 0.90 and recall["paraphrase"] >= 0.90 and recall["random"] >= 0.80
