"""The yearly workflow: assessment states and the period's deadlines. Pure: no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cchc.core.appraisal import explanation_deadline
from cchc.core.assessment import edit_deadline

#: Assessment states of a unit in a period, in workflow order, with their Vietnamese labels.
STATES = {
    "not_started": "Chưa bắt đầu",
    "draft": "Đang tự đánh giá",
    "submitted": "Đã nộp",
    "appraisal_r1": "Đang thẩm định vòng 1",
    "explanation": "Đang giải trình",
    "appraisal_r2": "Đang thẩm định vòng 2",
    "final": "Đã thẩm định xong",
    "approved": "Đã phê duyệt",
    "published": "Đã công bố",
}
#: States in which the commune's self-assessment has been handed in.
HANDED_IN = frozenset(STATES) - {"not_started", "draft"}


#: The period's dated steps, in the order they must come.
DEADLINES = (
    ("council_deadline", "Thành lập Hội đồng thẩm định"),
    ("self_assessment_deadline", "Cấp xã nộp báo cáo tự đánh giá"),
    ("explanation_deadline", "Cấp xã giải trình theo yêu cầu của Hội đồng"),
    ("appraisal_deadline", "Thẩm định, xác định chỉ số, trình phê duyệt"),
    ("publication_deadline", "Công bố kết quả"),
)


def deadline_problems(period: dict) -> list[str]:
    """Deadlines out of order (or a survey window backwards), one Vietnamese line each."""
    problems = []
    dated = [(key, label, period.get(key)) for key, label in DEADLINES if period.get(key)]
    for (_, label_a, a), (_, label_b, b) in zip(dated, dated[1:]):
        if a > b:
            problems.append(f"Mốc «{label_b}» ({b:%d/%m/%Y}) đứng trước mốc «{label_a}» ({a:%d/%m/%Y}).")
    opens, closes = period.get("survey_opens"), period.get("survey_closes")
    if opens and closes and opens > closes:
        problems.append(f"Khảo sát mở ngày {opens:%d/%m/%Y} sau ngày đóng {closes:%d/%m/%Y}.")
    if (period.get("survey_quota") or 0) < 0:
        problems.append("Chỉ tiêu phiếu khảo sát không được âm.")
    bands = [period.get(k) for k in BANDS]
    if all(b is not None for b in bands) and not 0 < bands[2] < bands[1] < bands[0] <= 100:
        problems.append("Ngưỡng xếp loại phải tăng dần: 0 < Trung bình < Khá < Tốt ≤ 100 "
                        f"(đang là {bands[2]}, {bands[1]}, {bands[0]}).")
    return problems


#: The class bands of a period: the lowest index (%) for Tốt, Khá, Trung bình (below: Yếu).
BANDS = ("band_good", "band_fair", "band_average")


def shift_years(day: dt.date | None, years: int) -> dt.date | None:
    """The same day some years later (29/02 becomes 28/02)."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Deadline:
    key: str
    label: str
    date: dt.date


def deadlines(period: dict) -> list[Deadline]:
    """The period's dated steps, in order (from a `period` row)."""
    return [Deadline(key, label, period[key]) for key, label in DEADLINES if period.get(key)]


#: A commune's own steps, each with the assessment states in which that commune has done it (or
#: no longer has it to do: a commune the council did not ask to explain skips that step).
DONE_IN = {
    "self_assessment_deadline": HANDED_IN,
    "explanation_deadline": frozenset({"appraisal_r2", "final", "approved", "published"}),
}


def step_done(key: str, state: str | None) -> bool:
    """Whether a unit in `state` has done its part of the step `key` (never, without a state)."""
    return state is not None and state in DONE_IN.get(key, ())


def unit_deadlines(period: dict, state: str, reopened_until: dt.date | None = None) -> list[Deadline]:
    """The period's steps as one commune sees them: its own submission deadline (a reopening moves
    it later), and during its explanation round the explanation deadline even when the period
    sets none (then the appraisal deadline: cchc.core.appraisal.explanation_deadline)."""
    dated = {d.key: d for d in deadlines(period)}
    if reopened_until and state in ("not_started", "draft") and "self_assessment_deadline" in dated:
        d = dated["self_assessment_deadline"]
        dated[d.key] = Deadline(d.key, d.label, edit_deadline(d.date, reopened_until))
    if state == "explanation":
        dated["explanation_deadline"] = Deadline("explanation_deadline", dict(DEADLINES)["explanation_deadline"],
                                                 explanation_deadline(period))
    return [dated[key] for key, _ in DEADLINES if key in dated]


def next_deadline(period: dict, today: dt.date, state: str | None = None,
                  reopened_until: dt.date | None = None) -> Deadline | None:
    """The first deadline on or after today; None once every deadline has passed. With a unit's
    state: the first one of that unit's steps (unit_deadlines) it has still to do, so that a
    commune which has submitted is not sent back to the submission deadline."""
    steps = deadlines(period) if state is None else unit_deadlines(period, state, reopened_until)
    return next((d for d in steps if d.date >= today and not step_done(d.key, state)), None)


def days_left_text(deadline: Deadline, today: dt.date) -> str:
    days = (deadline.date - today).days
    if days == 0:
        return "hạn cuối là hôm nay"
    return f"còn {days} ngày"


def survey_open(period: dict, today: dt.date) -> bool:
    opens, closes = period.get("survey_opens"), period.get("survey_closes")
    return bool(opens and closes and opens <= today <= closes)
