"""Where the campaign stands: per-unit progress and the headline figures."""

from __future__ import annotations

from cchc.core.permissions import User, require
from cchc.core.workflow import HANDED_IN, next_deadline
from cchc.db.storage import Storage
from cchc.services.common import today
from cchc.services.reference import period


def campaign(storage: Storage, actor: User, year: int, province: str | None = None,
             district: str | None = None, with_units: bool = True) -> dict:
    """Headline figures and one row per unit (of one province or district if given), for the
    dashboard and the appraisal queue; with_units=False: the figures only, counted in the
    database (for more units than a page lists)."""
    require(actor, "progress.view")
    p = period(storage, year)
    day = today(storage)
    where = dict(year=year, province=province, district=district)
    rows = storage.all("unit_progress", **where) if with_units else []
    # tallies: (state, lateness) -> units, questionnaires, targets; one unit each from the rows
    tallies = [{"units": 1, **r} for r in rows] if with_units else storage.all("progress_by_state", **where)
    handed_in = [t for t in tallies if t["state"] in HANDED_IN]
    return {
        "period": p,
        "today": day,
        "units": rows,
        "total": sum(t["units"] for t in tallies),
        "submitted": sum(t["units"] for t in handed_in),
        "late": sum(t["units"] for t in handed_in if t["is_late"]),
        "draft": sum(t["units"] for t in tallies if t["state"] == "draft"),
        "not_started": sum(t["units"] for t in tallies if t["state"] == "not_started"),
        "survey_responses": sum(t["survey_responses"] for t in tallies),
        "survey_target": sum(t["survey_target"] or 0 for t in tallies),  # each commune's own target, else the period's
        "next_deadline": next_deadline(p, day),
    }


def unit_progress(storage: Storage, actor: User, year: int, unit_code: str) -> dict | None:
    """One unit's progress; a commune officer may only ask for their own unit."""
    require(actor, "assessment.view", unit_code)
    return next((r for r in storage.all("unit_progress", year=year, province=None, district=None)
                 if r["unit_code"] == unit_code), None)
