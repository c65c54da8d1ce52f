"""The index, ranks and classes (computed on read by the views of cchc/db/sql/views/), shaped for the
dashboard, the scorecard, the reports and the command line."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from cchc.core.criteria import Criterion
from cchc.core.permissions import User, require
from cchc.db.storage import Storage
from cchc.services.common import ServiceError
from cchc.services.reference import criteria_set, period, period_criteria

CLASSES = ("Tốt", "Khá", "Trung bình", "Yếu")
SIPAS = {1: "Tiếp cận dịch vụ", 2: "Thủ tục hành chính", 3: "Công chức giải quyết công việc",
         4: "Kết quả giải quyết công việc", 5: "Tiếp nhận, xử lý góp ý, phản ánh"}


@dataclass
class Results:
    year: int
    period: dict
    rows: list[dict]                                   # unit_result rows, best first
    fields: list[tuple[str, str]]                      # (field code, title) of the scored fields
    by_field: dict[str, dict[str, dict]] = field(default_factory=dict)   # unit -> field -> row
    field_average: dict[str, dict] = field(default_factory=dict)        # field -> average row

    @property
    def provisional(self) -> bool:
        """True while any unit's figures are not final (appraisal not finished)."""
        return any(not r["is_final"] for r in self.rows)

    @property
    def ranked(self) -> list[dict]:
        """The units with an index (and a rank), best first: a unit with no scores has none."""
        return [r for r in self.rows if r["index"] is not None]

    @property
    def unranked(self) -> list[dict]:
        """The units without data yet (no scored leaf): not ranked, left out of every average."""
        return [r for r in self.rows if r["index"] is None]


def places(storage: Storage, actor: User, year: int) -> list[dict]:
    """Provinces and districts with units in the period (the dashboard's filters)."""
    require(actor, "results.view")
    return storage.all("result_places", year=year)


def _field_titles(storage: Storage, year: int) -> list[tuple[str, str]]:
    cs = period_criteria(storage, None, year)
    if cs is None:
        return []
    return [(f.code, f.title) for f in cs.fields()
            if any(leaf.source not in ("bonus", "penalty") for leaf in (cs.leaves(f.code) or [f]))]


def results(storage: Storage, actor: User, year: int, province: str | None = None,
            district: str | None = None, with_fields: bool = True) -> Results:
    """Every unit's index, rank and class for a period, optionally for one province or district."""
    require(actor, "results.view")
    p = period(storage, year)
    where = dict(year=year, province=province, district=district)
    query = "results_of_period" if with_fields else "results_of_period_brief"
    out = Results(year, p, storage.all(query, **where), _field_titles(storage, year))
    if with_fields:                     # each unit row carries its fields (one pass over the scores)
        sums: dict[str, list] = {}
        for row in out.rows:
            mine = out.by_field.setdefault(row["unit_code"], {})
            # the view gives each field's code as a number (a cheaper list): back to its code
            row["fields"] = [{"field_code": str(f["field"]), "points": f["points"], "applicable_max": f["applicable_max"],
                              "sub_index": f["sub_index"]} for f in row["fields"] or ()]
            for f in row["fields"]:
                code = f["field_code"]
                mine[code] = f
                acc = sums.setdefault(code, [0.0, 0.0, 0])
                if f["sub_index"] is not None:          # as SQL's avg: units without data are left out
                    acc[0] += f["sub_index"]
                    acc[1] += f["points"]
                    acc[2] += 1
        out.field_average = {code: {"field_code": code, "sub_index": round(a[0] / a[2], 2) if a[2] else None,
                                    "points": round(a[1] / a[2], 2) if a[2] else None, "units": a[2]}
                             for code, a in sums.items()}
    return out


def by_place(storage: Storage, actor: User, year: int, province: str | None = None) -> list[dict]:
    """The results added up per province (none given) or per district of one province: units,
    handed in, final, ranked (with an index), the mean index over the ranked units (None without
    any) and the units of each class, best mean first (places of equal means in the order of their
    best unit's rank; places without an index last). For more units than a page lists."""
    require(actor, "results.view")
    period(storage, year)
    places = [{"code": r["place_code"], "name": r["place_name"], "units": r["units"], "handed_in": r["handed_in"],
               "final": r["final"], "ranked": r["ranked"],
               "index": round(r["index_sum"] / r["ranked"], 2) if r["ranked"] else None,
               "classes": dict(zip(CLASSES, (r["good"], r["fair"], r["average"], r["weak"]))),
               "first": (r["first_in_ranking"]["rank"] or 0, r["first_in_ranking"]["code"])}
              for r in storage.all("results_by_place", year=year, province=province)]
    return sorted(places, key=lambda g: (g["index"] is None, -(g["index"] or 0), g["first"]))


