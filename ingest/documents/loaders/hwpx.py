"""HWPX (OWPML) documents: a ZIP of XML sections listed in Contents/content.hpf."""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from ingest.core.model import LoadedDocument, LoaderError, LoadLimits, check_text_budget
from ingest.documents.loaders.textnorm import choose_title, normalize_text, tidy_lines
from ingest.documents.loaders.ziputil import open_zip
from ingest.documents.tables import SpanCell, fill_captions, grid_from_spans, table_block

CONTENT_HPF = "Contents/content.hpf"
_SECTION_NAME = re.compile(r"^Contents/section(\d+)\.xml$", re.I)
# Inline children of <hp:t> that stand for characters; their text follows in .tail.
_CHAR_ELEMENTS = {"tab": "\t", "lineBreak": "\n", "nbSpace": " ", "fwSpace": " ", "hyphen": "-"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_xml(zf: zipfile.ZipFile, name: str, path: Path) -> ET.Element:
    try:
        return ET.fromstring(zf.read(name))
    except ET.ParseError as exc:
        raise LoaderError(str(path), f"HWPX 구성 파일 {name}의 XML이 손상되었습니다: {exc}") from exc


def spine_sections(zf: zipfile.ZipFile) -> tuple[list[str], str | None]:
    """Section member names in content.hpf spine order, and the package title.

    Returns ([], None) when content.hpf is missing or unreadable (callers fall back)."""
    if CONTENT_HPF not in zf.namelist():
        return [], None
    try:
        root = ET.fromstring(zf.read(CONTENT_HPF))
    except ET.ParseError:
        return [], None
    base = posixpath.dirname(CONTENT_HPF)
    names = set(zf.namelist())
    hrefs: dict[str, str] = {}
    spine: list[str] = []
    title = None
    for el in root.iter():
        local = _local(el.tag)
        if local == "item" and el.get("id") and el.get("href"):
            hrefs[el.get("id", "")] = el.get("href", "")
        elif local == "itemref" and el.get("idref"):
            spine.append(el.get("idref", ""))
        elif local == "title" and title is None and (el.text or "").strip():
            title = el.text.strip()
    sections = []
    for idref in spine:
        href = hrefs.get(idref)
        if not href:
            continue
        # hrefs are package-root relative in Hancom files; accept content.hpf-relative ones too.
        for cand in (href, posixpath.normpath(posixpath.join(base, href))):
            if cand in names and _SECTION_NAME.match(cand):
                sections.append(cand)
                break
    return sections, title


def fallback_sections(zf: zipfile.ZipFile) -> list[str]:
    """Contents/section*.xml in numeric order (section10 after section9)."""
    found = [(int(m.group(1)), n) for n in zf.namelist() if (m := _SECTION_NAME.match(n))]
    return [n for _, n in sorted(found)]


def _t_text(t: ET.Element) -> str:
    parts = [t.text or ""]
    for child in t:
        parts.append(_CHAR_ELEMENTS.get(_local(child.tag), "") + "".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


def paragraph_lines(p: ET.Element) -> list[str]:
    """The paragraph's own text (runs joined without spaces), then lines of nested paragraphs
    (table cells, text boxes) in document order."""
    own: list[str] = []
    nested: list[str] = []

    def walk(el: ET.Element) -> None:
        for child in el:
            local = _local(child.tag)
            if local == "t":
                own.append(_t_text(child))
            elif local == "tbl":
                nested.extend(table_lines(child))
            elif local == "p":
                nested.extend(paragraph_lines(child))
            else:
                walk(child)

    walk(p)
    return ["".join(own), *nested]


def _int(el: ET.Element | None, name: str, default: int) -> int:
    try:
        return int(el.get(name, default)) if el is not None else default
    except ValueError:
        return default


def table_lines(tbl: ET.Element) -> list[str]:
    """A <hp:tbl> as a table block (rows with their headers); a table holding other tables is a
    layout frame, so its cells' lines (inner table blocks included) follow one another."""
    cells: list[SpanCell] = []
    cell_lines: list[list[str]] = []
    caption: list[str] = []
    for child in tbl:
        if _local(child.tag) == "caption":
            caption.extend(ln for p in child.iter() if _local(p.tag) == "p" for ln in paragraph_lines(p)[:1])
    nested = False
    for tc in (tc for tr in tbl if _local(tr.tag) == "tr" for tc in tr if _local(tc.tag) == "tc"):
        nested = nested or any(_local(el.tag) == "tbl" for el in tc.iter())
        lines: list[str] = []
        addr = span = None
        for child in tc:
            local = _local(child.tag)
            if local == "subList":
                for p in child:
                    if _local(p.tag) == "p":
                        lines.extend(paragraph_lines(p))
            elif local == "cellAddr":
                addr = child
            elif local == "cellSpan":
                span = child
        cell_lines.append(lines)
        cells.append(
            SpanCell(
                _int(addr, "rowAddr", 0),
                _int(addr, "colAddr", 0),
                _int(span, "rowSpan", 1),
                _int(span, "colSpan", 1),
                " ".join(ln for ln in lines if ln.strip()),
            )
        )
    if nested:
        return [ln for lines in cell_lines for ln in lines]
    grid = grid_from_spans(cells, _int(tbl, "rowCnt", 0), _int(tbl, "colCnt", 0))
    return table_block(grid, " ".join(c for c in caption if c.strip()))


def section_lines(root: ET.Element) -> list[str]:
    """Lines of the top-level paragraphs of one section (paragraphs wrapped in other
    containers count too)."""
    lines: list[str] = []
    for child in root:
        if _local(child.tag) == "p":
            lines.extend(paragraph_lines(child))
        else:
            lines.extend(section_lines(child))
    return lines


def load_hwpx(path: Path, limits: LoadLimits) -> LoadedDocument:
    """Extract all sections (spine order) of an HWPX file; META-INF/manifest.xml is not needed."""
    with open_zip(path, limits) as zf:
        sections, hpf_title = spine_sections(zf)
        if not sections:
            sections = fallback_sections(zf)
        if not sections:
            raise LoaderError(str(path), "HWPX 본문(Contents/section*.xml)이 없습니다")
        lines: list[str] = []
        used = 0
        for name in sections:  # stop at the text budget: 190 sections under the bomb limits still add up
            part = section_lines(_parse_xml(zf, name, path))
            used += sum(len(line) for line in part)
            check_text_budget(str(path), used, limits)
            lines.extend(part)
    text = tidy_lines(normalize_text("\n".join(fill_captions(lines))))
    meta = {"source_format": "hwpx", "sections": len(sections)}
    return LoadedDocument(str(path), choose_title(hpf_title, path.stem), "guideline", text, meta)
