"""Criteria set versions: moving a period's scores to a new version (previewed, explicit,
audited), separate sets for xã and thị trấn in one period, and caps on bonus and penalty."""

from __future__ import annotations

import copy
from dataclasses import replace
from decimal import Decimal

import pytest
import yaml

from cchc.core import assessment as rules
from cchc.core import criteria
from cchc.core.criteria import Criterion
from cchc.core.permissions import PermissionDenied, User
from cchc.core.version_move import plan_move
from cchc.files import criteria_workbook as criteria_excel
from cchc.services import ServiceError, reference
from cchc.services import assessment as svc

from .conftest import TEMPLATE
from .test_assessment import ADMIN, OFFICER, OWN, YEAR, fill_all

DATA = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
OFFICES = ["NV", "TP", "VP", "TCKH", "VHTT"]
TOWNS = ("18133", "18136")           # Thị trấn Phố Châu, Thị trấn Tây Sơn


def variant(**set_changes):
    """The template as data with header changes and a callback on the nodes."""
    data = copy.deepcopy(DATA)
    nodes = set_changes.pop("nodes", None)
    data["set"].update(set_changes)
    if nodes:
        nodes(data["nodes"])
    return criteria.parse_set(data, OFFICES)


def node(nodes, code):
    return next(n for n in nodes if str(n["code"]) == code)


def leaf(code, max_points="1", step="0.5", na=False, title=None):
    return Criterion(code=code, title=title or f"Tiêu chí {code}", max_points=Decimal(max_points), parent_code=None,
                     depth=code.count(".") + 1, position=0, is_leaf=True, step=Decimal(step), na_allowed=na)


# ------------------------------------------------------------------ the pure plan


def test_the_plan_matches_leaves_by_code_and_says_why_a_score_is_set_aside():
    old = criteria.CriteriaSet("A", "A", 2022, 1, False, "", "all", Decimal(3),
                               (leaf("1.1"), leaf("1.2"), leaf("1.3", na=True)))
    new = criteria.CriteriaSet("A", "A", 2022, 2, False, "", "all", Decimal(3),
                               (leaf("1.1", step="1"), leaf("1.3"), leaf("1.4")))
    scores = {"X": {"1.1": rules.LeafScore(Decimal("0.5")), "1.2": rules.LeafScore(Decimal(1)),
                    "1.3": rules.LeafScore(None, True)},
              "Y": {"1.1": rules.LeafScore(Decimal(1), note="giữ")}}
    plan = plan_move(old, new, scores)
    assert plan.matched == ["1.1", "1.3"]
    assert [n.code for n in plan.dropped] == ["1.2"] and [n.code for n in plan.added] == ["1.4"]
    assert [n.code for _, n in plan.changed] == ["1.1", "1.3"]
    assert plan.carried == {"Y": {"1.1": rules.LeafScore(Decimal("1.00"), False, "giữ", "")}}
    reasons = {(a.unit_code, a.code): a.reason for a in plan.set_aside}
    assert "không theo bước 1" in reasons[("X", "1.1")]
    assert reasons[("X", "1.2")] == "Phiên bản mới không còn tiêu chí này."
    assert "không được đánh dấu «không áp dụng»" in reasons[("X", "1.3")]


# ------------------------------------------------------------------ versions against the stored scores


def test_a_period_with_a_submission_refuses_a_set_in_place_and_nothing_is_loaded(storage, on_day):
    fill_all(storage)
    svc.submit(storage, OFFICER, YEAR, OWN)
    sets_before = len(reference.criteria_sets(storage, ADMIN))
    with pytest.raises(ServiceError, match="đã có 1 đơn vị nộp tự đánh giá.*Sơn Hồng.*phiên bản mới"):
        reference.import_criteria_set(storage, ADMIN, variant(version=2), YEAR)
    assert len(reference.criteria_sets(storage, ADMIN)) == sets_before
    assert reference.period_criteria(storage, ADMIN, YEAR).version == 1


