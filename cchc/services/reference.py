"""Units, offices, periods and criteria sets: reading them, and loading a criteria set."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from cchc.core.assessment import LeafScore
from cchc.core.criteria import APPLIES_TO, CriteriaSet, Criterion
from cchc.core.permissions import User, require
from cchc.core.version_move import MovePlan, plan_move
from cchc.core.workflow import HANDED_IN
from cchc.db.storage import Storage, Tx
from cchc.services.common import ServiceError, today


def units(storage: Storage, actor: User, year: int) -> list[dict]:
    require(actor, "unit.view")
    return storage.all("units_in_year", year=year)


def unit(storage: Storage, code: str) -> dict | None:
    """A unit by code; public (its name is printed on survey sheets and results)."""
    return storage.one("unit_get", code=code)


def unit_in_year(storage: Storage, year: int, code: str) -> dict:
    """A unit as it was in a period's year (that year's name and kind), or a refusal saying why
    it is not there: unknown, not yet formed, ended, or merged into another unit."""
    row = storage.one("unit_in_year", year=year, code=code)
    if row is not None:
        return row
    u = storage.one("unit_get", code=code)
    if u is None:
        raise ServiceError(f"Không có đơn vị mã «{code}».")
    if u["valid_from"] > year:
        raise ServiceError(f"{u['name']} có hiệu lực từ năm {u['valid_from']}, chưa có trong kỳ năm {year}.")
    if u["successor_code"]:
        successor = storage.one("unit_get", code=u["successor_code"])
        into = successor["name"] if successor else u["successor_code"]
        raise ServiceError(f"{u['name']} đã sáp nhập vào {into} từ năm {u['valid_to'] + 1}: không có trong kỳ năm {year}.")
    raise ServiceError(f"{u['name']} hết hiệu lực sau năm {u['valid_to']}: không có trong kỳ năm {year}.")


def offices(storage: Storage) -> list[dict]:
    return storage.all("office_list")


def office_codes(storage: Storage) -> list[str]:
    return [o["code"] for o in storage.all("office_list")]


def periods(storage: Storage) -> list[dict]:
    return storage.all("period_list")


def period(storage: Storage, year: int) -> dict:
    row = storage.one("period_get", year=year)
    if row is None:
        raise ServiceError(f"Chưa có kỳ đánh giá năm {year}.")
    return row


def latest_year(storage: Storage) -> int | None:
    rows = storage.all("period_list")
    return rows[0]["year"] if rows else None


# ------------------------------------------------------------------ criteria sets


def _set_from_rows(head: dict, rows: list[dict]) -> CriteriaSet:
    nodes = tuple(Criterion(
        code=r["code"], title=r["title"], max_points=Decimal(r["max_points"]).normalize(),
        parent_code=r["parent_code"], depth=r["depth"], position=r["position"], is_leaf=r["is_leaf"],
        guidance=r["guidance"], evidence=r["evidence"], office_code=r["office_code"],
        step=Decimal(r["step"]).normalize(), na_allowed=r["na_allowed"], source=r["source"]) for r in rows)
    return CriteriaSet(code=head["code"], name=head["name"], year=head["year"], version=head["version"],
                       is_template=head["is_template"], source_decision=head["source_decision"],
                       applies_to=head["applies_to"], total=Decimal(head["total"]).normalize(), nodes=nodes,
                       bonus_cap=None if head["bonus_cap"] is None else Decimal(head["bonus_cap"]).normalize(),
                       penalty_cap=None if head["penalty_cap"] is None else Decimal(head["penalty_cap"]).normalize())


def period_criteria(storage: Storage, actor: User | None, year: int) -> CriteriaSet | None:
    """The period's general criteria set (the one every unit uses unless its kind has its own),
    or None if it has none yet."""
    if actor is not None:
        require(actor, "criteria.view")
    p = period(storage, year)
    return None if p["criteria_set_id"] is None else criteria_set(storage, p["criteria_set_id"])


def unit_criteria(storage: Storage, year: int, unit_code: str) -> CriteriaSet | None:
    """The set a unit is assessed against in a period: its kind's own set, else the general one."""
    set_id = storage.scalar("unit_set_id", year=year, unit_code=unit_code)
    return None if set_id is None else criteria_set(storage, set_id)


def criteria_set(storage: Storage, set_id: int) -> CriteriaSet:
    # A stored set version is never changed in place (a change is a new version), so it may be kept.
    return storage.memo(("criteria_set", set_id), lambda: _load_set(storage, set_id))


