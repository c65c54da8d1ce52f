"""The appraisal rounds: the council's queue and sheet of one commune, round 1 per leaf (and
accepting the self-scores of the rest), closing round 1, round 2 of the flagged leaves and
finalisation. The council itself is cchc.services.council; the commune's answers between the
rounds, cchc.services.explanation. Every change checks role, office, state and the clock, and
checks inside its transaction that the acting council account is a current member of the
period's council (closing round 1: the chair or the standing vice-chair; finalising: the chair;
admin acts for the council); each writes its audit row there.

A leaf the commune marked "không áp dụng" stays out of the unit's maximum unless the council
gives it a score (round 1 or round 2, with a reason): score.not_applicable then becomes FALSE in
the same transaction, and appraisal_leaf.self_not_applicable keeps the commune's own choice.

The index reads the council's score from score.appraised_points (round 2 where there is one,
else round 1); everything else of the rounds lives in appraisal_leaf, whose `version` refuses a
save made from a screen that no longer shows the stored value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from cchc.core import appraisal as rules
from cchc.core.assessment import SCORED_SOURCE, LeafScore
from cchc.core.criteria import CriteriaSet, Criterion
from cchc.core.permissions import User, require
from cchc.core.text import fmt_date, fmt_datetime, fmt_points
from cchc.core.workflow import STATES
from cchc.db.storage import Storage, Tx
from cchc.services.common import ServiceError, clock_now, today
from cchc.services.council import (
    field_offices,
    may_appraise_field,
    member_roles,
    office_ok,
    require_member,
)
from cchc.services.reference import criteria_set, offices, period, unit_criteria, unit_in_year


class StaleLeaf(ServiceError):
    """The leaf changed since the screen was drawn; `current` is what is stored now."""

    def __init__(self, message: str, current: rules.LeafAppraisal):
        super().__init__(message)
        self.current = current


# ------------------------------------------------------------------ reading the appraisal


def _appraisal_of(row: dict) -> rules.LeafAppraisal:
    def dec(v):
        return None if v is None else Decimal(v).normalize()
    return rules.LeafAppraisal(dec(row["r1_points"]), row["r1_reason"], row["flagged"], row["question"], row["answer"],
                               row["answered_at"], dec(row["r2_points"]), row["r2_reason"], row["version"],
                               row["updated_at"], row["updated_by"], bool(row["self_not_applicable"]),
                               bool(row["r2_not_applicable"]))


CLOSE_REFUSAL = "Chỉ Chủ tịch, Phó Chủ tịch thường trực Hội đồng thẩm định (hoặc quản trị) được kết thúc vòng 1 của một đơn vị."
FINALISE_REFUSAL = "Chỉ Chủ tịch Hội đồng thẩm định (hoặc quản trị) được hoàn tất thẩm định một đơn vị."


def state_of(storage_or_tx, year: int, unit_code: str) -> str:
    """The commune's workflow state in the period (read in a transaction or outside)."""
    row = storage_or_tx.one("assessment_get", year=year, unit_code=unit_code)
    return row["state"] if row else "not_started"


