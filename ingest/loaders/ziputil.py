"""Zip-bomb guard shared by the ZIP-based formats (HWPX, DOCX)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.model import LoaderError

MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024  # bytes, all members together
MAX_RATIO = 100  # uncompressed / compressed, per member
# Below this size a high ratio is harmless (a few KB of repeated spaces compress > 100:1).
RATIO_MIN_SIZE = 1024 * 1024

ZIP_BOMB_REASON = "압축 해제 크기가 비정상적으로 큽니다 (zip bomb 의심)"


def check_zip_safety(
    zf: zipfile.ZipFile,
    path: Path | str,
    max_total: int | None = None,
    max_ratio: float | None = None,
) -> None:
    """Raise LoaderError when the declared sizes look like a zip bomb.

    Declared sizes are trustworthy enough: ZipExtFile never returns more bytes than the
    central directory declares, so a lying header cannot inflate past this check.
    """
    max_total = MAX_TOTAL_UNCOMPRESSED if max_total is None else max_total
    max_ratio = MAX_RATIO if max_ratio is None else max_ratio
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if total > max_total:
            raise LoaderError(str(path), f"{ZIP_BOMB_REASON}: 전체 {total / 1e6:.0f} MB 초과")
        if info.file_size >= RATIO_MIN_SIZE:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > max_ratio:
                raise LoaderError(str(path), f"{ZIP_BOMB_REASON}: {info.filename} 압축률 {ratio:.0f}:1")


def open_zip(path: Path) -> zipfile.ZipFile:
    """Open a ZIP container after the bomb check; corrupt archives raise LoaderError."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise LoaderError(str(path), f"ZIP 컨테이너가 손상되었습니다: {exc}") from exc
    try:
        check_zip_safety(zf, path)
    except LoaderError:
        zf.close()
        raise
    return zf
