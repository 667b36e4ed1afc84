"""배포용 HWP: the ViewText key carried by the file (HWP 5.0 spec, 배포용 문서 데이터), checked on
a stream built here with the writer's steps, and a broken stream refused with a clear reason."""

from __future__ import annotations

import hashlib
import struct
import zlib

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ingest.documents.loaders.hwp import HWPTAG_PARA_TEXT, section_text
from ingest.documents.loaders.hwp_distribution import (
    DOC_DATA_SIZE,
    HWPTAG_DISTRIBUTE_DOC_DATA,
    DistributionError,
    decrypt_view_section,
    doc_data_key,
    unmask_doc_data,
)


def _record(tag: int, payload: bytes) -> bytes:
    return struct.pack("<I", tag | (len(payload) << 20)) + payload


def _view_stream(records: bytes, seed: int = 0x1234_5678) -> tuple[bytes, bytes]:
    """(ViewText stream, key) as a writer makes it: SHA-1 hex (UTF-16LE) at 4 + (seed & 0xF) of a
    random record, the record masked with MSVC rand(), the deflated records AES-128-ECB encrypted."""
    plain = bytearray(struct.pack("<I", seed) + bytes(range(4, DOC_DATA_SIZE)))
    sha = hashlib.sha1(b"12345").hexdigest().upper().encode("utf-16-le")
    offset = 4 + (seed & 0xF)
    plain[offset : offset + 80] = sha
    masked = unmask_doc_data(bytes(plain))  # XOR: masking and unmasking are the same step
    deflater = zlib.compressobj(wbits=-15)
    body = deflater.compress(records) + deflater.flush()
    body += b"\0" * (-len(body) % 16)
    key = sha[:16]
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return _record(HWPTAG_DISTRIBUTE_DOC_DATA, masked) + encryptor.update(body) + encryptor.finalize(), key


def test_view_section_decrypts_to_the_section_records() -> None:
    text = "배포용 문서의 본문입니다."
    records = _record(HWPTAG_PARA_TEXT, (text + "\r").encode("utf-16-le"))
    stream, key = _view_stream(records)
    payload = stream[4 : 4 + DOC_DATA_SIZE]
    assert doc_data_key(payload) == key
    data = zlib.decompressobj(-15).decompress(decrypt_view_section(stream))
    assert section_text(data) == [text]


def test_broken_view_section_is_refused() -> None:
    with pytest.raises(DistributionError, match="배포용 문서 데이터"):
        decrypt_view_section(_record(HWPTAG_PARA_TEXT, b"\0" * 8))
    with pytest.raises(DistributionError):
        unmask_doc_data(b"\0" * 10)