@dataclass
class Sheet:
    """One commune's appraisal as the council sees it."""
    year: int
    unit: dict
    period: dict
    criteria: CriteriaSet
    state: str
    scores: dict[str, LeafScore]                  # the commune's self-assessment
    appraisals: dict[str, rules.LeafAppraisal]
    files: dict[str, list[dict]]
    docs: dict[str, list[dict]]
    offices: dict[str, str | None]                 # field -> office that appraises it
    progress_row: dict | None
    today: dt.date
    fields: list[Criterion] = field(default_factory=list)
    #: The viewer's roles in the period's council (admin: every role).
    viewer_roles: frozenset[str] = frozenset()

    def leaves(self, field_code: str) -> list[Criterion]:
        return rules.appraised_leaves(self.criteria, field_code)

    def appraisal(self, code: str) -> rules.LeafAppraisal:
        return self.appraisals.get(code, rules.LeafAppraisal())

    def commune_na(self, code: str) -> bool:
        """The commune marked the leaf "không áp dụng" (even if the council has since scored it)."""
        return self.scores.get(code, LeafScore()).not_applicable or self.appraisal(code).self_na

    def done(self, leaf: Criterion) -> bool:
        return rules.leaf_done(leaf, self.scores.get(leaf.code, LeafScore()).not_applicable,
                               self.appraisals.get(leaf.code))

    def field_progress(self, field_code: str) -> tuple[int, int]:
        leaves = self.leaves(field_code)
        return sum(self.done(n) for n in leaves), len(leaves)

    def round1_complete(self) -> bool:
        return all(self.done(n) for f in self.fields for n in self.leaves(f.code))

    def flagged(self) -> list[Criterion]:
        return [n for f in self.fields for n in self.leaves(f.code) if self.appraisal(n.code).flagged]

    @property
    def explanation_deadline(self) -> dt.date:
        return rules.explanation_deadline(self.period)

    @property
    def round1_open(self) -> bool:
        return self.state in rules.ROUND1_STATES

    @property
    def round2_open(self) -> bool:
        return rules.round2_open(self.state, self.period, self.today)

    def can_finalise(self) -> bool:
        return self.round2_open and all(self.appraisal(n.code).r2_done for n in self.flagged())

    @property
    def is_member(self) -> bool:
        return bool(self.viewer_roles)

    def may_appraise(self, user: User, field_code: str) -> bool:
        return may_appraise_field(user, self.offices, field_code, self.is_member)

    def may_close_round1(self, user: User) -> bool:
        return user.role == "admin" or bool(self.viewer_roles & rules.CLOSE_ROUND1_ROLES)

    def may_finalise(self, user: User) -> bool:
        return user.role == "admin" or bool(self.viewer_roles & rules.FINALISE_ROLES)


def queue(storage: Storage, actor: User, year: int) -> list[dict]:
    """The communes that have handed in their self-assessment, each with its state and, per
    field the council appraises, how many leaves are appraised."""
    require(actor, "appraisal.view")
    period(storage, year)
    leaves = {}
    for r in storage.all("appraisal_leaves_of_period", year=year):
        leaves.setdefault(r["unit_code"], {})[r["criterion_code"]] = _appraisal_of(r)
    na = {}
    for r in storage.all("scores_of_period_all", year=year):
        if r["not_applicable"]:
            na.setdefault(r["unit_code"], set()).add(r["criterion_code"])
    sets = {r["unit_code"]: r["set_id"] for r in storage.all("unit_sets_of_period", year=year)}
    out = []
    for u in storage.all("assessment_states_of_period", year=year):
        if u["state"] in ("not_started", "draft") or sets.get(u["unit_code"]) is None:
            continue
        cs = criteria_set(storage, sets[u["unit_code"]])
        row = dict(u, state_label=STATES[u["state"]], fields={}, flagged=0)
        mine = leaves.get(u["unit_code"], {})
        for f in rules.appraised_fields(cs):
            ls = rules.appraised_leaves(cs, f.code)
            done = sum(rules.leaf_done(n, n.code in na.get(u["unit_code"], ()), mine.get(n.code)) for n in ls)
            row["fields"][f.code] = (done, len(ls))
        row["flagged"] = sum(a.flagged for a in mine.values())
        out.append(row)
    return out


def open_sheet(storage: Storage, actor: User, year: int, unit_code: str) -> Sheet:
    require(actor, "appraisal.view")
    sheet = load_sheet(storage, year, unit_code)
    sheet.viewer_roles = frozenset(rules.MEMBER_ROLES) if actor.role == "admin" else member_roles(storage, year, actor)
    return sheet


def load_sheet(storage: Storage, year: int, unit_code: str) -> Sheet:
    """The commune's sheet as stored now, whoever asks (the callers check the permission)."""
    p = period(storage, year)
    u = unit_in_year(storage, year, unit_code)
    cs = unit_criteria(storage, year, unit_code)
    if cs is None:
        raise ServiceError(f"Kỳ {year} chưa có bộ tiêu chí.")
    scores = {}
    for r in storage.all("scores_of_unit", year=year, unit_code=unit_code):
        scores[r["criterion_code"]] = LeafScore(None if r["self_points"] is None else Decimal(r["self_points"]).normalize(),
                                                r["not_applicable"], r["note"], r["explanation"])
    files: dict[str, list[dict]] = {}
    for r in storage.all("evidence_files_of_unit", year=year, unit_code=unit_code):
        files.setdefault(r["criterion_code"], []).append(r)
    docs: dict[str, list[dict]] = {}
    for r in storage.all("evidence_docs_of_unit", year=year, unit_code=unit_code):
        docs.setdefault(r["criterion_code"], []).append(r)
    appraisals = {r["criterion_code"]: _appraisal_of(r)
                  for r in storage.all("appraisal_leaves_of_unit", year=year, unit_code=unit_code)}
    return Sheet(year, u, p, cs, state_of(storage, year, unit_code), scores, appraisals, files, docs,
                 field_offices(storage, year, cs), storage.one("appraisal_unit_get", year=year, unit_code=unit_code),
                 today(storage), rules.appraised_fields(cs))


