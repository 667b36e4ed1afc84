"""Statutory deadlines: 정보공개 결정기간, 민원 처리기간 and 민법 periods (pure functions).

Rules (statute text in the corpus):
- 「민법」 제157조: a period in days/weeks/months/years does not count its first day (unless it
  starts at 00:00); 제159조: it ends at the end of its last day; 제160조: weeks/months/years by the
  calendar, ending the day before the corresponding day; 제161조: a last day on a 토요일 or
  공휴일 moves to the next day. 「행정기본법」 제6조①: administrative periods follow 민법.
- 「공공기관의 정보공개에 관한 법률」 제11조①: 공개 여부 결정 within 10 days of receipt; ②: 연장 by
  up to 10 days counted from the day after the first period ends. 제29조② (since 2020. 12. 22.):
  these periods are counted in days, first day counted, 공휴일·토요일 not counted (other periods
  of the Act, e.g. 이의신청 30일, follow 민법, 제29조①).
- 「민원 처리에 관한 법률」 제19조: ① 5 days or less → working hours from the 접수시각 (1일 = 8시간,
  공휴일·토요일 not counted); ② 6 days or more → working days, first day counted, 공휴일·토요일
  not counted; ③ weeks/months/years → first day counted, 민법 제159조–제161조. 시행령 제19조:
  '즉시' = within 3 working hours.

공휴일 = Sundays plus the public holidays of the ``holidays`` package (KR: 공휴일, 대체공휴일,
선거일, 임시공휴일 known at its release), adjusted by configured extra/removed dates.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal

import holidays

WEEKDAYS = "월화수목금토일"
Unit = Literal["일", "주", "월", "연", "시간", "즉시"]


def fmt_date(d: date) -> str:
    """``2025. 10. 10.(금)`` — the official date form with the weekday."""
    return f"{d.year}. {d.month}. {d.day}.({WEEKDAYS[d.weekday()]})"


def fmt_datetime(dt: datetime) -> str:
    """``2025. 10. 10.(금) 14:00``."""
    return f"{fmt_date(dt.date())} {dt:%H:%M}"


@lru_cache(maxsize=64)
def _package_holidays(year: int) -> dict[date, str]:
    kr = holidays.country_holidays("KR", years=year, language="ko", categories=("public",))
    return dict(kr.items())


@dataclass(frozen=True)
class HolidayCalendar:
    """공휴일 (Sundays, package holidays, configured extras) and 토요일."""

    extra: frozenset[date] = frozenset()
    removed: frozenset[date] = frozenset()

    @classmethod
    def of(cls, extra: Iterable[date] = (), removed: Iterable[date] = ()) -> HolidayCalendar:
        return cls(frozenset(extra), frozenset(removed))

    def holiday_name(self, d: date) -> str | None:
        """The 공휴일 name of a date (``None`` on a working day or a plain 토요일)."""
        if d in self.extra:
            return "임시공휴일(설정)"
        name = _package_holidays(d.year).get(d)
        if name and d not in self.removed:
            return name
        if d.weekday() == 6:
            return "일요일"
        return None

    def is_holiday(self, d: date) -> bool:
        return self.holiday_name(d) is not None

    def is_off(self, d: date) -> bool:
        """토요일 or 공휴일: not counted by 민원처리법 제19조, moved past by 민법 제161조."""
        return d.weekday() == 5 or self.is_holiday(d)

    def why_off(self, d: date) -> str:
        name = self.holiday_name(d)
        if name and name != "일요일":
            return name
        return "토요일" if d.weekday() == 5 else "일요일"


@dataclass(frozen=True)
class WorkingHours:
    """근무시간: 1일 8시간 (09:00–18:00, 점심 12:00–13:00 by default)."""

    start: time = time(9, 0)
    end: time = time(18, 0)
    lunch_start: time = time(12, 0)
    lunch_end: time = time(13, 0)

    def periods(self, d: date) -> list[tuple[datetime, datetime]]:
        spans = [(self.start, self.lunch_start), (self.lunch_end, self.end)]
        if not self.lunch_start < self.lunch_end or not self.start < self.lunch_start:
            spans = [(self.start, self.end)]
        return [(datetime.combine(d, a), datetime.combine(d, b)) for a, b in spans]

    @property
    def hours_per_day(self) -> float:
        return sum((b - a).total_seconds() for a, b in self.periods(date(2000, 1, 3))) / 3600


@dataclass
class Deadline:
    """A computed deadline: the last day (and hour, for hour-counted periods) and the reasoning."""

    due: date
    rule: str  # the statute rule applied, e.g. "「민법」 제157조·제161조"
    steps: list[str] = field(default_factory=list)  # the reasoning, in Korean, one step a line
    due_at: datetime | None = None  # hour-counted periods (민원 5일 이하, 즉시)
    nominal: date | None = None  # the last day before 제161조 moved it

    @property
    def label(self) -> str:
        return fmt_datetime(self.due_at) if self.due_at else f"{fmt_date(self.due)}까지"


def _move_past_off_days(d: date, cal: HolidayCalendar, steps: list[str]) -> date:
    while cal.is_off(d):
        steps.append(f"{fmt_date(d)}은 {cal.why_off(d)} → 다음 날로 (민법 제161조)")
        d += timedelta(days=1)
    return d


def add_months(d: date, months: int) -> date:
    """The corresponding day ``months`` later (the month's last day when it has none)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def civil_deadline(
    start: date,
    amount: int,
    cal: HolidayCalendar,
    unit: Literal["일", "주", "월", "연"] = "일",
    *,
    count_first_day: bool = False,
    rule: str = "「민법」 제157조·제159조~제161조",
) -> Deadline:
    """A period under 민법: ``start`` is the day of the event (receipt, notice). The first day is
    not counted unless ``count_first_day`` (제157조 단서, or a statute that says so)."""
    if amount < 1:
        raise ValueError("기간은 1 이상이어야 합니다.")
    steps: list[str] = []
    first = start if count_first_day else start + timedelta(days=1)
    steps.append(
        f"기산일 {fmt_date(first)} ("
        + ("첫날 산입" if count_first_day else f"첫날 {fmt_date(start)} 불산입, 민법 제157조")
        + ")"
    )
    if unit == "일":
        last = first + timedelta(days=amount - 1)
    elif unit == "주":
        last = first + timedelta(days=7 * amount - 1)
    else:
        months = amount * (12 if unit == "연" else 1)
        corresponding = add_months(first, months)
        # 제160조②③: the day before the corresponding day; no such day → the month's last day.
        last = corresponding - timedelta(days=1) if corresponding.day == first.day else corresponding
    steps.append(f"{amount}{unit}째 되는 날 {fmt_date(last)} (민법 제159조·제160조)")
    due = _move_past_off_days(last, cal, steps)
    return Deadline(due, rule, steps, nominal=last)


