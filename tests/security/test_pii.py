"""Personal-data masking: real-looking numbers are masked, look-alikes are left alone."""

from __future__ import annotations

import pytest
from stdnum.kr.rrn import calc_check_digit

from assistant.chains import text as chain_text
from assistant.security.pii import find_pii, luhn_ok, mask_personal_data, mask_pii, should_mask_for_llm
from ingest.core.settings import load_settings


def rrn(first12: str) -> str:
    """A resident registration number with a valid check digit, as ``YYMMDD-GNNNNNN``."""
    digits = first12 + calc_check_digit(first12)
    return f"{digits[:6]}-{digits[6:]}"


VALID_RRN = rrn("900101123456")  # 900101-1234568
BAD_CHECK_RRN = "900101-1234567"  # a post-2020 number: random last digit, still personal data

# (text, secrets that must disappear, expected mask in the output, kind)
MASKED = [
    (f"신청인 {VALID_RRN}", ["1234568"], "900101-1******", "rrn"),
    (f"주민번호 {BAD_CHECK_RRN}입니다", ["1234567"], "900101-1******", "rrn"),
    ("주민등록번호 9001011234568", ["9001011234568"], "900101-1******", "rrn"),
    ("주민등록번호 900101 1234568", ["1234568"], "900101-1******", "rrn"),
    (f"아동 {rrn('050315412345')}", ["4123450"], "050315-4******", "rrn"),
    (f"외국인 {rrn('850505612345')}", ["6123457"], "850505-6******", "arn"),
    ("외국인등록번호 990228-7654321", ["7654321"], "990228-7******", "arn"),
    ("여권번호 M12345678", ["12345678"], "M********", "passport"),
    ("여권 M123A4567 소지", ["123A4567"], "M********", "passport"),
    ("관용여권 S87654321", ["87654321"], "S********", "passport"),
    ("면허번호 11-23-123456-78", ["123456-78"], "11-23-******-**", "driver_license"),
    ("운전면허 서울 12-345678-90", ["345678-90"], "서울-12-******-**", "driver_license"),
    ("연락처 010-1234-5678", ["1234-5678"], "010-****-5678", "phone"),
    ("휴대폰 01012345678로 연락", ["01012345678"], "010-****-5678", "phone"),
    ("010 1234 5678", ["1234 5678"], "010-****-5678", "phone"),
    ("010.1234.5678", ["1234.5678"], "010-****-5678", "phone"),
    ("011-123-4567", ["123-4567"], "011-****-4567", "phone"),
    ("+82 10-9876-5432", ["9876"], "+82-10-****-5432", "phone"),
    ("담당자 02-123-4567", ["123-4567"], "02-****-4567", "phone"),
    ("(031) 234-5678", ["234-5678"], "031-****-5678", "phone"),
    ("인터넷전화 070-1234-5678", ["1234-5678"], "070-****-5678", "phone"),
    ("제주 064.712.3456", ["712.3456"], "064-****-3456", "phone"),
    ("신한 110-123-456789", ["110-123-456789"], "(계좌번호 비공개)", "account"),
    ("우리은행 1002-123-456789", ["1002-123-456789"], "(계좌번호 비공개)", "account"),
    ("국민 123456-78-901234", ["123456-78-901234"], "(계좌번호 비공개)", "account"),
    ("농협 301-1234-5678-91", ["301-1234-5678-91"], "(계좌번호 비공개)", "account"),
    ("입금 계좌: 1234567890123", ["1234567890123"], "(계좌번호 비공개)", "account"),
    ("카드 4111-1111-1111-1111", ["1111-1111-1111"], "4111-****-****-1111", "card"),
    ("카드 5500 0000 0000 0004", ["0000 0000 0004"], "5500-****-****-0004", "card"),
    ("카드번호 4111111111111111", ["4111111111111111"], "4111-****-****-1111", "card"),
    ("아멕스 3782-822463-10005", ["822463"], "3782-****-****-0005", "card"),
    ("메일 hong@example.com", ["hong@example.com"], "(전자우편 비공개)", "email"),
    ("gil.dong+tag@seoul.go.kr로 회신", ["gil.dong", "seoul.go.kr"], "(전자우편 비공개)로", "email"),
    ("HONG.GD@MINWON.GO.KR", ["HONG.GD"], "(전자우편 비공개)", "email"),
]


@pytest.mark.hostile("mask")
@pytest.mark.parametrize(("text", "secrets", "mask", "kind"), MASKED, ids=[m[0] for m in MASKED])
def test_personal_data_is_masked(text: str, secrets: list[str], mask: str, kind: str) -> None:
    result = mask_pii(text)
    for secret in secrets:
        assert secret not in result.text
    assert mask in result.text
    assert result.counts == {kind: 1}


NEAR_MISSES = [
    "시행일 2024-01-01",
    "2024.01.01. 개정",
    "법률 제19234호",
    "민원 처리에 관한 법률 제17조제1항",
    "보조금 1,000,000원",
    "문서번호 민원과-1234",
    "계획기간 2019-2024",
    "2023 2024 2025년 연차 계획",
    "고시 제2023-45호",
    "대표번호 1588-1234",
    "사업자등록번호 123-45-67890",
    "900101-9234567",  # gender digit 9: no RRN
    "901301-1234567",  # month 13: no RRN
    "900230-1234567",  # 30 February: no RRN
    "4111-1111-1111-1112",  # fails the Luhn check
    "ISBN 978-89-1234-567-8",
    "접수번호 2024-01-01-0001",
    "버전 10.2.3, 14:30 회의",
    "제2조제3항제4호",
]


@pytest.mark.hostile("intact")
@pytest.mark.parametrize("text", NEAR_MISSES)
def test_look_alikes_are_not_masked(text: str) -> None:
    result = mask_pii(text)
    assert result.text == text and result.counts == {}


def test_checksum_only_classifies_resident_numbers() -> None:
    valid, invalid = find_pii(f"{VALID_RRN} / {BAD_CHECK_RRN}")
    assert (valid.kind, valid.verified) == ("rrn", True)
    assert (invalid.kind, invalid.verified) == ("rrn", False)  # masked all the same


@pytest.mark.hostile("mask")
def test_a_whole_complaint_is_masked_and_counted() -> None:
    text = (
        f"민원인 홍길동({VALID_RRN}, 010-1234-5678, hong@example.com)이 환급금을 "
        "신한 110-123-456789로 받기를 원함. 여권 M12345678, 카드 4111-1111-1111-1111."
    )
    result = mask_pii(text)
    assert result.counts == {"rrn": 1, "phone": 1, "email": 1, "account": 1, "passport": 1, "card": 1}
    assert result.total == 6
    for secret in ("1234568", "1234-5678", "hong@", "456789", "12345678", "1111-1111-1111"):
        assert secret not in result.text
    assert mask_pii(result.text).text == result.text  # masking is idempotent


def test_luhn() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


def test_chains_use_this_masking() -> None:
    assert chain_text.mask_personal_data is mask_personal_data


def test_masking_for_the_llm_follows_the_settings() -> None:
    s = load_settings()
    s.llm.external, s.security.mask_for_external_llm = False, True
    assert not should_mask_for_llm(s)
    s.llm.external = True
    assert should_mask_for_llm(s)
    s.security.mask_for_external_llm = False
    assert not should_mask_for_llm(s)
