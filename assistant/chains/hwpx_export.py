"""``.hwpx`` (OWPML, 한글) export of a draft: the package staff file as it is.

The package: ``mimetype`` first and stored, ``version.xml``, ``META-INF/container.xml`` (root file
``Contents/content.hpf``), ``META-INF/manifest.xml``, ``Contents/content.hpf`` (manifest + spine),
``Contents/header.xml`` (fonts, character/paragraph shapes, border fills, one style),
``Contents/section0.xml`` (A4 page, the paragraphs), ``settings.xml`` and ``Preview/PrvText.txt``
— the parts a Hancom-saved file has.

Layout (「행정업무의 운영 및 혁신에 관한 규정 시행규칙」 제4조, 별지 제1호서식): the 행정기관명 centred
and large, 수신/(경유)/제목, the items with their symbols kept as text (item indentation is typed
"2타" per level, so the leading spaces stay in the text) and a hanging indent so wrapped lines
align after the symbol, 붙임 aligned after "붙임  ", "끝.", the 발신 명의 centred and large, and the
결문 (기안자·검토자·결재권자, 협조자, 시행·접수, 우편번호·주소, 전화·공개 구분) as a bordered table,
one row per line of the draft's 결문, cells split where the draft separates them by 3+ spaces.
Margins follow the 편람 (위 30 mm, 아래 15 mm, 왼쪽 20 mm, 오른쪽 15 mm).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from assistant.chains.docx_export import columns
from assistant.chains.format_check import parse_item

MIMETYPE = "application/hwp+zip"
FONT = "함초롬바탕"  # ships with every 한글 install
FONT_GOTHIC = "함초롬돋움"
BODY_PT = 12
AGENCY_PT = 18  # 행정기관명 / report title
SENDER_PT = 16  # 발신 명의
CLOSING_PT = 10  # 결문 table
LINE_SPACING = 160  # percent
HWPUNIT_PER_PT = 100
HWPUNIT_PER_MM = 7200 / 25.4
PAGE_W, PAGE_H = 59528, 84186  # A4 in HWPUNIT (210 × 297 mm)
MARGINS_MM = {"left": 20, "right": 15, "top": 30, "bottom": 15, "header": 0, "footer": 0, "gutter": 0}
TABLE_COLS = 6  # the 결문 grid: 1, 2 or 3 cells a row span 6, 3 or 2 columns
_CELL_SPLIT = re.compile(r"(?<=[^\s(])\s{3,}(?=[^\s)])")  # not inside "(   )"
_CLOSING_START = re.compile(r"^(기안자|검토자|결재권자|협조자)")
_ATTACH = re.compile(r"^(붙\s*임\s+)(\d{1,2}\.\s+)?")
# Lines set as a bordered table at the head of other documents (cells 3+ spaces apart).
_HEAD_ROWS = {
    "보도자료": re.compile(r"^(보도\s*시점|담당\s*부서)"),
    "통지서": re.compile(r"^(접수\s*번호|청구인|결정\s*구분|결정\s*기한)"),
}

_NS = {
    "ha": "http://www.hancom.co.kr/hwpml/2011/app",
    "hp": "http://www.hancom.co.kr/hwpml/2011/paragraph",
    "hp10": "http://www.hancom.co.kr/hwpml/2016/paragraph",
    "hs": "http://www.hancom.co.kr/hwpml/2011/section",
    "hc": "http://www.hancom.co.kr/hwpml/2011/core",
    "hh": "http://www.hancom.co.kr/hwpml/2011/head",
    "hhs": "http://www.hancom.co.kr/hwpml/2011/history",
    "hm": "http://www.hancom.co.kr/hwpml/2011/master-page",
    "hpf": "http://www.hancom.co.kr/schema/2011/hpf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "opf": "http://www.idpf.org/2007/opf/",
    "ooxmlchart": "http://www.hancom.co.kr/hwpml/2016/ooxmlchart",
    "hwpunitchar": "http://www.hancom.co.kr/hwpml/2016/HwpUnitChar",
    "epub": "http://www.idpf.org/2007/ops",
    "config": "urn:oasis:names:tc:opendocument:xmlns:config:1.0",
}
_XMLNS = " ".join(f'xmlns:{k}="{v}"' for k, v in _NS.items())
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>'

# Character shapes (id → size pt, bold, font id): body, body bold, 기관명, 발신 명의, 결문 table.
CHAR_BODY, CHAR_BOLD, CHAR_AGENCY, CHAR_SENDER, CHAR_CLOSING = range(5)
_CHARS = ((BODY_PT, False), (BODY_PT, True), (AGENCY_PT, True), (SENDER_PT, True), (CLOSING_PT, False))
_BORDER_NONE, _BORDER_CHAR, _BORDER_CELL = 1, 2, 3


@dataclass(frozen=True)
class ParaShape:
    align: str = "JUSTIFY"  # JUSTIFY | LEFT | CENTER | RIGHT
    left: int = 0  # HWPUNIT
    intent: int = 0  # negative: hanging indent (lines after the first start |intent| further right)
    prev: int = 0  # space before, HWPUNIT


@dataclass(frozen=True)
class Block:
    """One paragraph (``text``) or a 결문 table (``rows`` of cell texts)."""

    text: str = ""
    char: int = CHAR_BODY
    shape: ParaShape = ParaShape()
    rows: tuple[tuple[str, ...], ...] = ()


def _col_units(cols: int, size_pt: float = BODY_PT) -> int:
    """Half-width columns → HWPUNIT (a half-width character is half the font size wide)."""
    return int(cols * size_pt * HWPUNIT_PER_PT / 2)


def _cells(line: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in _CELL_SPLIT.split(line) if c.strip())


def layout_blocks(text: str, kind: str = "공문") -> list[Block]:
    """The draft text → paragraphs and the 결문 table (pure; what ``section0.xml`` is made of)."""
    lines = [ln.rstrip() for ln in text.split("\n")]
    closing = next((i for i, ln in enumerate(lines) if _CLOSING_START.match(ln.strip())), len(lines))
    head_rows = _HEAD_ROWS.get(kind)
    blocks: list[Block] = []
    first = True
    end_seen = False
    title_due = False  # 보도자료: the first line after the head table is the headline
    for raw in lines[:closing]:
        stripped = raw.lstrip(" \u3000")
        indent = columns(raw[: len(raw) - len(stripped)])
        if head_rows is not None and head_rows.match(stripped):
            row = _cells(stripped)
            if blocks and blocks[-1].rows:
                blocks[-1] = replace(blocks[-1], rows=(*blocks[-1].rows, row))
            else:
                blocks.append(Block("", CHAR_BODY, ParaShape("LEFT"), rows=(row,)))
            title_due = kind == "보도자료"
            continue
        if not stripped:
            blocks.append(Block(""))
            continue
        if first:
            first = False
            blocks.append(Block(stripped, CHAR_AGENCY, ParaShape("CENTER")))
            continue
        if title_due or (kind == "보도자료" and re.fullmatch(r"- .+ -", stripped)):
            headline = title_due
            title_due = False
            blocks.append(Block(stripped, CHAR_SENDER if headline else CHAR_BOLD, ParaShape("CENTER")))
            continue
        if end_seen and kind == "공문" and not stripped.startswith("수신자"):
            blocks.append(Block(stripped, CHAR_SENDER, ParaShape("CENTER", prev=_col_units(4))))
            continue
        if stripped.rstrip().endswith("끝."):
            end_seen = True
        if re.match(r"^제\s*목\s", stripped) or (kind != "공문" and stripped.startswith("□")):
            blocks.append(Block(raw, CHAR_BOLD, ParaShape("LEFT")))
            continue
        attach = _ATTACH.match(stripped)
        item = parse_item(stripped)
        if attach:
            hang = columns(attach.group(0))
        elif item is not None:
            m = re.match(r"^\S+\s+", stripped)
            hang = indent + (columns(m.group(0)) if m else columns(item.symbol) + 1)
        else:
            hang = indent
        blocks.append(Block(raw, CHAR_BODY, ParaShape("JUSTIFY", intent=-_col_units(hang))))
    rows = tuple(_cells(ln.strip()) for ln in lines[closing:] if ln.strip())
    if rows:
        blocks.append(Block("", CHAR_CLOSING, ParaShape("LEFT", prev=_col_units(2)), rows=rows))
    return blocks


# --- header.xml --------------------------------------------------------------------------------

_LANGS = ("HANGUL", "LATIN", "HANJA", "JAPANESE", "OTHER", "SYMBOL", "USER")


def _fontfaces() -> str:
    fonts = "".join(
        f'<hh:font id="{i}" face={quoteattr(face)} type="TTF" isEmbedded="0">'
        f'<hh:typeInfo familyType="{family}" weight="6" proportion="4" contrast="0" strokeVariation="1" '
        'armStyle="1" letterform="1" midline="1" xHeight="1"/></hh:font>'
        for i, (face, family) in enumerate(((FONT, "FCAT_MYUNGJO"), (FONT_GOTHIC, "FCAT_GOTHIC")))
    )
    faces = "".join(f'<hh:fontface lang="{lang}" fontCnt="2">{fonts}</hh:fontface>' for lang in _LANGS)
    return f'<hh:fontfaces itemCnt="{len(_LANGS)}">{faces}</hh:fontfaces>'


def _border_fill(id_: int, line: str, fill: bool) -> str:
    width = "0.12 mm"
    sides = "".join(
        f'<hh:{side}Border type="{line}" width="{width}" color="#000000"/>'
        for side in ("left", "right", "top", "bottom")
    )
    brush = '<hc:fillBrush><hc:winBrush faceColor="none" hatchColor="#999999" alpha="0"/></hc:fillBrush>'
    return (
        f'<hh:borderFill id="{id_}" threeD="0" shadow="0" centerLine="NONE" breakCellSeparateLine="0">'
        '<hh:slash type="NONE" Crooked="0" isCounter="0"/><hh:backSlash type="NONE" Crooked="0" isCounter="0"/>'
        f'{sides}<hh:diagonal type="SOLID" width="0.1 mm" color="#000000"/>{brush if fill else ""}</hh:borderFill>'
    )


_SCRIPTS = ("hangul", "latin", "hanja", "japanese", "other", "symbol", "user")


def _seven(value: int) -> str:
    """The same value for the seven script slots of a character shape."""
    return " ".join(f'{k}="{value}"' for k in _SCRIPTS)


def _char_pr(id_: int, size_pt: float, bold: bool) -> str:
    return (
        f'<hh:charPr id="{id_}" height="{int(size_pt * HWPUNIT_PER_PT)}" textColor="#000000" shadeColor="none" '
        f'useFontSpace="0" useKerning="0" symMark="NONE" borderFillIDRef="{_BORDER_CHAR}">'
        f"<hh:fontRef {_seven(0)}/><hh:ratio {_seven(100)}/><hh:spacing {_seven(0)}/>"
        f"<hh:relSz {_seven(100)}/><hh:offset {_seven(0)}/>"
        + ("<hh:bold/>" if bold else "")
        + '<hh:underline type="NONE" shape="SOLID" color="#000000"/><hh:strikeout shape="NONE" color="#000000"/>'
        '<hh:outline type="NONE"/><hh:shadow type="NONE" color="#C0C0C0" offsetX="10" offsetY="10"/></hh:charPr>'
    )


def _margin(shape: ParaShape, factor: int) -> str:
    return (
        f'<hh:margin><hc:intent value="{shape.intent * factor}" unit="HWPUNIT"/>'
        f'<hc:left value="{shape.left * factor}" unit="HWPUNIT"/><hc:right value="0" unit="HWPUNIT"/>'
        f'<hc:prev value="{shape.prev * factor}" unit="HWPUNIT"/><hc:next value="0" unit="HWPUNIT"/></hh:margin>'
        f'<hh:lineSpacing type="PERCENT" value="{LINE_SPACING}" unit="HWPUNIT"/>'
    )


def _para_pr(id_: int, shape: ParaShape) -> str:
    # Hancom writes margins twice: the real values for readers that know HwpUnitChar, doubled in
    # hp:default for older ones; we do the same so every 한글 version lays it out alike.
    return (
        f'<hh:paraPr id="{id_}" tabPrIDRef="0" condense="0" fontLineHeight="0" snapToGrid="1" '
        'suppressLineNumbers="0" checked="0" textDir="LTR">'
        f'<hh:align horizontal="{shape.align}" vertical="BASELINE"/><hh:heading type="NONE" idRef="0" level="0"/>'
        '<hh:breakSetting breakLatinWord="KEEP_WORD" breakNonLatinWord="KEEP_WORD" widowOrphan="0" '
        'keepWithNext="0" keepLines="0" pageBreakBefore="0" lineWrap="BREAK"/>'
        '<hh:autoSpacing eAsianEng="0" eAsianNum="0"/>'
        f'<hp:switch><hp:case hp:required-namespace="{_NS["hwpunitchar"]}">{_margin(shape, 1)}</hp:case>'
        f"<hp:default>{_margin(shape, 2)}</hp:default></hp:switch>"
        f'<hh:border borderFillIDRef="{_BORDER_CHAR}" offsetLeft="0" offsetRight="0" offsetTop="0" '
        'offsetBottom="0" connect="0" ignoreMargin="0"/></hh:paraPr>'
    )


def header_xml(shapes: list[ParaShape]) -> str:
    """``Contents/header.xml`` with the given paragraph shapes (ids = list positions)."""
    borders = (
        _border_fill(_BORDER_NONE, "NONE", False)
        + _border_fill(_BORDER_CHAR, "NONE", True)
        + _border_fill(_BORDER_CELL, "SOLID", False)
    )
    chars = "".join(_char_pr(i, size, bold) for i, (size, bold) in enumerate(_CHARS))
    paras = "".join(_para_pr(i, s) for i, s in enumerate(shapes))
    return (
        f'{_DECL}<hh:head {_XMLNS} version="1.5" secCnt="1">'
        '<hh:beginNum page="1" footnote="1" endnote="1" pic="1" tbl="1" equation="1"/><hh:refList>'
        f"{_fontfaces()}"
        f'<hh:borderFills itemCnt="3">{borders}</hh:borderFills>'
        f'<hh:charProperties itemCnt="{len(_CHARS)}">{chars}</hh:charProperties>'
        '<hh:tabProperties itemCnt="1"><hh:tabPr id="0" autoTabLeft="0" autoTabRight="0"/></hh:tabProperties>'
        f'<hh:paraProperties itemCnt="{len(shapes)}">{paras}</hh:paraProperties>'
        '<hh:styles itemCnt="1"><hh:style id="0" type="PARA" name="바탕글" engName="Normal" paraPrIDRef="0" '
        'charPrIDRef="0" nextStyleIDRef="0" langID="1042" lockForm="0"/></hh:styles>'
        '</hh:refList><hh:compatibleDocument targetProgram="HWP201X"><hh:layoutCompatibility/>'
        '</hh:compatibleDocument><hh:docOption><hh:linkinfo path="" pageInherit="0" footnoteInherit="0"/>'
        '</hh:docOption><hh:trackchageConfig flags="56"/></hh:head>'
    )


# --- section0.xml ------------------------------------------------------------------------------


def _sec_pr() -> str:
    m = {k: round(v * HWPUNIT_PER_MM) for k, v in MARGINS_MM.items()}
    return (
        '<hp:secPr id="" textDirection="HORIZONTAL" spaceColumns="1134" tabStop="8000" tabStopVal="4000" '
        'tabStopUnit="HWPUNIT" outlineShapeIDRef="0" memoShapeIDRef="0" textVerticalWidthHead="0" masterPageCnt="0">'
        '<hp:grid lineGrid="0" charGrid="0" wonggojiFormat="0"/>'
        '<hp:startNum pageStartsOn="BOTH" page="0" pic="0" tbl="0" equation="0"/>'
        '<hp:visibility hideFirstHeader="0" hideFirstFooter="0" hideFirstMasterPage="0" border="SHOW_ALL" '
        'fill="SHOW_ALL" hideFirstPageNum="0" hideFirstEmptyLine="0" showLineNumber="0"/>'
        '<hp:lineNumberShape restartType="0" countBy="0" distance="0" startNumber="0"/>'
        f'<hp:pagePr landscape="WIDELY" width="{PAGE_W}" height="{PAGE_H}" gutterType="LEFT_ONLY">'
        f'<hp:margin header="{m["header"]}" footer="{m["footer"]}" gutter="{m["gutter"]}" left="{m["left"]}" '
        f'right="{m["right"]}" top="{m["top"]}" bottom="{m["bottom"]}"/></hp:pagePr>'
        '<hp:footNotePr><hp:autoNumFormat type="DIGIT" userChar="" prefixChar="" suffixChar=")" supscript="0"/>'
        '<hp:noteLine length="-1" type="SOLID" width="0.12 mm" color="#000000"/>'
        '<hp:noteSpacing betweenNotes="283" belowLine="567" aboveLine="850"/>'
        '<hp:numbering type="CONTINUOUS" newNum="1"/><hp:placement place="EACH_COLUMN" beneathText="0"/>'
        "</hp:footNotePr>"
        '<hp:endNotePr><hp:autoNumFormat type="DIGIT" userChar="" prefixChar="" suffixChar=")" supscript="0"/>'
        '<hp:noteLine length="14692344" type="SOLID" width="0.12 mm" color="#000000"/>'
        '<hp:noteSpacing betweenNotes="0" belowLine="567" aboveLine="850"/>'
        '<hp:numbering type="CONTINUOUS" newNum="1"/><hp:placement place="END_OF_DOCUMENT" beneathText="0"/>'
        "</hp:endNotePr>"
        + "".join(
            f'<hp:pageBorderFill type="{t}" borderFillIDRef="{_BORDER_NONE}" textBorder="PAPER" headerInside="0" '
            'footerInside="0" fillArea="PAPER"><hp:offset left="1417" right="1417" top="1417" bottom="1417"/>'
            "</hp:pageBorderFill>"
            for t in ("BOTH", "EVEN", "ODD")
        )
        + "</hp:secPr>"
    )


class _Ids:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> int:
        self.n += 1
        return self.n


def _run(text: str, char: int) -> str:
    return (
        f'<hp:run charPrIDRef="{char}"><hp:t>{escape(text)}</hp:t></hp:run>'
        if text
        else (f'<hp:run charPrIDRef="{char}"><hp:t/></hp:run>')
    )


def _para(ids: _Ids, para_pr: int, inner: str) -> str:
    return (
        f'<hp:p id="{ids()}" paraPrIDRef="{para_pr}" styleIDRef="0" pageBreak="0" columnBreak="0" merged="0">'
        f"{inner}</hp:p>"
    )


def _table(ids: _Ids, rows: tuple[tuple[str, ...], ...], cell_para: int) -> str:
    width = PAGE_W - round((MARGINS_MM["left"] + MARGINS_MM["right"]) * HWPUNIT_PER_MM)
    col_w = width // TABLE_COLS
    row_h = round(CLOSING_PT * HWPUNIT_PER_PT * 2.2)
    margin = '<hp:cellMargin left="510" right="510" top="141" bottom="141"/>'
    trs = []
    for r, cells in enumerate(rows):
        cells = cells[:TABLE_COLS]
        spans = [TABLE_COLS // len(cells)] * len(cells)
        spans[-1] += TABLE_COLS - sum(spans)
        tcs, col = [], 0
        for text, span in zip(cells, spans, strict=True):
            sub = (
                '<hp:subList id="" textDirection="HORIZONTAL" lineWrap="BREAK" vertAlign="CENTER" '
                'linkListIDRef="0" linkListNextIDRef="0" textWidth="0" textHeight="0" hasTextRef="0" hasNumRef="0">'
                f"{_para(ids, cell_para, _run(text, CHAR_CLOSING))}</hp:subList>"
            )
            tcs.append(
                '<hp:tc name="" header="0" hasMargin="0" protect="0" editable="0" dirty="0" '
                f'borderFillIDRef="{_BORDER_CELL}">{sub}<hp:cellAddr colAddr="{col}" rowAddr="{r}"/>'
                f'<hp:cellSpan colSpan="{span}" rowSpan="1"/><hp:cellSz width="{col_w * span}" height="{row_h}"/>'
                f"{margin}</hp:tc>"
            )
            col += span
        trs.append(f"<hp:tr>{''.join(tcs)}</hp:tr>")
    return (
        f'<hp:tbl id="{ids()}" zOrder="0" numberingType="TABLE" textWrap="TOP_AND_BOTTOM" textFlow="BOTH_SIDES" '
        f'lock="0" dropcapstyle="None" pageBreak="CELL" repeatHeader="0" rowCnt="{len(rows)}" '
        f'colCnt="{TABLE_COLS}" cellSpacing="0" borderFillIDRef="{_BORDER_CELL}" noAdjust="0">'
        f'<hp:sz width="{col_w * TABLE_COLS}" widthRelTo="ABSOLUTE" height="{row_h * len(rows)}" '
        'heightRelTo="ABSOLUTE" protect="0"/>'
        '<hp:pos treatAsChar="1" affectLSpacing="0" flowWithText="1" allowOverlap="0" holdAnchorAndSO="0" '
        'vertRelTo="PARA" horzRelTo="COLUMN" vertAlign="TOP" horzAlign="LEFT" vertOffset="0" horzOffset="0"/>'
        '<hp:outMargin left="0" right="0" top="0" bottom="0"/>'
        f'<hp:inMargin left="510" right="510" top="141" bottom="141"/>{"".join(trs)}</hp:tbl>'
    )


def section_xml(blocks: list[Block], shapes: list[ParaShape]) -> str:
    """``Contents/section0.xml``: the page setup in the first paragraph, then the blocks."""

    def shape_id(s: ParaShape) -> int:
        if s not in shapes:
            shapes.append(s)
        return shapes.index(s)

    ids = _Ids()
    cell_para = shape_id(ParaShape("LEFT"))
    paras = []
    for i, b in enumerate(blocks):
        ctrl = f'<hp:run charPrIDRef="{CHAR_BODY}">{_sec_pr()}</hp:run>' if i == 0 else ""
        if b.rows:
            inner = f'<hp:run charPrIDRef="{b.char}">{_table(ids, b.rows, cell_para)}</hp:run>'
        else:
            inner = _run(b.text, b.char)
        paras.append(_para(ids, shape_id(b.shape), ctrl + inner))
    if not blocks:
        paras.append(_para(ids, shape_id(ParaShape()), f'<hp:run charPrIDRef="0">{_sec_pr()}</hp:run>'))
    return f"{_DECL}<hs:sec {_XMLNS}>{''.join(paras)}</hs:sec>"


# --- the package -------------------------------------------------------------------------------

PARTS = ("Contents/header.xml", "Contents/section0.xml", "settings.xml")


def _content_hpf(title: str) -> str:
    items = (
        '<opf:item id="header" href="Contents/header.xml" media-type="application/xml"/>'
        '<opf:item id="section0" href="Contents/section0.xml" media-type="application/xml"/>'
        '<opf:item id="settings" href="settings.xml" media-type="application/xml"/>'
    )
    return (
        f'{_DECL}<opf:package {_XMLNS} version="" unique-identifier="" id="">'
        f"<opf:metadata><opf:title>{escape(title)}</opf:title><opf:language>ko</opf:language>"
        '<opf:meta name="creator" content="text">업무 AI 도우미</opf:meta></opf:metadata>'
        f"<opf:manifest>{items}</opf:manifest>"
        '<opf:spine><opf:itemref idref="header" linear="yes"/><opf:itemref idref="section0" linear="yes"/>'
        "</opf:spine></opf:package>"
    )


_CONTAINER = (
    f'{_DECL}<ocf:container xmlns:ocf="urn:oasis:names:tc:opendocument:xmlns:container" '
    f'xmlns:hpf="{_NS["hpf"]}"><ocf:rootfiles>'
    '<ocf:rootfile full-path="Contents/content.hpf" media-type="application/hwpml-package+xml"/>'
    '<ocf:rootfile full-path="Preview/PrvText.txt" media-type="text/plain"/>'
    "</ocf:rootfiles></ocf:container>"
)
_MANIFEST = f'{_DECL}<odf:manifest xmlns:odf="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'
_VERSION = (
    f'{_DECL}<hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version" tagetApplication="WORDPROCESSOR" '
    'major="5" minor="1" micro="1" buildNumber="0" os="1" xmlVersion="1.5" application="Hancom Office Hangul" '
    'appVersion="12, 0, 0, 0"/>'
)
_SETTINGS = (
    f'{_DECL}<ha:HWPApplicationSetting xmlns:ha="{_NS["ha"]}" xmlns:config="{_NS["config"]}">'
    '<ha:CaretPosition listIDRef="0" paraIDRef="0" pos="0"/></ha:HWPApplicationSetting>'
)


def preview_text(text: str, limit: int = 1024) -> str:
    """``Preview/PrvText.txt``: the start of the text (file managers and search show it)."""
    return "\r\n".join(ln.rstrip() for ln in text[:limit].split("\n"))


def draft_hwpx_bytes(text: str, kind: str = "공문", title: str = "") -> bytes:
    """The draft as .hwpx bytes (for a download button)."""
    blocks = layout_blocks(text, kind)
    shapes: list[ParaShape] = [ParaShape()]
    section = section_xml(blocks, shapes)  # fills `shapes`
    first = next((b.text.strip() for b in blocks if b.text.strip()), "")
    parts = [
        ("version.xml", _VERSION),
        ("META-INF/container.xml", _CONTAINER),
        ("META-INF/manifest.xml", _MANIFEST),
        ("Contents/content.hpf", _content_hpf(title or first)),
        ("Contents/header.xml", header_xml(shapes)),
        ("Contents/section0.xml", section),
        ("settings.xml", _SETTINGS),
        ("Preview/PrvText.txt", preview_text(text)),
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        # OCF: "mimetype" is the first member, stored (not compressed), no extra field.
        zf.writestr(zipfile.ZipInfo("mimetype", (1980, 1, 1, 0, 0, 0)), MIMETYPE, zipfile.ZIP_STORED)
        for name, xml in parts:
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            zf.writestr(info, xml.encode("utf-8"), zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def write_hwpx(text: str, path: str | Path, kind: str = "공문") -> Path:
    path = Path(path)
    path.write_bytes(draft_hwpx_bytes(text, kind))
    return path
