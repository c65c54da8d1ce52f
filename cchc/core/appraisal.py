"""Appraisal rules, pure: which leaves the council scores, what a round-1 or round-2 score needs,
when a field or a commune is complete, and what the clock allows in each state. No framework,
no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from cchc.core.assessment import SCORED_SOURCE, ScoreError, check_points
from cchc.core.criteria import CriteriaSet, Criterion
from cchc.core.text import fmt_date, fmt_points

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

#: Council roles that may end round 1 for a commune (besides admin); only the chair finalises.
CLOSE_ROUND1_ROLES = frozenset({"chair", "standing_vice_chair"})
FINALISE_ROLES = frozenset({"chair"})
#: Council roles whose account must have the council role (they act on the appraisal pages).
ACTING_ROLES = CLOSE_ROUND1_ROLES

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
    #: The commune marked the leaf "không áp dụng" (kept when the council gives it a score, which
    #: sets score.not_applicable to FALSE).
    self_na: bool = False
    #: Round 2 confirmed "không áp dụng" (no score).
    r2_na: bool = False

    @property
    def r2_done(self) -> bool:
        """Round 2 has decided the leaf: a score, or "không áp dụng" confirmed."""
        return self.r2_points is not None or self.r2_na

    @property
    def points(self) -> Decimal | None:
        """The council's score as it stands: round 2 where there is one, else round 1 (None when
        round 2 confirmed "không áp dụng")."""
        if self.r2_na:
            return None
        return self.r2_points if self.r2_points is not None else self.r1_points

    @property
    def reason(self) -> str:
        return self.r2_reason if self.r2_done else self.r1_reason

    @property
    def counts_na(self) -> bool:
        """The leaf stays out of the unit's maximum: the commune marked it "không áp dụng" and
        the council has not given it a score."""
        return self.self_na and self.points is None

    @property
    def overturned(self) -> bool:
        """The council gave a score to a leaf the commune marked "không áp dụng"."""
        return self.self_na and self.points is not None


def appraised_leaves(cs: CriteriaSet, field_code: str | None = None) -> list[Criterion]:
    return [n for n in cs.leaves(field_code) if n.source in APPRAISED_SOURCES]


def appraised_fields(cs: CriteriaSet) -> list[Criterion]:
    """The fields that have leaves the council scores (survey-only fields have none)."""
    return [f for f in cs.fields() if appraised_leaves(cs, f.code)]


def field_of(code: str) -> str:
    return code.split(".")[0]


def default_offices(cs: CriteriaSet) -> dict[str, str | None]:
    """Field → the office the criteria set names for it (docs/domain.md §5: editable per period)."""
    return {f.code: f.office_code for f in appraised_fields(cs)}


def leaf_done(leaf: Criterion, self_na: bool, a: LeafAppraisal | None) -> bool:
    """A leaf counts as appraised once it has a council score; a leaf the commune marked "không
    áp dụng" needs none (it stays out of the unit's maximum unless the council scores it).
    `self_na` is score.not_applicable; the appraisal keeps the commune's choice once the council
    has overturned it."""
    if leaf.source == SCORED_SOURCE and (self_na or (a is not None and a.self_na)):
        return True
    return a is not None and a.r1_points is not None


def check_score(leaf: Criterion, self_points: Decimal | None, points: Decimal | None, reason: str,
                round_no: int, self_na: bool = False) -> Decimal:
    """The score if acceptable, else ScoreError: 0..max on the leaf's step, and a reason when it
    differs from the self-score (council-only leaves: when it is not zero; a leaf the commune
    marked "không áp dụng": always, since the score brings it back into the maximum)."""
    if points is None:
        if self_na:
            raise ScoreError(f"Tiêu chí {leaf.code}: nhập điểm thẩm định vòng {round_no}, hoặc xác nhận "
                             "«không áp dụng».")
        raise ScoreError(f"Tiêu chí {leaf.code}: cần nhập điểm thẩm định vòng {round_no}.")
    clean = check_points(leaf, points)
    if self_na and leaf.source == SCORED_SOURCE:
        if not reason.strip():
            raise ScoreError(f"Tiêu chí {leaf.code}: đơn vị đánh dấu «không áp dụng»; chấm điểm (tính tiêu chí vào "
                             "điểm tối đa) cần ghi lý do.")
        return clean
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


def close_round1_refusal(unit_name: str, flagged: list[str], period: dict, day: dt.date) -> str | None:
    """Why round 1 cannot end now although every leaf is appraised: leaves are flagged but the
    explanation deadline has passed, so the commune would never get to answer (None: it can)."""
    deadline = explanation_deadline(period)
    if not flagged or day <= deadline:
        return None
    return (f"Đã quá hạn giải trình ({fmt_date(deadline)}): nếu kết thúc vòng 1 bây giờ, {unit_name} sẽ không còn "
            f"thời gian giải trình {len(flagged)} tiêu chí cần giải trình ({', '.join(flagged[:10])}"
            f"{'…' if len(flagged) > 10 else ''}). Hãy bỏ đánh dấu «cần giải trình» ở các tiêu chí này, hoặc đề nghị "
            "Phòng Nội vụ lùi hạn giải trình (Quản trị → Kỳ đánh giá) rồi kết thúc vòng 1.")


def explanation_refusal(state: str, period: dict, day: dt.date) -> str | None:
    if state == "explanation" and day > explanation_deadline(period):
        return (f"Đã quá hạn giải trình ({fmt_date(explanation_deadline(period))}): không gửi hay sửa giải trình "
                "được nữa.")
    if state != "explanation":
        return "Hiện không có yêu cầu giải trình nào đang mở cho đơn vị."
    return None
