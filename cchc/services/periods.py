"""Periods (one a year): created from the previous one, deadlines changed with checks. The
locks and the dashboard read the period row at every call, so a change applies at once."""

from __future__ import annotations

import re

from cchc.core.permissions import User, require
from cchc.core.text import fmt_date
from cchc.core.workflow import BANDS, DEADLINES, deadline_problems, shift_years
from cchc.db.storage import Storage, Tx
from cchc.services.common import ServiceError, today
from cchc.services.reference import period

EDITABLE = ("name", "plan_reference", *(k for k, _ in DEADLINES), "survey_opens", "survey_closes", "survey_quota", *BANDS)


def create_from(storage: Storage, actor: User, year: int, source_year: int) -> None:
    """A new period copying the source's settings and criteria set, every date moved to `year`."""
    require(actor, "period.manage")
    source = period(storage, source_year)
    if storage.one("period_get", year=year):
        raise ServiceError(f"Đã có kỳ đánh giá năm {year}.")
    shift = year - source_year
    new = {k: shift_years(source[k], shift) for k in (*(k for k, _ in DEADLINES), "survey_opens", "survey_closes")}
    new.update(year=year, name=re.sub(str(source_year), str(year), source["name"]),
               plan_reference="", survey_quota=source["survey_quota"], criteria_set_id=source["criteria_set_id"],
               **{k: source[k] for k in BANDS})

    def work(tx: Tx) -> None:
        tx.run("period_insert", **new)
        kind_sets = tx.run("period_kind_sets", year=source_year)    # the towns' own set, if any, too
        for r in kind_sets:
            tx.run("period_kind_set_put", year=year, kind=r["unit_kind"], set_id=r["set_id"])
        tx.audit(actor.username, "period.create", "period", str(year),
                 new={**new, "from": source_year, "kind_sets": {r["unit_kind"]: r["set_id"] for r in kind_sets}})

    storage.write(work)


def update(storage: Storage, actor: User, year: int, changes: dict, reason: str = "") -> None:
    """Change a period's settings; deadlines stay in order, and moving a deadline that has
    already passed needs a reason (kept in the audit log)."""
    require(actor, "period.manage")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ServiceError(f"Không sửa được mục: {', '.join(sorted(unknown))}.")
    day = today(storage)

    def work(tx: Tx) -> None:
        old = tx.one("period_get", year=year)
        if old is None:
            raise ServiceError(f"Chưa có kỳ đánh giá năm {year}.")
        new = {k: old[k] for k in EDITABLE} | changes
        problems = deadline_problems(new)
        if problems:
            raise ServiceError("Các mốc thời gian chưa hợp lệ:\n" + "\n".join(problems))
        moved_past = [label for key, label in DEADLINES
                      if new[key] != old[key] and old[key] is not None and old[key] < day]
        if moved_past and not reason.strip():
            raise ServiceError(f"Mốc «{moved_past[0]}» đã qua (hôm nay {fmt_date(day)}): cần ghi lý do để thay đổi.")
        diff = {k: (old[k], new[k]) for k in EDITABLE if old[k] != new[k]}
        if not diff:
            return
        tx.run("period_update", year=year, **new)
        tx.audit(actor.username, "period.update", "period", str(year), old={k: o for k, (o, _) in diff.items()},
                 new={k: n for k, (_, n) in diff.items()}, reason=reason.strip())

    storage.write(work)
