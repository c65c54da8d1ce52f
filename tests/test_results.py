"""The index, rank and class against a case computed by hand (to the hundredth), the scorecard,
and who may see what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from cchc.core import assessment as rules
from cchc.core import criteria
from cchc.core.permissions import PermissionDenied, User
from cchc.services import ServiceError, reference, results
from cchc.services import assessment as svc

ADMIN = User("quantri", "Quản trị", "admin")
YEAR = 2022
U1, U2, U3, U4, U5 = "18139", "18142", "18145", "18148", "18157"
SMALL_SET = """
set: {code: TEST-NHO, name: Bộ tiêu chí nhỏ để tính tay, year: 2022, total: 20, bonus_cap: 1.5}
defaults: {step: 0.5, office: NV}
nodes:
  - {code: "1", title: Chỉ đạo điều hành, max: 10}
  - {code: "1.1", title: Kế hoạch, max: 4, guidance: g, evidence: e}
  - {code: "1.2", title: Kiểm tra, max: 3, guidance: g, evidence: e, na_allowed: true}
  - {code: "1.3", title: Tuyên truyền, max: 3, guidance: g, evidence: e}
  - {code: "2", title: Hài lòng của người dân, max: 10, source: citizen_survey, step: 0.01}
  - {code: "2.1", title: Tiếp cận, max: 2, guidance: g, evidence: e}
  - {code: "2.2", title: Thủ tục, max: 2, guidance: g, evidence: e}
  - {code: "2.3", title: Công chức, max: 2, guidance: g, evidence: e}
  - {code: "2.4", title: Kết quả, max: 2, guidance: g, evidence: e}
  - {code: "2.5", title: Góp ý, max: 2, guidance: g, evidence: e}
  - {code: "3", title: Điểm thưởng, max: 2, source: bonus}
  - {code: "3.1", title: Sáng kiến, max: 1, guidance: g, evidence: e}
  - {code: "3.2", title: Mô hình, max: 1, guidance: g, evidence: e}
  - {code: "4", title: Điểm trừ, max: 2, source: penalty}
  - {code: "4.1", title: Sai phạm, max: 2, guidance: g, evidence: e}