def test_moving_scores_to_a_new_version_is_previewed_explicit_and_audited(storage, on_day):
    fill_all(storage)                                              # every leaf at its max: 1.1.1 = 1
    svc.save_score(storage, OFFICER, YEAR, OWN, "1.1.2", rules.LeafScore(Decimal("0.5")))
    svc.save_score(storage, OFFICER, YEAR, OWN, "1.1.2", rules.LeafScore(Decimal(1)))
    svc.submit(storage, OFFICER, YEAR, OWN)

    def steps(nodes):                                              # 1.1.2 now scored in whole points
        node(nodes, "1.1.2")["step"] = 1
        node(nodes, "1.1.1")["title"] = "Ban hành kế hoạch CCHC năm đúng hạn (sửa lời)"
    new = variant(version=2, nodes=steps)
    set_id = reference.add_criteria_set(storage, ADMIN, new)
    assert reference.period_criteria(storage, ADMIN, YEAR).version == 1      # stored, not attached

    preview = reference.move_preview(storage, ADMIN, YEAR, set_id)
    assert len(preview.units) == 25 and [u["code"] for u in preview.submitted] == [OWN]
    assert preview.plan.set_aside == [] and preview.needs_reason            # a unit has submitted
    assert [n.code for _, n in preview.plan.changed] == ["1.1.1", "1.1.2"]
    assert preview.plan.carried_count == len(rules.scored_leaves(new))
    with pytest.raises(ServiceError, match="cần ghi lý do"):
        reference.move_to_set(storage, ADMIN, YEAR, set_id, "  ")
    assert reference.period_criteria(storage, ADMIN, YEAR).version == 1      # refused: nothing changed

    reference.move_to_set(storage, ADMIN, YEAR, set_id, "Tỉnh đính chính Phụ lục III")
    assert reference.period_criteria(storage, ADMIN, YEAR) == new
    form = svc.open_form(storage, OFFICER, YEAR, OWN)
    assert form.scores["1.1.2"].points == 1 and form.state == "submitted"
    audit = storage.all("audit_recent", limit=1)[0]
    assert audit["action"] == "criteria.move" and audit["reason"] == "Tỉnh đính chính Phụ lục III"


def test_scores_that_do_not_fit_the_new_version_are_archived_not_lost(storage, on_day):
    svc.save_score(storage, OFFICER, YEAR, OWN, "1.1.1", rules.LeafScore(Decimal("0.5"), note="đã có kế hoạch"))
    svc.save_score(storage, OFFICER, YEAR, OWN, "1.1.2", rules.LeafScore(Decimal(1)))

    def whole_points(nodes):
        node(nodes, "1.1.1")["step"] = 1
    set_id = reference.add_criteria_set(storage, ADMIN, variant(version=2, nodes=whole_points))
    preview = reference.move_preview(storage, ADMIN, YEAR, set_id)
    assert [(a.unit_code, a.code) for a in preview.plan.set_aside] == [(OWN, "1.1.1")]
    with pytest.raises(ServiceError, match="cần ghi lý do"):
        reference.move_to_set(storage, ADMIN, YEAR, set_id)
    reference.move_to_set(storage, ADMIN, YEAR, set_id, "Đổi cách chấm 1.1.1")
    scores = svc.open_form(storage, OFFICER, YEAR, OWN).scores
    assert "1.1.1" not in scores and scores["1.1.2"].points == 1
    archived = [(r["unit_code"], r["criterion_code"], r["self_points"], r["note"], r["to_set_id"])
                for r in storage.all("score_archive_of_period", year=YEAR)]
    assert archived == [(OWN, "1.1.1", Decimal("0.50"), "đã có kế hoạch", set_id)]