# ------------------------------------------------------------------ writing the appraisal


def _leaf(cs: CriteriaSet, code: str) -> Criterion:
    try:
        leaf = cs.node(code)
    except StopIteration:
        raise ServiceError(f"Không có tiêu chí mã {code} trong bộ tiêu chí của đơn vị.") from None
    if not leaf.is_leaf or leaf.source not in rules.APPRAISED_SOURCES:
        raise ServiceError(f"Tiêu chí {code} không do Hội đồng chấm (tiêu chí cha hoặc điểm khảo sát).")
    return leaf


def _check_office(storage: Storage, actor: User, year: int, cs: CriteriaSet, leaf: Criterion) -> None:
    """The field is assigned to the actor's office (membership is checked inside the write)."""
    offices_of = field_offices(storage, year, cs)
    f = rules.field_of(leaf.code)
    if not office_ok(actor, offices_of, f):
        names = {o["code"]: o["name"] for o in offices(storage)}
        owner = names.get(offices_of.get(f) or "", offices_of.get(f) or "chưa phân công")
        raise ServiceError(f"Lĩnh vực {f} được phân công cho {owner}; tài khoản của bạn không thẩm định lĩnh vực này.")


def stored_leaf(tx: Tx, year: int, unit_code: str, code: str) -> rules.LeafAppraisal:
    """A leaf's appraisal as stored now (an empty one if the council has not touched it)."""
    row = tx.one("appraisal_leaf_get", year=year, unit_code=unit_code, code=code)
    return _appraisal_of(row) if row else rules.LeafAppraisal()


def _check_version(leaf: Criterion, current: rules.LeafAppraisal, expected: int | None) -> None:
    if expected is not None and current.version != expected:
        value = "chưa chấm" if current.points is None else fmt_points(current.points)
        raise StaleLeaf(f"Tiêu chí {leaf.code} vừa được {current.updated_by} lưu lúc {fmt_datetime(current.updated_at)} "
                        f"(điểm thẩm định hiện là {value}{', cần giải trình' if current.flagged else ''}). "
                        "Thay đổi của bạn chưa được lưu; hãy xem giá trị mới rồi lưu lại nếu vẫn cần.", current)


def _dict(a: rules.LeafAppraisal) -> dict:
    return {"r1_points": a.r1_points, "r1_reason": a.r1_reason, "flagged": a.flagged, "question": a.question,
            "answer": a.answer, "r2_points": a.r2_points, "r2_reason": a.r2_reason,
            "r2_not_applicable": a.r2_na}


def _commune_na(leaf: Criterion, score_row: dict | None, old: rules.LeafAppraisal) -> bool:
    """The commune marked the leaf "không áp dụng": as stored in the score, or, once the council
    has scored the leaf (score.not_applicable then FALSE), as the appraisal kept it."""
    return leaf.source == SCORED_SOURCE and (old.self_na or bool(score_row and score_row["not_applicable"]))


def put_leaf(tx: Tx, actor: User, year: int, unit_code: str, code: str, old: rules.LeafAppraisal,
             new: rules.LeafAppraisal, at: dt.datetime, action: str, reason: str = "") -> None:
    """Store a leaf's appraisal (version + 1), the score the index reads — the council's points
    and, for a leaf the commune marked "không áp dụng", whether it stays out of the maximum — and
    the audit rows."""
    tx.run("appraisal_leaf_put", year=year, unit_code=unit_code, code=code, r1_points=new.r1_points,
           r1_reason=new.r1_reason, flagged=new.flagged, question=new.question, answer=new.answer,
           answered_at=new.answered_at, answered_by=actor.username if new.answered_at else None,
           r2_points=new.r2_points, r2_reason=new.r2_reason, version=old.version + 1, at=at, by=actor.username,
           self_not_applicable=new.self_na, r2_not_applicable=new.r2_na)
    key = f"{year}/{unit_code}/{code}"
    if new.points != old.points:
        tx.run("score_set_appraised", year=year, unit_code=unit_code, code=code, points=new.points,
               updated_at=at, updated_by=actor.username)
    tx.audit(actor.username, action, "appraisal", key, old=_dict(old), new=_dict(new), reason=reason)
    if new.self_na:
        s = tx.one("score_get", year=year, unit_code=unit_code, code=code)
        if s is not None and bool(s["not_applicable"]) != new.counts_na:
            tx.run("score_set_not_applicable", year=year, unit_code=unit_code, code=code,
                   not_applicable=new.counts_na)
            tx.audit(actor.username, "appraisal.not_applicable", "score", key,
                     old={"not_applicable": bool(s["not_applicable"])}, new={"not_applicable": new.counts_na},
                     reason=reason or ("Hội đồng chấm điểm tiêu chí đơn vị đánh dấu «không áp dụng»"
                                       if not new.counts_na else "Giữ «không áp dụng» như đơn vị đánh dấu"))


