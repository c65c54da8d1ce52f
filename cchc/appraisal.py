"""Appraisal rules, pure: which leaves the council scores, what a round-1 or round-2 score needs,
when a field or a commune is complete, and what the clock allows in each state. No framework,
no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .assessment import SCORED_SOURCE, ScoreError, check_points
from .criteria import CriteriaSet, Criterion
from .text import fmt_date, fmt_points

#: Leaves the council scores: those the commune scored itself, and bonus and penalty points
#: (scored by the council only). Survey leaves are computed from the answers.
COUNCIL_ONLY = frozenset({"bonus", "penalty"})
APPRAISED_SOURCES = frozenset({SCORED_SOURCE}) | COUNCIL_ONLY

MEMBER_ROLES = {
    "chair": "Chủ tịch Hội đồng",
    "standing_vice_chair": "Phó Chủ tịch thường trực",
    "member": "Thành viên",
    "support": "Tổ giúp việc",
}

#: States in which round 1 may be scored (the first save moves `submitted` to `appraisal_r1`).
ROUND1_STATES = frozenset({"submitted", "appraisal_r1"})
#: States after which nothing of the appraisal changes any more.
FINAL_STATES = frozenset({"final", "approved", "published"})


@dataclass(frozen=True)
class LeafAppraisal:
    r1_points: Decimal | None = None
    r1_reason: str = ""
    flagged: bool = False
    question: str = ""
    answer: str = ""
    answered_at: dt.datetime | None = None
    r2_points: Decimal | None = None
    r2_reason: str = ""
    version: int = 0
    updated_at: dt.datetime | None = None
    updated_by: str = ""

    @property
    def points(self) -> Decimal | None:
        """The council's score as it stands: round 2 where there is one, else round 1."""
        return self.r2_points if self.r2_points is not None else self.r1_points

    @property
    def reason(self) -> str:
        return self.r2_reason if self.r2_points is not None else self.r1_reason


def appraised_leaves(cs: CriteriaSet, field_code: str | None = None) -> list[Criterion]:
    return [n for n in cs.leaves(field_code) if n.source in APPRAISED_SOURCES]


def appraised_fields(cs: CriteriaSet) -> list[Criterion]:
    """The fields that have leaves the council scores (survey-only fields have none)."""
    return [f for f in cs.fields() if appraised_leaves(cs, f.code)]


def field_of(code: str) -> str:
    return code.split(".")[0]


def default_offices(cs: CriteriaSet) -> dict[str, str | None]:
    """Field → the office the criteria set names for it (DOMAIN.md §5: editable per period)."""
    return {f.code: f.office_code for f in appraised_fields(cs)}


def leaf_done(leaf: Criterion, self_na: bool, a: LeafAppraisal | None) -> bool:
    """A leaf counts as appraised once it has a council score; a leaf the commune marked "không
    áp dụng" needs none (it stays out of the unit's maximum)."""
    if leaf.source == SCORED_SOURCE and self_na:
        return True
    return a is not None and a.r1_points is not None


def check_score(leaf: Criterion, self_points: Decimal | None, points: Decimal | None, reason: str,
                round_no: int) -> Decimal:
    """The score if acceptable, else ScoreError: 0..max on the leaf's step, and a reason when it
    differs from the self-score (council-only leaves: when it is not zero)."""
    if points is None:
        raise ScoreError(f"Tiêu chí {leaf.code}: cần nhập điểm thẩm định vòng {round_no}.")
    clean = check_points(leaf, points)
    baseline = self_points if leaf.source == SCORED_SOURCE else Decimal(0)
    if (baseline is None or clean != Decimal(baseline)) and not reason.strip():
        own = "điểm tự chấm " + fmt_points(baseline) if leaf.source == SCORED_SOURCE else "0"
        raise ScoreError(f"Tiêu chí {leaf.code}: điểm thẩm định {fmt_points(clean)} khác {own}; "
                         "cần ghi lý do.")
    return clean


def explanation_deadline(period: dict) -> dt.date:
    """The last day communes may answer: the period's own date, else the appraisal deadline."""
    return period.get("explanation_deadline") or period["appraisal_deadline"]


def explanation_open(state: str, period: dict, day: dt.date) -> bool:
    return state == "explanation" and day <= explanation_deadline(period)


def round2_open(state: str, period: dict, day: dt.date) -> bool:
    """Round 2 starts when the commune hands in its answers, or when its deadline has passed."""
    return state == "appraisal_r2" or (state == "explanation" and day > explanation_deadline(period))


def round1_refusal(state: str, unit_name: str) -> str | None:
    """Why round 1 cannot be scored for a commune in this state (None: it can)."""
    if state in ROUND1_STATES:
        return None
    if state in ("not_started", "draft"):
        return f"{unit_name} chưa nộp báo cáo tự đánh giá: chưa thẩm định được."
    if state in FINAL_STATES:
        return f"{unit_name} đã hoàn tất thẩm định: không sửa điểm được nữa."
    return f"{unit_name} đã kết thúc vòng 1 (đang giải trình hoặc thẩm định vòng 2): chỉ chấm lại các tiêu chí cần giải trình ở vòng 2."


def explanation_refusal(state: str, period: dict, day: dt.date) -> str | None:
    if state == "explanation" and day > explanation_deadline(period):
        return (f"Đã quá hạn giải trình ({fmt_date(explanation_deadline(period))}): không gửi hay sửa giải trình "
                "được nữa.")
    if state != "explanation":
        return "Hiện không có yêu cầu giải trình nào đang mở cho đơn vị."
    return None
