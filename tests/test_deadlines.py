"""Deadline calculator: known cases across 설/추석 and 대체공휴일 in 2025–2027, each worked out by
hand from the statute rule (the reasoning is written next to each case).

Calendar facts used (관공서 공휴일, 「공휴일에 관한 법률」): 2025 설 1. 28.–30. with 1. 27. 임시공휴일;
2025 추석 10. 5.–7., 대체공휴일 10. 8., 개천절 10. 3., 한글날 10. 9.; 2026 설 2. 16.–18.; 2026 추석
9. 24.–26. (26. is a Saturday); 2026 개천절 10. 3. is a Saturday → 대체공휴일 10. 5.; 2027 설 2. 6.–8.
(6. Saturday, 7. Sunday) → 대체공휴일 2. 9.; 2027 한글날 10. 9. is a Saturday → 대체공휴일 10. 11.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from assistant.chains.deadlines import (
    HolidayCalendar,
    WorkingHours,
    civil_deadline,
    fmt_date,
    info_disclosure_deadline,
    petition_deadline,
    remedy_deadlines,
)
from ingest.core.settings import DeadlineSettings

CAL = HolidayCalendar()


def test_calendar_knows_the_holidays() -> None:
    assert CAL.is_holiday(date(2025, 1, 27))  # 임시공휴일 (설 연휴)
    assert CAL.is_holiday(date(2025, 10, 8))  # 추석 대체공휴일
    assert CAL.is_holiday(date(2026, 10, 5))  # 개천절 대체공휴일
    assert CAL.is_holiday(date(2027, 2, 9))  # 설 대체공휴일
    assert CAL.is_holiday(date(2027, 10, 11))  # 한글날 대체공휴일
    assert CAL.is_holiday(date(2026, 3, 8))  # a Sunday
    assert not CAL.is_holiday(date(2026, 3, 7)) and CAL.is_off(date(2026, 3, 7))  # 토요일: off, not 공휴일
    assert not CAL.is_off(date(2025, 10, 10))
    assert fmt_date(date(2025, 10, 10)) == "2025. 10. 10.(금)"


@pytest.mark.parametrize(
    ("received", "due", "extended_due"),
    [
        # 정보공개법 제29조②: 결정기간 (제11조①②) in days, 첫날 산입, 공휴일·토요일 불산입.
        # 접수 2025. 1. 20.(월) = 1, 1. 21.–24. = 2…5; 1. 25.–26. 주말, 1. 27. 임시공휴일, 1. 28.–30. 설 skip;
        # 1. 31. = 6, 2. 3.–6. = 7…10 → 2. 6.(목). 연장 (제11조②) from 2. 7. = 1, 2. 10.–14. = 2…6,
        # 2. 17.–20. = 7…10 → 2. 20.(목).
        (date(2025, 1, 20), date(2025, 2, 6), date(2025, 2, 20)),
        # 접수 2025. 9. 26.(금) = 1, 9. 29.–10. 2. = 2…5; 10. 3. 개천절, 10. 4.(토), 10. 5.–7. 추석,
        # 10. 8. 대체공휴일, 10. 9. 한글날 skip; 10. 10. = 6, 10. 13.–16. = 7…10 → 10. 16.(목).
        # 연장: 10. 17. = 1, 10. 20.–24. = 2…6, 10. 27.–30. = 7…10 → 10. 30.(목).
        (date(2025, 9, 26), date(2025, 10, 16), date(2025, 10, 30)),
        # 접수 2026. 9. 16.(수) = 1 … 9. 23. = 6; 9. 24.–26. 추석, 9. 27.(일) skip; 9. 28.–10. 1. = 7…10
        # → 10. 1.(목). 연장: 10. 2. = 1; 10. 3.(토) 개천절, 10. 5. 대체공휴일, 10. 9. 한글날 skip;
        # 10. 6.–8. = 2…4, 10. 12.–16. = 5…9, 10. 19. = 10 → 10. 19.(월).
        (date(2026, 9, 16), date(2026, 10, 1), date(2026, 10, 19)),
        # 접수 2027. 1. 29.(금) = 1, 2. 1.–5. = 2…6; 2. 6.–8. 설, 2. 9. 대체공휴일 skip; 2. 10.–12. = 7…9,
        # 2. 15. = 10 → 2. 15.(월). 연장: 2. 16.–19. = 1…4, 2. 22.–26. = 5…9; 3. 1. 삼일절 skip;
        # 3. 2. = 10 → 3. 2.(화).
        (date(2027, 1, 29), date(2027, 2, 15), date(2027, 3, 2)),
    ],
)
def test_information_disclosure(received: date, due: date, extended_due: date) -> None:
    first = info_disclosure_deadline(received, CAL)
    assert first.due == due, first.steps
    assert "제11조" in first.rule and "제29조" in first.rule
    assert info_disclosure_deadline(received, CAL, extended=True).due == extended_due


def test_information_disclosure_reasoning_names_the_holidays() -> None:
    steps = "\n".join(info_disclosure_deadline(date(2025, 9, 26), CAL).steps)
    for name in ("추석", "추석 대체 휴일", "한글날", "제29조②", "10번째 근무일 2025. 10. 16.(목)"):
        assert name in steps


@pytest.mark.parametrize(
    ("received", "amount", "unit", "due"),
    [
        # 7일(6일 이상, 제19조②): 첫날 산입, 공휴일·토요일 불산입. 1. 24.(금) = 1; 1. 25.–26. 주말,
        # 1. 27. 임시공휴일, 1. 28.–30. 설 연휴 skip; 1. 31.(금) = 2; 2. 3.–7. = 3…7 → 2. 7.(금).
        (datetime(2025, 1, 24, 15), 7, "일", date(2025, 2, 7)),
        # 10일: 10. 1.(수) = 1, 10. 2. = 2; 10. 3. 개천절, 10. 4.–5., 10. 6.–7. 추석, 10. 8. 대체공휴일,
        # 10. 9. 한글날 skip; 10. 10. = 3; 10. 13.–17. = 4…8; 10. 20. = 9; 10. 21.(화) = 10.
        (datetime(2025, 10, 1, 10), 10, "일", date(2025, 10, 21)),
        # 1월(제19조③): 첫날 산입 → 9. 12.(일) starts it; 민법 제160조② ends the day before the
        # corresponding day 10. 12. → 10. 11.(월) 한글날 대체공휴일 → 제161조: 10. 12.(화).
        (datetime(2027, 9, 12, 10), 1, "월", date(2027, 10, 12)),
    ],
)
def test_petition_in_days_and_months(received: datetime, amount: int, unit: str, due: date) -> None:
    result = petition_deadline(received, amount, unit, CAL)  # type: ignore[arg-type]
    assert result.due == due, result.steps
    assert result.due_at is None


@pytest.mark.parametrize(
    ("received", "amount", "unit", "due_at"),
    [
        # 3일(5일 이하, 제19조①) = 24근무시간 from 2. 13.(금) 16:00: 16–18시 2h (22 left); 2. 14.–15.
        # 주말, 2. 16.–18. 설 연휴 skip; 2. 19. 8h (14), 2. 20. 8h (6); 2. 21.–22. 주말; 2. 23.(월)
        # 09–12시 3h + 13–16시 3h → 16:00.
        (datetime(2026, 2, 13, 16), 3, "일", datetime(2026, 2, 23, 16)),
        # 1일 = 8근무시간 from 10. 2.(금) 11:00: 11–12시 1h + 13–18시 5h (2 left); 10. 3.(토) 개천절,
        # 10. 4.(일), 10. 5.(월) 대체공휴일 skip; 10. 6.(화) 09–11시 → 11:00.
        (datetime(2026, 10, 2, 11), 1, "일", datetime(2026, 10, 6, 11)),
        # 즉시 = 3근무시간 (시행령 제19조) from 2. 5.(금) 17:00: 1h; 2. 6.–8. 설 연휴 (토·일·월), 2. 9.(화)
        # 대체공휴일 skip; 2. 10.(수) 09–11시 → 11:00.
        (datetime(2027, 2, 5, 17), 0, "즉시", datetime(2027, 2, 10, 11)),
    ],
)
def test_petition_in_working_hours(received: datetime, amount: int, unit: str, due_at: datetime) -> None:
    result = petition_deadline(received, amount, unit, CAL)  # type: ignore[arg-type]
    assert result.due_at == due_at, result.steps
    assert result.label.endswith(f"{due_at:%H:%M}")


def test_petition_received_after_hours_counts_from_next_working_morning() -> None:
    # 접수 2025. 1. 24.(금) 19:00, after 18:00: nothing counts that day; 1. 25.–30. not counted
    # (주말, 임시공휴일, 설 연휴); 1. 31.(금) 09:00 + 8h (lunch excluded) = 18:00.
    result = petition_deadline(datetime(2025, 1, 24, 19), 1, "일", CAL)
    assert result.due_at == datetime(2025, 1, 31, 18)


def test_civil_code_rules_and_remedies() -> None:
    # 민법 제157조 단서: a period starting at 00:00 counts its first day.
    assert civil_deadline(date(2026, 3, 2), 10, CAL, count_first_day=True).nominal == date(2026, 3, 11)
    # 30일 from 2025. 9. 8.(월): day 30 = 10. 8.(수) 추석 대체공휴일 → 10. 9. 한글날 → 10. 10.(금).
    # 90일 from 2026. 6. 26.(금): day 90 = 9. 24.(목) 추석 전날 → 9. 25.–26. 추석 → 9. 27.(일) → 9. 28.(월).
    by_name = {r.name: d for r, d in remedy_deadlines(date(2025, 9, 8), CAL)}
    assert by_name["이의신청"].due == date(2025, 10, 10)
    later = {r.name: d for r, d in remedy_deadlines(date(2026, 6, 26), CAL)}
    assert later["행정심판"].nominal == date(2026, 9, 24) and later["행정심판"].due == date(2026, 9, 28)
    assert later["행정소송"].due == date(2026, 9, 28)
    # 1개월 from 1. 31. (초일 불산입 → 2. 1. starts) ends 2. 28. (제160조②: the day before 3. 1.).
    assert civil_deadline(date(2027, 1, 31), 1, CAL, "월").nominal == date(2027, 2, 28)
    with pytest.raises(ValueError, match="1 이상"):
        civil_deadline(date(2027, 1, 31), 0, CAL)


def test_configured_extra_and_removed_holidays() -> None:
    settings = DeadlineSettings(extra_holidays=[date(2026, 9, 28)], removed_holidays=[date(2025, 10, 9)])
    cal = HolidayCalendar.of(settings.extra_holidays, settings.removed_holidays)
    # A 임시공휴일 designated on 9. 28.(월) is not counted: the 2026. 9. 16. case ends a day later,
    # 10. 2.(금) (9. 29.–10. 2. = 7…10).
    assert info_disclosure_deadline(date(2026, 9, 16), cal).due == date(2026, 10, 2)
    # Without 한글날 (removed, for the test) 10. 9. counts as day 6 of the 2025. 9. 26. case → 10. 15.(수).
    assert info_disclosure_deadline(date(2025, 9, 26), cal).due == date(2025, 10, 15)
    # Working hours come from the settings too: a 7-hour day makes 1일 = 7시간.
    wh = WorkingHours(
        settings.work_start, settings.work_end.replace(hour=17), settings.lunch_start, settings.lunch_end
    )
    assert wh.hours_per_day == 7
    assert petition_deadline(datetime(2026, 10, 6, 9), 1, "일", cal, wh).due_at == datetime(2026, 10, 6, 17)
