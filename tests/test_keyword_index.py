"""The keyword index built from vocabulary ids scores exactly like bm25s over string tokens."""

from __future__ import annotations

import bm25s
import numpy as np

from ingest.core.korean import char_bigrams, morphemes
from ingest.index.keyword_index import KeywordIndex

TEXTS = [
    "민원 처리에 관한 법률 제17조 (법정민원의 처리기간) 행정기관의 장은 법정민원을 신속히 처리하여야 한다.",
    "개인정보 보호법 제15조 (개인정보의 수집ㆍ이용) 개인정보처리자는 정보주체의 동의를 받은 경우 수집할 수 있다.",
    "지방공무원 복무규정 제7조 (근무시간) 공무원의 1일 근무시간은 오전 9시부터 오후 6시까지로 한다.",
    "",
]


def test_scores_match_string_token_bm25() -> None:
    morphs = morphemes(TEXTS)
    rows = [
        (f"c{i}", t, {"doc_type": "statute"}, m) for i, (t, m) in enumerate(zip(TEXTS, morphs, strict=True))
    ]
    index = KeywordIndex.build(rows)
    for field, corpus, query in (
        ("body", morphs, morphemes(["민원 처리기간은 얼마인가요"])[0]),
        ("bigram", [char_bigrams(t) for t in TEXTS], char_bigrams("개인정보 수집 동의")),
        # repeated terms weigh once per repeat (a long question says its words several times)
        ("body", morphs, morphemes(["민원 민원 민원 처리기간 공무원 공무원 근무시간"])[0]),
        ("bigram", [char_bigrams(t) for t in TEXTS], char_bigrams("개인정보 개인정보 수집 동의 동의 동의")),
    ):
        reference = bm25s.BM25()
        reference.index(corpus, show_progress=False)
        expected = reference.get_scores([t for t in query if t in reference.vocab_dict])
        assert np.allclose(index.scores(field, query), expected)
        assert index.scores(field, query).argmax() == expected.argmax() and expected.max() > 0