def set_state(tx: Tx, actor: User, year: int, unit_code: str, old: str, new: str, at: dt.datetime,
              reason: str = "") -> None:
    """Move the commune's assessment from `old` to `new`, with its audit row."""
    tx.run("assessment_set_state_only", year=year, unit_code=unit_code, state=new, at=at)
    tx.audit(actor.username, "appraisal.state", "assessment", f"{year}/{unit_code}",
             old={"state": old}, new={"state": new}, reason=reason)


UNIT_MARKS = ("r1_closed_at", "explained_at", "explained_by", "finalised_at", "finalised_by")


def mark_unit(tx: Tx, year: int, unit_code: str, **marks) -> None:
    """Record when (and by whom) a commune's round 1 closed, its explanations came in, or its
    appraisal was finalised; the other marks stay as stored."""
    row = tx.one("appraisal_unit_get", year=year, unit_code=unit_code) or dict.fromkeys(UNIT_MARKS)
    tx.run("appraisal_unit_put", year=year, unit_code=unit_code, **{k: row[k] for k in UNIT_MARKS} | marks)


def save_round1(storage: Storage, actor: User, year: int, unit_code: str, code: str, points: Decimal | None,
                reason: str = "", flagged: bool = False, question: str = "",
                expected_version: int | None = None) -> rules.LeafAppraisal:
    """Round 1 of one leaf: the council's score (a reason when it differs from the self-score),
    and whether the commune must explain it (with the question). A leaf the commune marked "không
    áp dụng" may stay so (no score) or be given a score with a reason, which brings it back into
    the unit's maximum. The first save of a submitted commune starts its appraisal. Returns what
    is stored now."""
    require(actor, "appraisal.score")
    u = unit_in_year(storage, year, unit_code)
    cs = unit_criteria(storage, year, unit_code)
    leaf = _leaf(cs, code)
    _check_office(storage, actor, year, cs, leaf)
    reason, question = reason.strip(), question.strip()
    if flagged and not question:
        raise ServiceError(f"Tiêu chí {code}: cần ghi câu hỏi cho đơn vị khi đánh dấu «cần giải trình».")
    at = clock_now(storage)

    def work(tx: Tx) -> rules.LeafAppraisal:
        require_member(tx, actor, year)
        state = state_of(tx, year, unit_code)
        if why := rules.round1_refusal(state, u["name"]):
            raise ServiceError(why)
        s = tx.one("score_get", year=year, unit_code=unit_code, code=code)
        self_points = None if s is None or s["self_points"] is None else Decimal(s["self_points"])
        old = stored_leaf(tx, year, unit_code, code)
        commune_na = _commune_na(leaf, s, old)
        clean = None
        if points is not None or not commune_na:
            clean = rules.check_score(leaf, self_points, points, reason, 1, self_na=commune_na)
        _check_version(leaf, old, expected_version)
        new = replace(old, r1_points=clean, r1_reason=reason, flagged=flagged, question=question if flagged else "",
                      version=old.version + 1, updated_at=at, updated_by=actor.username, self_na=commune_na)
        if _dict(new) == _dict(old):
            return old
        if state == "submitted":
            set_state(tx, actor, year, unit_code, state, "appraisal_r1", at)
        put_leaf(tx, actor, year, unit_code, code, old, new, at, "appraisal.round1", reason)
        return new

    return storage.write(work)