"""


def score(storage, unit, **points):
    changes = {code.replace("_", "."): rules.LeafScore(None, True) if p == "na" else rules.LeafScore(Decimal(str(p)), False, "", "x")
               for code, p in points.items()}
    svc.apply_scores(storage, ADMIN, YEAR, unit, changes)


def appraise(storage, unit, **points):
    def work(tx):
        for code, p in points.items():
            tx.run("score_set_appraised", year=YEAR, unit_code=unit, code=code.replace("_", "."), points=Decimal(str(p)),
                   updated_at=dt.datetime(2022, 11, 20, 9), updated_by="hoidong")
    storage.write(work)


def answers(storage, unit, total, satisfied):
    """`total` questionnaires, each rating all five elements; `satisfied` of them say 4 or 5."""
    def work(tx):
        for i in range(total):
            rid = tx.one("survey_response_insert", year=YEAR, unit_code=unit, channel="web",
                         submitted_at=dt.datetime(2022, 10, 20, 9))["id"]
            for element in range(1, 6):
                tx.run("survey_answer_insert", response_id=rid, element=element, value=5 if i < satisfied else 2)
    storage.write(work)


def set_state(storage, unit, state):
    storage.write(lambda tx: tx.run("assessment_set_state", year=YEAR, unit_code=unit, state=state,
                                    submitted_at=dt.datetime(2022, 11, 8), is_late=False,
                                    updated_at=dt.datetime(2022, 11, 24)))


@pytest.fixture
def case(storage, on_day):
    reference.import_criteria_set(storage, ADMIN, criteria.load_yaml_text(SMALL_SET, ["NV"]), YEAR)
    # U1: appraised 3.5 + 3 + 3; survey 8 of 10 satisfied; bonus 1 + 1 capped at 1.5; final.
    score(storage, U1, **{"1_1": 4, "1_2": 3, "1_3": 3})
    appraise(storage, U1, **{"1_1": 3.5, "1_2": 3, "1_3": 3, "3_1": 1, "3_2": 1})
    answers(storage, U1, 10, 8)
    set_state(storage, U1, "final")
    # U2: 1.2 not applicable (max 17), 4 + 2.5 self-assessed only; survey 2 of 3 satisfied.
    score(storage, U2, **{"1_1": 4, "1_2": "na", "1_3": 2.5})
    answers(storage, U2, 3, 2)
    # U3: 6 points, no survey (survey leaves left out of its maximum), penalty 1.
    score(storage, U3, **{"1_1": 2, "1_2": 2, "1_3": 2})
    appraise(storage, U3, **{"4_1": 1})
    # U4: 5 points, no survey: ties with U3 at 50.00.
    score(storage, U4, **{"1_1": 3, "1_2": 1.5, "1_3": 0.5})
    # U5: 6.5 points, no survey.
    score(storage, U5, **{"1_1": 3, "1_2": 2, "1_3": 1.5})
    return storage


def test_the_index_rank_and_class_match_the_hand_computed_case(case):
    r = results.results(case, ADMIN, YEAR)
    by = {row["unit_code"]: row for row in r.rows}
    # U1: (9.5 + 10 × 0.8 + min(2, 1.5) − 0) / 20 = 19 / 20
    assert (by[U1]["self_points"], by[U1]["appraised_points"], by[U1]["survey_points"]) == (10, Decimal("9.5"), 8)
    assert (by[U1]["bonus"], by[U1]["total_points"], by[U1]["applicable_max"]) == (Decimal("1.5"), Decimal("19"), 20)
    assert by[U1]["index"] == pytest.approx(95.00) and by[U1]["class"] == "Tốt" and by[U1]["is_final"]
    # U2: (6.5 + 10 × 2/3) / (7 + 10) = 13.1667 / 17 = 77.45 %
    assert by[U2]["appraised_points"] is None and by[U2]["applicable_max"] == 17
    assert by[U2]["survey_points"] == pytest.approx(6.67) and by[U2]["index"] == pytest.approx(77.45)
    assert by[U2]["class"] == "Khá" and not by[U2]["is_final"]
    # U5: 6.5 / 10; U3: (6 − 1) / 10; U4: 5 / 10 — a tie at 50.00
    assert (by[U5]["index"], by[U5]["class"]) == (pytest.approx(65.00), "Trung bình")
    assert (by[U3]["penalty"], by[U3]["index"], by[U3]["class"]) == (1, pytest.approx(50.00), "Yếu")
    assert by[U4]["index"] == pytest.approx(50.00)
    assert [by[u]["rank"] for u in (U1, U2, U5, U3, U4)] == [1, 2, 3, 4, 4]
    others = [row for row in r.rows if row["unit_code"] not in (U1, U2, U3, U4, U5)]
    assert len(others) == 20 and r.unranked == others           # no scores: no index, not ranked, listed last
    assert {(row["index"], row["rank"], row["class"]) for row in others} == {(None, None, None)}
    assert [row["unit_code"] for row in r.ranked] == [U1, U2, U5, U3, U4]
    assert r.provisional                                        # only U1 is final


def test_no_data_is_no_data_not_the_worst_result(case):
    """A unit with no scored leaf has no index, rank or class, even with survey answers; a field
    with nothing scored in it and no answers has no sub-index; averages are over units with data,
    and the ranks of the others do not count the units without data."""
    U6, U7 = "18160", "18163"
    answers(case, U6, 4, 4)                                     # survey answers only: still no index
    score(case, U7, **{"1_2": "na"})                            # only "không áp dụng": nothing scored
    r = results.results(case, ADMIN, YEAR)
    by = {row["unit_code"]: row for row in r.rows}
    for unit in (U6, U7):
        assert (by[unit]["index"], by[unit]["rank"], by[unit]["class"]) == (None, None, None), unit
    assert by[U6]["survey_points"] == 10                        # the answers are kept, not ranked
    assert r.by_field[U6]["1"]["sub_index"] is None and r.by_field[U6]["1"]["points"] is None
    assert r.by_field[U6]["2"]["sub_index"] == 100              # the survey field has data
    assert r.by_field[U7]["1"]["sub_index"] is None
    # field 1: U1 95, U2 92.86, U3 60, U4 50, U5 65 — the 20 units without data are left out
    assert r.field_average["1"]["sub_index"] == pytest.approx(round((95 + 92.86 + 60 + 50 + 65) / 5, 2))
    assert r.field_average["1"]["units"] == 5
    averages = {a["field_code"]: a for a in case.all("field_averages", year=YEAR, province=None, district=None)}
    assert averages["1"]["sub_index"] == r.field_average["1"]["sub_index"] and averages["1"]["units"] == 5
    sc = results.scorecard(case, ADMIN, YEAR, U6)
    assert (sc.row["index"], sc.row["rank"], sc.units_ranked) == (None, None, 5)
    assert sc.shortcomings == []                                # nothing scored has lost nothing
    assert results.scorecard(case, ADMIN, YEAR, U4).row["rank"] == 4     # tied with U3, of 5 ranked


def test_field_sub_indices_and_averages(case):
    r = results.results(case, ADMIN, YEAR)
    assert r.fields == [("1", "Chỉ đạo điều hành"), ("2", "Hài lòng của người dân")]
    u2 = r.by_field[U2]
    assert u2["1"]["sub_index"] == pytest.approx(92.86) and u2["2"]["sub_index"] == pytest.approx(66.67)
    assert "3" not in u2 and "4" not in u2                      # bonus and penalty have no sub-index
    assert "2" not in r.by_field[U3] or r.by_field[U3]["2"]["applicable_max"] == 0


def test_bands_are_set_per_period(case):
    case.write(lambda tx: tx.run("period_set_bands", year=YEAR, good=90, fair=75, average=50))
    by = {row["unit_code"]: row for row in results.results(case, ADMIN, YEAR).rows}
    assert [by[u]["class"] for u in (U1, U2, U5, U3)] == ["Tốt", "Khá", "Trung bình", "Trung bình"]


def test_the_scorecard_names_shortcomings_strengths_and_the_district_average(case):
    sc = results.scorecard(case, ADMIN, YEAR, U5)
    assert (sc.row["rank"], sc.units_ranked) == (3, 5)          # of the 5 units with an index
    assert [(f["code"], f["sub_index"]) for f in sc.fields] == [("1", pytest.approx(65.0)), ("2", None)]  # no survey yet
    assert [(x["code"], x["lost"]) for x in sc.shortcomings] == [("1.3", Decimal("1.5")), ("1.1", 1), ("1.2", 1)]
    assert sc.strengths == [] and sc.previous is None
    u1 = results.scorecard(case, ADMIN, YEAR, U1)
    assert [x["code"] for x in u1.strengths][:2] == ["1.2", "1.3"]


def test_a_commune_sees_only_its_own_scorecard_and_no_ranking(case):
    officer = User("sonhong", "Sơn Hồng", "commune", unit_code=U1)
    assert results.scorecard(case, officer, YEAR, U1).row["unit_code"] == U1
    with pytest.raises(PermissionDenied):
        results.scorecard(case, officer, YEAR, U2)
    with pytest.raises(PermissionDenied):
        results.results(case, officer, YEAR)
    with pytest.raises(ServiceError, match="không có trong kỳ"):
        results.scorecard(case, ADMIN, YEAR, "99999")


# ------------------------------------------------------------------ reports and the command line

import io  # noqa: E402

from openpyxl import load_workbook  # noqa: E402

from cchc.files import results_workbook as reports  # noqa: E402


def test_the_results_report_reads_back_with_the_figures_and_the_print_setup(case):
    res = results.results(case, ADMIN, YEAR)
    wb = load_workbook(io.BytesIO(reports.results_workbook(res, "UBND huyện Hương Sơn", "Hương Sơn")))
    ws = wb["Kết quả"]
    header = int(ws.freeze_panes[1:]) - 1
    assert [c.value for c in ws[header]] == ["STT", "Đơn vị", "Điểm tự đánh giá", "Điểm thẩm định",
                                             "Điểm khảo sát, điều tra", "Tổng điểm", "Chỉ số (%)", "Xếp hạng", "Xếp loại"]
    first = [c.value for c in ws[header + 1]]
    assert first == [1, "Xã Sơn Hồng", 10, 9.5, 8, 19, 95, 1, "Tốt"]
    assert ws.cell(1, 1).value == "UBND HUYỆN HƯƠNG SƠN" and ws.cell(1, 1).font.name == "Times New Roman"
    assert any("TẠM TÍNH" in str(ws.cell(r, 1).value) for r in range(1, header))
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows == f"${header}:${header}"
    assert ws.max_row == header + 25
    sub = wb["Chỉ số thành phần"]
    row_u2 = next(r for r in sub.iter_rows(values_only=True) if r[1] == "Xã Sơn Tiến")
    assert row_u2[2:5] == (pytest.approx(92.86), pytest.approx(66.67), pytest.approx(77.45))


def test_the_scorecard_report_reads_back(case):
    wb = load_workbook(io.BytesIO(reports.scorecard_workbook(results.scorecard(case, ADMIN, YEAR, U5))))
    ws = wb["Phiếu điểm"]
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    assert ["PHIẾU ĐIỂM" in str(r[0]) for r in values].count(True) == 1
    assert [None, "Chỉ số CCHC (%)", 65] in [list(r[:3]) for r in values]
    assert ("1.3", "Tuyên truyền", 1.5, 3, "mất 1.5") in [tuple(r[:5]) for r in values]


def test_the_report_of_an_approved_period_keeps_the_approved_figures(storage, on_day):
    from cchc.services import approval

    from .test_appraisal import finalised
    from .test_assessment import LEADER
    for row in storage.all("assessment_states_of_period", year=YEAR):
        finalised(storage, on_day, row["unit_code"])
    approval.compile_results(storage, ADMIN, YEAR)
    approval.approve(storage, LEADER, YEAR, "99/QĐ-UBND", dt.date(2022, 11, 24))
    frozen, row = results.approved(storage, ADMIN, YEAR)
    assert row["decision_number"] == "99/QĐ-UBND" and not frozen.provisional
    before = {r["unit_code"]: r["index"] for r in frozen.rows}
    storage.write(lambda tx: tx.cur.execute("UPDATE score SET appraised_points = 0 WHERE unit_code = ?", [U1]))
    assert {r["unit_code"]: r["index"] for r in results.approved(storage, ADMIN, YEAR)[0].rows} == before
    assert {r["unit_code"]: r["index"] for r in results.results(storage, ADMIN, YEAR).rows} != before
    wb = load_workbook(io.BytesIO(reports.results_workbook(frozen, "UBND huyện Hương Sơn", "Hương Sơn",
                                                           "Quyết định số 99/QĐ-UBND ngày 24/11/2022")))
    ws = wb["Kết quả"]
    assert any("Kèm theo Quyết định số 99/QĐ-UBND" in str(ws.cell(r, 1).value) for r in range(1, 9))
    assert not any("TẠM TÍNH" in str(ws.cell(r, 1).value) for r in range(1, 9))
    assert wb["Chỉ số thành phần"].max_row > 25


def test_the_results_follow_every_write_at_once_even_one_past_the_named_queries(case):
    """The results are computed on read (cchc/db/sql/views/): a score saved through the service,
    two units changed in one transaction, or a hand edit straight in SQL all show at the next read."""
    score(case, U4, **{"1_1": 4})
    assert {r["unit_code"]: r["index"] for r in results.results(case, ADMIN, YEAR).rows}[U4] == 60.0   # (4 + 1.5 + 0.5) / 10

    def two_units(tx):
        for unit in (U4, U5):
            tx.run("score_set_appraised", year=YEAR, unit_code=unit, code="1.3", points=Decimal("0"),
                   updated_at=dt.datetime(2022, 11, 20, 9), updated_by="hoidong")
    case.write(two_units)
    idx = {r["unit_code"]: r["index"] for r in results.results(case, ADMIN, YEAR).rows}
    assert (idx[U4], idx[U5]) == (55.0, 50.0)                     # (4 + 1.5 + 0) / 10, (3 + 2 + 0) / 10
    case.write(lambda tx: tx.cur.execute("UPDATE score SET appraised_points = 3 WHERE unit_code = ? "
                                         "AND criterion_code = '1.3'", [U5]))
    assert case.one("result_of_unit", year=YEAR, unit_code=U5)["index"] == 80.0
    assert results.results(case, ADMIN, YEAR).rows[0]["unit_code"] == U1


# ------------------------------------------------------------------ today's figures on the demo

BEFORE = Path(__file__).parent / "data" / "demo_results_before.json"


def _plain(value):
    """JSON-like values, numbers to the hundredth (as the pages and reports show them)."""
    if isinstance(value, (Decimal, float)):
        return round(float(value), 2)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _demo_figures(db, year: int) -> dict:
    """What tests/data/demo_results_before.json holds for a period: the results with their field
    sub-indices and averages, the field results, the satisfaction per element, every unit's
    scorecard and leaves (the file was written by the code that kept the results on write)."""
    def without(row):
        return {k: v for k, v in row.items() if k != "fields"}

    r = results.results(db, ADMIN, year)
    cards = {}
    for row in r.rows:
        sc = results.scorecard(db, ADMIN, year, row["unit_code"])
        cards[row["unit_code"]] = {"row": without(sc.row), "fields": sc.fields, "shortcomings": sc.shortcomings,
                                   "strengths": sc.strengths, "units_ranked": sc.units_ranked,
                                   "previous": None if sc.previous is None else without(sc.previous)}
    leaves = {row["unit_code"]: {leaf["code"]: [leaf["points"], leaf["counts_in_max"]]
                                 for leaf in db.all("leaf_results_of_unit", year=year, unit_code=row["unit_code"])}
              for row in r.rows}
    return _plain({"rows": [without(row) for row in r.rows], "fields": r.fields, "by_field": r.by_field,
                   "field_average": r.field_average,
                   "field_results": db.all("field_results_of_period", year=year, province=None, district=None),
                   "field_averages": db.all("field_averages", year=year, province=None, district=None),
                   "element_shares": results.element_shares(db, ADMIN, year),
                   "scorecards": cards, "leaves": leaves})


def test_the_views_give_the_demo_the_figures_it_had_before_they_were_computed_on_read(demo_file, tmp_path):
    """The demo's figures are those of tests/data/demo_results_before.json (written by the code
    that kept the results on write), but for the no-data rule (_same_but_no_data)."""
    import json
    import shutil

    from cchc.db.storage import Storage

    before = _plain(json.loads(BEFORE.read_text(encoding="utf-8")))
    db = Storage(shutil.copy(demo_file, tmp_path / "demo.duckdb"))
    try:
        years = [p["year"] for p in reference.periods(db)]
        assert sorted(before) == [str(y) for y in years]
        for year in years:
            now = _demo_figures(db, year)
            assert now.keys() == before[str(year)].keys()
            _same_but_no_data(now, before[str(year)])
    finally:
        db.close()


NO_FIGURE = ("index", "rank", "class")


def _same_but_no_data(now: dict, before: dict) -> None:
    """The figures of the file, except where the no-data rule of issue 14 applies (the file was
    written before it, when no data read as 0): a unit with no scored leaf (the demo's communes
    that have not started) has no index, rank or class and is listed after the ranked ones; a
    field with nothing in it has no points and no sub-index where the file has 0; averages are
    over the units with data; a leaf not scored yet is no shortcoming. Every other figure, and
    every figure of every unit with an index, is the file's to the hundredth."""
    for part in ("fields", "element_shares", "leaves"):
        assert now[part] == before[part], part
    was = {r["unit_code"]: r for r in before["rows"]}
    ranked = [r for r in now["rows"] if r["index"] is not None]
    assert ranked == before["rows"][:len(ranked)]                  # the ranked units: the file's rows, in order
    for row in now["rows"][len(ranked):]:                          # the others: the file's 0 (or a survey-only index)
        old = was[row["unit_code"]]
        assert row["state"] == "not_started" and old["self_points"] == 0 and old["class"] == "Yếu", row["unit_code"]
        assert {k: v for k, v in row.items() if k not in NO_FIGURE} == {k: v for k, v in old.items() if k not in NO_FIGURE}
        assert (row["index"], row["rank"], row["class"]) == (None, None, None)
    assert len(now["rows"]) == len(before["rows"])

    def fields_match(new: dict, old: dict, where) -> bool:
        if new["sub_index"] is None and old["sub_index"] not in (None, 0):
            raise AssertionError((where, "a field with data lost its sub-index", old))
        if new["sub_index"] is None:                               # no data: the file's 0 is now no figure
            return new["points"] is None and old["points"] == 0 and new.get("applicable_max") == old.get("applicable_max")
        return new == old

    for unit, fields in now["by_field"].items():
        assert fields.keys() == before["by_field"][unit].keys()
        for code, f in fields.items():
            assert fields_match(f, before["by_field"][unit][code], (unit, code))
    old_rows = {(r["unit_code"], r["field_code"]): r for r in before["field_results"]}
    assert len(now["field_results"]) == len(old_rows)
    for r in now["field_results"]:
        assert fields_match(r, old_rows[(r["unit_code"], r["field_code"])], r["unit_code"])
    # averages over the units with data, recomputed from the file's own figures
    with_data: dict[str, list] = {}
    for unit, fields in now["by_field"].items():
        for code, f in fields.items():
            if f["sub_index"] is not None:
                with_data.setdefault(code, []).append(before["by_field"][unit][code])
    for code, average in now["field_average"].items():
        rows = with_data.get(code, [])
        assert average == {"field_code": code, "units": len(rows),
                           "sub_index": round(sum(r["sub_index"] for r in rows) / len(rows), 2),
                           "points": round(sum(r["points"] for r in rows) / len(rows), 2)}, code
    assert [{k: a[k] for k in ("field_code", "sub_index", "units")} for a in now["field_averages"]] == [
        {k: now["field_average"][a["field_code"]][k] for k in ("field_code", "sub_index", "units")}
        for a in before["field_averages"]]
    for unit, card in now["scorecards"].items():
        old = before["scorecards"][unit]
        assert card["units_ranked"] == len(ranked) and card["strengths"] == old["strengths"]
        assert card["previous"] == old["previous"]
        assert card["row"] == next(r for r in now["rows"] if r["unit_code"] == unit)
        averages = {code: a["sub_index"] for code, a in now["field_average"].items()}
        for f, g in zip(card["fields"], old["fields"], strict=True):
            assert f["average"] == averages.get(f["code"])
            assert fields_match({"points": f["points"], "sub_index": f["sub_index"]},
                                {"points": g["points"], "sub_index": g["sub_index"]}, (unit, f["code"]))
        scored = [x for x in old["shortcomings"] if x["scored"]]       # the file's, without the unscored leaves
        assert all(x["scored"] for x in card["shortcomings"]) and card["shortcomings"][:len(scored)] == scored, unit
        assert len(card["shortcomings"]) <= 5


