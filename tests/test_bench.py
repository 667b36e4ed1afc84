"""QA benchmark: metrics, bootstrap, readers, bad input, interruption and an end-to-end run with a
fake retriever/answerer (no index, no model)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from assistant.bench import metrics
from assistant.bench.answers import AnswerResult, answer_metrics, supported_share
from assistant.bench.bootstrap import paired_bootstrap
from assistant.bench.cli import DEFAULT_QA, main
from assistant.bench.datasets import DatasetError, QAItem, read_qa_file
from assistant.bench.gold import (
    ANNEX_OR_NON_ARTICLE,
    LAW_NOT_INDEXED,
    GoldArticle,
    GoldSection,
    first_hit_ranks,
    resolve_item,
)
from assistant.bench.korean_text import rouge_tokens
from ingest.core.model import Chunk
from ingest.legal.catalog import LawCatalog
from tests.conftest import require_shared

QA_DIR = Path(__file__).resolve().parents[1].parent / "shared/data/qa"
LAWS = ["개인정보 보호법", "개인정보 보호법 시행령", "형법"]


def _real_slice(name: str, tmp_path: Path, n: int = 5) -> Path:
    src = QA_DIR / name
    if not src.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{src} is missing (required when CI is set)")
        pytest.skip(f"{src} is missing: the shared QA dev sets are not mounted here")
    dst = tmp_path / name
    dst.write_text("\n".join(src.read_text(encoding="utf-8").splitlines()[:n]) + "\n", encoding="utf-8")
    return dst


def _meta(law: str, article: str, **extra: object) -> dict:
    return {"law_title": law, "article": article, "doc_title": law, "doc_type": "statute", **extra}


def _gold(law: str, article: str) -> GoldArticle:
    item = QAItem("g", "q", "q", None, [{"law": law, "article": article}], "jsonl", 1)
    (target,) = resolve_item(item, LawCatalog(LAWS)).targets
    assert isinstance(target, GoldArticle)
    return target


# --- retrieval metrics ----------------------------------------------------------------------


def test_rank_metrics_by_hand() -> None:
    ranks = [2, None]  # two gold articles, one found at rank 2
    assert metrics.recall_at_k(ranks, 1) == 0.0
    assert metrics.recall_at_k(ranks, 5) == 1.0
    assert metrics.all_gold_at_k(ranks, 20) == 0.0
    assert metrics.all_gold_at_k([1, 3], 3) == 1.0
    assert metrics.all_gold_at_k([1, 3], 2) == 0.0
    assert metrics.reciprocal_rank(ranks) == 0.5
    assert metrics.reciprocal_rank([11]) == 0.0  # beyond MRR@10
    # DCG = 1/log2(3); IDCG = 1 + 1/log2(3)
    assert metrics.ndcg_at_k(ranks) == pytest.approx(0.63093 / 1.63093, abs=1e-5)
    assert metrics.ndcg_at_k([1]) == 1.0


def test_ndcg_dedupes_split_articles() -> None:
    gold = [_gold("개인정보 보호법", "제15조"), _gold("형법", "제330조")]
    retrieved = [
        _meta("개인정보 보호법", "제15조", part=1),
        _meta("개인정보 보호법", "제17조"),
        _meta("개인정보 보호법", "제15조", part=2),  # second part of the same article: no gain
        _meta("형법", "제330조"),
        _meta("형법", "제1조", is_addendum=True),
    ]
    ranks = first_hit_ranks(retrieved, gold)
    assert ranks == [1, 4]
    # DCG = 1 + 1/log2(5) = 1.43068; IDCG = 1 + 1/log2(3) = 1.63093
    assert metrics.ndcg_at_k(ranks) == pytest.approx(1.43068 / 1.63093, abs=1e-5)
    assert metrics.retrieval_metrics(ranks, [1, 3])["all_gold@3"] == 0.0
    # 부칙 제1조 never counts as the body's 제1조
    assert first_hit_ranks(retrieved, [_gold("형법", "제1조")]) == [None]


def test_rouge_l_korean_by_hand() -> None:
    cand = rouge_tokens("10년 이하의 징역에 처한다.")
    ref = rouge_tokens("10년 이하의 징역")
    assert ref == ["10", "년", "이하", "의", "징역"]
    assert "." not in cand and len(cand) == 8  # 10/년/이하/의/징역/에/처하/ᆫ다
    # LCS 5: P = 5/8, R = 5/5 → F1 = 2·0.625·1 / 1.625
    assert metrics.rouge_l(cand, ref) == pytest.approx(10 / 13)
    assert metrics.rouge_l(["갑", "을", "병"], ["을", "갑", "병"]) == pytest.approx(2 / 3)
    assert metrics.rouge_l([], ["갑"]) == 0.0


# --- bootstrap ------------------------------------------------------------------------------


def test_paired_bootstrap_is_seeded_and_covers_true_difference() -> None:
    rng = np.random.default_rng(7)
    a = rng.normal(0.5, 0.2, size=300)
    noise = rng.normal(0, 0.05, size=150)
    b = a + 0.1 + np.concatenate([noise, -noise])  # symmetric noise: B − A is exactly 0.1 on average
    first, again = paired_bootstrap(a, b, seed=1), paired_bootstrap(a, b, seed=1)
    assert first == again
    assert paired_bootstrap(a, b, seed=2) != first
    assert first.ci_low < 0.1 < first.ci_high
    assert first.ci_high - first.ci_low < 0.03  # pairing removes the between-question spread
    assert first.delta == pytest.approx(0.1)
    assert first.n == 300
    # NaN on either side drops the pair on both sides
    assert paired_bootstrap([1.0, math.nan, 0.0], [1.0, 1.0, 1.0]).n == 2


# --- readers --------------------------------------------------------------------------------


def test_reads_koblex_slice(tmp_path: Path) -> None:
    ds = read_qa_file(_real_slice("koblex-dev.jsonl", tmp_path))
    assert ds.format == "koblex" and len(ds.items) == 5 and not ds.bad_lines
    first = ds.items[0]
    assert first.query == f"{first.background} {first.question}"
    assert first.raw_refs and all(isinstance(r, str) for r in first.raw_refs)
    res = resolve_item(first, LawCatalog(["형법", "공직선거법"]))
    assert res.scored, res


def test_reads_firesafety_slice(tmp_path: Path) -> None:
    ds = read_qa_file(_real_slice("firesafety-dev.jsonl", tmp_path))
    assert ds.format == "firesafety" and len(ds.items) == 5
    assert all(item.query == item.question for item in ds.items)
    assert ds.items[0].id == "0"
    # Without any 소방 law in the catalog nothing resolves, and each item says why.
    for item in ds.items:
        res = resolve_item(item, LawCatalog(LAWS))
        assert not res.scored and res.reason


def test_reads_own_jsonl_and_resolves(tmp_path: Path) -> None:
    path = tmp_path / "own.jsonl"
    rows = [
        {"id": "a", "question": "동의 없이 수집?", "background": "구청이", "answer": "안 된다",
         "references": [{"law": "개인정보 보호법", "article": "제15조"}, {"law": "개인정보보호법", "article": "제 15 조"}]},
        {"id": "b", "question": "민원?", "references": [{"law": "민원 처리에 관한 법률", "article": "제17조"}]},
        {"id": "c", "question": "지침?", "references": [{"document": "민원업무 처리지침", "section": "Ⅱ. 접수"}]},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    ds = read_qa_file(path)
    assert ds.format == "jsonl" and [i.id for i in ds.items] == ["a", "b", "c"]
    assert ds.items[0].query == "구청이 동의 없이 수집?"
    catalog = LawCatalog(LAWS)
    first = resolve_item(ds.items[0], catalog)
    assert [t.key for t in first.targets] == ["개인정보 보호법 제15조"]  # same article once
    assert resolve_item(ds.items[1], catalog).reason == LAW_NOT_INDEXED
    section = resolve_item(ds.items[2], catalog).targets[0]
    assert isinstance(section, GoldSection)
    assert section.matches({"doc_title": "민원업무 처리지침", "section_path": "Ⅱ. 접수 > 1. 방법"})
    assert not resolve_item(ds.items[2], catalog, doc_titles={"다른 지침"}).scored


def test_firesafety_stringified_reference_list(tmp_path: Path) -> None:
    path = tmp_path / "fire.jsonl"
    row = {
        "question_id": 7,
        "question": "q",
        "answer": "a",
        "law_references": "['「개인정보 보호법」 제15조', '같은 법 시행령 제3조']",
    }
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    (item,) = read_qa_file(path).items
    res = resolve_item(item, LawCatalog(LAWS))
    assert [t.key for t in res.targets] == ["개인정보 보호법 제15조", "개인정보 보호법 시행령 제3조"]


def test_annex_only_reference_is_unresolvable() -> None:
    item = QAItem("x", "q", "q", None, ["「개인정보 보호법 시행령」 별표1"], "firesafety", 1)
    res = resolve_item(item, LawCatalog(LAWS))
    assert not res.scored and res.reason == ANNEX_OR_NON_ARTICLE


@pytest.mark.parametrize(
    ("refs", "reason"),
    [
        (["같은 법 제21조"], ANNEX_OR_NON_ARTICLE),  # points at nothing: no law is known to be missing
        (["같은법 시행령 제20조의2"], ANNEX_OR_NON_ARTICLE),
        (["「전기저장시설의 화재안전성능기준(NFPC 607)」제7조"], LAW_NOT_INDEXED),
        (["「건축법」 제22조", "같은 법 제48조"], LAW_NOT_INDEXED),
    ],
)
def test_only_a_named_law_the_index_lacks_makes_a_question_law_not_indexed(
    refs: list[str], reason: str
) -> None:
    item = QAItem("x", "q", "q", None, str(refs), "firesafety", 1)
    assert resolve_item(item, LawCatalog(LAWS)).reason == reason


def test_malformed_line_is_reported_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = json.dumps({"id": "1", "question": "q", "references": []})
    path.write_text(f"{good}\n{{not json\n\n{good}\n", encoding="utf-8")
    ds = read_qa_file(path)
    assert len(ds.items) == 2
    assert [b.line for b in ds.bad_lines] == [2]


def test_all_lines_bad_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text("{oops\n[1, 2\n", encoding="utf-8")
    assert main(["--qa", str(path), "--no-progress"], retriever_factory=_factory) == 2
    err = capsys.readouterr().err
    assert "broken.jsonl" in err and "1행" in err


def test_unknown_format_and_empty_file(tmp_path: Path) -> None:
    unknown = tmp_path / "unknown.jsonl"
    unknown.write_text(json.dumps({"foo": 1}) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="형식을 알 수 없습니다"):
        read_qa_file(unknown)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="빈 파일"):
        read_qa_file(empty)
    assert main(["--qa", str(unknown), "--no-progress"], retriever_factory=_factory) == 2


def test_missing_index_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    qa = _own_qa(tmp_path)
    assert main(["--qa", str(qa), "--db", str(tmp_path / "nope"), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "인덱스가 없습니다" in err and "python -m ingest" in err


# --- answers --------------------------------------------------------------------------------


def test_answer_metrics_with_fake_answer() -> None:
    gold = [_gold("개인정보 보호법", "제15조"), _gold("형법", "제330조")]
    source = "개인정보처리자는 정보주체의 동의를 받은 경우 개인정보를 수집할 수 있다."
    result = AnswerResult(
        text="정보주체의 동의를 받으면 개인정보를 수집할 수 있습니다. 달나라 여행은 무료입니다.",
        citations=[
            {**_meta("개인정보 보호법", "제15조"), "text": source},
            {**_meta("개인정보 보호법", "제15조"), "text": source},  # same article cited twice
            {**_meta("개인정보 보호법", "제17조"), "text": "제공 조항"},
        ],
        corrected=True,
    )
    m = answer_metrics(result, gold, "동의를 받으면 수집할 수 있다")
    assert m["citation_precision"] == 0.5  # 2 distinct cited articles, 1 gold
    assert m["citation_recall"] == 0.5  # 1 of 2 gold articles cited
    assert m["supported_sentence_rate"] == 0.5  # the moon-trip sentence has no support
    assert m["corrected_rate"] == 1.0 and m["no_evidence_rate"] == 0.0
    assert 0.0 < m["rouge_l"] < 1.0
    empty = answer_metrics(AnswerResult(text="근거를 찾지 못했습니다.", no_evidence=True), gold, None)
    assert math.isnan(empty["citation_precision"]) and empty["citation_recall"] == 0.0
    assert empty["no_evidence_rate"] == 1.0 and math.isnan(empty["supported_sentence_rate"])
    assert math.isnan(supported_share("[1]", []))  # no content morphemes: nothing to judge


# --- end to end -----------------------------------------------------------------------------

CHUNKS = {
    "p15": Chunk("p15", "개인정보 보호법 제15조 개인정보처리자는 정보주체의 동의를 받아 개인정보를 수집할 수 있다.",
                 _meta("개인정보 보호법", "제15조")),
    "p15b": Chunk("p15b", "개인정보 보호법 제15조 [2/2] 동의를 받을 때에는 알려야 한다.",
                  _meta("개인정보 보호법", "제15조", part=2)),
    "p17": Chunk("p17", "개인정보 보호법 제17조 제3자 제공", _meta("개인정보 보호법", "제17조")),
    "c330": Chunk("c330", "형법 제330조 야간주거침입절도 10년 이하의 징역", _meta("형법", "제330조")),
}  # fmt: skip


class FakeRetriever:
    """Config "a" ranks 제17조 first; any other collection ranks the gold article first."""

    def __init__(self, settings: object, interrupt_after: int | None = None) -> None:
        self.better = settings.store.collection != "a"  # type: ignore[attr-defined]
        self.calls = 0
        self.interrupt_after = interrupt_after

    def law_titles(self) -> set[str]:
        return set(LAWS)

    def search(self, query: str, k: int = 10, hint: str | None = None) -> list[SimpleNamespace]:
        self.calls += 1
        if self.interrupt_after is not None and self.calls > self.interrupt_after:
            raise KeyboardInterrupt
        if "야간" in query:
            order = ["c330", "p17"] if self.better else ["p17", "p15", "c330"]
        else:
            order = ["p15", "p15b", "p17"] if self.better else ["p17", "p15b", "p15"]
        return [SimpleNamespace(chunk=CHUNKS[c], score=1.0 / (i + 1)) for i, c in enumerate(order)][:k]


def _factory(settings: object) -> FakeRetriever:
    return FakeRetriever(settings)


def _fake_answerer(settings: object):
    def answer(question: str) -> AnswerResult:
        chunk = CHUNKS["c330"] if "야간" in question else CHUNKS["p15"]
        return AnswerResult(
            text=f"{chunk.text[:30]}. 그렇습니다.",
            citations=[{**chunk.metadata, "text": chunk.text}],
            tokens_in=100,
            tokens_out=20,
        )

    return answer


def _own_qa(tmp_path: Path, n: int = 6) -> Path:
    rows = []
    for i in range(n):
        if i % 2:
            rows.append({"id": f"c{i}", "question": "야간에 집에 들어가 훔치면?", "answer": "10년 이하의 징역",
                         "references": [{"law": "형법", "article": "제330조"}]})  # fmt: skip
        else:
            rows.append({"id": f"p{i}", "question": "동의 없이 개인정보를 수집해도 되나요?",
                         "answer": "동의를 받아야 수집할 수 있다",
                         "references": [{"law": "개인정보 보호법", "article": "제15조"}]})  # fmt: skip
    rows.append(
        {"id": "x", "question": "민원?", "references": [{"law": "민원 처리에 관한 법률", "article": "제1조"}]}
    )
    path = tmp_path / "own.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def _two_configs(tmp_path: Path, configs: dict[str, str], *extra: str) -> tuple[list[str], Path]:
    """CLI arguments comparing two settings files {label: TOML text} on the own-format QA file."""
    argv = ["--qa", str(_own_qa(tmp_path))]
    for label, text in configs.items():
        (tmp_path / f"{label}.toml").write_text(text, encoding="utf-8")
        argv += ["--config", str(tmp_path / f"{label}.toml")]
    out = tmp_path / "out"
    return [*argv, "--db", str(tmp_path), "--out", str(out), "--no-progress", *extra], out


def test_end_to_end_two_configs(tmp_path: Path) -> None:
    configs = {"a": '[store]\ncollection = "a"\n', "b": '[store]\ncollection = "b"\n'}
    argv, out = _two_configs(tmp_path, configs, "--k", "1,3", "--answers")
    assert main(argv, retriever_factory=_factory, answerer_factory=_fake_answerer) == 0

    for name in ("report.json", "report.md", "recall_at_k.png", "latency.png"):
        assert (out / name).stat().st_size > 0, name
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["interrupted"] is False and report["questions_done"] == 12
    assert [c["label"] for c in report["configs"]] == ["a", "b"]
    a, b = report["results"]["a"], report["results"]["b"]
    assert a["overall"]["n_unresolvable"] == 1
    assert a["overall"]["unresolvable_reasons"] == {LAW_NOT_INDEXED: 1}
    assert a["overall"]["n_scored"] == 6 and a["overall"]["n_evaluated"] == 6
    assert a["overall"]["metrics"]["recall@1"] == 0.0 and b["overall"]["metrics"]["recall@1"] == 1.0
    assert a["overall"]["metrics"]["mrr@10"] == pytest.approx((1 / 2 + 1 / 3) / 2)
    assert b["overall"]["metrics"]["citation_precision"] == 1.0
    assert b["overall"]["cost"]["tokens_in_total"] == 600
    assert a["peak_rss_kb"] > 0
    (comp,) = report["comparisons"]
    delta = comp["overall"]["recall@1"]
    assert (comp["a"], comp["b"]) == ("a", "b") and delta["delta"] == 1.0 and delta["n"] == 6
    assert delta["ci_low"] == delta["ci_high"] == 1.0
    assert "retrieval_ms_p95" in comp["overall"]
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| **overall** |" in md and "Δ `b` − `a`" in md


def test_limit_and_interrupt_write_partial_report(tmp_path: Path) -> None:
    qa = _own_qa(tmp_path)
    out = tmp_path / "limited"
    assert (
        main(
            ["--qa", str(qa), "--limit", "2", "--out", str(out), "--no-progress"], retriever_factory=_factory
        )
        == 0
    )
    limited = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert limited["results"]["default"]["overall"]["n_evaluated"] == 2
    assert limited["results"]["default"]["overall"]["n_unresolvable"] == 1  # counted despite --limit

    out = tmp_path / "partial"
    code = main(
        ["--qa", str(qa), "--out", str(out), "--no-progress"],
        retriever_factory=lambda s: FakeRetriever(s, interrupt_after=3),  # warm-up + 2 questions
    )
    assert code == 130
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["interrupted"] is True and report["questions_done"] == 2
    assert len(report["questions"]) == 2
    assert "중단됨" in (out / "report.md").read_text(encoding="utf-8")


class HintRetriever(FakeRetriever):
    """Ranks 형법 제330조 first only when the LLM's hint names it."""

    def search(self, query: str, k: int = 10, hint: str | None = None) -> list[SimpleNamespace]:
        order = ["c330", "p17"] if hint and "제330조" in hint else ["p17", "p15", "c330"]
        return [SimpleNamespace(chunk=CHUNKS[c], score=1.0 / (i + 1)) for i, c in enumerate(order)][:k]


