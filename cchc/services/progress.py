"""Where the campaign stands: per-unit progress and the headline figures."""

from __future__ import annotations

from cchc.core.permissions import User, require
from cchc.core.workflow import HANDED_IN, next_deadline
from cchc.db.storage import Storage
from cchc.services.common import today
from cchc.services.reference import period


def campaign(storage: Storage, actor: User, year: int, province: str | None = None,
             district: str | None = None) -> dict:
    """Headline figures and one row per unit (of one province or district if given), for the
    dashboard and the appraisal queue."""
    require(actor, "progress.view")
    p = period(storage, year)
    day = today(storage)
    rows = storage.all("unit_progress", year=year, province=province, district=district)
    handed_in = [r for r in rows if r["state"] in HANDED_IN]
    return {
        "period": p,
        "today": day,
        "units": rows,
        "total": len(rows),
        "submitted": len(handed_in),
        "late": sum(1 for r in handed_in if r["is_late"]),
        "draft": sum(1 for r in rows if r["state"] == "draft"),
        "not_started": sum(1 for r in rows if r["state"] == "not_started"),
        "survey_responses": sum(r["survey_responses"] for r in rows),
        "survey_target": sum(r["survey_target"] or 0 for r in rows),     # each commune's own target, else the period's
        "next_deadline": next_deadline(p, day),
    }


def unit_progress(storage: Storage, actor: User, year: int, unit_code: str) -> dict | None:
    """One unit's progress; a commune officer may only ask for their own unit."""
    require(actor, "assessment.view", unit_code)
    return next((r for r in storage.all("unit_progress", year=year, province=None, district=None)
                 if r["unit_code"] == unit_code), None)
