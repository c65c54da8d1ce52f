"""Compile, approve, publish. Approval freezes a snapshot of the results (ranking, indices, field
sub-indices, each leaf's self-assessed and appraised points with the appraisers' reasons): what
is published is that snapshot, so later changes to scores alter nothing approved until a new,
audited approval."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from cchc.core import appraisal as rules
from cchc.core.permissions import User, require
from cchc.core.text import fmt_date
from cchc.core.workflow import STATES
from cchc.db.storage import Storage, Tx
from cchc.services.common import ServiceError, clock_now
from cchc.services.reference import period, unit_criteria
from cchc.services.results import results


@dataclass
class Status:
    year: int
    units: list[dict]                 # unit_code, unit_name, state
    not_final: list[dict]
    compilation: dict | None
    approvals: list[dict]             # newest first, without the snapshot
    published: dict | None            # the published approval (without the snapshot)

    @property
    def all_final(self) -> bool:
        return bool(self.units) and not self.not_final

    @property
    def compile_refusal(self) -> str | None:
        """Why Phòng Nội vụ cannot compile now (None: it can), as compile_results would refuse."""
        if not self.units:
            return "Kỳ này chưa có đơn vị nào: chưa tổng hợp được."
        return _not_final_message(self.not_final, "tổng hợp trình phê duyệt") if self.not_final else None

    @property
    def approve_refusal(self) -> str | None:
        """Why a leader cannot approve now (None: they can), as approve would refuse."""
        if not self.units:
            return "Kỳ này chưa có đơn vị nào: chưa phê duyệt được."
        if self.not_final:
            return _not_final_message(self.not_final, "phê duyệt")
        return NOT_COMPILED if self.compilation is None else None


def status(storage: Storage, actor: User, year: int) -> Status:
    require(actor, "results.view")
    period(storage, year)
    units = storage.all("assessment_states_of_period", year=year)
    not_final = [u for u in units if u["state"] not in rules.FINAL_STATES]
    approvals = storage.all("approvals_of_period", year=year)
    published = next((a for a in approvals if a["published_at"]), None)
    return Status(year, units, not_final, storage.one("compilation_get", year=year), approvals, published)


NOT_COMPILED = "Phòng Nội vụ chưa tổng hợp, trình kết quả: chưa phê duyệt được."


def _not_final_message(not_final: list[dict], what: str) -> str:
    names = ", ".join(f"{u['unit_name']} ({STATES[u['state']].lower()})" for u in not_final[:8])
    more = f" và {len(not_final) - 8} đơn vị khác" if len(not_final) > 8 else ""
    return f"Chưa {what} được: còn {len(not_final)} đơn vị chưa hoàn tất thẩm định: {names}{more}."


def _not_final(tx: Tx, year: int) -> list[dict]:
    return [u for u in tx.run("assessment_states_of_period", year=year) if u["state"] not in rules.FINAL_STATES]


def compile_results(storage: Storage, actor: User, year: int, note: str = "") -> None:
    """Phòng Nội vụ sends the compiled results of a period to the leaders for approval."""
    require(actor, "results.compile")
    period(storage, year)
    at = clock_now(storage)

    def work(tx: Tx) -> None:
        if missing := _not_final(tx, year):
            raise ServiceError(_not_final_message(missing, "tổng hợp trình phê duyệt"))
        old = tx.one("compilation_get", year=year)
        tx.run("compilation_put", year=year, at=at, by=actor.username, note=note.strip())
        tx.audit(actor.username, "results.compile", "period", str(year),
                 old={"compiled_at": old["compiled_at"]} if old else None, new={"compiled_at": at}, reason=note.strip())

    storage.write(work)


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(type(value))


def _snapshot(storage: Storage, actor: User, year: int) -> dict:
    """Everything the published page and each commune's detail show, read now."""
    res = results(storage, actor, year)
    reasons = {}
    for r in storage.all("appraisal_leaves_of_period", year=year):
        reasons[(r["unit_code"], r["criterion_code"])] = r
    scores = {(r["unit_code"], r["criterion_code"]): r for r in storage.all("scores_of_period_all", year=year)}
    leaves: dict[str, list[dict]] = {}
    for row in res.rows:
        code = row["unit_code"]
        cs = unit_criteria(storage, year, code)
        for leaf in rules.appraised_leaves(cs):
            s, a = scores.get((code, leaf.code)), reasons.get((code, leaf.code))
            leaves.setdefault(code, []).append({
                "code": leaf.code, "title": leaf.title, "max": leaf.max_points, "source": leaf.source,
                # the commune's own "không áp dụng", and whether the leaf stayed out of the maximum
                # (the council may have scored it instead)
                "self": s["self_points"] if s else None,
                "not_applicable": bool(s and s["not_applicable"]) or bool(a and a["self_not_applicable"]),
                "counted_not_applicable": bool(s and s["not_applicable"]),
                "appraised": s["appraised_points"] if s else None,
                "r1": a["r1_points"] if a else None, "r1_reason": a["r1_reason"] if a else "",
                "question": a["question"] if a else "", "answer": a["answer"] if a else "",
                "r2": a["r2_points"] if a else None, "r2_reason": a["r2_reason"] if a else ""})
    keep = ("unit_code", "unit_name", "kind", "state", "self_points", "appraised_points", "scored_points",
            "survey_points", "bonus", "penalty", "total_points", "applicable_max", "index", "rank", "class")
    return {"year": year, "fields": res.fields,
            "rows": [{k: r[k] for k in keep} for r in res.rows],
            "by_field": {u: {f: {"points": v["points"], "applicable_max": v["applicable_max"], "sub_index": v["sub_index"]}
                             for f, v in fs.items()} for u, fs in res.by_field.items()},
            "leaves": leaves}


