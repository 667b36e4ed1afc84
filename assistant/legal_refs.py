"""Parsing and resolving Korean legal references (법령명, 제N조의M 제N항 제N호, 별표N).

One code path serves retrieval (exact article lookup, law boosting), the QA benchmark (matching
gold references to retrieved chunks) and the citation checker (does every cited article exist).
Everything here is pure: a :class:`LawCatalog` is built from the list of known official titles
and all functions only read it.

    cat = LawCatalog(titles)                        # official titles, e.g. from the statute index
    cat.resolve("민원처리법")                         # → "민원 처리에 관한 법률"
    cat.find_laws("개인정보보호법에 따라 …")            # → [(0, 7, "개인정보 보호법")]
    parse_refs("같은 법 시행령 제3조제2항", cat, context_law="개인정보 보호법")
    ref_matches(ref, chunk.metadata["law_title"], chunk.metadata["article"])

Key form of a title (:func:`normalize_title`): NFC, no brackets/quotes, no whitespace, no middle
dots, commas or periods, lower-case latin. Staff write "개인정보보호법", "개인정보 보호법",
"「개인정보 보호법」" and "피난·방화구조" / "피난ㆍ방화구조" / "피난방화구조" interchangeably, and no
two official titles differ only in those characters, so removing them (rather than unifying them
to U+318D) makes every such variant meet in one key.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "OFFICIAL_ABBREVIATIONS",
    "ArticleRef",
    "LawCatalog",
    "article_label",
    "law_type_of",
    "normalize_title",
    "parent_act",
    "parse_article_label",
    "parse_firesafety_refs",
    "parse_koblex_index",
    "parse_refs",
    "ref_matches",
]

# ---------------------------------------------------------------------------------------------
# Character classes and key normalisation
# ---------------------------------------------------------------------------------------------

# Characters that never distinguish two law titles: they are dropped from keys and turned into a
# "gap" (a space) in the scan copy of free text, so offsets stay those of the original text.
_MIDDLE_DOTS = "\u00b7\u2027\u2219\u318d\uff65\u2024\u30fb"
_QUOTES = "「」『』\"“”'‘’《》〈〉"
_GAP_CHARS = _MIDDLE_DOTS + _QUOTES + ".,\u200b\u200c\ufeff"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d"
_FULLWIDTH = {"\uff08": "(", "\uff09": ")"}

_KEY_TABLE = str.maketrans(
    {
        **dict.fromkeys(_GAP_CHARS, None),
        **dict.fromkeys(_DASHES, "-"),
        **_FULLWIDTH,
        **{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)},
    }
)
_SCAN_TABLE = str.maketrans(
    {
        **dict.fromkeys(_GAP_CHARS, " "),
        **dict.fromkeys(_DASHES, "-"),
        **_FULLWIDTH,
        **{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)},
    }
)
_WS = re.compile(r"\s+")


def _nfc(s: str) -> str:
    return s if unicodedata.is_normalized("NFC", s) else unicodedata.normalize("NFC", s)


def normalize_title(title: str) -> str:
    """Key form of a law title: NFC, brackets/quotes, whitespace, middle dots, commas and periods
    removed, dashes unified, latin lower-cased. ``"「개인정보 보호법」"`` → ``"개인정보보호법"``."""
    return _WS.sub("", _nfc(title).translate(_KEY_TABLE))


def _clean_title(title: str) -> str:
    """Display form: NFC, outer brackets stripped, whitespace runs collapsed."""
    t = _WS.sub(" ", _nfc(title)).strip()
    return t.strip("「」『』\"“”'‘’ ").strip()


# ---------------------------------------------------------------------------------------------
# Article labels, law types
# ---------------------------------------------------------------------------------------------

_ARTICLE_LABEL = re.compile(r"\s*제?\s*(\d+)\s*조(?:\s*의\s*(\d+))?\s*(?:\(.*\))?\s*")
_BARE_NUMBER = re.compile(r"\s*(\d+)\s*")


def article_label(no: int, branch: int = 0) -> str:
    """Canonical article label: ``(15, 0)`` → ``"제15조"``, ``(15, 2)`` → ``"제15조의2"``."""
    return f"제{no}조의{branch}" if branch else f"제{no}조"


def parse_article_label(s: str) -> tuple[int, int] | None:
    """``"제15조의2"`` / ``"15조의2"`` / ``"제 15 조"`` / ``"제15조(목적)"`` / ``"15"`` → ``(no, branch)``."""
    if not s:
        return None
    m = _ARTICLE_LABEL.fullmatch(s) or _BARE_NUMBER.fullmatch(s)
    if not m:
        return None
    branch = m.group(2) if m.re is _ARTICLE_LABEL else None
    return int(m.group(1)), int(branch) if branch else 0


# A repealed provision keeps its number and only says so: "삭제 <2022.7.11>", per paragraph too.
_REPEALED_LINE = re.compile(r"\s*(?:[①-⑳]|\d+\.)?\s*삭제\s*(?:<[^>\n]*>|\[[^\]\n]*\])?\s*")


def is_repealed(text: str) -> bool:
    """Is this article chunk a repealed provision: every line of its body "삭제 <date>"? The
    first line is the chunk heading ("개인정보 보호법 시행령 제4조")."""
    lines = [ln for ln in text.split("\n")[1:] if ln.strip()]
    return bool(lines) and all(_REPEALED_LINE.fullmatch(ln) for ln in lines)


_SUBORDINATE = re.compile(r"^(.*?)\s*(시행령|시행규칙)$")


def law_type_of(title: str) -> str:
    """Kind of instrument from its title: "시행령", "시행규칙", "법률", "규정" (대통령령 named
    …규정/…강령), "규칙" (standalone 부령), "령", "조례", "헌법", "행정규칙" (기준/지침/고시/훈령/예규)
    or "기타"."""
    key = normalize_title(title)
    if key.endswith("시행령"):
        return "시행령"
    if key.endswith("시행규칙"):
        return "시행규칙"
    if key.endswith(("규정", "강령")):
        return "규정"
    if key.endswith("규칙"):
        return "규칙"
    if key.endswith("조례"):
        return "조례"
    if key.endswith("헌법"):
        return "헌법"
    if key.endswith(("법", "법률")):
        return "법률"
    if key.endswith(("기준", "지침", "고시", "훈령", "예규", "요령")):
        return "행정규칙"
    if key.endswith("령"):
        return "령"
    return "기타"


def parent_act(title: str) -> str | None:
    """The instrument a 시행령/시행규칙 implements: ``"개인정보 보호법 시행령"`` → ``"개인정보 보호법"``,
    ``"행정업무의 운영 및 혁신에 관한 규정 시행규칙"`` → ``"행정업무의 운영 및 혁신에 관한 규정"``;
    ``None`` for anything else."""
    m = _SUBORDINATE.match(_clean_title(title))
    return m.group(1).strip() if m and m.group(1).strip() else None


# ---------------------------------------------------------------------------------------------
# Abbreviations
# ---------------------------------------------------------------------------------------------

# Official 약칭 (law.go.kr) and a few abbreviations in common administrative use, for the laws a
# city hall, a fire agency and the QA sets cite. Every target is a title of the statute corpus;
# entries whose target is not in a catalog are ignored by that catalog.
OFFICIAL_ABBREVIATIONS: dict[str, str] = {
    # administration, information, integrity
    "민원처리법": "민원 처리에 관한 법률",
    "정보공개법": "공공기관의 정보공개에 관한 법률",
    "개인정보법": "개인정보 보호법",
    "개보법": "개인정보 보호법",
    "청탁금지법": "부정청탁 및 금품등 수수의 금지에 관한 법률",
    "김영란법": "부정청탁 및 금품등 수수의 금지에 관한 법률",
    "이해충돌방지법": "공직자의 이해충돌 방지법",
    "공수처법": "고위공직자범죄수사처 설치 및 운영에 관한 법률",
    "부패방지권익위법": "부패방지 및 국민권익위원회의 설치와 운영에 관한 법률",
    "부패방지법": "부패방지 및 국민권익위원회의 설치와 운영에 관한 법률",
    "부패재산몰수법": "부패재산의 몰수 및 회복에 관한 특례법",
    "공공재정환수법": "공공재정 부정청구 금지 및 부정이익 환수 등에 관한 법률",
    "공공기록물법": "공공기록물 관리에 관한 법률",
    "공공데이터법": "공공데이터의 제공 및 이용 활성화에 관한 법률",
    "데이터기반행정법": "데이터기반행정 활성화에 관한 법률",
    "정보통신망법": "정보통신망 이용촉진 및 정보보호 등에 관한 법률",
    "위치정보법": "위치정보의 보호 및 이용 등에 관한 법률",
    "신용정보법": "신용정보의 이용 및 보호에 관한 법률",
    "정보보호산업법": "정보보호산업의 진흥에 관한 법률",
    "클라우드컴퓨팅법": "클라우드컴퓨팅 발전 및 이용자 보호에 관한 법률",
    "전자문서법": "전자문서 및 전자거래 기본법",
    "전자조달법": "전자조달의 이용 및 촉진에 관한 법률",
    "인공지능기본법": "인공지능 발전과 신뢰 기반 조성 등에 관한 기본법",
    "공공감사법": "공공감사에 관한 법률",
    "정부업무평가법": "정부업무평가 기본법",
    "공공기관운영법": "공공기관의 운영에 관한 법률",
    "공무원직장협의회법": "공무원직장협의회의 설립ㆍ운영에 관한 법률",
    "공무원노조법": "공무원의 노동조합 설립 및 운영 등에 관한 법률",
    "교원지위법": "교원의 지위 향상 및 교육활동 보호를 위한 특별법",
    "주민소환법": "주민소환에 관한 법률",
    "질서위반행위법": "질서위반행위규제법",
    "지방행정제재부과금법": "지방행정제재ㆍ부과금의 징수 등에 관한 법률",
    # local finance, contracts, property
    "지방계약법": "지방자치단체를 당사자로 하는 계약에 관한 법률",
    "국가계약법": "국가를 당사자로 하는 계약에 관한 법률",
    "국가소송법": "국가를 당사자로 하는 소송에 관한 법률",
    "공유재산법": "공유재산 및 물품 관리법",
    "지방보조금법": "지방자치단체 보조금 관리에 관한 법률",
    "보조금법": "보조금 관리에 관한 법률",
    "지방출자출연법": "지방자치단체 출자ㆍ출연 기관의 운영에 관한 법률",
    "지방기금법": "지방자치단체 기금관리기본법",
    "조달사업법": "조달사업에 관한 법률",
    "판로지원법": "중소기업제품 구매촉진 및 판로지원에 관한 법률",
    "상속증여세법": "상속세 및 증여세법",
    "상증법": "상속세 및 증여세법",
    "조특법": "조세특례제한법",
    # land, building, housing, roads
    "국토계획법": "국토의 계획 및 이용에 관한 법률",
    "공간정보관리법": "공간정보의 구축 및 관리 등에 관한 법률",
    "도시정비법": "도시 및 주거환경정비법",
    "토지보상법": "공익사업을 위한 토지 등의 취득 및 보상에 관한 법률",
    "집합건물법": "집합건물의 소유 및 관리에 관한 법률",
    "부동산거래신고법": "부동산 거래신고 등에 관한 법률",
    "부동산실명법": "부동산 실권리자명의 등기에 관한 법률",
    "부동산공시법": "부동산 가격공시에 관한 법률",
    "감정평가법": "감정평가 및 감정평가사에 관한 법률",
    "개발제한구역법": "개발제한구역의 지정 및 관리에 관한 특별조치법",
    "공원녹지법": "도시공원 및 녹지 등에 관한 법률",
    "도시재생법": "도시재생 활성화 및 지원에 관한 특별법",
    "소규모주택정비법": "빈집 및 소규모주택 정비에 관한 특례법",
    "민간임대주택법": "민간임대주택에 관한 특별법",
    "공공주택법": "공공주택 특별법",
    "상가임대차법": "상가건물 임대차보호법",
    "주택임대차법": "주택임대차보호법",
    "옥외광고물법": "옥외광고물 등의 관리와 옥외광고산업 진흥에 관한 법률",
    "공유수면법": "공유수면 관리 및 매립에 관한 법률",
    "지하안전법": "지하안전관리에 관한 특별법",
    "시설물안전법": "시설물의 안전 및 유지관리에 관한 특별법",
    "건축물방화구조규칙": "건축물의 피난ㆍ방화구조 등의 기준에 관한 규칙",
    "건축물설비기준규칙": "건축물의 설비기준 등에 관한 규칙",
    "주택건설기준규정": "주택건설기준 등에 관한 규정",
    "승강기법": "승강기 안전관리법",
    "교통약자법": "교통약자의 이동편의 증진법",
    "자동차손해배상법": "자동차손해배상 보장법",
    "교통사고처리법": "교통사고처리 특례법",
    "여객자동차법": "여객자동차 운수사업법",
    "화물자동차법": "화물자동차 운수사업법",
    "국방시설사업법": "국방ㆍ군사시설 사업에 관한 법률",
    # fire, disaster, safety
    "소방시설법": "소방시설 설치 및 관리에 관한 법률",
    "화재예방법": "화재의 예방 및 안전관리에 관한 법률",
    "다중이용업소법": "다중이용업소의 안전관리에 관한 특별법",
    "소방산업법": "소방산업의 진흥에 관한 법률",
    "119구조구급법": "119구조ㆍ구급에 관한 법률",
    "119긴급신고법": "119긴급신고의 관리 및 운영에 관한 법률",
    "초고층재난관리법": "초고층 및 지하연계 복합건축물 재난관리에 관한 특별법",
    "재난안전법": "재난 및 안전관리 기본법",
    "저수지댐법": "저수지ㆍ댐의 안전관리 및 재해예방에 관한 법률",
    "급경사지법": "급경사지 재해예방에 관한 법률",
    "비상대비법": "비상대비에 관한 법률",
    "테러방지법": "국민보호와 공공안전을 위한 테러방지법",
    "감염병예방법": "감염병의 예방 및 관리에 관한 법률",
    "액화석유가스법": "액화석유가스의 안전관리 및 사업법",
    "고압가스법": "고압가스 안전관리법",
    "전기생활용품안전법": "전기용품 및 생활용품 안전관리법",
    "에너지이용법": "에너지이용 합리화법",
    "신재생에너지법": "신에너지 및 재생에너지 개발ㆍ이용ㆍ보급 촉진법",
    "석유사업법": "석유 및 석유대체연료 사업법",
    "화학물질등록평가법": "화학물질의 등록 및 평가 등에 관한 법률",
    "화평법": "화학물질의 등록 및 평가 등에 관한 법률",
    "화관법": "화학물질관리법",
    "산안법": "산업안전보건법",
    "안전보건규칙": "산업안전보건기준에 관한 규칙",
    "중대재해처벌법": "중대재해 처벌 등에 관한 법률",
    "중처법": "중대재해 처벌 등에 관한 법률",
    "기업규제완화법": "기업활동 규제완화에 관한 특별조치법",
    # labour, welfare, health, education
    "남녀고용평등법": "남녀고용평등과 일ㆍ가정 양립 지원에 관한 법률",
    "퇴직급여법": "근로자퇴직급여 보장법",
    "근로자참여법": "근로자참여 및 협력증진에 관한 법률",
    "파견법": "파견근로자 보호 등에 관한 법률",
    "기간제법": "기간제 및 단시간근로자 보호 등에 관한 법률",
    "노동조합법": "노동조합 및 노동관계조정법",
    "장애인고용법": "장애인고용촉진 및 직업재활법",
    "고령자고용법": "고용상 연령차별금지 및 고령자고용촉진에 관한 법률",
    "외국인고용법": "외국인근로자의 고용 등에 관한 법률",
    "산재보험법": "산업재해보상보험법",
    "고용산재보험료징수법": "고용보험 및 산업재해보상보험의 보험료징수 등에 관한 법률",
    "기초생활보장법": "국민기초생활 보장법",
    "사회보장급여법": "사회보장급여의 이용ㆍ제공 및 수급권자 발굴에 관한 법률",
    "장애인등편의법": "장애인ㆍ노인ㆍ임산부 등의 편의증진 보장에 관한 법률",
    "장애인차별금지법": "장애인차별금지 및 권리구제 등에 관한 법률",
    "국가유공자법": "국가유공자 등 예우 및 지원에 관한 법률",
    "5ㆍ18민주유공자법": "5ㆍ18민주유공자예우 및 단체설립에 관한 법률",
    "가족관계등록법": "가족관계의 등록 등에 관한 법률",
    "재외동포법": "재외동포의 출입국과 법적 지위에 관한 법률",
    "응급의료법": "응급의료에 관한 법률",
    "정신건강복지법": "정신건강증진 및 정신질환자 복지서비스 지원에 관한 법률",
    "재난적의료비지원법": "재난적의료비 지원에 관한 법률",
    "장사법": "장사 등에 관한 법률",
    "학교폭력예방법": "학교폭력예방 및 대책에 관한 법률",
    "학원법": "학원의 설립ㆍ운영 및 과외교습에 관한 법률",
    "체육시설법": "체육시설의 설치ㆍ이용에 관한 법률",
    "박물관미술관법": "박물관 및 미술관 진흥법",
    "게임산업법": "게임산업진흥에 관한 법률",
    "영화비디오법": "영화 및 비디오물의 진흥에 관한 법률",
    "음악산업법": "음악산업진흥에 관한 법률",
    # environment, agriculture, commerce
    "가축분뇨법": "가축분뇨의 관리 및 이용에 관한 법률",
    "자원재활용법": "자원의 절약과 재활용촉진에 관한 법률",
    "건설폐기물법": "건설폐기물의 재활용촉진에 관한 법률",
    "소음진동법": "소음ㆍ진동관리법",
    "원산지표시법": "농수산물의 원산지 표시 등에 관한 법률",
    "식품표시광고법": "식품 등의 표시ㆍ광고에 관한 법률",
    "농어업경영체법": "농어업경영체 육성 및 지원에 관한 법률",
    "전통시장법": "전통시장 및 상점가 육성을 위한 특별법",
    "소상공인법": "소상공인 보호 및 지원에 관한 법률",
    "엔지니어링산업법": "엔지니어링산업 진흥법",
    "공정거래법": "독점규제 및 공정거래에 관한 법률",
    "하도급법": "하도급거래 공정화에 관한 법률",
    "표시광고법": "표시ㆍ광고의 공정화에 관한 법률",
    "전자상거래법": "전자상거래 등에서의 소비자보호에 관한 법률",
    "약관법": "약관의 규제에 관한 법률",
    "채무자회생법": "채무자 회생 및 파산에 관한 법률",
    "자본시장법": "자본시장과 금융투자업에 관한 법률",
    "금융실명법": "금융실명거래 및 비밀보장에 관한 법률",
    "특정금융정보법": "특정 금융거래정보의 보고 및 이용 등에 관한 법률",
    # criminal law and procedure
    "형집행법": "형의 집행 및 수용자의 처우에 관한 법률",
    "특정범죄가중법": "특정범죄 가중처벌 등에 관한 법률",
    "특가법": "특정범죄 가중처벌 등에 관한 법률",
    "특정경제범죄법": "특정경제범죄 가중처벌 등에 관한 법률",
    "특경법": "특정경제범죄 가중처벌 등에 관한 법률",
    "성폭력처벌법": "성폭력범죄의 처벌 등에 관한 특례법",
    "성폭력방지법": "성폭력방지 및 피해자보호 등에 관한 법률",
    "청소년성보호법": "아동ㆍ청소년의 성보호에 관한 법률",
    "아동학대처벌법": "아동학대범죄의 처벌 등에 관한 특례법",
    "가정폭력처벌법": "가정폭력범죄의 처벌 등에 관한 특례법",
    "가정폭력방지법": "가정폭력방지 및 피해자보호 등에 관한 법률",
    "성매매처벌법": "성매매알선 등 행위의 처벌에 관한 법률",
    "성매매피해자보호법": "성매매방지 및 피해자보호 등에 관한 법률",
    "스토킹처벌법": "스토킹범죄의 처벌 등에 관한 법률",
    "폭력행위처벌법": "폭력행위 등 처벌에 관한 법률",
    "폭처법": "폭력행위 등 처벌에 관한 법률",
    "마약류관리법": "마약류 관리에 관한 법률",
    "집회시위법": "집회 및 시위에 관한 법률",
    "집시법": "집회 및 시위에 관한 법률",
    "경찰법": "국가경찰과 자치경찰의 조직 및 운영에 관한 법률",
    "사법경찰직무법": "사법경찰관리의 직무를 수행할 자와 그 직무범위에 관한 법률",
}

# Words that refer to a law relative to the text they stand in; never aliases of a title.
_RELATIVE_KEY = re.compile(
    r"(?P<pre>같은|동|이|본|해당|당해)?(?P<kind>법률|법|영|규칙|규정)(?P<suf>시행령|시행규칙)?"
    r"|(?P<bare>시행령|시행규칙)"
)

_LAW_SUFFIXES = r"법률|특별법|특례법|특별조치법|기본법|규정|규칙"
# "X(등)에 관한 법률" → stem X and instrument word; the common way 약칭 are formed.
_ABOUT = re.compile(rf"^(?P<stem>.+?)(?:\s*등)?에\s*관한\s*(?P<kind>{_LAW_SUFFIXES})$")
_PAREN = re.compile(r"\([^()]*\)")
# Nouns ending in 의 that are not the possessive particle; they keep their 의 in derived aliases.
_NOT_POSSESSIVE = (
    "회의",
    "협의",
    "합의",
    "동의",
    "정의",
    "주의",
    "결의",
    "논의",
    "건의",
    "심의",
    "질의",
    "이의",
    "모의",
    "창의",
    "임의",
    "문의",
)
# The skeleton drops words that people add or omit when writing a long title from memory.
_SKELETON_DROP = re.compile(r"에관한|의|및|등")


def _strip_possessive(words: list[str]) -> list[str]:
    out = []
    for w in words:
        if len(w) >= 2 and w.endswith("의") and not w.endswith(_NOT_POSSESSIVE):
            w = w[:-1]
        out.append(w)
    return out


def _derived_alias_keys(title: str) -> set[str]:
    """Alias keys that people derive from an official title (spacing is free anyway):
    parenthetical glosses dropped; "X에 관한 법률" → "X법" / "X에 관한 법", with and without the
    possessive 의 and the conjunction 및 ("가족관계의 등록 등에 관한 법률" → "가족관계등록법")."""
    if _SUBORDINATE.match(title):
        return set()  # "alias + 시행령" is derived from the act's aliases instead
    out: set[str] = set()
    bases = {title}
    unparen = _WS.sub(" ", _PAREN.sub("", title)).strip()
    if unparen and unparen != title:
        bases.add(unparen)
    for base in bases:
        out.add(normalize_title(base))
        m = _ABOUT.match(base)
        if not m:
            continue
        stem, kind = m.group("stem"), m.group("kind")
        short = {"법률": "법"}.get(kind, kind)
        if kind == "법률":
            out.add(normalize_title(base)[:-1])  # "X에 관한 법"
        words = stem.split()
        variants = {
            "".join(words),
            "".join(_strip_possessive(words)),
            "".join(w for w in _strip_possessive(words) if w != "및"),
        }
        for v in variants:
            out.add(normalize_title(v + short))
    out.discard("")
    return out


def _skeleton(key: str) -> str:
    return _SKELETON_DROP.sub("", key)


# ---------------------------------------------------------------------------------------------
# Catalog
# ---------------------------------------------------------------------------------------------

_TRAILING_PARTICLE = re.compile(r"(?:상|에|에서|에는|의|은|는|이|가|을|를|과|와|도|으로|로)?")
_TERM = ""  # trie terminal marker (never a character of a key)
_GAP = " "
# Hangul syllables that may follow a law name glued to it: particles (은/는/이/가/을/를/의/에/와/과/
# 도/만/로/으로/에서/보다/까지/처럼/부터/뿐), 상(上), 및, 령(법령), 중, and the start of what usually
# comes next (제N조, 시행령, 별표, 위반, 개정, 부칙, 조항, 입니다). Anything else means the name is
# the head of a longer word: "헌법재판소" is not 헌법, "특허법인"/"의료법인" (corporations) not 특허법/의료법.
_PARTICLE_FIRST = frozenset("은는이가을를의에와과도만로으상및령중제시별위개부조입까보처뿐랑엔")


def _is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


class LawCatalog:
    """Known law titles plus aliases; resolves names and finds law mentions in free text.

    ``titles`` holds the official titles (display form); ``aliases`` maps every active alias
    (curated abbreviations as written, derived ones in key form) to its official title;
    ``alias_collisions`` lists derived alias keys dropped because two titles derive them.
    """

    def __init__(self, titles: Iterable[str], extra_aliases: Mapping[str, str] | None = None) -> None:
        self.titles: set[str] = set()
        self._by_key: dict[str, str] = {}
        for raw in sorted({_clean_title(t) for t in titles if t and t.strip()}):
            key = normalize_title(raw)
            if key and key not in self._by_key:  # spelling variants of one title keep the first
                self._by_key[key] = raw
                self.titles.add(raw)

        skeletons: dict[str, set[str]] = {}
        for key, t in self._by_key.items():
            skeletons.setdefault(_skeleton(key), set()).add(t)
        self._by_skeleton = {s: next(iter(ts)) for s, ts in skeletons.items() if len(ts) == 1}
        self.aliases: dict[str, str] = {}
        self._alias_keys: dict[str, str] = {}
        derived: dict[str, set[str]] = {}
        for t in self.titles:
            for a in _derived_alias_keys(t):
                if a != normalize_title(t):
                    derived.setdefault(a, set()).add(t)
        for a, ts in derived.items():
            if a in self._by_key:  # "X법" is another law's official title: the title wins
                ts.add(self._by_key[a])
        self.alias_collisions: dict[str, list[str]] = {
            a: sorted(ts) for a, ts in derived.items() if len(ts) > 1
        }
        for a, ts in sorted(derived.items()):
            if len(ts) == 1 and self._usable_alias_key(a):
                (t,) = ts
                self._alias_keys[a] = t
                self.aliases[a] = t
        for alias, target in [*OFFICIAL_ABBREVIATIONS.items(), *(extra_aliases or {}).items()]:
            title = self._lookup(normalize_title(target))
            key = normalize_title(alias)
            if title is None or not self._usable_alias_key(key):
                continue
            if self._by_key.get(key, title) != title:
                continue  # an alias never shadows another law's official title
            self._alias_keys[key] = title
            self.aliases[_clean_title(alias)] = title

        self._trie: dict | None = None
        self._start_re: re.Pattern[str] | None = None

    def _usable_alias_key(self, key: str) -> bool:
        return len(key) >= 2 and not _RELATIVE_KEY.fullmatch(key)

    # -- resolution ---------------------------------------------------------------------------

    def _lookup(self, key: str, _depth: int = 0) -> str | None:
        """Official title for a key (no relative words), trying the variants people write."""
        if not key:
            return None
        hit = self._by_key.get(key) or self._alias_keys.get(key)
        if hit:
            return hit
        if _depth > 1:
            return None
        for suf in ("시행령", "시행규칙"):
            # alias of the act + 시행령: "소방시설법시행령" → 소방시설 설치 및 관리에 관한 법률 시행령
            if key.endswith(suf) and len(key) > len(suf):
                base = self._lookup(key[: -len(suf)], _depth + 1)
                if base:
                    return self._by_key.get(normalize_title(base) + suf)
                return None
        unparen = _PAREN.sub("", key)
        if unparen != key:
            hit = self._lookup(unparen, _depth + 1)
            if hit:
                return hit
        if key.endswith("법률"):
            hit = self._by_key.get(key[:-1]) or self._alias_keys.get(key[:-1])
        elif key.endswith("법"):
            hit = self._by_key.get(key + "률") or self._alias_keys.get(key + "률")
        return hit or self._by_skeleton.get(_skeleton(key))

    def _base(self, context_law: str | None) -> str | None:
        if not context_law:
            return None
        return self._lookup(normalize_title(context_law)) or _clean_title(context_law)

    def resolve(self, name: str, context_law: str | None = None) -> str | None:
        """Official title for any way people write a law (exact, spacing/dot variants, 「」,
        abbreviations, "X법 시행령" with X an abbreviation), or for a relative name ("같은 법",
        "동법 시행령", "이 법", "법", "영", "규칙") given the law of the surrounding text."""
        if not name:
            return None
        key = normalize_title(name)
        hit = self._lookup(key)
        if hit:
            return hit
        rel = _RELATIVE_KEY.fullmatch(key)
        if rel:
            target = _relative_target(rel, self._base(context_law))
            return self._lookup(normalize_title(target)) if target else None
        # a name with a particle glued to it, as cut out of a sentence: "개인정보보호법상"
        found = self.find_laws(name)
        if (
            len(found) == 1
            and not name[: found[0][0]].strip(" 「『")
            and _TRAILING_PARTICLE.fullmatch(name[found[0][1] :].strip(" 」』"))
        ):
            return found[0][2]
        return None

    # -- scanning -----------------------------------------------------------------------------

    def _build_trie(self) -> None:
        entries: dict[str, str] = dict(self._alias_keys)
        for key, t in self._alias_keys.items():
            for suf in ("시행령", "시행규칙"):
                sub = self._by_key.get(normalize_title(t) + suf)
                if sub:
                    entries.setdefault(key + suf, sub)
        entries.update(self._by_key)
        trie: dict = {}
        for key, title in entries.items():
            if len(key) < 2:
                continue
            node = trie
            for ch in key:
                node = node.setdefault(ch, {})
            node[_TERM] = title
        self._trie = trie
        firsts = "".join(sorted(ch for ch in trie if ch != _TERM))
        # An index of guidelines only has no law titles: a pattern that never matches.
        start = "[" + re.escape(firsts) + "]" if firsts else r"(?!)"
        self._start_re = re.compile(r"(?<![가-힣ㄱ-ㆎa-z0-9])" + start)

    def _match_at(self, s: str, i: int) -> tuple[int, str] | None:
        """Longest key starting at s[i] whose end is a plausible word end; gaps (spaces, dots,
        brackets) may sit inside a key after its second character, except before the last
        character of a 3-character key ("건축 법" is not 건축법), or after a digit ("5ㆍ18")."""
        node = self._trie
        assert node is not None
        n = len(s)
        j, depth, best = i, 0, None
        while j < n:
            nxt = node.get(s[j])
            if nxt is None and s[j] == _GAP and (depth >= 2 or (depth and s[j - 1].isdigit())):
                k = j
                while k < n and s[k] == _GAP:
                    k += 1
                if k < n:
                    cand = node.get(s[k])
                    if cand is not None and not (depth == 2 and _TERM in cand and len(cand) == 1):
                        nxt, j = cand, k
            if nxt is None:
                break
            node, depth, j = nxt, depth + 1, j + 1
            if _TERM in node and (j >= n or not _is_hangul(s[j]) or s[j] in _PARTICLE_FIRST):
                best = (j, node[_TERM])
        return best

    def find_laws(self, text: str) -> list[tuple[int, int, str]]:
        """Spans ``(start, end, official title)`` of explicit law mentions in free text, leftmost-
        longest and non-overlapping. Works without 「」 and with glued particles ("민원처리법상",
        "형법은"); a mention must start a word. Offsets refer to ``text`` (NFC-normalised first
        when it is not NFC already). Relative names ("같은 법") are left to :func:`parse_refs`."""
        if self._trie is None:
            self._build_trie()
        assert self._start_re is not None
        s = _nfc(text).translate(_SCAN_TABLE)
        out: list[tuple[int, int, str]] = []
        pos = 0
        for m in self._start_re.finditer(s):
            i = m.start()
            if i < pos:
                continue
            hit = self._match_at(s, i)
            if hit:
                out.append((i, hit[0], hit[1]))
                pos = hit[0]
        return out


def is_relative_law_name(name: str | None) -> bool:
    """True for a name that only points at another law ("같은 법", "동법 시행령", "이 법")."""
    return bool(name) and _RELATIVE_KEY.fullmatch(normalize_title(name or "")) is not None


def _relative_target(rel: re.Match[str], base: str | None) -> str | None:
    """Title a relative name stands for, given the law it is relative to (may not exist)."""
    if not base:
        return None
    act = parent_act(base) or base
    kind = rel.group("kind")
    suf = rel.group("suf") or rel.group("bare")
    if suf:
        return f"{act} {suf}"
    if kind in ("법", "법률"):
        return act
    btype = law_type_of(base)
    if kind == "영":
        return base if btype == "시행령" else f"{act} 시행령"
    if kind == "규칙":
        return base if btype in ("시행규칙", "규칙") else f"{act} 시행규칙"
    return base if btype == "규정" else None  # "같은 규정" only means a 규정-type instrument


# ---------------------------------------------------------------------------------------------
# References
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleRef:
    """One reference to an article (or a 별표) of a law.

    ``law`` is the official title when resolved against the catalog, else ``None``.
    ``law_mention`` is the name the reference was attributed to, as written: the name right
    before it, or for a bare "제15조" the context law / the last law named; relative names are
    expanded ("같은 법 시행령" → "X법 시행령"), so an unresolved law still says which law it was.
    ``item`` is a string because items branch ("1의2"). ``span`` is the position of ``raw`` in
    the parsed text (an addition to the agreed API; not part of equality).
    """

    law: str | None
    article: str | None
    paragraph: int | None = None
    item: str | None = None
    annex: str | None = None
    raw: str = ""
    law_mention: str | None = None
    span: tuple[int, int] = field(default=(0, 0), compare=False, repr=False)


# Reference atoms. Article numbers need 제 except right after a law name ("형법 330조").
_ATOM = re.compile(
    r"(?=[같제별0-9①-⑳가나다라마바사아자차카타파하])"  # cheap first-character filter
    r"(?:(?P<same>같은\s?(?:조|항|호))(?=\s*제?\s*\d)"
    r"|제\s?(?P<art>\d+)\s?조(?:의\s?(?P<artb>\d+)(?!\d|\s?[항호]))?"
    r"(?:(?P<trail>\d+)(?!\d|\s?[항호]))?"  # "제3조4": the source cut 호/항 off (firesafety)
    r"|(?<![\d.\-])(?P<bart>\d+)\s?조(?:의(?P<bartb>\d+)(?!\d|\s?[항호]))?(?![치건원합사직정례약])"
    r"|(?:제\s?)?(?P<para>\d+)\s?항(?![공만목해로])"
    r"|(?P<circ>[①-⑳])"
    r"|(?:제\s?)?(?P<item>\d+)\s?호(?:의\s?(?P<itemb>\d+))?(?![텔수실선기출주서])"
    r"|(?P<mok>[가나다라마바사아자차카타파하])\s?목(?![재적표록요장욕소걸격숨])"
    r"|별표\s?(?P<annex>\d+)(?:의(?P<annexb>\d+)(?!\d|\s?[호목]))?)"  # "별표4의 1호" is item 1
)
_LEVEL = {"art": 1, "bart": 1, "annex": 1, "para": 2, "circ": 2, "item": 3, "mok": 4}
_HIER_GAP = re.compile(r"\s*(?:의\s*)?")
_LIST_GAP = re.compile(r"\s*(?:까지(?:의)?\s*)?(?:및|또는|와|과|이나|나|그리고|,|[ㆍ·∙‧・])\s*")
_RANGE_GAP = re.compile(r"\s*(?:부터|내지|[~∼～〜])\s*")
# Between a law name and the reference it governs: brackets, "[시행 2021. 8. 7.]", 의/상/중.
_ATTACH_GAP = re.compile(r"(?:[\s」』\"”’')\]\[]|\[시행[^\]]*\])*(?:(?:의|상|중)\s*)?")
_BRACKET = re.compile(r"[「『]([^「」『』\n]{1,150})[」』]")
_REL_MENTION = re.compile(
    r"(?<![가-힣A-Za-z0-9])(?:(?P<pre>같은|동|이|본|해당|당해)\s?(?P<kind>법률|법|영|규칙|규정)"
    r"(?:\s?(?P<suf>시행령|시행규칙))?|(?P<bare>시행령|시행규칙|법|영|규칙))"
    r"(?=[^가-힣]|$|[에의은는상제])"
)
# A law-like word not in the catalog, right before an article ("형법 330조" with no 형법 loaded).
_UNKNOWN_LAW = re.compile(
    r"(?<![가-힣A-Za-z0-9])(?P<name>[가-힣][가-힣ㆍ·]*(?:법률|법)(?:\s?(?:시행령|시행규칙))?)"
    r"(?=[\s」]*(?:제\s?\d+\s?조|\d+\s?조|별표))"
    r"|(?P<code>NF[TPS]C\s?\d{3}[A-Z]?)"
)
# Common nouns ending in 법 that are no law name ("이 방법 제3조" is not a law called 방법).
_NOT_LAW_WORDS = (
    "방법 불법 위법 적법 편법 입법 합법 용법 기법 수법 어법 문법 요법 공법 사법 세법 실정법 관계법 관련법 "
    "특별법 일반법 본법 동법 이법 해당법 상위법 하위법 개별법 당해법 모법 같은법 현행법 구법 신법 법률 "
    "헌법 조례법"
)
_NOT_LAW_NAMES = frozenset(_NOT_LAW_WORDS.split())


@dataclass
class _Mention:
    start: int
    end: int
    title: str | None
    name: str
    kind: str  # "explicit" (named law, resolved or not) or "relative"
    rel: re.Match[str] | None = None


@dataclass
class _Atom:
    start: int
    end: int
    kind: str
    value: str | int | None
    branch: int = 0


def _atoms(text: str, blocked: list[tuple[int, int]]) -> list[_Atom]:
    """Reference atoms of ``text`` outside the (sorted, disjoint) ``blocked`` spans."""
    starts = [s for s, _ in blocked]
    out: list[_Atom] = []
    for m in _ATOM.finditer(text):
        k = bisect_left(starts, m.end()) - 1
        if k >= 0 and blocked[k][1] > m.start():
            continue  # e.g. "제4조" inside the title "…상호방위조약 제4조에 의한 …"
        if m.group("same") is not None:
            out.append(_Atom(m.start(), m.end(), "same", m.group("same")[-1]))
        elif m.group("art") is not None:
            out.append(_Atom(m.start(), m.end(), "art", int(m.group("art")), int(m.group("artb") or 0)))
            if m.group("trail"):
                out[-1].end = m.start("trail")
                out.append(_Atom(m.start("trail"), m.end(), "item", m.group("trail")))
        elif m.group("bart") is not None:
            out.append(_Atom(m.start(), m.end(), "bart", int(m.group("bart")), int(m.group("bartb") or 0)))
        elif m.group("para") is not None:
            out.append(_Atom(m.start(), m.end(), "para", int(m.group("para"))))
        elif m.group("circ") is not None:
            out.append(_Atom(m.start(), m.end(), "para", ord(m.group("circ")) - ord("①") + 1))
        elif m.group("item") is not None:
            b = m.group("itemb")
            out.append(_Atom(m.start(), m.end(), "item", m.group("item") + (f"의{b}" if b else "")))
        elif m.group("mok") is not None:
            out.append(_Atom(m.start(), m.end(), "mok", m.group("mok")))
        else:
            b = m.group("annexb")
            out.append(
                _Atom(m.start(), m.end(), "annex", f"별표{m.group('annex')}" + (f"의{b}" if b else ""))
            )
    return out


def _mentions(text: str, catalog: LawCatalog) -> list[_Mention]:
    found: list[_Mention] = []

    def free(s: int, e: int) -> bool:
        return all(e <= m.start or s >= m.end for m in found)

    for m in _BRACKET.finditer(text):
        inner = m.group(1).strip()
        title = catalog._lookup(normalize_title(inner))  # brackets hold a whole name, no particles
        found.append(_Mention(m.start(), m.end(), title, _clean_title(inner), "explicit"))
    for s, e, title in catalog.find_laws(text):
        if free(s, e):
            found.append(_Mention(s, e, title, text[s:e], "explicit"))
    for m in _REL_MENTION.finditer(text):
        if free(m.start(), m.end()):
            found.append(_Mention(m.start(), m.end(), None, m.group(), "relative", m))
    for m in _UNKNOWN_LAW.finditer(text):
        name = m.group("name") or m.group("code")
        if free(m.start(), m.end()) and normalize_title(name) not in _NOT_LAW_NAMES:
            found.append(_Mention(m.start(), m.end(), catalog.resolve(name), name, "explicit"))
    found.sort(key=lambda x: x.start)
    return found


def _link(gap: str) -> str | None:
    """How an atom joins the previous one, from the text between them."""
    if _HIER_GAP.fullmatch(gap):
        return "hier"  # "제15조제1항", "제15조 제1항", "별표4의 1호"
    if _LIST_GAP.fullmatch(gap):
        return "list"  # "제15조 및 제17조", "제1항ㆍ제2항"
    if _RANGE_GAP.fullmatch(gap):
        return "range"  # "제15조부터 제17조까지", "제1조 내지 제3조"
    return None


def _chains(text: str, atoms: list[_Atom]) -> list[list[tuple[str, _Atom]]]:
    """Group atoms into chains; each atom carries how it links to the previous one."""
    chains: list[list[tuple[str, _Atom]]] = []
    for a in atoms:
        link = _link(text[chains[-1][-1][1].end : a.start]) if chains else None
        if link:
            chains[-1].append(("list" if a.kind == "same" else link, a))
        else:
            chains.append([("start", a)])
    return chains


_MAX_RANGE = 200


class _RefBuilder:
    """Turns one chain of atoms into ArticleRefs (hierarchy, lists, ranges, 같은 조).

    ``cur`` is the reference being built: law, mention and the components art/annex/para/item.
    An atom one level below the current one extends it ("제15조" + "제1항"); any other atom
    closes it and starts a sibling that inherits the higher levels ("제1항 및 제2항")."""

    def __init__(self, text: str, law: str | None, mention: str | None, start: int, last: ArticleRef | None):
        self.text, self.last = text, last
        self.root = {"law": law, "mention": mention}
        self.out: list[ArticleRef] = []
        self.cur: dict | None = None
        self.level = 0
        self.start = start  # the first reference's raw also covers the law name in front

    def _emit(self, end: int, cur: dict | None = None, start: int | None = None) -> None:
        cur = self.cur if cur is None else cur
        if not cur or (cur.get("art") is None and cur.get("annex") is None):
            return  # a paragraph/item of an unknown article ("제2항에 따라")
        s = self.start if start is None else start
        art = cur.get("art")
        self.out.append(
            ArticleRef(
                law=cur["law"],
                article=article_label(*art) if art else None,
                paragraph=cur.get("para"),
                item=cur.get("item"),
                annex=cur.get("annex"),
                raw=self.text[s:end],
                law_mention=cur["mention"],
                span=(s, end),
            )
        )

    def finish(self, end: int) -> None:
        self._emit(end)
        self.cur = None

    def feed(self, link: str, a: _Atom, prev_end: int) -> None:
        if a.kind == "same":
            self._same(a, prev_end)
            return
        level = _LEVEL[a.kind]
        if self.cur is not None and link == "hier" and level > self.level:
            self._set(a, level)
            return
        prev = self.cur
        if prev is not None:
            self._emit(prev_end)
            self.start = a.start
        base = dict(prev) if prev else dict(self.root)
        for k, lv in (("art", 1), ("annex", 1), ("para", 2), ("item", 3)):
            if lv >= level:
                base.pop(k, None)
        if link == "range" and prev is not None and self.out:
            self._expand_range(prev, base, a, level)
        self.cur = base
        self._set(a, level)

    def _same(self, a: _Atom, prev_end: int) -> None:
        """ "같은 조 제2항" / "같은 항 제3호": continue from the previous reference."""
        if self.cur is not None:
            self._emit(prev_end)
        base = self.out[-1] if self.out else self.last
        self.start = a.start
        if base is None or base.article is None:
            self.cur = None
            return
        self.cur = {"law": base.law, "mention": base.law_mention, "art": parse_article_label(base.article)}
        self.level = {"조": 1, "항": 2, "호": 3}[str(a.value)]
        if self.level >= 2:
            self.cur["para"] = base.paragraph
        if self.level >= 3:
            self.cur["item"] = base.item

    def _set(self, a: _Atom, level: int) -> None:
        assert self.cur is not None
        self.level = level
        key = {"art": "art", "bart": "art", "annex": "annex", "para": "para", "item": "item"}.get(a.kind)
        if key == "art":
            self.cur["art"] = (int(a.value), a.branch)  # type: ignore[arg-type]
        elif key:
            self.cur[key] = a.value
        for k, lv in (("para", 2), ("item", 3)):
            if lv > level:
                self.cur.pop(k, None)

    def _expand_range(self, prev: dict, base: dict, a: _Atom, level: int) -> None:
        """Emit what lies strictly between the two ends of "제15조부터 제17조까지"."""
        start = self.out[-1].span[0]
        if level == 1 and a.kind in ("art", "bart") and prev.get("art"):
            (n0, b0), n1, b1 = prev["art"], int(a.value), a.branch  # type: ignore[arg-type]
            if n0 == n1 and b1 > b0:
                mids = [(n0, b) for b in range(b0 + 1, b1)]  # 제15조의2부터 제15조의5까지
            else:  # branch articles in between cannot be known without the law text
                mids = [(n, 0) for n in range(n0 + 1, min(n1, n0 + _MAX_RANGE))]
            for art in mids:
                self._emit(a.end, {**base, "art": art}, start)
        elif a.kind in ("para", "item"):
            key = "para" if level == 2 else "item"
            try:
                lo, hi = int(prev.get(key)), int(a.value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return  # "제1호의2부터 제3호까지": branch items in between are unknowable
            for v in range(lo + 1, min(hi, lo + _MAX_RANGE)):
                self._emit(a.end, {**base, key: v if key == "para" else str(v)}, start)


def _attached(text: str, mentions: list[_Mention], pos: int) -> _Mention | None:
    """The mention that ends right before ``pos`` (only brackets/spaces/의/상/중 between)."""
    for m in reversed(mentions):
        if m.end <= pos:
            return m if _ATTACH_GAP.fullmatch(text[m.end : pos]) else None
    return None


def _parse(
    text: str,
    catalog: LawCatalog,
    context_law: str | None,
    seed: tuple[str | None, str] | None = None,
) -> list[ArticleRef]:
    """Refs of ``text``; ``seed`` = (title, name) of a law named before the text starts."""
    text = _nfc(text)
    mentions = _mentions(text, catalog)
    atoms = _atoms(text, [(m.start, m.end) for m in mentions])
    chains = _chains(text, atoms)
    ctx = catalog._base(context_law)
    ctx_pair = (catalog.resolve(ctx), ctx) if ctx else None

    refs: list[ArticleRef] = []
    last_named = seed
    mi = 0

    def resolve_mention(m: _Mention, prev_named: tuple[str | None, str] | None) -> tuple[str | None, str]:
        if m.kind == "explicit" or m.rel is None:
            return m.title, m.name
        rel = m.rel
        pre = rel.group("pre")
        if pre in ("같은", "동", "해당", "당해"):
            base_pair = prev_named or ctx_pair
        else:
            base_pair = ctx_pair or prev_named
            if rel.group("bare") in ("시행령", "시행규칙"):
                adj = _attached(
                    text, [x for x in mentions if x.end <= m.start and x.kind == "explicit"], m.start
                )
                if adj is not None:  # "개인정보 보호법 시행령" with only the act in the catalog
                    base_pair = (adj.title, adj.name)
        if base_pair is None:
            return None, m.name
        base = base_pair[0] or base_pair[1]
        key = normalize_title(rel.group())
        target = _relative_target(_RELATIVE_KEY.fullmatch(key), base)  # type: ignore[arg-type]
        if target is None:
            return None, m.name
        return catalog.resolve(target), target

    for chain in chains:
        first = chain[0][1]
        while mi < len(mentions) and mentions[mi].end <= first.start:
            m = mentions[mi]
            if m.kind == "explicit":
                last_named = (m.title, m.name)
            mi += 1
        att = _attached(text, mentions[:mi], first.start)
        if first.kind == "bart" and att is None:
            continue  # "3조 원": a number of 조 without 제 needs a law name in front of it
        law: str | None
        name: str | None
        if att is not None:
            law, name = resolve_mention(att, last_named)
            start = att.start
        else:
            fallback = ctx_pair or last_named
            law, name = fallback if fallback else (None, None)
            start = first.start
        b = _RefBuilder(text, law, name, start, refs[-1] if refs else None)
        prev_end = first.start
        for link, a in chain:
            if a.kind == "bart" and link == "hier":
                break
            b.feed(link, a, prev_end)
            prev_end = a.end
        b.finish(prev_end)
        refs.extend(b.out)
    return refs


def parse_refs(text: str, catalog: LawCatalog, context_law: str | None = None) -> list[ArticleRef]:
    """Every article/별표 reference in ``text``, in order, with its law resolved.

    The law of a reference is, in this order: the law named right before it ("민원처리법 제17조",
    "「건축법」 제22조", "같은 법 시행령 제3조", "법 제17조" inside a 시행령); for "같은 법"/"동법" the
    last law named before it; otherwise ``context_law`` (in a statute a bare "제15조" is this
    law's), otherwise the last law named earlier in the text, otherwise ``None``. Lists
    ("제15조 및 제17조", "제1항ㆍ제2항") and ranges ("제15조부터 제17조까지" → 15, 16, 17) are
    expanded; "같은 조 제2항" reuses the previous article; a paragraph or item with no article
    is dropped. "제3조4" (firesafety style, 호/항 cut off) is read as 제3조 제4호.
    """
    return _parse(text, catalog, context_law)


# ---------------------------------------------------------------------------------------------
# QA set formats
# ---------------------------------------------------------------------------------------------

# "형법 330조  야간주거침입절도" / "형법 227조 2 공전자기록위작ㆍ변작" / hierarchy "... 18조  제목 1항"
_KOBLEX = re.compile(
    r"^\s*(?P<law>.+?)\s+제?(?P<no>\d+)조(?:의(?P<br0>\d+))?(?: (?P<br>\d+)(?= |$))?(?:\s+(?P<rest>.*))?$"
)
_KOBLEX_TAIL = re.compile(r"\s(?P<para>\d+)항(?:\s*(?P<item>\d+)호)?\s*$")


def parse_koblex_index(index: str, catalog: LawCatalog) -> ArticleRef | None:
    """A KoBLEX gold reference (``contexts[].index`` or ``hierarchy``): "형법 330조  야간주거침입절도",
    "형법 227조 2 공전자기록위작ㆍ변작" (= 제227조의2), "공직선거법 18조  선거권이 없는 자 1항"."""
    s = _nfc(index or "").strip()
    m = _KOBLEX.match(s)
    if not m:
        refs = parse_refs(s, catalog)
        return refs[0] if refs else None
    name = m.group("law").strip()
    branch = int(m.group("br0") or m.group("br") or 0)
    para = item = None
    tail = _KOBLEX_TAIL.search(m.group("rest") or "")
    if tail:
        para, item = int(tail.group("para")), tail.group("item")
    return ArticleRef(
        law=catalog.resolve(name),
        article=article_label(int(m.group("no")), branch),
        paragraph=para,
        item=item,
        raw=index,
        law_mention=_clean_title(name),
        span=(0, len(index)),
    )


def _as_list(raw: str | list[str] | None) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        s = raw.strip()
        if s.startswith("["):
            try:
                val = ast.literal_eval(s)  # literal_eval only builds literals: safe on data
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                val = None
            if isinstance(val, (list, tuple)):
                return [str(x) for x in val if x is not None]
        return [s] if s else []
    return [str(x) for x in raw if x is not None]


def _last_named(text: str, catalog: LawCatalog) -> tuple[str | None, str] | None:
    named = [m for m in _mentions(text, catalog) if m.kind == "explicit"]
    return (named[-1].title, named[-1].name) if named else None


def _law_only_ref(entry: str, catalog: LawCatalog, prev: tuple[str | None, str] | None) -> ArticleRef | None:
    """An entry that names a law or a standard but no article: "「건축법」", "NFTC 103 2.7.7.2"."""
    text = _nfc(entry)
    ms = _mentions(text, catalog)
    if not ms:
        return None
    m = ms[0]
    law: str | None
    name: str | None
    if m.rel is not None:
        target = _relative_target(m.rel, (prev[0] or prev[1]) if prev else None)
        law, name = (catalog.resolve(target), target) if target else (None, m.name)
    else:
        law, name = m.title, m.name
    return ArticleRef(law=law, article=None, raw=entry, law_mention=name, span=(0, len(entry)))


def parse_firesafety_refs(
    raw: str | list[str], catalog: LawCatalog, source_text: str | None = None
) -> list[ArticleRef]:
    """References of one firesafety ``law_references`` field (a list, or a stringified Python
    list). Each entry yields its article/별표 refs, or one law-only ref (``article=None``) when it
    names just a law or a standard ("「건축법」", "NFTC 103 2.7.7.2"). "같은법" in an entry refers
    to the law of the previous entry; for the first entry it can only be resolved from
    ``source_text`` (the answer the list was extracted from): the last law named before the
    entry's position there."""
    out: list[ArticleRef] = []
    prev: tuple[str | None, str] | None = None
    for entry in _as_list(raw):
        seed = prev
        if seed is None and source_text:
            pos = source_text.find(entry[:20])
            if pos > 0:
                seed = _last_named(source_text[:pos], catalog)
        refs = _parse(entry, catalog, None, seed=seed)
        if not refs:
            only = _law_only_ref(entry, catalog, seed)
            refs = [only] if only else []
        if refs:
            out.extend(refs)
            prev = (refs[-1].law, refs[-1].law_mention or "")
    return out


def ref_matches(ref: ArticleRef, law_title: str, article: str) -> bool:
    """Same law (key form; 시행령/시행규칙 stay distinct) and same article (제N조의M ≠ 제N조)."""
    if not ref.law or not ref.article or not law_title:
        return False
    if normalize_title(ref.law) != normalize_title(law_title):
        return False
    a, b = parse_article_label(ref.article), parse_article_label(article)
    return a is not None and a == b
