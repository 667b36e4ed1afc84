"""Calibration set of the evidence gate: which questions count as answerable or not."""

from __future__ import annotations

from assistant.bench.datasets import QAItem
from assistant.bench.gate import label_item, pick_items
from assistant.chains.types import Source
from ingest.legal.catalog import LawCatalog

CATALOG = LawCatalog(["개인정보 보호법", "행정절차법"])


def _item(qid: str, law: str, article: str) -> QAItem:
    return QAItem(qid, "질문", "질문", None, [{"law": law, "article": article}], "jsonl", 1)


def _source(law: str, article: str) -> Source:
    return Source(1, "c", "본문", {"law_title": law, "article": article}, 0.5)


def test_labels() -> None:
    indexed = _item("a", "개인정보보호법", "제18조")
    assert label_item(indexed, CATALOG, [_source("개인정보 보호법", "제18조")]) is True
    assert label_item(indexed, CATALOG, [_source("개인정보 보호법", "제17조")]) is None  # not retrieved
    assert label_item(_item("b", "주민등록법", "제16조"), CATALOG, []) is False  # law not indexed
    no_refs = QAItem("c", "질문", "질문", None, [], "jsonl", 1)
    assert label_item(no_refs, CATALOG, []) is None


def test_pick_keeps_every_indexed_question_and_spreads_the_rest() -> None:
    items = [_item("in", "행정절차법", "제21조")] + [
        _item(f"out{i}", "소득세법", "제14조") for i in range(10)
    ]
    picked = pick_items(items, CATALOG, 4)
    assert [i.id for i in picked] == ["in", "out0", "out2", "out5", "out7"]
    assert len(pick_items(items, CATALOG, 0)) == 11
