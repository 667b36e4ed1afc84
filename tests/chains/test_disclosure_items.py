"""정보공개 청구: items split whatever the punctuation, personal data found in each item and
proposed 비공개 (asked for itself) or 부분공개 (inside an otherwise public record), with the 호,
the reason and the words that triggered it. Pure functions; no index."""

from __future__ import annotations

from assistant.chains.info_disclosure import classify_item, split_items
from assistant.security.personal_info import asks_for_personal_data, find_personal_info

ONE_LINE = "1. 2025년 시청 업무추진비 집행내역 2. 업무추진비 담당 공무원 휴대전화번호"


def test_numbered_items_on_one_line_are_two_items() -> None:
    two = ["2025년 시청 업무추진비 집행내역", "업무추진비 담당 공무원 휴대전화번호"]
    assert split_items(ONE_LINE) == two
    assert split_items(ONE_LINE.replace(" 2.", " / 2.")) == two
    assert split_items("① 2025년 시청 업무추진비 집행내역 ② 업무추진비 담당 공무원 휴대전화번호") == two
    assert split_items("(1) 예산 집행 내역; (2) 계약서 사본") == ["예산 집행 내역", "계약서 사본"]
    # date parts are not item numbers
    assert split_items("1. 2025. 1. 2. 회의 자료 2. 참석자 명단") == ["2025. 1. 2. 회의 자료", "참석자 명단"]
    assert split_items("2024. 3. 1.부터 2024. 12. 31.까지의 업무추진비 집행내역") == [
        "2024. 3. 1.부터 2024. 12. 31.까지의 업무추진비 집행내역"
    ]


def test_personal_mobile_number_is_withheld_with_ground_and_trigger() -> None:
    public, phone = (classify_item(n, t) for n, t in enumerate(split_items(ONE_LINE), start=1))
    assert public.decision == "공개" and not public.grounds
    assert phone.decision == "비공개" and phone.grounds == [6] and phone.privacy
    assert "휴대전화번호" in phone.triggers
    assert "제9조제1항제6호" in phone.reason and "‘휴대전화번호’" in phone.reason
    assert "단서 라목" in phone.reason  # an official's name and position would be public; the number is not


def test_personal_data_inside_a_record_is_partly_disclosed() -> None:
    item = classify_item(1, "주민 설명회 참석자 명단(성명, 연락처 포함)")
    assert item.decision == "부분공개" and item.grounds == [6]
    assert {"성명", "연락처"} <= set(item.triggers) and "‘연락처’" in item.reason
    written = classify_item(1, "홍길동 주무관의 출장 결과 보고서 (민원인 010-1234-5678, hong@example.com)")
    assert written.decision == "부분공개" and written.grounds == [6]
    assert {"010-1234-5678", "hong@example.com", "홍길동 주무관"} <= set(written.triggers)
    assert classify_item(1, "민원인 주민등록번호").decision == "비공개"


def test_personal_info_kinds() -> None:
    kinds = {
        p.kind
        for p in find_personal_info("신청인 주소, 이메일 주소, 주민번호와 서울특별시 중구 세종대로 110")
    }
    assert {"주소", "전자우편", "주민등록번호"} <= kinds
    assert asks_for_personal_data("담당 공무원 휴대전화번호를 공개해 주십시오.").kind == "휴대전화번호"
    assert asks_for_personal_data("민원인 이메일 주소 일체").kind == "전자우편"
    assert asks_for_personal_data("참석자 명단(성명, 연락처 포함)") is None
    assert asks_for_personal_data("업무추진비 집행내역") is None