def close_round1(storage: Storage, actor: User, year: int, unit_code: str) -> str:
    """End round 1 for a commune once every leaf is appraised: to the explanation round when a
    leaf is flagged (refused once the explanation deadline has passed: the commune could not
    answer any more), else straight to round 2 (nothing to explain). Only the chair, the standing
    vice-chair or admin. Returns the new state."""
    require(actor, "appraisal.score")
    unit = unit_in_year(storage, year, unit_code)
    at = clock_now(storage)
    day = today(storage)

    def work(tx: Tx) -> str:
        require_member(tx, actor, year, rules.CLOSE_ROUND1_ROLES, CLOSE_REFUSAL)
        state = state_of(tx, year, unit_code)
        if why := rules.round1_refusal(state, unit["name"]):
            raise ServiceError(why)
        sheet = load_sheet(storage, year, unit_code)     # as stored now (writes are serialised)
        missing = [n.code for f in sheet.fields for n in sheet.leaves(f.code) if not sheet.done(n)]
        if missing:
            raise ServiceError(f"Chưa kết thúc được vòng 1: còn {len(missing)} tiêu chí chưa có điểm thẩm định "
                               f"({', '.join(missing[:10])}{'…' if len(missing) > 10 else ''}).")
        flagged = [n.code for n in sheet.flagged()]
        if why := rules.close_round1_refusal(unit["name"], flagged, tx.one("period_get", year=year), day):
            raise ServiceError(why)
        new = "explanation" if flagged else "appraisal_r2"
        set_state(tx, actor, year, unit_code, state, new, at)
        mark_unit(tx, year, unit_code, r1_closed_at=at)
        return new

    return storage.write(work)


def save_round2(storage: Storage, actor: User, year: int, unit_code: str, code: str, points: Decimal | None,
                reason: str, expected_version: int | None = None, not_applicable: bool = False) -> rules.LeafAppraisal:
    """Round 2: the final score of a flagged leaf, with a reason, once the commune has answered
    (or its explanation deadline has passed). For a leaf the commune marked "không áp dụng": a
    score brings it back into the unit's maximum; `not_applicable` confirms "không áp dụng" (no
    score) instead."""
    require(actor, "appraisal.score")
    u = unit_in_year(storage, year, unit_code)
    cs = unit_criteria(storage, year, unit_code)
    leaf = _leaf(cs, code)
    _check_office(storage, actor, year, cs, leaf)
    reason = reason.strip()
    if not reason:
        raise ServiceError(f"Tiêu chí {code}: điểm vòng 2 cần có lý do (kết luận sau giải trình).")
    if not_applicable and points is not None:
        raise ServiceError(f"Tiêu chí {code}: chọn một trong hai — nhập điểm vòng 2, hoặc xác nhận «không áp dụng» "
                           "(không chấm điểm).")
    at = clock_now(storage)
    day = today(storage)

    def work(tx: Tx) -> rules.LeafAppraisal:
        require_member(tx, actor, year)
        state = state_of(tx, year, unit_code)
        p = tx.one("period_get", year=year)
        if not rules.round2_open(state, p, day):
            if state == "explanation":
                raise ServiceError(f"{u['name']} đang giải trình (hạn {fmt_date(rules.explanation_deadline(p))}): "
                                   "chưa chấm vòng 2 được.")
            raise ServiceError(f"{u['name']} không ở vòng thẩm định 2 ({STATES.get(state, state)}).")
        old = stored_leaf(tx, year, unit_code, code)
        if not old.flagged:
            raise ServiceError(f"Tiêu chí {code} không được yêu cầu giải trình: vòng 2 chỉ chấm các tiêu chí cần giải trình.")
        _check_version(leaf, old, expected_version)
        s = tx.one("score_get", year=year, unit_code=unit_code, code=code)
        commune_na = _commune_na(leaf, s, old)
        if not_applicable:
            if not commune_na:
                raise ServiceError(f"Tiêu chí {code}: đơn vị không đánh dấu «không áp dụng»; vòng 2 cần một điểm.")
            clean = None
        else:
            clean = rules.check_score(leaf, None if s is None else s["self_points"], points, reason, 2,
                                      self_na=commune_na)
        if state == "explanation":
            set_state(tx, actor, year, unit_code, state, "appraisal_r2", at,
                       reason="Hết hạn giải trình, đơn vị chưa gửi giải trình.")
        new = replace(old, flagged=True, r2_points=clean, r2_reason=reason, r2_na=not_applicable,
                      version=old.version + 1, updated_at=at, updated_by=actor.username, self_na=commune_na)
        if _dict(new) != _dict(old):
            put_leaf(tx, actor, year, unit_code, code, old, new, at, "appraisal.round2", reason)
        return new

    return storage.write(work)