def period_sets(storage: Storage, actor: User, year: int) -> list[dict]:
    """The sets a period uses: the general one and each unit kind's own, with how many units use each."""
    require(actor, "criteria.view")
    p = period(storage, year)
    used = {r["set_id"]: r["units"] for r in storage.all("period_set_ids", year=year)}
    out = []
    if p["criteria_set_id"] is not None:
        out.append({"kind": "all", "set_id": p["criteria_set_id"], "set": criteria_set(storage, p["criteria_set_id"]),
                    "units": used.get(p["criteria_set_id"], 0)})
    for r in storage.all("period_kind_sets", year=year):
        out.append({"kind": r["unit_kind"], "set_id": r["set_id"], "set": criteria_set(storage, r["set_id"]),
                    "units": used.get(r["set_id"], 0)})
    return out


def criteria_sets(storage: Storage, actor: User) -> list[dict]:
    """Every stored set version, newest first, with the periods that use it."""
    require(actor, "criteria.view")
    return storage.all("criteria_set_list")


def _load_set(storage: Storage, set_id: int) -> CriteriaSet:
    head = storage.one("criteria_set_get", id=set_id)
    if head is None:
        raise ServiceError(f"Không có bộ tiêu chí số {set_id}.")
    return _set_from_rows(head, storage.all("criteria_of_set", set_id=set_id))


def _check_offices(storage: Storage, cs: CriteriaSet) -> None:
    unknown = sorted({n.office_code for n in cs.leaves() if n.office_code} - set(office_codes(storage)))
    if unknown:
        raise ServiceError(f"Bộ tiêu chí dùng mã cơ quan chưa có trong danh mục: {', '.join(unknown)}.")


def store_criteria_set(tx: Tx, actor: User, cs: CriteriaSet) -> int:
    """Insert a validated set as a new (code, version); refuse one that exists already."""
    if tx.one("criteria_set_find", code=cs.code, version=cs.version):
        raise ServiceError(f"Bộ tiêu chí {cs.code} phiên bản {cs.version} đã có và không sửa tại chỗ được; "
                           f"hãy tăng phiên bản («Phiên bản» trong tệp Excel, version trong YAML), ví dụ {_next_version(tx, cs.code)}, để nạp bản mới.")
    set_id = tx.one("criteria_set_insert", code=cs.code, version=cs.version, name=cs.name, year=cs.year,
                    is_template=cs.is_template, source_decision=cs.source_decision,
                    applies_to=cs.applies_to, total=cs.total, bonus_cap=cs.bonus_cap,
                    penalty_cap=cs.penalty_cap, created_at=tx.now(), created_by=actor.username)["id"]
    tx.many("criterion_insert", [dict(
        set_id=set_id, code=n.code, parent_code=n.parent_code, depth=n.depth, position=n.position,
        title=n.title, max_points=n.max_points, is_leaf=n.is_leaf, guidance=n.guidance,
        evidence=n.evidence, office_code=n.office_code, step=n.step, na_allowed=n.na_allowed,
        source=n.source) for n in cs.nodes])
    return set_id


def _next_version(tx: Tx, code: str) -> int:
    return tx.one("criteria_set_max_version", code=code)["v"] + 1


def add_criteria_set(storage: Storage, actor: User, cs: CriteriaSet) -> int:
    """Keep a validated set as a new version, attached to no period yet."""
    require(actor, "criteria.import")
    _check_offices(storage, cs)

    def work(tx: Tx) -> int:
        set_id = store_criteria_set(tx, actor, cs)
        tx.audit(actor.username, "criteria.add", "criteria_set", str(set_id),
                 new={"code": cs.code, "version": cs.version, "applies_to": cs.applies_to, "leaves": len(cs.leaves())})
        return set_id

    return storage.write(work)


#: Days a submitted unit gets to score what a new set version adds, when a move reopens it.
REOPEN_DAYS = 7


@dataclass
class MovePreview:
    """What attaching a set to a period would do, shown before it is done."""
    year: int
    kind: str                        # all | xa | thi_tran | phuong: the units it is for
    new: CriteriaSet
    units: list[dict]                # the units whose set changes (code, name, state, set_id)
    submitted: list[dict]            # of those, the ones that have handed in their self-assessment
    plan: MovePlan
    evidence_on_dropped: int = 0     # evidence items on leaves the new set lacks (kept, no longer shown)

    @property
    def needs_reason(self) -> bool:
        return bool(self.submitted or self.plan.set_aside)

    @property
    def reopened(self) -> list[dict]:
        """Submitted units that lose or gain leaves: they go back to draft to complete them."""
        touched = {a.unit_code for a in self.plan.set_aside}
        return [u for u in self.submitted if self.plan.added or u["code"] in touched]


def _reader(storage: Storage, tx: Tx | None):
    """Run named queries inside the transaction when there is one, else on the storage."""
    return tx.run if tx is not None else storage.all


