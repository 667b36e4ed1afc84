"""Draft (공문·보고서 초안): drafts, their format check and exports, 보도자료, 정보공개 review, deadlines."""

from __future__ import annotations

from assistant.chains import Draft, DraftRequest, check_format, draft_docx_bytes, stream_draft
from assistant.chains.deadlines import (
    HolidayCalendar,
    WorkingHours,
    info_disclosure_deadline,
    petition_deadline,
)
from assistant.chains.format_check import FormatIssue
from assistant.chains.hwpx_export import draft_hwpx_bytes
from assistant.chains.info_disclosure import PROPOSAL_NOTE, DisclosureReview, review_request
from assistant.chains.press_release import PressRelease, PressRequest, draft_press_release

__all__ = [
    "PROPOSAL_NOTE",
    "DisclosureReview",
    "Draft",
    "DraftRequest",
    "FormatIssue",
    "HolidayCalendar",
    "PressRelease",
    "PressRequest",
    "WorkingHours",
    "check_format",
    "draft_docx_bytes",
    "draft_hwpx_bytes",
    "draft_press_release",
    "info_disclosure_deadline",
    "petition_deadline",
    "review_request",
    "stream_draft",
]
