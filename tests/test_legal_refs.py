"""Tests of the legal-reference grammar (ingest.legal titles, catalog, refs; the bench gold formats) on real titles, QA-set strings and statute sentences."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from assistant.bench.gold_formats import parse_firesafety_refs, parse_koblex_index
from ingest.legal.catalog import LawCatalog
from ingest.legal.refs import ArticleRef, parse_refs, ref_matches
from ingest.legal.titles import (
    article_label,
    is_repealed,
    law_type_of,
    normalize_title,
    parent_act,
    parse_article_label,
)

# Real titles of the statute corpus (front matter 제목).
TITLES = [
    "개인정보 보호법",
    "개인정보 보호법 시행령",
    "민원 처리에 관한 법률",
    "민원 처리에 관한 법률 시행령",
    "민원 처리에 관한 법률 시행규칙",
    "공공기관의 정보공개에 관한 법률",
    "공공기관의 정보공개에 관한 법률 시행령",
    "부정청탁 및 금품등 수수의 금지에 관한 법률",
    "공직자의 이해충돌 방지법",
    "고위공직자범죄수사처 설치 및 운영에 관한 법률",
    "소방시설 설치 및 관리에 관한 법률",
    "소방시설 설치 및 관리에 관한 법률 시행령",
    "소방시설 설치 및 관리에 관한 법률 시행규칙",
    "화재의 예방 및 안전관리에 관한 법률",
    "화재의 예방 및 안전관리에 관한 법률 시행령",
    "화재의 예방 및 안전관리에 관한 법률 시행규칙",
    "다중이용업소의 안전관리에 관한 특별법",
    "다중이용업소의 안전관리에 관한 특별법 시행규칙",
    "소방시설공사업법",
    "건축법",
    "건축법 시행령",
    "건축물의 피난ㆍ방화구조 등의 기준에 관한 규칙",
    "공공기관의 소방안전관리에 관한 규정",
    "도로교통법",
    "도로교통법 시행령",
    "형법",
    "군형법",
    "민법",
    "상법",
    "난민법",
    "특허법",
    "헌법재판소법",
    "공직선거법",
    "정치자금법",
    "산업재해보상보험법",
    "산업재해보상보험법 시행령",
    "형의 집행 및 수용자의 처우에 관한 법률",
    "행정업무의 운영 및 혁신에 관한 규정",
    "행정업무의 운영 및 혁신에 관한 규정 시행규칙",
    "지방공무원 복무규정",
    "가족관계의 등록 등에 관한 법률",
    "5ㆍ18민주화운동 등에 관한 특별법",
    "선박평형수(船舶平衡水) 관리법",
    "기업활동 규제완화에 관한 특별조치법",
    "대한민국과 아메리카합중국 간의 상호방위조약 제4조에 의한 시설과 구역 및 대한민국에서의 "
    "합중국 군대의 지위에 관한 협정의 시행에 관한 민사특별법",
    "자연재해대책법",
    "지방자치법",
]

PIPA = "개인정보 보호법"
PIPA_DECREE = "개인정보 보호법 시행령"
CIVIL_PETITION = "민원 처리에 관한 법률"
FIRE_FACILITIES = "소방시설 설치 및 관리에 관한 법률"
FIRE_PREVENTION = "화재의 예방 및 안전관리에 관한 법률"


@pytest.fixture(scope="module")
def catalog() -> LawCatalog:
    return LawCatalog(TITLES)


def tup(r: ArticleRef) -> tuple:
    return (r.law, r.article, r.paragraph, r.item, r.annex)


def refs(text: str, catalog: LawCatalog, context_law: str | None = None) -> list[tuple]:
    return [tup(r) for r in parse_refs(text, catalog, context_law)]


# --- small helpers ------------------------------------------------------------------------------


def test_normalize_title_variants_meet() -> None:
    key = normalize_title("개인정보 보호법")
    assert key == "개인정보보호법"
    assert normalize_title("「개인정보 보호법」") == key
    assert normalize_title(" 개인정보\u3000보호법 ") == key
    # middle dots and their look-alikes (and none at all) give one key
    forms = [
        "특별시ㆍ광역시",
        "특별시·광역시",
        "특별시∙광역시",
        "특별시‧광역시",
        "특별시･광역시",
        "특별시광역시",
    ]
    assert {normalize_title(f) for f in forms} == {"특별시광역시"}
    assert normalize_title("「유도등 및 유도표지의 화재안전기술기준(NFTC 303)」") == (
        "유도등및유도표지의화재안전기술기준(nftc303)"
    )
    # decomposed Hangul (macOS file names) is NFC-normalised
    assert normalize_title("\u1100\u1161\u11ab") == "간"


def test_article_labels() -> None:
    assert article_label(15) == "제15조"
    assert article_label(15, 2) == "제15조의2"
    assert parse_article_label("제15조의2") == (15, 2)
    assert parse_article_label("15조의2") == (15, 2)
    assert parse_article_label("제 15 조") == (15, 0)
    assert parse_article_label("제15조(목적)") == (15, 0)
    assert parse_article_label("15") == (15, 0)
    assert parse_article_label("제15항") is None
    assert parse_article_label("") is None


def test_law_type_and_parent() -> None:
    assert law_type_of("개인정보 보호법 시행령") == "시행령"
    assert law_type_of("민원 처리에 관한 법률 시행규칙") == "시행규칙"
    assert law_type_of("민원 처리에 관한 법률") == "법률"
    assert law_type_of("공직자의 이해충돌 방지법") == "법률"
    assert law_type_of("행정업무의 운영 및 혁신에 관한 규정") == "규정"
    assert law_type_of("공무원 행동강령") == "규정"
    assert law_type_of("건축물의 피난ㆍ방화구조 등의 기준에 관한 규칙") == "규칙"
    assert law_type_of("소방시설의 내진설계기준") == "행정규칙"
    assert parent_act("개인정보 보호법 시행령") == "개인정보 보호법"
    assert parent_act("행정업무의 운영 및 혁신에 관한 규정 시행규칙") == "행정업무의 운영 및 혁신에 관한 규정"
    assert parent_act("개인정보 보호법") is None
    assert parent_act("지방공무원 복무규정") is None


# --- catalog ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("개인정보 보호법", PIPA),
        ("개인정보보호법", PIPA),
        ("「개인정보 보호법」", PIPA),
        ("개인정보법", PIPA),
        ("개보법", PIPA),
        ("민원처리법", CIVIL_PETITION),
        ("민원처리에관한법률", CIVIL_PETITION),
        ("소방시설법", FIRE_FACILITIES),
        ("소방시설설치 및 관리에 관한 법률", FIRE_FACILITIES),
        ("화재예방법", FIRE_PREVENTION),
        ("청탁금지법", "부정청탁 및 금품등 수수의 금지에 관한 법률"),
        ("정보공개법", "공공기관의 정보공개에 관한 법률"),
        ("이해충돌방지법", "공직자의 이해충돌 방지법"),
        ("공수처법", "고위공직자범죄수사처 설치 및 운영에 관한 법률"),
        ("도로교통법", "도로교통법"),
        ("다중이용업소법", "다중이용업소의 안전관리에 관한 특별법"),
        ("기업규제완화법", "기업활동 규제완화에 관한 특별조치법"),
        ("건축물방화구조규칙", "건축물의 피난ㆍ방화구조 등의 기준에 관한 규칙"),
        # derived from the titles themselves
        ("가족관계등록법", "가족관계의 등록 등에 관한 법률"),
        ("형집행법", "형의 집행 및 수용자의 처우에 관한 법률"),
        ("선박평형수관리법", "선박평형수(船舶平衡水) 관리법"),
        ("5·18민주화운동 등에 관한 특별법", "5ㆍ18민주화운동 등에 관한 특별법"),
        # spellings seen in the firesafety QA set
        ("건축물의 피난.방화구조 등의 기준에 관한 규칙", "건축물의 피난ㆍ방화구조 등의 기준에 관한 규칙"),
        ("건축물 피난·방화구조 등의기준에 관한 규칙", "건축물의 피난ㆍ방화구조 등의 기준에 관한 규칙"),
        ("공공기관의 소방안전관리에 관 한 규정", "공공기관의 소방안전관리에 관한 규정"),
        ("공공기관 소방안전관리에 관한 규정", "공공기관의 소방안전관리에 관한 규정"),
        ("공공기관의 소방안전관리규정", "공공기관의 소방안전관리에 관한 규정"),
        # 시행령/시행규칙 of an abbreviated act stay distinct from the act
        ("소방시설법 시행령", "소방시설 설치 및 관리에 관한 법률 시행령"),
        ("화재예방법 시행규칙", "화재의 예방 및 안전관리에 관한 법률 시행규칙"),
        ("개인정보보호법시행령", PIPA_DECREE),
    ],
)
def test_resolve(catalog: LawCatalog, name: str, title: str) -> None:
    assert catalog.resolve(name) == title


@pytest.mark.parametrize(
    "name",
    [
        "화재예방, 소방시설 설치ㆍ유지 및 안전관리에 관한 법률",  # repealed 2022, articles differ
        "소방시설 설치 및 안전관리에 관한 법률",  # a mix of the old and the new title
        "소화기구 및 자동소화장치의 화재안전성능기준",  # a 고시, not in the catalog
        "같은 법",  # relative, and no context given
        "법",
        "",
    ],
)
def test_resolve_unknown(catalog: LawCatalog, name: str) -> None:
    assert catalog.resolve(name) is None


@pytest.mark.parametrize(
    ("name", "context", "title"),
    [
        ("같은 법", "민원처리법", CIVIL_PETITION),
        ("같은법", CIVIL_PETITION, CIVIL_PETITION),
        ("동법", PIPA, PIPA),
        ("이 법", PIPA, PIPA),
        ("같은 법 시행령", PIPA, PIPA_DECREE),
        ("동법 시행령", PIPA, PIPA_DECREE),
        (
            "같은법 시행령",
            "소방시설 설치 및 관리에 관한 법률 시행령",
            "소방시설 설치 및 관리에 관한 법률 시행령",
        ),
        (
            "같은 법 시행규칙",
            "소방시설 설치 및 관리에 관한 법률 시행령",
            "소방시설 설치 및 관리에 관한 법률 시행규칙",
        ),
        ("법", PIPA_DECREE, PIPA),
        ("영", "민원 처리에 관한 법률 시행규칙", "민원 처리에 관한 법률 시행령"),
        ("규칙", "민원 처리에 관한 법률 시행령", "민원 처리에 관한 법률 시행규칙"),
        ("시행규칙", "민원처리법", "민원 처리에 관한 법률 시행규칙"),
        ("이 영", PIPA_DECREE, PIPA_DECREE),
        ("같은 법 시행규칙", PIPA, None),  # not in the catalog
    ],
)
def test_resolve_relative(catalog: LawCatalog, name: str, context: str, title: str | None) -> None:
    assert catalog.resolve(name, context_law=context) == title


def test_aliases_are_unambiguous_and_never_shadow_titles() -> None:
    # all three derive "가축보호법", which is also the key of an official title: the title wins and
    # the derived alias is reported as a collision
    cat = LawCatalog(["가축의 보호에 관한 법률", "가축 보호법", "가축보호에 관한 법률"])
    assert cat.resolve("가축보호법") == "가축 보호법"
    assert cat.alias_collisions["가축보호법"] == [
        "가축 보호법",
        "가축보호에 관한 법률",
        "가축의 보호에 관한 법률",
    ]
    assert cat.resolve("가축의보호법") == "가축의 보호에 관한 법률"  # unique derived alias survives
    # curated abbreviations whose target is absent are ignored
    assert LawCatalog(["형법"]).resolve("소방시설법") is None
    # extra aliases can be added, also pointing at an alias
    cat = LawCatalog(TITLES, extra_aliases={"소설법": "소방시설법"})
    assert cat.resolve("소설법") == FIRE_FACILITIES


def test_resolve_tolerates_glued_particles(catalog: LawCatalog) -> None:
    assert catalog.resolve("개인정보보호법상") == PIPA
    assert catalog.resolve("「민원처리법」에") == CIVIL_PETITION
    assert catalog.resolve("건축법 위반") is None


# --- find_laws ----------------------------------------------------------------------------------


def spans(catalog: LawCatalog, text: str) -> list[tuple[str, str]]:
    return [(text[s:e], t) for s, e, t in catalog.find_laws(text)]


def test_find_laws_glued_particles(catalog: LawCatalog) -> None:
    assert spans(catalog, "개인정보보호법에 따라 수집할 수 있나요?") == [("개인정보보호법", PIPA)]
    assert spans(catalog, "민원처리법상 처리기간은?") == [("민원처리법", CIVIL_PETITION)]
    assert spans(catalog, "형법은 야간주거침입절도를") == [("형법", "형법")]
    assert spans(catalog, "「개인정보 보호법」 제2조") == [("개인정보 보호법", PIPA)]
    assert spans(catalog, "소방시설법 시행령 제11조") == [
        ("소방시설법 시행령", "소방시설 설치 및 관리에 관한 법률 시행령")
    ]
    assert spans(catalog, "개인정보 보호법 시행령 제3조") == [("개인정보 보호법 시행령", PIPA_DECREE)]


def test_find_laws_longest_and_word_boundaries(catalog: LawCatalog) -> None:
    assert spans(catalog, "군형법 위반") == [("군형법", "군형법")]  # not 형법
    assert spans(catalog, "난민법에 따른") == [("난민법", "난민법")]  # not 민법
    assert spans(catalog, "헌법재판소법 제38조") == [("헌법재판소법", "헌법재판소법")]
    assert spans(catalog, "손실보상법리와 헌법재판소 결정") == []  # 상법 / 헌법 inside other words
    assert spans(catalog, "특허법인과 의료법인") == []  # corporations, not 특허법
    assert spans(catalog, "민법학 교과서") == []
    assert spans(catalog, "건축 법규를 보면") == []  # no gap inside a 3-character name
    text = "「대한민국과 아메리카합중국 간의 상호방위조약 제4조에 의한 시설과 구역 및 대한민국에서의 합중국 군대의 지위에 관한 협정의 시행에 관한 민사특별법」"
    assert len(catalog.find_laws(text)) == 1
    assert spans(catalog, "5·18민주화운동 등에 관한 특별법 제2조") == [
        ("5·18민주화운동 등에 관한 특별법", "5ㆍ18민주화운동 등에 관한 특별법")
    ]


def test_find_laws_offsets_are_original(catalog: LawCatalog) -> None:
    text = "질문: 「민원 처리에 관한 법률」과 청탁금지법, 그리고 도로교통법."
    got = catalog.find_laws(text)
    assert [text[s:e] for s, e, _ in got] == ["민원 처리에 관한 법률", "청탁금지법", "도로교통법"]
    assert [t for *_, t in got] == [
        CIVIL_PETITION,
        "부정청탁 및 금품등 수수의 금지에 관한 법률",
        "도로교통법",
    ]


# --- parse_refs ---------------------------------------------------------------------------------


def test_parse_refs_named_law(catalog: LawCatalog) -> None:
    assert refs("민원처리법 제17조", catalog) == [(CIVIL_PETITION, "제17조", None, None, None)]
    assert refs("개인정보보호법 15조", catalog) == [(PIPA, "제15조", None, None, None)]
    assert refs("개인정보 보호법 제15조 제1항 제2호", catalog) == [(PIPA, "제15조", 1, "2", None)]
    assert refs("형법 330조", catalog) == [("형법", "제330조", None, None, None)]
    assert refs("소방시설법 시행령 제11조 제1항", catalog) == [
        ("소방시설 설치 및 관리에 관한 법률 시행령", "제11조", 1, None, None)
    ]
    r = parse_refs("「개인정보 보호법」 제2조제1호에 따른 개인정보", catalog)
    assert [tup(x) for x in r] == [(PIPA, "제2조", None, "1", None)]
    assert r[0].raw == "「개인정보 보호법」 제2조제1호"
    assert r[0].law_mention == "개인정보 보호법"


def test_parse_refs_branch_and_items(catalog: LawCatalog) -> None:
    assert refs("제28조의2", catalog, PIPA) == [(PIPA, "제28조의2", None, None, None)]
    assert refs("법 제7조의9제1항에 따라", catalog, PIPA_DECREE) == [(PIPA, "제7조의9", 1, None, None)]
    assert refs("제2조제1호의2", catalog, PIPA) == [(PIPA, "제2조", None, "1의2", None)]
    assert refs("제5조제1항제3호다목", catalog, PIPA) == [(PIPA, "제5조", 1, "3", None)]


def test_parse_refs_annex(catalog: LawCatalog) -> None:
    decree = "소방시설 설치 및 관리에 관한 법률 시행령"
    assert refs("「소방시설 설치 및 관리에 관한 법률 시행령」 별표4", catalog) == [
        (decree, None, None, None, "별표4")
    ]
    assert refs("「소방시설 설치 및 관리에 관한 법률 시행령」 [별표 4]", catalog) == [
        (decree, None, None, None, "별표4")
    ]
    # "별표4의 1호나목" is item 1 of 별표4; "별표 1의2" is the branch annex 1의2
    assert refs("「소방시설 설치 및 관리에 관한 법률 시행령」 별표4의 1호나목1)에 따라", catalog) == [
        (decree, None, None, "1", "별표4")
    ]
    assert refs("「다중이용업소의 안전관리에 관한 특별법 시행규칙」별표 1의2", catalog) == [
        ("다중이용업소의 안전관리에 관한 특별법 시행규칙", None, None, None, "별표1의2")
    ]


def test_parse_refs_relative_laws(catalog: LawCatalog) -> None:
    # statute text: "같은 법" is the law named last
    text = "「민원 처리에 관한 법률」 제25조제1항에 따른 민원심사관 또는 같은 법 시행령 제28조제1항에 따른 분임 민원심사관"
    assert refs(text, catalog, context_law="행정업무의 운영 및 혁신에 관한 규정") == [
        (CIVIL_PETITION, "제25조", 1, None, None),
        ("민원 처리에 관한 법률 시행령", "제28조", 1, None, None),
    ]
    text = "「다중이용업소의 안전관리에 관한 특별법」에 따른 다중이용업소에 해당된다면, 동법 제11조"
    assert refs(text, catalog) == [("다중이용업소의 안전관리에 관한 특별법", "제11조", None, None, None)]
    # "법"/"영"/"규칙" inside a decree/rule refer to its family
    assert refs("영 제6조제1항에 따라 민원문서를 접수할 때", catalog, "민원 처리에 관한 법률 시행규칙") == [
        ("민원 처리에 관한 법률 시행령", "제6조", 1, None, None)
    ]
    assert refs("법 제17조 및 규칙 제3조", catalog, "민원 처리에 관한 법률 시행령") == [
        (CIVIL_PETITION, "제17조", None, None, None),
        ("민원 처리에 관한 법률 시행규칙", "제3조", None, None, None),
    ]
    assert refs("이 법 제3조", catalog, PIPA) == [(PIPA, "제3조", None, None, None)]
    # the relative target is kept as law_mention when the catalog lacks it
    (r,) = parse_refs("「개인정보 보호법」 제23조 및 같은 법 시행규칙 제3조", catalog)[1:]
    assert r.law is None and r.article == "제3조" and r.law_mention == "개인정보 보호법 시행규칙"


def test_parse_refs_law_of_unnamed_articles(catalog: LawCatalog) -> None:
    # in a statute (context_law) a bare article is this law's, even after other laws were named
    text = "「전자정부법」 제2조에 따른 행정기관은 제15조제1항에 따라"
    assert refs(text, catalog, context_law=PIPA)[1] == (PIPA, "제15조", 1, None, None)
    # in a free question it is the last law named
    assert refs("개인정보보호법에 따라 제15조를 보면", catalog) == [(PIPA, "제15조", None, None, None)]
    assert refs("제15조제1항에 따라", catalog) == [(None, "제15조", 1, None, None)]
    # an unknown law name directly in front wins over the context
    r = parse_refs("「소화기구 및 자동소화장치의 화재안전성능기준」 제3조4호가목", catalog, context_law=PIPA)
    assert [tup(x) for x in r] == [(None, "제3조", None, "4", None)]
    assert r[0].law_mention == "소화기구 및 자동소화장치의 화재안전성능기준"
    r = parse_refs("국가배상법 제2조", catalog, context_law=PIPA)  # a law missing from this catalog
    assert [tup(x) for x in r] == [(None, "제2조", None, None, None)] and r[0].law_mention == "국가배상법"


def test_parse_refs_lists_and_ranges(catalog: LawCatalog) -> None:
    arts = [a for _, a, *_ in refs("제15조부터 제17조까지", catalog, PIPA)]
    assert arts == ["제15조", "제16조", "제17조"]
    arts = [a for _, a, *_ in refs("제1조 내지 제3조", catalog, PIPA)]
    assert arts == ["제1조", "제2조", "제3조"]
    assert [a for _, a, *_ in refs("제15조 및 제17조", catalog, PIPA)] == ["제15조", "제17조"]
    assert [a for _, a, *_ in refs("제15조ㆍ제16조", catalog, PIPA)] == ["제15조", "제16조"]
    assert [a for _, a, *_ in refs("제15조의2부터 제15조의4까지", catalog, PIPA)] == [
        "제15조의2",
        "제15조의3",
        "제15조의4",
    ]
    assert refs("제34조제1항ㆍ제2항에 따른 통지 및 같은 조 제4항에 따른 신고", catalog, PIPA) == [
        (PIPA, "제34조", 1, None, None),
        (PIPA, "제34조", 2, None, None),
        (PIPA, "제34조", 4, None, None),
    ]
    assert refs("제15조제1항 각 호의 어느 하나", catalog, PIPA) == [(PIPA, "제15조", 1, None, None)]
    decree = "민원 처리에 관한 법률 시행령"
    text = "「민법」 제159조부터 제161조까지의 규정을 준용하고, 같은 법 시행령 제19조제1호부터 제4호까지"
    got = refs(text, catalog)
    assert got[:3] == [("민법", f"제{n}조", None, None, None) for n in (159, 160, 161)]
    assert [x[3] for x in got[3:]] == ["1", "2", "3", "4"]
    assert decree not in {x[0] for x in got}


def test_parse_refs_ignores_noise(catalog: LawCatalog) -> None:
    assert refs("예산 3조 원을 편성", catalog) == []  # 조 without 제 needs a law name in front
    assert refs("제2항에 따라 통지한다", catalog, PIPA) == []  # paragraph of an unknown article
    # an article number inside a title is not a reference
    text = "「대한민국과 아메리카합중국 간의 상호방위조약 제4조에 의한 시설과 구역 및 대한민국에서의 합중국 군대의 지위에 관한 협정의 시행에 관한 민사특별법」 제2조"
    (r,) = parse_refs(text, catalog)
    assert r.article == "제2조" and r.law is not None and r.law.endswith("민사특별법")


def test_parse_refs_spans(catalog: LawCatalog) -> None:
    text = "답변: 민원처리법 제17조 및 제18조에 따라"
    a, b = parse_refs(text, catalog)
    assert text[a.span[0] : a.span[1]] == a.raw == "민원처리법 제17조"
    assert text[b.span[0] : b.span[1]] == b.raw == "제18조"


# --- QA formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        ("형법 330조  야간주거침입절도", ("형법", "제330조", None, None, None)),
        ("형법 227조 2 공전자기록위작ㆍ변작", ("형법", "제227조의2", None, None, None)),
        ("상법 732조  15세미만자등에 대한 계약의 금지", ("상법", "제732조", None, None, None)),
        ("공직선거법 18조  선거권이 없는 자 1항", ("공직선거법", "제18조", 1, None, None)),
        ("공직선거법 8조 9 여론조사 기관ㆍ단체의 등록 등 3항", ("공직선거법", "제8조의9", 3, None, None)),
        (
            "산업재해보상보험법 시행령 32조  요양 중의 사고",
            ("산업재해보상보험법 시행령", "제32조", None, None, None),
        ),
        (
            "형의 집행 및 수용자의 처우에 관한 법률 37조  외부의료시설 진료 등 5항",
            ("형의 집행 및 수용자의 처우에 관한 법률", "제37조", 5, None, None),
        ),
        ("민법 제750조 불법행위의 내용", ("민법", "제750조", None, None, None)),
    ],
)
def test_parse_koblex_index(catalog: LawCatalog, index: str, expected: tuple) -> None:
    ref = parse_koblex_index(index, catalog)
    assert ref is not None and tup(ref) == expected
    assert ref.law_mention == expected[0] and ref.raw == index


def test_parse_koblex_index_unknown_law(catalog: LawCatalog) -> None:
    ref = parse_koblex_index("간접투자자산 운용업법 106조  (투자신탁의 합병)", catalog)
    assert ref is not None and tup(ref) == (None, "제106조", None, None, None)
    assert ref.law_mention == "간접투자자산 운용업법"  # repealed; kept for reporting
    assert parse_koblex_index("", catalog) is None


def test_parse_firesafety_refs(catalog: LawCatalog) -> None:
    raw = [
        "「소방시설 설치 및 관리에 관한 법률 시행령」 별표4",
        "같은법 시행령 별표2",
        "「소화기구 및 자동소화장치의 화재안전성능기준」 제3조4",
    ]
    got = parse_firesafety_refs(raw, catalog)
    decree = "소방시설 설치 및 관리에 관한 법률 시행령"
    assert [tup(r) for r in got] == [
        (decree, None, None, None, "별표4"),
        (decree, None, None, None, "별표2"),
        (None, "제3조", None, "4", None),
    ]
    assert got[2].law_mention == "소화기구 및 자동소화장치의 화재안전성능기준"
    # the stringified Python list form gives the same
    assert parse_firesafety_refs(str(raw), catalog) == got


def test_parse_firesafety_refs_same_law_and_law_only(catalog: LawCatalog) -> None:
    got = parse_firesafety_refs(["「소방시설법」제58조", "같은법 시행규칙 별표 3"], catalog)
    assert [tup(r) for r in got] == [
        (FIRE_FACILITIES, "제58조", None, None, None),
        ("소방시설 설치 및 관리에 관한 법률 시행규칙", None, None, None, "별표3"),
    ]
    got = parse_firesafety_refs(
        ["「화재의 예방 및 안전관리에 관한 법률」제24조", "같은 법 제30조", "같은 법 제50조"], catalog
    )
    assert [r.article for r in got] == ["제24조", "제30조", "제50조"]
    assert {r.law for r in got} == {FIRE_PREVENTION}
    got = parse_firesafety_refs(
        ["「다중이용업소의 안전관리에 관한 특별법」제10조", "같은법", "「건축법」", "NFTC 103 2.7.7.2"],
        catalog,
    )
    assert [tup(r) for r in got] == [
        ("다중이용업소의 안전관리에 관한 특별법", "제10조", None, None, None),
        ("다중이용업소의 안전관리에 관한 특별법", None, None, None, None),
        ("건축법", None, None, None, None),
        (None, None, None, None, None),
    ]
    assert got[-1].law_mention == "NFTC 103"
    # "법 제24조5" after 「화재예방법」 in the same entry (the source says 제24조제5항: the unit was cut off)
    (r,) = parse_firesafety_refs(
        ["「화재예방법」에 소방안전관리자 상주, 거리에 대하여 규정하고 있지 않으나, 법 제24조5"], catalog
    )
    assert (r.law, r.article) == (FIRE_PREVENTION, "제24조")
    # repealed/mixed titles stay unresolved but keep their name
    (r,) = parse_firesafety_refs(["「화재예방, 소방시설 설치ㆍ유지 및 안전관리에 관한 법률」 제9조"], catalog)
    assert r.law is None and r.article == "제9조" and r.law_mention.startswith("화재예방, 소방시설")  # type: ignore[union-attr]


def test_parse_firesafety_refs_first_entry_from_source_text(catalog: LawCatalog) -> None:
    source = "답변) 「소방시설공사업법」 제20조에 따라 ... 또한 같은 법 제21조에 따라 감리를 하여야 합니다."
    (r,) = parse_firesafety_refs(["같은 법 제21조"], catalog, source_text=source)
    assert (r.law, r.article) == ("소방시설공사업법", "제21조")
    (r,) = parse_firesafety_refs(["같은 법 제21조"], catalog)
    assert r.law is None


def test_parse_firesafety_refs_bad_input(catalog: LawCatalog) -> None:
    assert parse_firesafety_refs([], catalog) == []
    assert parse_firesafety_refs("", catalog) == []
    assert parse_firesafety_refs("[not a python list", catalog) == []
    assert [r.law for r in parse_firesafety_refs("「건축법」", catalog)] == ["건축법"]


def test_ref_matches(catalog: LawCatalog) -> None:
    (r,) = parse_refs("개인정보보호법 제15조의2", catalog)
    assert ref_matches(r, "개인정보 보호법", "제15조의2")
    assert ref_matches(r, "개인정보보호법", "15조의2")
    assert not ref_matches(r, "개인정보 보호법", "제15조")
    assert not ref_matches(r, "개인정보 보호법 시행령", "제15조의2")
    (d,) = parse_refs("개인정보 보호법 시행령 제15조", catalog)
    assert ref_matches(d, PIPA_DECREE, "제15조") and not ref_matches(d, PIPA, "제15조")
    (a,) = parse_refs("「소방시설법」[별표 4]", catalog)
    assert not ref_matches(a, FIRE_FACILITIES, "제4조")
    assert not ref_matches(ArticleRef(law=None, article="제15조"), PIPA, "제15조")


# --- corpus -------------------------------------------------------------------------------------

_SAMPLE = Path(__file__).resolve().parents[1].parent / "shared/data/statutes/sample/kr"
_FULL = Path(__file__).resolve().parents[1] / "corpus/statutes/kr"  # the book the product ships
_TITLE_LINE = re.compile(r"^제목:\s*(.+?)\s*$", re.M)


def _corpus_titles(root: Path) -> list[str]:
    titles = []
    for path in sorted(root.glob("*/*.md")):
        head = path.read_text(encoding="utf-8")[:2000]
        m = _TITLE_LINE.search(head)
        if m:
            titles.append(m.group(1).strip("'\""))
    return titles


def test_sample_corpus_catalog() -> None:
    if not _SAMPLE.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"statute sample missing: {_SAMPLE}")
        pytest.skip("statute sample not present")
    titles = _corpus_titles(_SAMPLE)
    assert len(titles) >= 20
    cat = LawCatalog(titles)
    assert cat.resolve("민원처리법") == CIVIL_PETITION
    assert cat.resolve("청탁금지법") == "부정청탁 및 금품등 수수의 금지에 관한 법률"
    assert cat.resolve("정보공개법 시행령") == "공공기관의 정보공개에 관한 법률 시행령"
    assert cat.resolve("이해충돌방지법") == "공직자의 이해충돌 방지법"
    assert cat.resolve("개인정보보호법") == PIPA
    assert cat.resolve("행정업무운영혁신규정 시행규칙") == "행정업무의 운영 및 혁신에 관한 규정 시행규칙"
    assert cat.resolve("지방공무원복무규정") == "지방공무원 복무규정"
    assert cat.resolve("같은 법 시행규칙", context_law="민원처리법") == "민원 처리에 관한 법률 시행규칙"
    assert not cat.alias_collisions
    # every article a decree cites with "법 제N조" goes to its act
    text = (_SAMPLE / "개인정보보호법" / "시행령.md").read_text(encoding="utf-8")
    cited = [r for r in parse_refs(text[:20000], cat, context_law=PIPA_DECREE) if r.raw.startswith("법 ")]
    assert cited and {r.law for r in cited} == {PIPA}


@pytest.mark.slow
def test_full_corpus_catalog() -> None:
    cat = LawCatalog(_corpus_titles(_FULL))
    assert len(cat.titles) > 1800
    assert not cat.alias_collisions
    assert cat.resolve("소방시설법") == FIRE_FACILITIES
    assert cat.resolve("화재예방법 시행령") == "화재의 예방 및 안전관리에 관한 법률 시행령"
    assert cat.resolve("공수처법") == "고위공직자범죄수사처 설치 및 운영에 관한 법률"
    assert spans(cat, "형법은 제330조에서") == [("형법", "형법")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("전자정부법 시행령 제8조\n삭제 <2022.7.11>", True),
        ("X법 제3조\n① 삭제 <2019.1.1>\n② 삭제 <2020.2.2>", True),
        ("X법 제3조 (목적)\n삭제 [2010.1.1]", True),
        ("X법 제5조 (파기)\n① 개인정보를 삭제하여야 한다.", False),
        ("X법 제6조\n① 삭제 <2019.1.1>\n② 처리기간은 7일로 한다.", False),  # one paragraph still in force
        ("X법 제7조", False),
    ],
)
def test_is_repealed(text: str, expected: bool) -> None:
    assert is_repealed(text) is expected