def _affected(read, year: int, kind: str, new_set_id: int | None) -> list[dict]:
    """The units whose set changes when `new_set_id` is attached for `kind` (all | a unit kind):
    for the general set, the units whose kind has no set of its own."""
    overrides = {r["unit_kind"] for r in read("period_kind_sets", year=year)}
    rows = read("period_unit_sets", year=year)
    rows = [r for r in rows if (r["kind_key"] not in overrides if kind == "all" else r["kind_key"] == kind)]
    return [r for r in rows if r["set_id"] != new_set_id]


def _plan(storage: Storage, tx: Tx | None, year: int, units: list[dict], new: CriteriaSet) -> MovePlan:
    """One plan over every affected unit; their old sets may differ, so each group is planned
    against its own old set and the lists are merged by leaf code."""
    read = _reader(storage, tx)
    plan = MovePlan()
    by_old: dict[int | None, list[str]] = {}
    for u in units:
        by_old.setdefault(u["set_id"], []).append(u["code"])
    for old_id, codes in by_old.items():
        scores: dict[str, dict[str, LeafScore]] = {c: {} for c in codes}
        for r in read("scores_of_period_units", year=year, set_id=old_id) if old_id is not None else []:
            if r["unit_code"] in scores and (r["self_points"] is not None or r["not_applicable"]):
                points = None if r["self_points"] is None else Decimal(r["self_points"]).normalize()
                scores[r["unit_code"]][r["criterion_code"]] = LeafScore(points, r["not_applicable"], r["note"], r["explanation"])
        part = plan_move(criteria_set(storage, old_id) if old_id is not None else None, new, scores)
        plan.matched += [c for c in part.matched if c not in plan.matched]
        plan.dropped += [n for n in part.dropped if n.code not in {d.code for d in plan.dropped}]
        plan.added += [n for n in part.added if n.code not in {d.code for d in plan.added}]
        plan.changed += [c for c in part.changed if c[1].code not in {d[1].code for d in plan.changed}]
        plan.carried.update(part.carried)
        plan.set_aside += part.set_aside
    return plan


def _target(storage: Storage, year: int, set_id: int, kind: str | None) -> tuple[CriteriaSet, str]:
    """The set and the unit kind a move is for. A general set given for a unit kind means: that
    kind stops having a set of its own and uses the general one."""
    new = criteria_set(storage, set_id)
    kind = kind or new.applies_to
    if kind != new.applies_to and not (new.applies_to == "all" and kind in APPLIES_TO and kind != "all"):
        raise ServiceError(f"Bộ {new.code} phiên bản {new.version} áp dụng cho «{APPLIES_TO[new.applies_to]}», "
                           f"không dùng được cho «{APPLIES_TO.get(kind, kind)}».")
    if kind != "all" and new.applies_to == "all" and period(storage, year)["criteria_set_id"] != set_id:
        raise ServiceError("Chỉ bỏ được bộ riêng của một loại đơn vị để dùng bộ chung đang gắn với kỳ.")
    return new, kind


def move_preview(storage: Storage, actor: User, year: int, set_id: int, kind: str | None = None) -> MovePreview:
    """What attaching a stored set version to a period (for `kind`, default the kind the set
    applies to) would do to the scores already entered."""
    require(actor, "criteria.import")
    period(storage, year)
    new, kind = _target(storage, year, set_id, kind)
    units = _affected(storage.all, year, kind, set_id)
    plan = _plan(storage, None, year, units, new)
    dropped = {n.code for n in plan.dropped}
    codes = {u["code"] for u in units}
    evidence = sum(r["n"] for r in storage.all("evidence_counts_of_period", year=year)
                   if r["unit_code"] in codes and r["criterion_code"] in dropped)
    return MovePreview(year, kind, new, units, [u for u in units if u["state"] in HANDED_IN], plan, evidence)


def move_to_set(storage: Storage, actor: User, year: int, set_id: int, reason: str = "",
                kind: str | None = None) -> MovePlan:
    """Attach a stored set version to a period (for the unit kind it applies to, or give a unit
    kind the general set back), carrying every score that fits its leaf of the same code and
    setting the others aside in the archive. Once a unit has submitted, or when scores are set
    aside, a reason is required; submitted units that must score new leaves go back to draft
    for REOPEN_DAYS days. Audited."""
    require(actor, "criteria.import")
    period(storage, year)
    new, kind = _target(storage, year, set_id, kind)

    def work(tx: Tx) -> MovePlan:
        return _attach(tx, storage, actor, year, set_id, new, kind, reason, allow_submitted=True, action="criteria.move")

    return storage.write(work)