def approve(storage: Storage, actor: User, year: int, decision_number: str, decision_date: dt.date | None,
            reason: str = "") -> int:
    """A leader approves the compiled results: a new approval (version) with a frozen snapshot.
    Refused unless every commune is final; a second approval needs a reason. Returns its version."""
    require(actor, "results.approve")
    number, reason = decision_number.strip(), reason.strip()
    if not number or decision_date is None:
        raise ServiceError("Cần nhập số và ngày của quyết định phê duyệt.")
    period(storage, year)
    at = clock_now(storage)

    def work(tx: Tx) -> int:
        if missing := _not_final(tx, year):
            raise ServiceError(_not_final_message(missing, "phê duyệt"))
        # read while this transaction holds the write lock: no score changes in between
        text = json.dumps(_snapshot(storage, actor, year), ensure_ascii=False, default=_plain, sort_keys=True)
        if tx.one("compilation_get", year=year) is None:
            raise ServiceError(NOT_COMPILED)
        latest = tx.one("approval_latest", year=year)
        if latest and not reason:
            raise ServiceError(f"Kết quả đã được phê duyệt (quyết định {latest['decision_number']} ngày "
                               f"{fmt_date(latest['decision_date'])}); phê duyệt lại cần ghi lý do.")
        version = (latest["version"] if latest else 0) + 1
        tx.run("approval_insert", year=year, version=version, decision_number=number, decision_date=decision_date,
               at=at, by=actor.username, reason=reason, snapshot=text)
        codes = [u["unit_code"] for u in tx.run("assessment_states_of_period", year=year)]
        tx.run("assessment_set_state_many", year=year, codes=codes, state="approved", at=at)
        tx.audit(actor.username, "results.approve", "period", str(year),
                 old={"version": latest["version"], "decision_number": latest["decision_number"]} if latest else None,
                 new={"version": version, "decision_number": number, "decision_date": decision_date,
                      "units": len(codes), "sha256": hashlib.sha256(text.encode()).hexdigest()}, reason=reason)
        return version

    return storage.write(work)


def publish(storage: Storage, actor: User, year: int) -> None:
    """Make the latest approval public on /ket-qua."""
    require(actor, "results.publish")
    period(storage, year)
    at = clock_now(storage)

    def work(tx: Tx) -> None:
        latest = tx.one("approval_latest", year=year)
        if latest is None:
            raise ServiceError("Kết quả chưa được phê duyệt: chưa công bố được.")
        if latest["published_at"]:
            raise ServiceError(f"Kết quả phê duyệt lần {latest['version']} đã được công bố.")
        tx.run("approval_publish", id=latest["id"], at=at, by=actor.username)
        codes = [u["unit_code"] for u in tx.run("assessment_states_of_period", year=year)]
        tx.run("assessment_set_state_many", year=year, codes=codes, state="published", at=at)
        tx.audit(actor.username, "results.publish", "period", str(year), new={"version": latest["version"]})

    storage.write(work)


@dataclass
class Published:
    year: int
    version: int
    decision_number: str
    decision_date: dt.date
    published_at: dt.datetime
    fields: list[tuple[str, str]]
    rows: list[dict]
    by_field: dict[str, dict[str, dict]]
    leaves: dict[str, list[dict]]


def _published(storage: Storage, year: int) -> Published | None:
    row = storage.one("approval_published", year=year)
    if row is None:
        return None
    data = json.loads(row["snapshot"])
    return Published(year, row["version"], row["decision_number"], row["decision_date"], row["published_at"],
                     [tuple(f) for f in data["fields"]], data["rows"], data["by_field"], data["leaves"])


def published(storage: Storage, year: int) -> Published | None:
    """The published results of a period (public, no login), leaf detail left out."""
    out = _published(storage, year)
    if out is not None:
        out.leaves = {}
    return out


def published_years(storage: Storage) -> list[int]:
    return [r["year"] for r in storage.all("published_years")]


def own_detail(storage: Storage, actor: User, year: int, unit_code: str) -> list[dict] | None:
    """One commune's published leaf detail with the appraisers' reasons (its own officer, staff)."""
    require(actor, "results.own_detail", unit_code)
    out = _published(storage, year)
    return None if out is None else out.leaves.get(unit_code, [])