def working_days_deadline(start: date, amount: int, cal: HolidayCalendar, steps: list[str]) -> date:
    """The ``amount``-th working day counting ``start`` itself (first day counted, 토요일·공휴일
    not counted): 민원처리법 제19조② and 정보공개법 제29조②."""
    if amount < 1:
        raise ValueError("기간은 1 이상이어야 합니다.")
    day, counted = start, 0
    while True:
        if cal.is_off(day):
            steps.append(f"{fmt_date(day)} {cal.why_off(day)}: 산입하지 않음")
        else:
            counted += 1
            if counted == amount:
                steps.append(f"{amount}번째 근무일 {fmt_date(day)}")
                return day
        day += timedelta(days=1)


def info_disclosure_deadline(received: date, cal: HolidayCalendar, *, extended: bool = False) -> Deadline:
    """정보공개 결정기한: 10 days from receipt (정보공개법 제11조①), counted under 제29조② (first
    day counted, 공휴일·토요일 not counted); with ``extended``, 10 more days counted from the day
    after that deadline (제11조②)."""
    steps = [
        f"청구 접수 {fmt_date(received)}: 접수한 날부터 10일 이내 결정 (정보공개법 제11조①)",
        "첫날 산입, 공휴일·토요일 불산입 (정보공개법 제29조②제1호)",
    ]
    due = working_days_deadline(received, 10, cal, steps)
    rule = "「공공기관의 정보공개에 관한 법률」 제11조①, 제29조②"
    if not extended:
        return Deadline(due, rule, steps)
    steps.append(
        f"연장: 당초 기간이 끝나는 날({fmt_date(due)})의 다음 날부터 기산하여 10일 (정보공개법 제11조②)"
    )
    due = working_days_deadline(due + timedelta(days=1), 10, cal, steps)
    return Deadline(due, "「공공기관의 정보공개에 관한 법률」 제11조②, 제29조②", steps)