def _attach(tx: Tx, storage: Storage, actor: User, year: int, set_id: int, new: CriteriaSet, kind: str,
            reason: str, allow_submitted: bool, action: str) -> MovePlan:
    units = _affected(tx.run, year, kind, set_id)
    submitted = [u for u in units if u["state"] in HANDED_IN]
    names = lambda rows: ", ".join(u["name"] for u in rows[:5]) + ("…" if len(rows) > 5 else "")  # noqa: E731
    if submitted and not allow_submitted:
        raise ServiceError(
            f"Kỳ {year} đã có {len(submitted)} đơn vị nộp tự đánh giá theo bộ tiêu chí đang dùng ({names(submitted)}): "
            "không thể thay bộ tiêu chí tại chỗ. Hãy lưu bộ này thành phiên bản mới, xem trước việc chuyển điểm rồi "
            "xác nhận chuyển.")
    appraised = [u for u in submitted if u["state"] != "submitted"]
    if appraised:
        raise ServiceError(f"Đã bắt đầu thẩm định {len(appraised)} đơn vị ({names(appraised)}): không chuyển bộ tiêu chí được nữa.")
    plan = _plan(storage, tx, year, units, new)
    if (submitted or plan.set_aside) and not reason.strip():
        raise ServiceError("Việc chuyển bộ tiêu chí ảnh hưởng đến điểm đã nhập hoặc đơn vị đã nộp: cần ghi lý do.")
    at = tx.now()
    for item in plan.set_aside:
        row = tx.one("score_get", year=year, unit_code=item.unit_code, code=item.code)
        old_set = next(u["set_id"] for u in units if u["code"] == item.unit_code)
        tx.run("score_archive_insert", period_year=year, unit_code=item.unit_code, criterion_code=item.code,
               from_set_id=old_set, to_set_id=set_id, self_points=row["self_points"],
               not_applicable=row["not_applicable"], note=row["note"], explanation=row["explanation"],
               updated_at=row["updated_at"], updated_by=row["updated_by"], archived_at=at, archived_by=actor.username)
        tx.run("score_delete_one", year=year, unit_code=item.unit_code, code=item.code)
    touched = {a.unit_code for a in plan.set_aside}
    reopened = [u for u in submitted if plan.added or u["code"] in touched]
    until = today(storage) + dt.timedelta(days=REOPEN_DAYS)
    why = f"Chuyển sang {new.code} phiên bản {new.version}: chấm bổ sung các tiêu chí mới hoặc đã đổi."
    for u in reopened:
        tx.run("assessment_reopen", year=year, unit_code=u["code"], reopened_until=until, reason=why, updated_at=at)
    p = tx.one("period_get", year=year)
    if kind == "all":
        tx.run("period_set_criteria", year=year, set_id=set_id)
    elif new.applies_to == "all":
        tx.run("period_kind_set_delete", year=year, kind=kind)
    else:
        tx.run("period_kind_set_put", year=year, kind=kind, set_id=set_id)
    tx.audit(actor.username, action, "period", str(year),
             old={"kind": kind, "sets": sorted({u["set_id"] for u in units if u["set_id"] is not None})
                  or ([p["criteria_set_id"]] if kind == "all" and p["criteria_set_id"] else [])},
             new={"kind": kind, "set_id": set_id, "code": new.code, "version": new.version,
                  "units": len(units), "submitted": len(submitted), "scores_carried": plan.carried_count,
                  "scores_set_aside": [f"{a.unit_code}:{a.code}" for a in plan.set_aside],
                  "reopened_until": until.isoformat() if reopened else None,
                  "reopened": [u["code"] for u in reopened],
                  "leaves_added": [n.code for n in plan.added], "leaves_dropped": [n.code for n in plan.dropped]},
             reason=reason.strip())
    return plan


def import_criteria_set(storage: Storage, actor: User, cs: CriteriaSet, year: int, reason: str = "") -> int:
    """Load a validated set as a new version and attach it to a period in one step, for the unit
    kind it applies to; refused once a unit of that kind has submitted (then the set is added
    and moved to explicitly, with a preview: `add_criteria_set`, `move_preview`, `move_to_set`)."""
    require(actor, "criteria.import")
    period(storage, year)
    _check_offices(storage, cs)

    def work(tx: Tx) -> int:
        set_id = store_criteria_set(tx, actor, cs)
        _attach(tx, storage, actor, year, set_id, cs, cs.applies_to, reason, allow_submitted=False,
                action="criteria.import")
        return set_id

    return storage.write(work)


def public_units(storage: Storage, year: int) -> list[dict]:
    """Codes and names of the year's units: public, for the survey's unit picker."""
    return [{"code": u["code"], "name": u["name"]} for u in storage.all("units_in_year", year=year)]


def recent_audit(storage: Storage, actor: User, limit: int = 200) -> list[dict]:
    require(actor, "audit.view")
    return storage.all("audit_recent", limit=limit)