def finalise(storage: Storage, actor: User, year: int, unit_code: str) -> None:
    """The chair of the council (or admin) closes a commune's appraisal: every flagged leaf has
    its round-2 score. Its figures are then final."""
    require(actor, "appraisal.finalise")
    unit = unit_in_year(storage, year, unit_code)
    at = clock_now(storage)
    day = today(storage)

    def work(tx: Tx) -> None:
        require_member(tx, actor, year, rules.FINALISE_ROLES, FINALISE_REFUSAL)
        state = state_of(tx, year, unit_code)
        if not rules.round2_open(state, tx.one("period_get", year=year), day):
            raise ServiceError(f"{unit['name']} chưa đến bước hoàn tất ({STATES.get(state, state)}).")
        sheet = load_sheet(storage, year, unit_code)
        missing = [n.code for n in sheet.flagged() if not sheet.appraisal(n.code).r2_done]
        if missing:
            raise ServiceError("Chưa hoàn tất được: còn tiêu chí cần giải trình chưa có điểm vòng 2: " + ", ".join(missing) + ".")
        set_state(tx, actor, year, unit_code, state, "final", at)
        mark_unit(tx, year, unit_code, finalised_at=at, finalised_by=actor.username)

    storage.write(work)


def accept_remaining(storage: Storage, actor: User, year: int, unit_code: str, field_code: str | None = None) -> int:
    """Round 1: give every leaf not yet appraised in a field (None: every field the actor
    appraises) the commune's own score — bonus and penalty leaves 0 — in one transaction.
    Returns the leaves set."""
    require(actor, "appraisal.score")
    u = unit_in_year(storage, year, unit_code)
    cs = unit_criteria(storage, year, unit_code)
    offices_of = field_offices(storage, year, cs)
    fields = [f.code for f in rules.appraised_fields(cs)] if field_code is None else [field_code]
    if field_code is not None and field_code not in offices_of:
        raise ServiceError(f"Lĩnh vực «{field_code}» không có tiêu chí do Hội đồng thẩm định.")
    fields = [f for f in fields if office_ok(actor, offices_of, f)]
    if field_code is not None and not fields:
        _check_office(storage, actor, year, cs, rules.appraised_leaves(cs, field_code)[0])
    at = clock_now(storage)

    def work(tx: Tx) -> int:
        require_member(tx, actor, year)
        state = state_of(tx, year, unit_code)
        if why := rules.round1_refusal(state, u["name"]):
            raise ServiceError(why)
        scores = {r["criterion_code"]: r for r in tx.run("scores_of_unit", year=year, unit_code=unit_code)}
        current = {r["criterion_code"]: _appraisal_of(r) for r in tx.run("appraisal_leaves_of_unit", year=year,
                                                                           unit_code=unit_code)}
        chosen: list[tuple[str, Decimal, rules.LeafAppraisal]] = []
        for f in fields:
            for leaf in rules.appraised_leaves(cs, f):
                s = scores.get(leaf.code)
                old = current.get(leaf.code, rules.LeafAppraisal())
                if old.r1_points is not None or (leaf.source == SCORED_SOURCE and (s is None or s["not_applicable"]
                                                                                    or s["self_points"] is None)):
                    continue
                points = Decimal(s["self_points"]) if leaf.source == SCORED_SOURCE else Decimal(0)
                chosen.append((leaf.code, points, old))
        if not chosen:
            return 0
        if state == "submitted":
            set_state(tx, actor, year, unit_code, state, "appraisal_r1", at)
        codes, points = [c for c, _, _ in chosen], [p for _, p, _ in chosen]
        reason = "Giữ nguyên điểm tự chấm (điểm thưởng, điểm trừ: 0)"     # in the log; no reason on the leaf
        tx.run("appraisal_round1_many", year=year, unit_code=unit_code, codes=codes, points=points, reason="",
               at=at, by=actor.username)
        tx.run("score_set_appraised_many", year=year, unit_code=unit_code, codes=codes, points=points, at=at,
               by=actor.username)
        tx.audit_many(actor.username, "appraisal.round1", "appraisal",
                      [(f"{year}/{unit_code}/{c}", _dict(old), _dict(replace(old, r1_points=p, r1_reason="")))
                       for c, p, old in chosen], reason=reason)
        done = len(chosen)
        return done

    return storage.write(work)