def test_only_admin_moves_a_period_to_another_version(storage):
    set_id = reference.add_criteria_set(storage, ADMIN, variant(version=2))
    for who in (OFFICER, User("lanhdao", "L", "leader"), User("hd", "H", "council", office_code="NV")):
        with pytest.raises(PermissionDenied):
            reference.move_preview(storage, who, YEAR, set_id)
        with pytest.raises(PermissionDenied):
            reference.move_to_set(storage, who, YEAR, set_id, "x")
        with pytest.raises(PermissionDenied):
            reference.add_criteria_set(storage, who, variant(version=3))


# ------------------------------------------------------------------ a set per unit kind


def test_towns_and_communes_can_use_separate_sets_in_one_period(storage, on_day):
    def town_set(nodes):                                   # towns: 1.1.1 worth 1.5, 1.1.2 worth 0.5
        node(nodes, "1.1.1")["max"] = 1.5
        node(nodes, "1.1.2")["max"] = 0.5
    towns = variant(code="HT-TT-2022-MAU", applies_to="thi_tran", nodes=town_set)
    reference.import_criteria_set(storage, ADMIN, towns, YEAR)
    in_use = {r["kind"]: r for r in reference.period_sets(storage, ADMIN, YEAR)}
    assert set(in_use) == {"all", "thi_tran"}
    assert in_use["thi_tran"]["units"] == 2 and in_use["all"]["units"] == 23
    town_officer = User("phochau", "Phố Châu", "commune", unit_code=TOWNS[0])
    svc.save_score(storage, town_officer, YEAR, TOWNS[0], "1.1.1", rules.LeafScore(Decimal("1.5")))
    with pytest.raises(rules.ScoreError, match="ngoài khoảng 0 đến 1"):
        svc.save_score(storage, OFFICER, YEAR, OWN, "1.1.1", rules.LeafScore(Decimal("1.5")))
    assert svc.open_form(storage, town_officer, YEAR, TOWNS[0]).criteria == towns
    assert svc.open_form(storage, OFFICER, YEAR, OWN).criteria.code == "HT-XA-2022-MAU"
    progress = {r["unit_code"]: r for r in storage.all("unit_progress", year=YEAR, province=None, district=None)}
    assert progress[TOWNS[0]]["self_points"] == Decimal("1.5")


def test_a_town_set_is_refused_once_a_town_has_submitted_but_not_because_of_a_commune(storage, on_day):
    fill_all(storage)
    svc.submit(storage, OFFICER, YEAR, OWN)                 # a xã has submitted; towns have not
    towns = variant(code="HT-TT-2022-MAU", applies_to="thi_tran")
    reference.import_criteria_set(storage, ADMIN, towns, YEAR)
    town_officer = User("phochau", "Phố Châu", "commune", unit_code=TOWNS[0])
    fill_all(storage, actor=town_officer, unit=TOWNS[0])
    svc.submit(storage, town_officer, YEAR, TOWNS[0])
    with pytest.raises(ServiceError, match="Thị trấn Phố Châu"):
        reference.import_criteria_set(storage, ADMIN, replace(towns, version=2), YEAR)


# ------------------------------------------------------------------ bonus and penalty caps


def test_bonus_and_penalty_caps_sit_outside_the_hundred():
    template = criteria.load_yaml_file(TEMPLATE, OFFICES)
    full_bonus, full_penalty = template.cap("bonus"), template.cap("penalty")
    assert full_bonus > 1 and full_penalty > 1
    capped = variant(bonus_cap=1, penalty_cap=0.5)
    assert capped.cap("bonus") == 1 and capped.cap("penalty") == Decimal("0.5")
    assert capped.total == 100 and capped.points_by_source()["bonus"] == full_bonus
    assert variant(bonus_cap=999).cap("bonus") == full_bonus           # a cap never adds points
    assert criteria_excel.parse(criteria_excel.build(capped), OFFICES) == capped
    assert criteria.load_yaml_text(criteria.to_yaml(capped), OFFICES) == capped


@pytest.mark.parametrize("change, expected", [
    ({"bonus_cap": "1,5"}, "dùng dấu phẩy"),
    ({"penalty_cap": 0}, "phải lớn hơn 0"),
])
def test_bad_caps_are_refused(change, expected):
    with pytest.raises(criteria.CriteriaError, match=expected):
        variant(**change)


