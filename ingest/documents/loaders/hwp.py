"""HWP 5.x binary documents (OLE compound file, zlib raw-deflate section streams)."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import olefile

from ingest.core.model import ErrorKind, LoadedDocument, LoaderError, LoadLimits, check_text_budget
from ingest.documents.loaders.hwp_distribution import DistributionError, decrypt_view_section
from ingest.documents.loaders.textnorm import choose_title, normalize_text, tidy_lines
from ingest.documents.loaders.ziputil import ZIP_BOMB_REASON
from ingest.documents.tables import TABLE_OPEN, SpanCell, fill_captions, grid_from_spans, table_block

HWP_SIGNATURE = b"HWP Document File"
FLAG_COMPRESSED = 1 << 0
FLAG_PASSWORD = 1 << 1
FLAG_DISTRIBUTION = 1 << 2

HWPTAG_BEGIN = 16
HWPTAG_PARA_TEXT = HWPTAG_BEGIN + 51
HWPTAG_CTRL_HEADER = HWPTAG_BEGIN + 55
HWPTAG_LIST_HEADER = HWPTAG_BEGIN + 56
HWPTAG_TABLE = HWPTAG_BEGIN + 61
CTRL_TABLE = b" lbt"  # 'tbl ' as a little-endian UINT32

# Control chars (< 32) inside PARA_TEXT: "extended" and "inline" controls span 8 WCHARs
# (code, 6 payload WCHARs, code); the rest are single WCHARs.
_EXTENDED = {1, 2, 3, 11, 12, 14, 15, 16, 17, 18, 21, 22, 23}
_INLINE = {4, 5, 6, 7, 8, 9, 19, 20}
_SINGLE_OUT = {9: "\t", 10: "\n", 24: "-", 30: " ", 31: " "}  # tab, line break, hyphen, spaces
_SECTION = re.compile(r"^Section(\d+)$")

DISTRIBUTION_REASON = "배포용 HWP 문서의 암호화된 본문(ViewText)을 풀 수 없습니다 (손상된 파일?)"
PASSWORD_REASON = "암호가 설정된(암호화) HWP 문서라 본문을 읽을 수 없습니다 (암호를 해제해 다시 저장하세요)"


def parse_file_header(data: bytes, path: Path) -> tuple[tuple[int, int, int, int], int]:
    """Return ((major, minor, build, revision), flags) of the FileHeader stream."""
    if len(data) < 40 or not data.startswith(HWP_SIGNATURE):
        raise LoaderError(str(path), "HWP 5.x 파일 헤더가 아닙니다 (HWP 3.x 이하이거나 손상된 파일)")
    ver, flags = struct.unpack_from("<II", data, 32)
    version = ((ver >> 24) & 0xFF, (ver >> 16) & 0xFF, (ver >> 8) & 0xFF, ver & 0xFF)
    if version[0] != 5:
        raise LoaderError(str(path), f"지원하지 않는 HWP 버전입니다: {'.'.join(map(str, version))}")
    return version, flags


def iter_records(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    """Yield (tag_id, level, payload) of each record; a truncated tail is ignored."""
    pos, end = 0, len(data)
    while pos + 4 <= end:
        (header,) = struct.unpack_from("<I", data, pos)
        pos += 4
        tag, level, size = header & 0x3FF, (header >> 10) & 0x3FF, (header >> 20) & 0xFFF
        if size == 0xFFF:
            if pos + 4 > end:
                return
            (size,) = struct.unpack_from("<I", data, pos)
            pos += 4
        yield tag, level, data[pos : pos + size]
        pos += size


def decode_para_text(payload: bytes) -> str:
    """UTF-16LE paragraph text with HWP control characters removed or mapped."""
    n = len(payload) // 2
    units = struct.unpack_from(f"<{n}H", payload)
    out: list[str] = []
    i = 0
    while i < n:
        code = units[i]
        if code >= 32:
            j = i
            while j < n and units[j] >= 32:
                j += 1
            out.append(payload[2 * i : 2 * j].decode("utf-16-le", errors="replace"))
            i = j
            continue
        if code in _EXTENDED or code in _INLINE:
            if code == 9:
                out.append("\t")
            i += 8
            continue
        out.append(_SINGLE_OUT.get(code, ""))  # 0, 13 (paragraph end), 25-29: nothing
        i += 1
    return "".join(out)


Record = tuple[int, int, bytes]


def section_text(data: bytes) -> list[str]:
    """One line per paragraph (PARA_TEXT record) in order; a table (CTRL_HEADER 'tbl ') becomes a
    table block of rows with their headers, or its cells' lines when it is a layout frame."""
    records = list(iter_records(data))
    return fill_captions(_record_lines(records, 0, len(records)))


def _record_lines(records: list[Record], start: int, end: int) -> list[str]:
    lines: list[str] = []
    i = start
    while i < end:
        tag, level, payload = records[i]
        if tag == HWPTAG_PARA_TEXT:
            lines.append(decode_para_text(payload))
        elif tag == HWPTAG_CTRL_HEADER and payload[:4] == CTRL_TABLE:
            j = i + 1
            while j < end and records[j][1] > level:
                j += 1
            lines.extend(_table_lines(records, i + 1, j, level + 1))
            i = j
            continue
        i += 1
    return lines