def test_the_results_added_up_per_place_are_the_units_rows_added_up(case):
    """The dashboard beyond a district's units reads results.by_place and the campaign's figures
    without unit rows: they must be what the unit rows add up to."""
    from cchc.services import progress

    rows = results.results(case, ADMIN, YEAR).rows
    province = rows[0]["province_code"]
    for place, key in ((None, "province_code"), (province, "district_code")):
        [g] = results.by_place(case, ADMIN, YEAR, place)
        assert (g["code"], g["units"]) == (rows[0][key], len(rows))
        assert g["handed_in"] == sum(r["state"] not in ("not_started", "draft") for r in rows)
        assert g["final"] == sum(bool(r["is_final"]) for r in rows) == 1
        ranked = [float(r["index"]) for r in rows if r["index"] is not None]     # units with data only
        assert g["ranked"] == len(ranked) == 5 and g["index"] == round(sum(ranked) / len(ranked), 2)
        assert g["classes"] == {c: sum(r["class"] == c for r in rows) for c in results.CLASSES}
        assert g["first"] == (1, U1)
    full, brief = progress.campaign(case, ADMIN, YEAR), progress.campaign(case, ADMIN, YEAR, with_units=False)
    assert brief["units"] == [] and len(full["units"]) == 25
    assert {k: v for k, v in brief.items() if k != "units"} == {k: v for k, v in full.items() if k != "units"}