def test_llm_rewrite_config_is_measured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import itertools

    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

    configs = {"plain": "[retrieval]\nllm_rewrite = false\n", "rewrite": "[retrieval]\nllm_rewrite = true\n"}
    argv, out = _two_configs(tmp_path, configs)
    # No LLM configured: a clear error before anything is measured.
    assert main(argv, retriever_factory=lambda s: HintRetriever(s)) == 1
    assert "llm_rewrite" in capsys.readouterr().err

    hint = "형법 제330조(야간주거침입절도)\n용어: 절도, 야간, 주거침입"
    model = GenericFakeChatModel(messages=itertools.repeat(hint))
    monkeypatch.setattr("assistant.bench.runner.make_chat_model", lambda cfg: model)
    assert main(argv, retriever_factory=lambda s: HintRetriever(s)) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    base, rewritten = report["results"]["plain"]["overall"], report["results"]["rewrite"]["overall"]
    assert "hints_used" not in base["cost"] and rewritten["cost"]["hints_used"] == 6
    assert rewritten["cost"]["rewrite_ms_p95"] >= 0
    by_id = {q["id"]: q for q in report["questions"] if q["config"] == "rewrite"}
    assert by_id["c1"]["hint"] == hint and by_id["c1"]["ranks"] == [1]
    assert "hints_used" in (out / "report.md").read_text(encoding="utf-8")


def test_default_run_measures_the_three_dev_sets(tmp_path: Path) -> None:
    """Without --qa the evaluators' run reads KoBLEX, SearchFireSafety and minwon-dev from ../shared."""
    for name in DEFAULT_QA:
        require_shared("data", "qa", name)
    out = tmp_path / "default"
    assert main(["--limit", "1", "--out", str(out), "--no-progress"], retriever_factory=_factory) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [d["name"] for d in report["inputs"]] == ["koblex-dev", "firesafety-dev", "minwon-dev"]
    assert report["inputs"][2]["n_items"] == 1366


def test_default_run_without_the_dev_sets_is_a_clear_error(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("ASSISTANT_SHARED_DIR", str(tmp_path / "nowhere"))
    assert main(["--no-progress"], retriever_factory=_factory) == 2
    assert "기본 QA 파일이 없습니다" in capsys.readouterr().err