def _table_lines(records: list[Record], start: int, end: int, level: int) -> list[str]:
    """The records of one table control: caption list (before the TABLE record), then one
    LIST_HEADER per cell (column, row, spans at offset 8) followed by the cell's paragraphs."""
    n_rows = n_cols = 0
    heads: list[int] = []
    seen_table = False
    caption_at: list[int] = []
    for k in range(start, end):
        tag, lvl, payload = records[k]
        if lvl != level:
            continue
        if tag == HWPTAG_TABLE and len(payload) >= 8:
            n_rows, n_cols = struct.unpack_from("<HH", payload, 4)
            seen_table = True
        elif tag == HWPTAG_LIST_HEADER:
            (heads if seen_table else caption_at).append(k)
    bounds = [*heads, end]
    cells: list[SpanCell] = []
    cell_lines: list[list[str]] = []
    nested = False
    for k, nxt in zip(bounds, bounds[1:], strict=False):
        payload = records[k][2]
        lines = _record_lines(records, k + 1, nxt)
        nested = nested or any(
            t == HWPTAG_CTRL_HEADER and p[:4] == CTRL_TABLE for t, _, p in records[k + 1 : nxt]
        )
        cell_lines.append(lines)
        if len(payload) >= 16:
            col, row, colspan, rowspan = struct.unpack_from("<HHHH", payload, 8)
        else:  # truncated record: keep the text, place it on its own row
            col, row, colspan, rowspan = 0, len(cells), 1, 1
        cells.append(SpanCell(row, col, rowspan, colspan, " ".join(ln for ln in lines if ln.strip())))
    caption = []
    if caption_at:
        caption = _record_lines(records, caption_at[0] + 1, heads[0] if heads else end)
    if nested or any(ln.startswith(TABLE_OPEN) for lines in cell_lines for ln in lines):
        return [*caption, *(ln for lines in cell_lines for ln in lines)]
    grid = grid_from_spans(cells, n_rows, n_cols)
    return table_block(grid, " ".join(c.strip() for c in caption if c.strip()))


def _section_streams(ole: olefile.OleFileIO, storage: str = "BodyText") -> list[list[str]]:
    found = []
    for entry in ole.listdir(streams=True, storages=False):
        if len(entry) == 2 and entry[0] == storage and (m := _SECTION.match(entry[1])):
            found.append((int(m.group(1)), entry))
    return [entry for _, entry in sorted(found)]


def _decompress(raw: bytes, path: Path, name: str, budget: int) -> bytes:
    """Inflate one section stream, never past `budget` bytes (a deflate bomb stops there)."""
    for wbits in (-15, 15):  # raw deflate; a few writers emit a zlib header
        inflater = zlib.decompressobj(wbits)
        try:
            data = inflater.decompress(raw, budget + 1)
        except zlib.error as exc:
            if wbits == 15:
                raise LoaderError(
                    str(path), f"HWP 본문 스트림 {name} 압축 해제 실패 (손상된 파일?): {exc}"
                ) from exc
            continue
        if len(data) > budget:
            raise LoaderError(
                str(path),
                f"{ZIP_BOMB_REASON}: HWP 본문 스트림 {name}이 압축 해제 제한을 넘습니다",
                ErrorKind.ZIP_BOMB,
            )
        return data
    raise AssertionError("unreachable")


def summary_title(ole: olefile.OleFileIO) -> str | None:
    """Title (PIDSI_TITLE) of \\x05HwpSummaryInformation; olefile over-reads HWP's wide strings,
    so the value is cut at the first NUL."""
    name = "\x05HwpSummaryInformation"
    if not ole.exists(name):
        return None
    try:
        props = ole.getproperties(name)
    except Exception:  # a malformed property set must not block the body text
        return None
    title = props.get(2)
    if isinstance(title, bytes):
        title = title.decode("utf-16-le", errors="ignore")
    return title.split("\x00", 1)[0].strip() if isinstance(title, str) else None


def load_hwp(path: Path, limits: LoadLimits) -> LoadedDocument:
    """Extract the section paragraphs of an HWP 5.x file (BodyText, or the decrypted ViewText of a
    배포용 document); never falls back to the PrvText preview."""
    try:
        ole = olefile.OleFileIO(str(path))
    except OSError as exc:
        raise LoaderError(str(path), f"HWP(OLE) 파일을 열 수 없습니다 (손상된 파일?): {exc}") from exc
    with ole:
        if not ole.exists("FileHeader"):
            raise LoaderError(str(path), "HWP FileHeader 스트림이 없습니다 (HWP 문서가 아니거나 손상됨)")
        version, flags = parse_file_header(ole.openstream("FileHeader").read(), path)
        if flags & FLAG_PASSWORD:
            raise LoaderError(str(path), PASSWORD_REASON)
        # 배포용: BodyText holds only a placeholder; the text is in ViewText, keyed by the file itself
        distribution = bool(flags & FLAG_DISTRIBUTION)
        sections = _section_streams(ole, "ViewText" if distribution else "BodyText")
        if not sections:
            raise LoaderError(str(path), "HWP 본문(BodyText/Section) 스트림이 없습니다")
        lines: list[str] = []
        budget = limits.max_unzipped_bytes  # all section streams together
        used_chars = 0
        for entry in sections:
            raw = ole.openstream(entry).read()
            if distribution:
                try:
                    raw = decrypt_view_section(raw)
                except DistributionError as exc:
                    raise LoaderError(str(path), f"{DISTRIBUTION_REASON}: {exc}") from exc
            data = _decompress(raw, path, "/".join(entry), budget) if flags & FLAG_COMPRESSED else raw
            budget -= len(data)
            part = section_text(data)
            used_chars += sum(len(line) for line in part)
            check_text_budget(str(path), used_chars, limits)
            lines.extend(part)
        title = choose_title(summary_title(ole), path.stem)
    text = tidy_lines(normalize_text("\n".join(lines)))
    meta = {"source_format": "hwp", "hwp_version": ".".join(map(str, version)), "sections": len(sections)}
    if distribution:
        meta["distribution"] = True
    return LoadedDocument(str(path), title, "guideline", text, meta)