def element_shares(storage: Storage, actor: User, year: int, province: str | None = None,
                   district: str | None = None) -> list[dict]:
    """Satisfaction (%) per SIPAS element over the chosen units."""
    require(actor, "results.view")
    rows = storage.all("element_shares", year=year, province=province, district=district)
    return [r | {"label": SIPAS.get(r["element"], f"Yếu tố {r['element']}")} for r in rows]


@dataclass
class Scorecard:
    year: int
    row: dict                                  # the unit's unit_result row
    fields: list[dict]                         # code, title, points, max, sub_index, average
    shortcomings: list[dict]                   # leaves that lost most points
    strengths: list[dict]                      # leaves with full points, largest first
    previous: dict | None                      # the same unit the year before (with its units_ranked), if any
    units_ranked: int                          # units of the period with an index (rank r of units_ranked)
    scored: int = 0                            # self-assessed leaves done: scored, or marked "không áp dụng"
    scorable: int = 0                          # self-assessed leaves of the unit's set


def scorecard(storage: Storage, actor: User, year: int, unit_code: str, top: int = 5) -> Scorecard:
    """One unit's index, rank, class, fields against the district average, where it lost most
    points and where it scored full marks, and the year before. A commune sees only its own."""
    require(actor, "scorecard.view", unit_code)
    period(storage, year)
    district = storage.all("results_beside_unit", year=year, unit_code=unit_code)   # the view read once
    row = next((r for r in district if r["unit_code"] == unit_code), None)
    if row is None:
        raise ServiceError(f"Đơn vị mã «{unit_code}» không có trong kỳ đánh giá năm {year}.")
    ranked = row.pop("units_ranked")
    cs = criteria_set(storage, row["set_id"])
    titles = {n.code: n for n in cs.nodes}
    # the district's average of each field, over the units with data in it (as field_averages)
    sums: dict[str, list] = {}
    for r in district:
        for f in r["fields"] or ():
            if f["sub_index"] is not None:
                acc = sums.setdefault(str(f["field"]), [0.0, 0])
                acc[0] += f["sub_index"]
                acc[1] += 1
    mine = {str(f["field"]): f for f in row["fields"] or ()}
    fields = [{"code": code, "title": titles[code].title, "points": mine[code]["points"],
               "max": mine[code]["applicable_max"], "sub_index": mine[code]["sub_index"],
               "average": round(sums[code][0] / sums[code][1], 2) if code in sums else None}
              for code in sorted(mine, key=int)]
    leaves, done, total = [], 0, 0
    for r in storage.all("leaf_results_of_unit", year=year, unit_code=unit_code):
        if r["source"] == "self_assessed":      # as the progress counts: scored or "không áp dụng"
            total += 1
            done += r["self_points"] is not None or r["not_applicable"] or r["appraised_points"] is not None
        if not r["counts_in_max"]:
            continue
        node: Criterion = titles[r["code"]]
        points = Decimal(str(r["points"] or 0)).quantize(Decimal("0.01"))
        leaves.append({"code": r["code"], "title": node.title, "source": r["source"], "max": r["max_points"],
                       "points": points, "lost": Decimal(r["max_points"]) - points, "scored": r["points"] is not None})
    # a leaf not scored yet has lost nothing: it has no figure (no data is no data)
    shortcomings = sorted((x for x in leaves if x["scored"] and x["lost"] > 0),
                          key=lambda x: (-x["lost"], [int(p) for p in x["code"].split(".")]))[:top]
    strengths = sorted((x for x in leaves if x["lost"] <= 0 and x["max"] > 0),
                       key=lambda x: (-Decimal(x["max"]), [int(p) for p in x["code"].split(".")]))[:top]
    previous = None
    if storage.one("period_get", year=year - 1):
        previous = storage.one("result_of_unit", year=year - 1, unit_code=unit_code)
    return Scorecard(year, row, fields, shortcomings, strengths, previous, ranked, done, total)


def approved(storage: Storage, actor: User, year: int) -> tuple[Results, dict] | None:
    """The figures as the latest approval froze them (its snapshot), with the approval row; None
    before any approval. Later score changes do not reach these figures."""
    import json

    require(actor, "results.view")
    row = storage.one("approval_latest", year=year)
    if row is None:
        return None
    data = json.loads(row["snapshot"])
    out = Results(year, period(storage, year), [r | {"is_final": True} for r in data["rows"]],
                  [tuple(f) for f in data["fields"]], data["by_field"])
    sums: dict[str, list] = {}
    for fields in out.by_field.values():
        for code, v in fields.items():
            if v.get("sub_index") is not None:
                acc = sums.setdefault(code, [0.0, 0])
                acc[0] += float(v["sub_index"])
                acc[1] += 1
    out.field_average = {code: {"field_code": code, "sub_index": round(a[0] / a[1], 2)} for code, a in sums.items()}
    return out, row