def test_a_cap_without_bonus_leaves_is_refused():
    def no_bonus(nodes):
        nodes[:] = [n for n in nodes if not str(n["code"]).startswith("10")]
    with pytest.raises(criteria.CriteriaError, match="không có tiêu chí nào là điểm thưởng"):
        variant(bonus_cap=1, nodes=no_bonus)


def test_caps_are_stored_with_the_set(storage):
    capped = variant(version=2, bonus_cap=1, penalty_cap=0.5)
    set_id = reference.add_criteria_set(storage, ADMIN, capped)
    storage._memo.clear()                                  # read it back from the database
    assert reference.criteria_set(storage, set_id) == capped


def test_next_years_period_keeps_the_towns_own_set(storage):
    from cchc.services import periods
    towns = variant(code="HT-TT-2022-MAU", applies_to="thi_tran")
    town_set = reference.import_criteria_set(storage, ADMIN, towns, YEAR)
    periods.create_from(storage, ADMIN, 2023, YEAR)
    assert {r["kind"]: r["set_id"] for r in reference.period_sets(storage, ADMIN, 2023)}["thi_tran"] == town_set
    assert reference.unit_criteria(storage, 2023, TOWNS[1]) == towns


def test_a_submitted_unit_that_must_score_new_leaves_goes_back_to_draft_for_a_week(storage, on_day):
    import datetime as dt
    fill_all(storage)
    svc.submit(storage, OFFICER, YEAR, OWN)

    def split_leaf(nodes):                                 # 1.1.2 (max 1) becomes 1.1.2 + 1.1.3 (0.5 each)
        i = next(k for k, n in enumerate(nodes) if str(n["code"]) == "1.1.2")
        nodes[i]["max"] = 0.5
        nodes.insert(i + 1, dict(nodes[i], code="1.1.3", title="Công khai kế hoạch"))
    set_id = reference.add_criteria_set(storage, ADMIN, variant(version=2, nodes=split_leaf))
    preview = reference.move_preview(storage, ADMIN, YEAR, set_id)
    assert [u["code"] for u in preview.reopened] == [OWN] and [n.code for n in preview.plan.added] == ["1.1.3"]
    assert [(a.unit_code, a.code) for a in preview.plan.set_aside] == [(OWN, "1.1.2")]   # 1 > the new max 0.5
    assert preview.evidence_on_dropped == 0
    reference.move_to_set(storage, ADMIN, YEAR, set_id, "Tách tiêu chí 1.1.2")
    form = svc.open_form(storage, OFFICER, YEAR, OWN)
    assert form.state == "draft" and form.editable
    assert form.edit_until == dt.date(2022, 11, 12) and "Chuyển sang HT-XA-2022-MAU phiên bản 2" in form.reopen_reason
    assert "1.1.3" in " ".join(form.problems())


def test_a_unit_kind_can_go_back_to_the_general_set(storage, on_day):
    towns = variant(code="HT-TT-2022-MAU", applies_to="thi_tran")
    reference.import_criteria_set(storage, ADMIN, towns, YEAR)
    general = reference.period_criteria(storage, ADMIN, YEAR)
    general_id = storage.one("period_get", year=YEAR)["criteria_set_id"]
    preview = reference.move_preview(storage, ADMIN, YEAR, general_id, "thi_tran")
    assert sorted(u["code"] for u in preview.units) == list(TOWNS)
    reference.move_to_set(storage, ADMIN, YEAR, general_id, kind="thi_tran")
    assert [r["kind"] for r in reference.period_sets(storage, ADMIN, YEAR)] == ["all"]
    assert reference.unit_criteria(storage, YEAR, TOWNS[0]) == general
    with pytest.raises(ServiceError, match="không dùng được cho"):
        reference.move_preview(storage, ADMIN, YEAR, reference.add_criteria_set(storage, ADMIN, replace(towns, version=2)), "xa")
