"""Moving a period's scores from one criteria set version to another, pure: which leaves match
by code, which scores are carried over, which are set aside (kept in the archive) and why.
No framework, no database."""

from __future__ import annotations

from dataclasses import dataclass, field

from cchc.core.assessment import LeafScore, ScoreError, check_leaf_score, scored_leaves
from cchc.core.criteria import CriteriaSet, Criterion


@dataclass(frozen=True)
class SetAside:
    unit_code: str
    code: str
    reason: str


@dataclass
class MovePlan:
    matched: list[str] = field(default_factory=list)          # leaf codes in both versions
    dropped: list[Criterion] = field(default_factory=list)    # old leaves the new version lacks
    added: list[Criterion] = field(default_factory=list)      # new leaves nobody has scored yet
    changed: list[tuple[Criterion, Criterion]] = field(default_factory=list)  # same code, new rule
    carried: dict[str, dict[str, LeafScore]] = field(default_factory=dict)    # unit -> code -> score
    set_aside: list[SetAside] = field(default_factory=list)

    @property
    def carried_count(self) -> int:
        return sum(len(v) for v in self.carried.values())


def plan_move(old: CriteriaSet | None, new: CriteriaSet, scores: dict[str, dict[str, LeafScore]]) -> MovePlan:
    """Match the self-assessed leaves of `old` and `new` by code; carry every stored score that
    fits its new leaf; set aside the rest with the reason. `scores` is unit -> code -> score."""
    old_leaves = {n.code: n for n in scored_leaves(old)} if old else {}
    new_leaves = {n.code: n for n in scored_leaves(new)}
    plan = MovePlan(
        matched=[c for c in new_leaves if c in old_leaves],
        dropped=[n for c, n in old_leaves.items() if c not in new_leaves],
        added=[n for c, n in new_leaves.items() if c not in old_leaves],
        changed=[(old_leaves[c], n) for c, n in new_leaves.items() if c in old_leaves and _rule(old_leaves[c]) != _rule(n)],
    )
    for unit_code, by_code in sorted(scores.items()):
        for code, score in sorted(by_code.items()):
            leaf = new_leaves.get(code)
            if leaf is None:
                plan.set_aside.append(SetAside(unit_code, code, "Phiên bản mới không còn tiêu chí này."))
                continue
            try:
                carried = check_leaf_score(leaf, score)
            except ScoreError as exc:
                plan.set_aside.append(SetAside(unit_code, code, str(exc)))
                continue
            plan.carried.setdefault(unit_code, {})[code] = carried
    return plan


def _rule(n: Criterion) -> tuple:
    return (n.max_points, n.step, n.na_allowed, n.title)
