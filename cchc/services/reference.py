"""Units, offices, periods and criteria sets: reading them, and loading a criteria set."""

from __future__ import annotations

from decimal import Decimal

from ..criteria import CriteriaSet, Criterion
from ..permissions import User, require
from ..storage import Storage, Tx
from .common import ServiceError, now


def units(storage: Storage, actor: User, year: int) -> list[dict]:
    require(actor, "unit.view")
    return storage.all("units_in_year", year=year)


def unit(storage: Storage, code: str) -> dict | None:
    """A unit by code; public (its name is printed on survey sheets and results)."""
    return storage.one("unit_get", code=code)


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
                       applies_to=head["applies_to"], total=Decimal(head["total"]).normalize(), nodes=nodes)


def period_criteria(storage: Storage, actor: User | None, year: int) -> CriteriaSet | None:
    """The criteria set attached to a period, or None if it has none yet."""
    if actor is not None:
        require(actor, "criteria.view")
    p = period(storage, year)
    if p["criteria_set_id"] is None:
        return None
    return storage.memo(("criteria_set", p["criteria_set_id"]), lambda: _load_set(storage, p["criteria_set_id"]))


def _load_set(storage: Storage, set_id: int) -> CriteriaSet:
    # A stored set version is never changed in place (a change is a new version), so it may be kept.
    head = storage.one("criteria_set_get", id=set_id)
    return _set_from_rows(head, storage.all("criteria_of_set", set_id=set_id))


def store_criteria_set(tx: Tx, actor: User, cs: CriteriaSet) -> int:
    """Insert a validated set as a new (code, version); refuse one that exists already."""
    if tx.one("criteria_set_find", code=cs.code, version=cs.version):
        raise ServiceError(f"Bộ tiêu chí {cs.code} phiên bản {cs.version} đã có; hãy tăng 'version' để nạp bản mới.")
    set_id = tx.one("criteria_set_insert", code=cs.code, version=cs.version, name=cs.name, year=cs.year,
                    is_template=cs.is_template, source_decision=cs.source_decision,
                    applies_to=cs.applies_to, total=cs.total, created_at=now(),
                    created_by=actor.username)["id"]
    tx.many("criterion_insert", [dict(
        set_id=set_id, code=n.code, parent_code=n.parent_code, depth=n.depth, position=n.position,
        title=n.title, max_points=n.max_points, is_leaf=n.is_leaf, guidance=n.guidance,
        evidence=n.evidence, office_code=n.office_code, step=n.step, na_allowed=n.na_allowed,
        source=n.source) for n in cs.nodes])
    return set_id


def import_criteria_set(storage: Storage, actor: User, cs: CriteriaSet, year: int) -> int:
    """Load a validated set and attach it to a period, unless a commune has already submitted."""
    require(actor, "criteria.import")
    period(storage, year)
    unknown = sorted({n.office_code for n in cs.leaves()} - set(office_codes(storage)))
    if unknown:
        raise ServiceError(f"Bộ tiêu chí dùng mã cơ quan chưa có trong danh mục: {', '.join(unknown)}.")

    def work(tx: Tx) -> int:
        submitted = tx.one("assessment_count_submitted", year=year)["n"]
        if submitted:
            raise ServiceError(f"Kỳ {year} đã có {submitted} đơn vị nộp tự đánh giá: không thể thay bộ tiêu chí.")
        old = tx.one("period_get", year=year)["criteria_set_id"]
        set_id = store_criteria_set(tx, actor, cs)
        tx.run("period_set_criteria", year=year, set_id=set_id)
        tx.audit(actor.username, "criteria.import", "period", str(year),
                 old={"criteria_set_id": old},
                 new={"criteria_set_id": set_id, "code": cs.code, "version": cs.version,
                      "leaves": len(cs.leaves())})
        return set_id

    return storage.write(work)



def public_units(storage: Storage, year: int) -> list[dict]:
    """Codes and names of the year's units: public, for the survey's unit picker."""
    return [{"code": u["code"], "name": u["name"]} for u in storage.all("units_in_year", year=year)]


def recent_audit(storage: Storage, actor: User, limit: int = 200) -> list[dict]:
    require(actor, "audit.view")
    return storage.all("audit_recent", limit=limit)