def _add_working_hours(
    start: datetime, hours: float, cal: HolidayCalendar, wh: WorkingHours, steps: list[str]
) -> datetime:
    remaining = timedelta(hours=hours)
    day = start.date()
    while True:
        if cal.is_off(day):
            if day != start.date() or start.time() < wh.end:
                steps.append(f"{fmt_date(day)} {cal.why_off(day)}: 산입하지 않음")
            day += timedelta(days=1)
            continue
        used = timedelta()
        for a, b in wh.periods(day):
            a = max(a, start)
            if a >= b:
                continue
            if b - a >= remaining:
                end = a + remaining
                used += remaining
                steps.append(f"{fmt_date(day)} {used.total_seconds() / 3600:g}시간 → {end:%H:%M} 만료")
                return end
            remaining -= b - a
            used += b - a
        if used:
            steps.append(
                f"{fmt_date(day)} {used.total_seconds() / 3600:g}시간 (남은 {remaining.total_seconds() / 3600:g}시간)"
            )
        day += timedelta(days=1)


def petition_deadline(
    received: datetime,
    amount: int,
    unit: Unit,
    cal: HolidayCalendar,
    wh: WorkingHours | None = None,
    *,
    immediate_hours: int = 3,
) -> Deadline:
    """민원 처리기한 by the type of 처리기간 (민원처리법 제19조, 시행령 제19조).

    ``unit``: "즉시" (``amount`` ignored), "시간", "일" (5일 이하 → hours, 6일 이상 → working days),
    "주"/"월"/"연" (first day counted, 민법 제159조–제161조)."""
    wh = wh or WorkingHours()
    steps = [f"민원 접수 {fmt_datetime(received)}"]
    if unit == "즉시" or unit == "시간" or (unit == "일" and amount <= 5):
        if unit == "즉시":
            hours, why = (
                float(immediate_hours),
                f"처리기간 '즉시' → {immediate_hours}근무시간 (민원처리법 시행령 제19조)",
            )
            rule = "「민원 처리에 관한 법률 시행령」 제19조"
        elif unit == "시간":
            hours, why = float(amount), f"처리기간 {amount}시간 → 접수시각부터 근무시간으로 계산"
            rule = "「민원 처리에 관한 법률」 제19조①"
        else:
            hours = amount * wh.hours_per_day
            why = (
                f"처리기간 {amount}일(5일 이하) → 접수시각부터 {hours:g}근무시간 "
                f"(1일 {wh.hours_per_day:g}시간, 공휴일·토요일 불산입, 민원처리법 제19조①)"
            )
            rule = "「민원 처리에 관한 법률」 제19조①"
        steps.append(why)
        due_at = _add_working_hours(received, hours, cal, wh, steps)
        return Deadline(due_at.date(), rule, steps, due_at=due_at)
    if unit == "일":
        steps.append(f"처리기간 {amount}일(6일 이상) → 첫날 산입, 공휴일·토요일 불산입 (민원처리법 제19조②)")
        due = working_days_deadline(received.date(), amount, cal, steps)
        return Deadline(due, "「민원 처리에 관한 법률」 제19조②", steps)
    result = civil_deadline(
        received.date(), amount, cal, unit, count_first_day=True, rule="「민원 처리에 관한 법률」 제19조③"
    )
    result.steps[:0] = [
        *steps,
        f"처리기간 {amount}{unit} → 첫날 산입, 민법 제159조~제161조 준용 (민원처리법 제19조③)",
    ]
    return result


@dataclass(frozen=True)
class Remedy:
    """One 불복 구제 절차 and its period from the day the 결정 통지 is received."""

    name: str
    period_days: int
    basis: str
    where: str


REMEDIES = (
    Remedy("이의신청", 30, "「공공기관의 정보공개에 관한 법률」 제18조", "해당 공공기관"),
    Remedy(
        "행정심판",
        90,
        "「공공기관의 정보공개에 관한 법률」 제19조, 「행정심판법」 제27조",
        "해당 행정심판위원회",
    ),
    Remedy("행정소송", 90, "「공공기관의 정보공개에 관한 법률」 제20조, 「행정소송법」 제20조", "관할 법원"),
)


def remedy_deadlines(notified: date, cal: HolidayCalendar) -> list[tuple[Remedy, Deadline]]:
    """Each remedy's last day when the 결정 통지 reaches the 청구인 on ``notified``."""
    return [(r, civil_deadline(notified, r.period_days, cal)) for r in REMEDIES]
