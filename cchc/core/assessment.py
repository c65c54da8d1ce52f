"""Self-assessment rules, pure: reading a score, totals, what blocks a submission, and when the
form may be edited. No framework, no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from cchc.core import numbers
from cchc.core.criteria import CriteriaSet, Criterion
from cchc.core.text import fmt_points

SCORED_SOURCE = "self_assessed"


class ScoreError(ValueError):
    """A score that cannot be accepted; the message is Vietnamese and names the criterion."""


@dataclass(frozen=True)
class LeafScore:
    points: Decimal | None = None
    not_applicable: bool = False
    note: str = ""
    explanation: str = ""


def parse_points(raw: object) -> Decimal | None:
    """A score as typed or read from a cell: 1.5, "1,5", " 2 ", None/"" for no score.
    Raises NumberError (a ValueError) for anything that is not a plain number (cchc.core.numbers:
    the rule every number read from outside follows)."""
    return numbers.decimal(raw, decimal_comma=True)


def check_points(leaf: Criterion, points: Decimal | None) -> Decimal | None:
    """The score if it fits the leaf (0..max, a multiple of the step), else ScoreError. The
    number is checked plain first (finite, two decimals at most): NaN would not compare, and a
    long fraction could pass the step check only by rounding."""
    if points is None:
        return None
    try:
        points = numbers.decimal(points)
    except numbers.NumberError as exc:
        raise ScoreError(f"Tiêu chí {leaf.code}: điểm «{points}» {exc}.") from None
    if points < 0 or points > leaf.max_points:
        raise ScoreError(f"Tiêu chí {leaf.code}: điểm {fmt_points(points)} nằm ngoài khoảng 0 đến {fmt_points(leaf.max_points)}.")
    if points % leaf.step != 0:
        raise ScoreError(f"Tiêu chí {leaf.code}: điểm {fmt_points(points)} không theo bước {fmt_points(leaf.step)} "
                         f"(ví dụ {fmt_points(leaf.step)}, {fmt_points(leaf.step * 2)}).")
    return points.quantize(Decimal("0.01"))


#: A leaf with at most this many allowed scores is scored with one tap on one of them; a leaf with
#: more (a fine step, a large maximum) takes a typed number.
FEW_CHOICES = 6


def point_choices(leaf: Criterion) -> list[Decimal] | None:
    """Every score the leaf allows (0, step, 2 × step, …, max) when there are at most FEW_CHOICES
    of them; None when there are more (then the score is typed). The criteria set guarantees
    that the maximum is a multiple of the step."""
    if leaf.step <= 0 or leaf.max_points / leaf.step + 1 > FEW_CHOICES:
        return None
    count = int(leaf.max_points / leaf.step)
    return [(leaf.step * i).normalize() for i in range(count + 1)]


def read_points(leaf: Criterion, raw: object) -> Decimal | None:
    """A score as the officer gave it, tapped or typed («0,5» and «0.5» alike; blank for no score),
    checked against the leaf; ScoreError with a Vietnamese reason that names the criterion."""
    try:
        points = parse_points(raw)
    except numbers.NumberError as exc:
        raise ScoreError(f"Tiêu chí {leaf.code}: «{str(raw).strip()}» {exc}; hãy gõ một số từ 0 đến "
                         f"{fmt_points(leaf.max_points)} theo bước {fmt_points(leaf.step)}, ví dụ "
                         f"{fmt_points(leaf.step)} (gõ dấu phẩy hay dấu chấm đều được).") from None
    return check_points(leaf, points)


def check_leaf_score(leaf: Criterion, score: LeafScore) -> LeafScore:
    if leaf.source != SCORED_SOURCE:
        raise ScoreError(f"Tiêu chí {leaf.code}: điểm này được tính từ khảo sát hoặc do hội đồng chấm, đơn vị không tự chấm.")
    if score.not_applicable:
        if not leaf.na_allowed:
            raise ScoreError(f"Tiêu chí {leaf.code}: tiêu chí này không được đánh dấu «không áp dụng».")
        return LeafScore(None, True, score.note, score.explanation)
    return LeafScore(check_points(leaf, score.points), False, score.note, score.explanation)


def scored_leaves(cs: CriteriaSet) -> list[Criterion]:
    """The leaves a commune scores itself (surveys, bonus and penalty come from elsewhere)."""
    return [n for n in cs.leaves() if n.source == SCORED_SOURCE]


@dataclass(frozen=True)
class Totals:
    points: Decimal          # self-assessed points so far
    applicable_max: Decimal  # the maximum of the leaves that apply
    scored: int              # leaves with a score or "không áp dụng"
    leaves: int

    @property
    def index(self) -> Decimal | None:
        """The self-score ratio (tỷ lệ điểm tự chấm): the self-assessed points over the maximum of
        the self-assessed leaves that apply, in %. Not the provisional Chỉ số CCHC of the results
        (which adds the surveys, bonus and penalty and uses the council's points once there are
        any: docs/architecture.md, "The index, computed on read"). None before anything is scored."""
        if not self.applicable_max or not self.scored:
            return None
        return (self.points / self.applicable_max * 100).quantize(Decimal("0.01"))


def totals(leaves: list[Criterion], scores: dict[str, LeafScore]) -> Totals:
    points = Decimal(0)
    applicable = Decimal(0)
    scored = 0
    for leaf in leaves:
        s = scores.get(leaf.code)
        if s is not None and s.not_applicable:
            scored += 1
            continue
        applicable += leaf.max_points
        if s is not None and s.points is not None:
            points += s.points
            scored += 1
    return Totals(points, applicable, scored, len(leaves))


def field_totals(cs: CriteriaSet, scores: dict[str, LeafScore]) -> list[tuple[Criterion, Totals]]:
    """(field, its totals) for every field that has leaves the commune scores."""
    out = []
    for f in cs.fields():
        leaves = [n for n in cs.leaves(f.code) if n.source == SCORED_SOURCE] or \
                 ([f] if f.is_leaf and f.source == SCORED_SOURCE else [])
        if leaves:
            out.append((f, totals(leaves, scores)))
    return out


def submission_problems(cs: CriteriaSet, scores: dict[str, LeafScore],
                        evidence_counts: dict[str, int]) -> list[str]:
    """What stops the submission, one Vietnamese line per leaf: unscored, or scored above zero
    with neither evidence nor an explanation (giải trình)."""
    problems = []
    for leaf in scored_leaves(cs):
        s = scores.get(leaf.code)
        if s is None or (s.points is None and not s.not_applicable):
            problems.append(f"Tiêu chí {leaf.code} ({leaf.title}): chưa chấm điểm.")
        elif s.points and not evidence_counts.get(leaf.code) and not s.explanation.strip():
            problems.append(f"Tiêu chí {leaf.code} ({leaf.title}): có điểm nhưng chưa có tài liệu kiểm chứng; "
                            "hãy thêm tài liệu hoặc viết giải trình.")
    return problems


# ------------------------------------------------------------------ the clock


def edit_deadline(deadline: dt.date, reopened_until: dt.date | None) -> dt.date:
    """The last day the commune may edit and submit: the period's deadline, or a reopening."""
    return max(deadline, reopened_until) if reopened_until else deadline


def is_late(deadline: dt.date, day: dt.date) -> bool:
    return day > deadline
