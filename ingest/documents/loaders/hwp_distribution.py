"""배포용 (distribution) HWP 5.x: the ViewText/Section{N} streams are AES-128 encrypted with a key the
file itself carries (HWP 5.0 format document, 배포용 문서 데이터).

Each ViewText section stream starts with one HWPTAG_DISTRIBUTE_DOC_DATA record of 256 bytes. Its
first 4 bytes seed an MSVC-style srand()/rand() generator whose output XOR-masks the remaining
bytes; the unmasked record holds a SHA-1 hex string (UTF-16LE) at offset 4 + (seed & 0xF), and its
first 16 bytes are the AES key. The rest of the stream is AES-128-ECB ciphertext of the ordinary
(possibly compressed) section records. Pure functions over bytes; no I/O.
"""

from __future__ import annotations

import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

HWPTAG_DISTRIBUTE_DOC_DATA = 16 + 12  # HWPTAG_BEGIN + 12
DOC_DATA_SIZE = 256
KEY_SIZE = 16
_AES_BLOCK = 16


class DistributionError(ValueError):
    """The stream is not a readable distribution-document section."""


def _msvc_rand(seed: int):
    """MSVC's rand() after srand(seed): the same sequence the writer used."""
    while True:
        seed = (seed * 214013 + 2531011) & 0xFFFFFFFF
        yield (seed >> 16) & 0x7FFF


def unmask_doc_data(payload: bytes) -> bytes:
    """The 256-byte DISTRIBUTE_DOC_DATA with its XOR mask removed (the 4 seed bytes stay as is).

    The mask byte changes after a run of 1-16 bytes; both byte and run length come from rand()."""
    if len(payload) != DOC_DATA_SIZE:
        raise DistributionError(f"배포용 문서 데이터 크기가 {DOC_DATA_SIZE}바이트가 아닙니다: {len(payload)}")
    (seed,) = struct.unpack_from("<I", payload, 0)
    rand = _msvc_rand(seed)
    out = bytearray(payload)
    mask = run = 0
    for i in range(DOC_DATA_SIZE):
        if run == 0:
            mask = next(rand) & 0xFF
            run = (next(rand) & 0xF) + 1
        if i >= 4:
            out[i] ^= mask
        run -= 1
    return bytes(out)


def doc_data_key(payload: bytes) -> bytes:
    """The AES-128 key carried by a DISTRIBUTE_DOC_DATA record payload."""
    data = unmask_doc_data(payload)
    offset = 4 + (data[0] & 0xF)  # seed & 0xF: the seed's low byte is data[0]
    return data[offset : offset + KEY_SIZE]


def split_view_stream(raw: bytes) -> tuple[bytes, bytes]:
    """(doc data payload, ciphertext) of a ViewText section stream."""
    if len(raw) < 4:
        raise DistributionError("배포용 본문 스트림이 비어 있습니다")
    (header,) = struct.unpack_from("<I", raw, 0)
    tag, size = header & 0x3FF, (header >> 20) & 0xFFF
    if tag != HWPTAG_DISTRIBUTE_DOC_DATA or size != DOC_DATA_SIZE or len(raw) < 4 + DOC_DATA_SIZE:
        raise DistributionError("배포용 본문 스트림의 첫 레코드가 배포용 문서 데이터가 아닙니다")
    return raw[4 : 4 + DOC_DATA_SIZE], raw[4 + DOC_DATA_SIZE :]


def decrypt_view_section(raw: bytes) -> bytes:
    """The section records (still compressed when the file is) of one ViewText/Section stream."""
    payload, body = split_view_stream(raw)
    body = body[: len(body) - len(body) % _AES_BLOCK]  # a ragged tail cannot be a cipher block
    decryptor = Cipher(algorithms.AES(doc_data_key(payload)), modes.ECB()).decryptor()
    return decryptor.update(body) + decryptor.finalize()
