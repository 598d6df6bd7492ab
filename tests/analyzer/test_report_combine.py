"""A later check adds to a stored report (services/analyzer/report.py:combine)."""
from __future__ import annotations

from services.analyzer.report import combine

CONTENT = [[0, 1000]]


def _p(start: int, end: int, source: int) -> dict:
    return {"draft_start": start, "draft_end": end, "source": f"document:{source}", "source_document_id": source,
            "source_start": 0, "source_end": end - start, "kind": "verbatim", "lexical": 1.0, "semantic": None,
            "source_reference": None}


def test_a_later_check_keeps_the_findings_of_directives_it_did_not_check():
    earlier = {"passages": [_p(0, 120, 1)], "checked": [1], "content": CONTENT}
    later = {"passages": [], "checked": [2], "content": CONTENT}
    merged = combine(earlier, later)
    assert merged["passages"] == earlier["passages"] and merged["checked"] == [1, 2]
    assert merged["copied_ratio"] == 0.12 and merged["verdict"] == "review"


def test_overlapping_passages_of_two_checks_count_once_and_both_stay_when_each_is_mostly_its_own():
    earlier = {"passages": [_p(0, 120, 1)], "checked": [1], "content": CONTENT}
    later = {"passages": [_p(100, 200, 2)], "checked": [2], "content": CONTENT}
    merged = combine(earlier, later)
    assert [p["source_document_id"] for p in merged["passages"]] == [1, 2]
    assert merged["copied_ratio"] == 0.2  # the union, 0..200


def test_a_passage_mostly_inside_the_other_checks_passage_is_dropped():
    earlier = {"passages": [_p(0, 300, 1)], "checked": [1], "content": CONTENT}
    later = {"passages": [_p(100, 200, 2)], "checked": [2], "content": CONTENT}
    assert [p["source_document_id"] for p in combine(earlier, later)["passages"]] == [1]


def test_a_report_stored_before_checked_was_kept_is_combined_not_replaced():
    earlier = {"passages": [_p(0, 120, 1)], "content": CONTENT}  # no "checked"
    later = {"passages": [_p(500, 560, 2)], "checked": [2], "content": CONTENT}
    merged = combine(earlier, later)
    assert merged["checked"] == [1, 2] and len(merged["passages"]) == 2
