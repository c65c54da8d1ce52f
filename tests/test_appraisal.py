"""The council and its appraisal: round 1, the explanation round, round 2, finalisation,
compile/approve/publish with a frozen snapshot, the audit log, and the refusals — on a real
database, against the clock."""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal

import pytest

from cchc.core import appraisal as rules
from cchc.core.assessment import LeafScore, ScoreError
from cchc.core.permissions import PermissionDenied, User
from cchc.services import ServiceError, approval, audit, users
from cchc.services import appraisal as svc
from cchc.services import assessment as self_svc
from cchc.services import council as council_svc
from cchc.services import explanation as explanation_svc

from .test_assessment import ADMIN, CS, LEADER, OFFICER, OTHER, OWN, PDF, YEAR, fill_all

NV = User("hoidong", "Hội đồng (Nội vụ)", "council", office_code="NV")
NV2 = User("hoidong2", "Hội đồng 2 (Nội vụ)", "council", office_code="NV")
TP = User("tuphap", "Hội đồng (Tư pháp)", "council", office_code="TP")
VICE = User("phochutich", "Phó Chủ tịch thường trực", "council", office_code="NV")
CHAIR = User("chutich", "Chủ tịch Hội đồng", "council", office_code="VP")
NV_LEAF, TP_LEAF = "1.1.1", "2.1.1"          # field 1 is Nội vụ's, field 2 Tư pháp's
NA_LEAF = "1.3.2"                              # Nội vụ's, may be marked "không áp dụng" (max 1)


def council_account(storage, user, member_role="member"):
    """The account (role council) and its place in the council of 2022, through the services."""
    if storage.one("user_get", username=user.username) is None:
        users.add_user(storage, ADMIN, user.username, user.full_name, "council", "", office_code=user.office_code,
                       password_hash="x")
    return council_svc.add_member(storage, ADMIN, YEAR, user.full_name, "Chuyên viên", user.office_code, member_role,
                          user.username)


@pytest.fixture
def storage(storage):
    """The blank database with the council's members the tests act as (no chair: tests that need
    one add it): hoidong, hoidong2 (Nội vụ), tuphap (Tư pháp), phochutich (standing vice-chair).
    A council account acts only while it is a member of the period's council."""
    for user in (NV, NV2, TP):
        council_account(storage, user)
    council_account(storage, VICE, "standing_vice_chair")
    return storage


def audit_rows(storage, action):
    return [r for r in storage.all("audit_recent", limit=10000) if r["action"] == action]


def submitted(storage, on_day, unit=OWN, officer=OFFICER, not_applicable=()):
    on_day("2022-11-05")
    fill_all(storage, officer, unit)
    if not_applicable:
        self_svc.apply_scores(storage, officer, YEAR, unit, {c: LeafScore(None, True, "", "") for c in not_applicable})
    self_svc.submit(storage, officer, YEAR, unit)
    on_day("2022-11-12")


def finalised(storage, on_day, unit):
    officer = User(f"o{unit}", "Cán bộ", "commune", unit_code=unit)
    submitted(storage, on_day, unit, officer)
    svc.accept_remaining(storage, ADMIN, YEAR, unit)
    svc.close_round1(storage, ADMIN, YEAR, unit)
    svc.finalise(storage, ADMIN, YEAR, unit)


def state(storage, unit=OWN):
    return storage.one("assessment_get", year=YEAR, unit_code=unit)["state"]


def appraised(storage, code, unit=OWN):
    row = storage.one("score_get", year=YEAR, unit_code=unit, code=code)
    return None if row is None else row["appraised_points"]


def result(storage, unit=OWN):
    """The unit's figures as the index views compute them (006/010)."""
    return storage.one("result_of_unit", year=YEAR, unit_code=unit)


# ------------------------------------------------------------------ pure rules


def test_a_changed_score_needs_a_reason_and_fits_the_leaf():
    leaf = CS.node(NV_LEAF)                          # max 1, step 0.5
    assert rules.check_score(leaf, Decimal(1), Decimal(1), "", 1) == Decimal("1.00")
    with pytest.raises(ScoreError, match="cần ghi lý do"):
        rules.check_score(leaf, Decimal(1), Decimal("0.5"), " ", 1)
    assert rules.check_score(leaf, Decimal(1), Decimal("0.5"), "Ban hành chậm", 1) == Decimal("0.50")
    with pytest.raises(ScoreError, match="ngoài khoảng 0 đến 1"):
        rules.check_score(leaf, Decimal(1), Decimal(2), "x", 1)
    bonus = next(n for n in CS.leaves() if n.source == "bonus")
    assert rules.check_score(bonus, None, Decimal(0), "", 1) == 0
    with pytest.raises(ScoreError, match="cần ghi lý do"):
        rules.check_score(bonus, None, bonus.max_points, "", 1)


def test_the_clock_opens_and_closes_the_explanation_round():
    p = {"explanation_deadline": dt.date(2022, 11, 18), "appraisal_deadline": dt.date(2022, 11, 25)}
    assert rules.explanation_open("explanation", p, dt.date(2022, 11, 18))
    assert not rules.explanation_open("explanation", p, dt.date(2022, 11, 19))
    assert not rules.round2_open("explanation", p, dt.date(2022, 11, 18))
    assert rules.round2_open("explanation", p, dt.date(2022, 11, 19))
    assert rules.round2_open("appraisal_r2", p, dt.date(2022, 11, 1))
    assert rules.explanation_deadline({"explanation_deadline": None, "appraisal_deadline": dt.date(2022, 11, 25)}) \
        == dt.date(2022, 11, 25)
    assert "quá hạn giải trình" in rules.explanation_refusal("explanation", p, dt.date(2022, 11, 19))


def test_fields_the_council_appraises_leave_out_the_survey():
    fields = [f.code for f in rules.appraised_fields(CS)]
    assert "9" not in fields and {"1", "10", "11"} <= set(fields)
    assert rules.default_offices(CS)["2"] == "TP"


# ------------------------------------------------------------------ the council


def test_council_decision_members_and_assignment_are_audited(storage, on_day):
    assert council_svc.council_formed(storage, YEAR) == (False, None, False)
    with pytest.raises(ServiceError, match="số quyết định"):
        council_svc.save_decision(storage, ADMIN, YEAR, " ", dt.date(2022, 11, 7), "Chủ tịch")
    council_svc.save_decision(storage, ADMIN, YEAR, "1234/QĐ-UBND", dt.date(2022, 11, 7), "Nguyễn Văn A")
    assert council_svc.council_formed(storage, YEAR) == (False, dt.date(2022, 11, 7), False)    # no chair yet
    with pytest.raises(ServiceError, match="Không có tài khoản «chutich»"):
        council_svc.add_member(storage, ADMIN, YEAR, "Trần Văn B", "Phó Chủ tịch UBND huyện", "VP", "chair", "chutich")
    mid = council_svc.add_member(storage, ADMIN, YEAR, "Trần Văn B", "Phó Chủ tịch UBND huyện", "VP", "chair")
    assert council_svc.council_formed(storage, YEAR) == (True, dt.date(2022, 11, 7), True)
    with pytest.raises(ServiceError, match="đã có Chủ tịch"):
        council_svc.add_member(storage, ADMIN, YEAR, "Lê C", "Phó Chủ tịch", "VP", "chair")
    with pytest.raises(ServiceError, match="không hợp lệ"):
        council_svc.add_member(storage, ADMIN, YEAR, "Lê C", "Trưởng phòng", "NV", "boss")
    council_svc.assign_field(storage, ADMIN, YEAR, "2", "NV")
    assert council_svc.council(storage, ADMIN, YEAR).assignment["2"] == "NV"
    council_svc.save_decision(storage, ADMIN, YEAR, "1234/QĐ-UBND", dt.date(2022, 11, 9), "Nguyễn Văn A")
    assert council_svc.council_formed(storage, YEAR) == (True, dt.date(2022, 11, 9), False)    # after 08/11
    council_svc.remove_member(storage, ADMIN, mid)
    for action in ("council.decision", "council.member_add", "council.assign", "council.member_remove"):
        assert audit_rows(storage, action), action
    with pytest.raises(PermissionDenied):
        council_svc.save_decision(storage, NV, YEAR, "1/QĐ", dt.date(2022, 11, 7), "A")


# ------------------------------------------------------------------ round 1 and the refusals


def test_refusals_leave_the_data_unchanged(storage, on_day):
    on_day("2022-11-05")
    fill_all(storage)
    before = storage.scalar("audit_count")
    with pytest.raises(ServiceError, match="chưa nộp báo cáo"):
        svc.save_round1(storage, NV, YEAR, OWN, NV_LEAF, Decimal(1))
    self_svc.submit(storage, OFFICER, YEAR, OWN)
    on_day("2022-11-12")
    before = storage.scalar("audit_count")
    with pytest.raises(ServiceError, match="Phòng Tư pháp"):
        svc.save_round1(storage, NV, YEAR, OWN, TP_LEAF, Decimal(0), "x")
    with pytest.raises(ScoreError, match="ngoài khoảng"):
        svc.save_round1(storage, NV, YEAR, OWN, NV_LEAF, Decimal(5), "x")
    with pytest.raises(ScoreError, match="cần ghi lý do"):
        svc.save_round1(storage, NV, YEAR, OWN, NV_LEAF, Decimal("0.5"))
    with pytest.raises(ServiceError, match="câu hỏi"):
        svc.save_round1(storage, NV, YEAR, OWN, NV_LEAF, Decimal(1), flagged=True)
    with pytest.raises(PermissionDenied):
        svc.save_round1(storage, LEADER, YEAR, OWN, NV_LEAF, Decimal(1))
    assert storage.scalar("audit_count") == before
    assert state(storage) == "submitted" and appraised(storage, NV_LEAF) is None
    assert storage.all("appraisal_leaves_of_unit", year=YEAR, unit_code=OWN) == []


def test_full_cycle_with_explanation_and_round_two(storage, on_day, tmp_path):
    submitted(storage, on_day)
    a = svc.save_round1(storage, NV, YEAR, OWN, NV_LEAF, Decimal("0.5"), "Ban hành chậm 5 ngày")
    assert state(storage) == "appraisal_r1" and appraised(storage, NV_LEAF) == Decimal("0.50") and a.version == 1
    svc.save_round1(storage, NV, YEAR, OWN, "1.1.2", Decimal(1), flagged=True, question="Gửi báo cáo quý IV?",
                    expected_version=0)
    assert explanation_svc.explanation(storage, OFFICER, YEAR, OWN).items == []     # nothing shown before round 1 ends
    with pytest.raises(ServiceError, match="còn .* tiêu chí chưa có điểm"):
        svc.close_round1(storage, VICE, YEAR, OWN)
    svc.accept_remaining(storage, ADMIN, YEAR, OWN)
    sheet = svc.open_sheet(storage, NV, YEAR, OWN)
    assert sheet.round1_complete() and sheet.field_progress("1")[0] == sheet.field_progress("1")[1]
    assert appraised(storage, "10.1") == 0            # bonus: a row created for the council's score
    assert svc.close_round1(storage, VICE, YEAR, OWN) == "explanation"
    with pytest.raises(ServiceError, match="kết thúc vòng 1"):
        svc.save_round1(storage, NV, YEAR, OWN, NV_LEAF, Decimal(1))
    with pytest.raises(ServiceError, match="đang giải trình"):
        svc.save_round2(storage, NV, YEAR, OWN, "1.1.2", Decimal(0), "Không có báo cáo")

    ex = explanation_svc.explanation(storage, OFFICER, YEAR, OWN)
    assert ex.open and [leaf.code for leaf, _, _ in ex.items] == ["1.1.2"]
    assert ex.items[0][2].question == "Gửi báo cáo quý IV?"
    with pytest.raises(PermissionDenied):
        explanation_svc.explanation(storage, User("x", "x", "commune", unit_code=OTHER), YEAR, OWN)
    with pytest.raises(ServiceError, match="chưa trả lời"):
        explanation_svc.submit_explanation(storage, OFFICER, YEAR, OWN)
    with pytest.raises(ServiceError, match="không được Hội đồng yêu cầu"):
        explanation_svc.save_answer(storage, OFFICER, YEAR, OWN, NV_LEAF, "…")
    explanation_svc.save_answer(storage, OFFICER, YEAR, OWN, "1.1.2", "Đã gửi ngày 20/12, kèm công văn.")
    explanation_svc.add_explanation_doc(storage, OFFICER, YEAR, OWN, "1.1.2", "45/BC-UBND", dt.date(2022, 12, 20), "Báo cáo quý IV")
    explanation_svc.add_explanation_file(storage, OFFICER, tmp_path / "files", YEAR, OWN, "1.1.2", "bao-cao.pdf", PDF)
    assert [f["file_name"] for f in explanation_svc.explanation(storage, OFFICER, YEAR, OWN).files["1.1.2"]] == ["bao-cao.pdf"]
    explanation_svc.submit_explanation(storage, OFFICER, YEAR, OWN)
    assert state(storage) == "appraisal_r2"
    with pytest.raises(ServiceError, match="Hiện không có yêu cầu giải trình"):
        explanation_svc.add_explanation_doc(storage, OFFICER, YEAR, OWN, "1.1.2", "46/BC-UBND", None, "Bổ sung muộn")

    with pytest.raises(ServiceError, match="không được yêu cầu giải trình"):
        svc.save_round2(storage, NV, YEAR, OWN, NV_LEAF, Decimal(1), "x")
    with pytest.raises(ServiceError, match="Chủ tịch"):
        svc.finalise(storage, NV, YEAR, OWN)
    with pytest.raises(ServiceError, match="chưa có điểm vòng 2"):
        svc.finalise(storage, ADMIN, YEAR, OWN)
    svc.save_round2(storage, NV, YEAR, OWN, "1.1.2", Decimal("0.5"), "Gửi muộn, trừ một nửa")
    assert appraised(storage, "1.1.2") == Decimal("0.50")
    users.add_user(storage, ADMIN, "chutich", "Chủ tịch Hội đồng", "council", "", office_code="VP",
                   password_hash="x")
    council_svc.add_member(storage, ADMIN, YEAR, "Chủ tịch", "Phó Chủ tịch UBND huyện", "VP", "chair", "chutich")
    svc.finalise(storage, CHAIR, YEAR, OWN)
    assert state(storage) == "final"
    with pytest.raises(ServiceError, match="đã hoàn tất"):
        svc.save_round1(storage, NV, YEAR, OWN, NV_LEAF, Decimal(1))

    # every write above has its audit row, keyed by the leaf or the unit
    keys = {(r["action"], r["entity_key"]) for r in storage.all("audit_recent", limit=10000)}
    for action, key in [("appraisal.round1", f"{YEAR}/{OWN}/{NV_LEAF}"), ("appraisal.round1", f"{YEAR}/{OWN}/10.1"),
                        ("explanation.answer", f"{YEAR}/{OWN}/1.1.2"), ("explanation.add_doc", f"{YEAR}/{OWN}/1.1.2"),
                        ("explanation.add_file", f"{YEAR}/{OWN}/1.1.2"),
                        ("appraisal.round2", f"{YEAR}/{OWN}/1.1.2"), ("appraisal.state", f"{YEAR}/{OWN}")]:
        assert (action, key) in keys, action
    states = [json.loads(r["new_value"])["state"] for r in reversed(audit_rows(storage, "appraisal.state"))]
    assert states == ["appraisal_r1", "explanation", "appraisal_r2", "final"]
    r1 = next(r for r in audit_rows(storage, "appraisal.round1") if r["entity_key"].endswith(NV_LEAF))
    assert r1["reason"] == "Ban hành chậm 5 ngày" and r1["actor"] == "hoidong"


def test_answers_after_the_explanation_deadline_are_refused_and_round_two_opens(storage, on_day):
    submitted(storage, on_day)
    svc.save_round1(storage, NV, YEAR, OWN, NV_LEAF, Decimal(1), flagged=True, question="Số kế hoạch?")
    svc.accept_remaining(storage, ADMIN, YEAR, OWN)
    svc.close_round1(storage, ADMIN, YEAR, OWN)
    on_day("2022-11-26")                  # no explanation deadline set: the appraisal deadline (25/11) counts
    before = storage.scalar("audit_count")
    with pytest.raises(ServiceError, match="quá hạn giải trình"):
        explanation_svc.save_answer(storage, OFFICER, YEAR, OWN, NV_LEAF, "Muộn")
    with pytest.raises(ServiceError, match="quá hạn giải trình"):
        explanation_svc.submit_explanation(storage, OFFICER, YEAR, OWN)
    assert storage.scalar("audit_count") == before
    assert storage.one("appraisal_leaf_get", year=YEAR, unit_code=OWN, code=NV_LEAF)["answer"] == ""
    svc.save_round2(storage, NV, YEAR, OWN, NV_LEAF, Decimal(0), "Không giải trình")
    assert state(storage) == "appraisal_r2"
    svc.finalise(storage, ADMIN, YEAR, OWN)
    assert state(storage) == "final"


def test_two_council_members_saving_one_leaf_at_once_lose_nothing(storage, on_day):
    submitted(storage, on_day)
    barrier = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def save(user, points, reason):
        barrier.wait()
        try:
            outcome[user.username] = svc.save_round1(storage, user, YEAR, OWN, NV_LEAF, Decimal(points), reason,
                                                     expected_version=0)
        except svc.StaleLeaf as exc:
            outcome[user.username] = exc

    threads = [threading.Thread(target=save, args=(NV, "0.5", "Chậm")), threading.Thread(target=save, args=(NV2, "0", "Không có"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    errors = [v for v in outcome.values() if isinstance(v, svc.StaleLeaf)]
    saved = [v for v in outcome.values() if isinstance(v, rules.LeafAppraisal)]
    assert len(errors) == 1 and len(saved) == 1
    winner = saved[0]
    assert "vừa được" in str(errors[0]) and "chưa được lưu" in str(errors[0])
    assert errors[0].current.r1_points == winner.r1_points and errors[0].current.version == 1
    stored = storage.one("appraisal_leaf_get", year=YEAR, unit_code=OWN, code=NV_LEAF)
    assert stored["version"] == 1 and Decimal(stored["r1_points"]) == winner.r1_points
    assert len(audit_rows(storage, "appraisal.round1")) == 1


# ------------------------------------------------------------------ compile, approve, publish


def test_approval_needs_every_commune_final_and_freezes_a_snapshot(storage, on_day):
    units = [u["unit_code"] for u in storage.all("assessment_states_of_period", year=YEAR)]
    for code in units[1:]:
        finalised(storage, on_day, code)
    with pytest.raises(ServiceError, match="chưa hoàn tất thẩm định: .*"):
        approval.compile_results(storage, ADMIN, YEAR)
    finalised(storage, on_day, units[0])
    with pytest.raises(ServiceError, match="chưa tổng hợp"):
        approval.approve(storage, LEADER, YEAR, "99/QĐ-UBND", dt.date(2022, 11, 24))
    approval.compile_results(storage, ADMIN, YEAR)
    with pytest.raises(PermissionDenied):
        approval.approve(storage, ADMIN, YEAR, "99/QĐ-UBND", dt.date(2022, 11, 24))
    assert approval.approve(storage, LEADER, YEAR, "99/QĐ-UBND", dt.date(2022, 11, 24)) == 1
    assert approval.published(storage, YEAR) is None
    approval.publish(storage, LEADER, YEAR)
    pub = approval.published(storage, YEAR)
    assert pub.decision_number == "99/QĐ-UBND" and len(pub.rows) == len(units) and pub.leaves == {}
    assert {state(storage, u) for u in units} == {"published"}
    first = {r["unit_code"]: r["index"] for r in pub.rows}

    # a later change to a score does not alter what was approved and published
    storage.write(lambda tx: (tx.cur.execute(
        "UPDATE score SET appraised_points = 0 WHERE period_year = ? AND unit_code = ?", [YEAR, units[0]])))
    assert {r["unit_code"]: r["index"] for r in approval.published(storage, YEAR).rows} == first
    with pytest.raises(ServiceError, match="cần ghi lý do"):
        approval.approve(storage, LEADER, YEAR, "100/QĐ-UBND", dt.date(2022, 11, 30))
    assert approval.approve(storage, LEADER, YEAR, "100/QĐ-UBND", dt.date(2022, 11, 30), "Sửa sai sót") == 2
    assert approval.published(storage, YEAR).version == 1            # the new one is not public yet
    approval.publish(storage, ADMIN, YEAR)
    assert approval.published(storage, YEAR).rows != pub.rows
    approvals = audit_rows(storage, "results.approve")
    assert len(approvals) == 2 and approvals[0]["reason"] == "Sửa sai sót"
    assert audit_rows(storage, "results.compile") and len(audit_rows(storage, "results.publish")) == 2

    detail = approval.own_detail(storage, User("o", "o", "commune", unit_code=units[1]), YEAR, units[1])
    assert detail and {"self", "appraised", "r1_reason"} <= set(detail[0])
    with pytest.raises(PermissionDenied):
        approval.own_detail(storage, User("o", "o", "commune", unit_code=units[1]), YEAR, units[0])


# ------------------------------------------------------------------ the audit viewer


def test_audit_viewer_filters_and_exports(storage, on_day):
    submitted(storage, on_day)
    svc.save_round1(storage, NV, YEAR, OWN, NV_LEAF, Decimal("0.5"), "Chậm")
    rows = audit.entries(storage, ADMIN, unit=OWN, action="appraisal")
    assert rows and all(OWN in r["entity_key"] and r["action"].startswith("appraisal") for r in rows)
    assert audit.entries(storage, ADMIN, user="hoidong", action="appraisal.round1")[0]["reason"] == "Chậm"
    assert audit.entries(storage, ADMIN, unit=OTHER, action="appraisal") == []
    assert audit.entries(storage, ADMIN, date_from=dt.date(2100, 1, 1)) == []
    import io

    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(audit.to_xlsx(rows))).active
    assert ws.cell(1, 1).value == "Thời điểm" and ws.max_row == len(rows) + 1
    with pytest.raises(PermissionDenied):
        audit.entries(storage, LEADER)


def finalise_all(storage, on_day, skip=()):
    """Every unit of 2022 but `skip` appraised and final, through the services (any start state)."""
    for u in storage.all("assessment_states_of_period", year=YEAR):
        code = u["unit_code"]
        if code in skip:
            continue
        if u["state"] in ("not_started", "draft"):
            on_day("2022-11-05")
            officer = User(f"o{code}", "Cán bộ", "commune", unit_code=code)
            fill_all(storage, officer, code)
            self_svc.submit(storage, officer, YEAR, code)
        on_day("2022-11-12")
        svc.accept_remaining(storage, ADMIN, YEAR, code)
        svc.close_round1(storage, ADMIN, YEAR, code)
        svc.finalise(storage, ADMIN, YEAR, code)


def test_the_period_sets_its_own_explanation_deadline(storage, on_day):
    from cchc.services import periods
    submitted(storage, on_day)
    periods.update(storage, ADMIN, YEAR, {"explanation_deadline": dt.date(2022, 11, 18)})
    svc.save_round1(storage, NV, YEAR, OWN, NV_LEAF, Decimal(1), flagged=True, question="Số kế hoạch?")
    svc.accept_remaining(storage, ADMIN, YEAR, OWN)
    svc.close_round1(storage, ADMIN, YEAR, OWN)
    on_day("2022-11-18")
    assert explanation_svc.explanation(storage, OFFICER, YEAR, OWN).open
    explanation_svc.save_answer(storage, OFFICER, YEAR, OWN, NV_LEAF, "Kế hoạch 12/KH-UBND")
    on_day("2022-11-19")
    ex = explanation_svc.explanation(storage, OFFICER, YEAR, OWN)
    assert not ex.open and "18/11/2022" in ex.closed_reason
    with pytest.raises(ServiceError, match="quá hạn giải trình \\(18/11/2022\\)"):
        explanation_svc.save_answer(storage, OFFICER, YEAR, OWN, NV_LEAF, "Sửa muộn")
    assert svc.open_sheet(storage, NV, YEAR, OWN).round2_open


# ------------------------------------------------------------------ "không áp dụng" and the council


def test_round_one_may_score_a_leaf_marked_not_applicable_and_the_index_counts_it(storage, on_day):
    submitted(storage, on_day, not_applicable=[NA_LEAF])
    before = result(storage)
    leaf_max = float(CS.node(NA_LEAF).max_points)
    audits = storage.scalar("audit_count")
    with pytest.raises(ScoreError, match="không áp dụng.*cần ghi lý do"):
        svc.save_round1(storage, NV, YEAR, OWN, NA_LEAF, Decimal(0))
    assert storage.scalar("audit_count") == audits and result(storage)["applicable_max"] == before["applicable_max"]

    svc.save_round1(storage, NV, YEAR, OWN, NA_LEAF, Decimal(0), "Xã có phát sinh thủ tục này trong năm")
    score = storage.one("score_get", year=YEAR, unit_code=OWN, code=NA_LEAF)
    assert not score["not_applicable"] and score["appraised_points"] == 0
    assert storage.one("appraisal_leaf_get", year=YEAR, unit_code=OWN, code=NA_LEAF)["self_not_applicable"]
    now = result(storage)
    assert now["applicable_max"] == before["applicable_max"] + leaf_max      # back in the maximum, with 0 points
    assert now["index"] < before["index"]
    overturn = audit_rows(storage, "appraisal.not_applicable")
    assert len(overturn) == 1 and json.loads(overturn[0]["new_value"]) == {"not_applicable": False}
    assert overturn[0]["reason"] == "Xã có phát sinh thủ tục này trong năm" and overturn[0]["actor"] == "hoidong"
    sheet = svc.open_sheet(storage, NV, YEAR, OWN)
    assert sheet.commune_na(NA_LEAF) and sheet.appraisal(NA_LEAF).overturned and sheet.done(CS.node(NA_LEAF))

    # clearing the score again: the commune's "không áp dụng" stands, the maximum is as before
    svc.save_round1(storage, NV, YEAR, OWN, NA_LEAF, None)
    score = storage.one("score_get", year=YEAR, unit_code=OWN, code=NA_LEAF)
    assert score["not_applicable"] and score["appraised_points"] is None
    assert result(storage)["applicable_max"] == before["applicable_max"]
    assert result(storage)["index"] == before["index"]
    assert len(audit_rows(storage, "appraisal.not_applicable")) == 2


def test_round_two_scores_or_confirms_a_leaf_marked_not_applicable(storage, on_day):
    submitted(storage, on_day, not_applicable=[NA_LEAF])
    before = result(storage)
    leaf_max = float(CS.node(NA_LEAF).max_points)
    svc.save_round1(storage, NV, YEAR, OWN, NA_LEAF, None, flagged=True, question="Vì sao không áp dụng?")
    svc.accept_remaining(storage, ADMIN, YEAR, OWN)
    assert svc.close_round1(storage, VICE, YEAR, OWN) == "explanation"
    explanation_svc.save_answer(storage, OFFICER, YEAR, OWN, NA_LEAF, "Xã không có hồ sơ thuộc thủ tục này.")
    explanation_svc.submit_explanation(storage, OFFICER, YEAR, OWN)
    assert result(storage)["applicable_max"] == before["applicable_max"]

    # round 2 scores the leaf: it counts in the maximum, with its points
    svc.save_round2(storage, NV, YEAR, OWN, NA_LEAF, Decimal(1), "Hồ sơ cho thấy có phát sinh, đạt yêu cầu")
    score = storage.one("score_get", year=YEAR, unit_code=OWN, code=NA_LEAF)
    assert not score["not_applicable"] and score["appraised_points"] == 1
    scored = result(storage)
    assert scored["applicable_max"] == before["applicable_max"] + leaf_max
    assert float(scored["scored_points"]) == float(before["scored_points"]) + 1

    audits = storage.scalar("audit_count")
    with pytest.raises(ServiceError, match="chọn một trong hai"):
        svc.save_round2(storage, NV, YEAR, OWN, NA_LEAF, Decimal(1), "x", not_applicable=True)
    with pytest.raises(ServiceError, match="cần có lý do"):
        svc.save_round2(storage, NV, YEAR, OWN, NA_LEAF, None, " ", not_applicable=True)
    with pytest.raises(ScoreError, match="hoặc xác nhận «không áp dụng»"):
        svc.save_round2(storage, NV, YEAR, OWN, NA_LEAF, None, "Chưa rõ")
    assert storage.scalar("audit_count") == audits

    # round 2 confirms "không áp dụng" instead: out of the maximum again, no points
    a = svc.save_round2(storage, NV, YEAR, OWN, NA_LEAF, None, "Đã xác minh: không phát sinh", not_applicable=True)
    assert a.r2_na and a.points is None and a.r2_done
    score = storage.one("score_get", year=YEAR, unit_code=OWN, code=NA_LEAF)
    assert score["not_applicable"] and score["appraised_points"] is None
    assert result(storage)["applicable_max"] == before["applicable_max"]
    row = storage.one("appraisal_leaf_get", year=YEAR, unit_code=OWN, code=NA_LEAF)
    assert row["self_not_applicable"] and row["r2_not_applicable"] and row["r2_points"] is None
    assert [json.loads(r["new_value"]) for r in reversed(audit_rows(storage, "appraisal.not_applicable"))] == [
        {"not_applicable": False}, {"not_applicable": True}]
    assert svc.open_sheet(storage, ADMIN, YEAR, OWN).can_finalise()
    svc.finalise(storage, ADMIN, YEAR, OWN)
    assert state(storage) == "final"


def test_round_two_cannot_call_an_applicable_leaf_not_applicable(storage, on_day):
    submitted(storage, on_day)
    svc.save_round1(storage, NV, YEAR, OWN, NV_LEAF, Decimal(1), flagged=True, question="Số kế hoạch?")
    svc.accept_remaining(storage, ADMIN, YEAR, OWN)
    svc.close_round1(storage, ADMIN, YEAR, OWN)
    on_day("2022-11-26")                                      # the explanation deadline has passed
    with pytest.raises(ServiceError, match="không đánh dấu «không áp dụng»"):
        svc.save_round2(storage, NV, YEAR, OWN, NV_LEAF, None, "Không áp dụng", not_applicable=True)
    assert not storage.one("score_get", year=YEAR, unit_code=OWN, code=NV_LEAF)["not_applicable"]


# ------------------------------------------------------------------ closing round 1 against the clock


def test_round_one_with_flags_cannot_close_after_the_explanation_deadline(storage, on_day):
    from cchc.services import periods
    submitted(storage, on_day)
    periods.update(storage, ADMIN, YEAR, {"explanation_deadline": dt.date(2022, 11, 18)})
    svc.save_round1(storage, NV, YEAR, OWN, NV_LEAF, Decimal(1), flagged=True, question="Số kế hoạch?")
    svc.accept_remaining(storage, ADMIN, YEAR, OWN)
    on_day("2022-11-19")
    audits = storage.scalar("audit_count")
    with pytest.raises(ServiceError) as info:
        svc.close_round1(storage, VICE, YEAR, OWN)
    message = str(info.value)
    assert "quá hạn giải trình (18/11/2022)" in message and NV_LEAF in message
    assert "bỏ đánh dấu «cần giải trình»" in message and "Quản trị → Kỳ đánh giá" in message
    assert state(storage) == "appraisal_r1" and storage.scalar("audit_count") == audits

    # Phòng Nội vụ moves the passed deadline (with a reason): round 1 closes into the explanation round
    periods.update(storage, ADMIN, YEAR, {"explanation_deadline": dt.date(2022, 11, 22)}, "Cho xã giải trình")
    assert svc.close_round1(storage, VICE, YEAR, OWN) == "explanation"
    assert explanation_svc.explanation(storage, OFFICER, YEAR, OWN).open


def test_round_one_closes_on_the_deadline_day_and_without_flags_after_it(storage, on_day):
    from cchc.services import periods
    submitted(storage, on_day)
    submitted(storage, on_day, OTHER, User("sontien", "Cán bộ Sơn Tiến", "commune", unit_code=OTHER))
    periods.update(storage, ADMIN, YEAR, {"explanation_deadline": dt.date(2022, 11, 18)})
    for unit in (OWN, OTHER):
        svc.save_round1(storage, NV, YEAR, unit, NV_LEAF, Decimal(1), flagged=True, question="Số kế hoạch?")
        svc.accept_remaining(storage, ADMIN, YEAR, unit)
    on_day("2022-11-18")                                      # the last day the commune may answer
    assert svc.close_round1(storage, ADMIN, YEAR, OWN) == "explanation"
    on_day("2022-11-19")
    with pytest.raises(ServiceError, match="quá hạn giải trình"):
        svc.close_round1(storage, ADMIN, YEAR, OTHER)
    svc.save_round1(storage, NV, YEAR, OTHER, NV_LEAF, Decimal(1))          # the flag removed
    assert svc.close_round1(storage, ADMIN, YEAR, OTHER) == "appraisal_r2"


# ------------------------------------------------------------------ who in the council may act


def test_only_the_chair_the_standing_vice_chair_or_admin_close_round_one(storage, on_day):
    submitted(storage, on_day)
    svc.accept_remaining(storage, NV, YEAR, OWN)              # every member keeps the self-scores of its fields
    svc.accept_remaining(storage, TP, YEAR, OWN, "2")
    svc.accept_remaining(storage, ADMIN, YEAR, OWN)
    audits = storage.scalar("audit_count")
    for member in (NV, TP):
        with pytest.raises(ServiceError, match="Chỉ Chủ tịch, Phó Chủ tịch thường trực"):
            svc.close_round1(storage, member, YEAR, OWN)
    assert state(storage) == "appraisal_r1" and storage.scalar("audit_count") == audits
    assert not svc.open_sheet(storage, NV, YEAR, OWN).may_close_round1(NV)
    assert svc.open_sheet(storage, VICE, YEAR, OWN).may_close_round1(VICE)
    assert svc.close_round1(storage, VICE, YEAR, OWN) == "appraisal_r2"
    closed = audit_rows(storage, "appraisal.state")[0]
    assert closed["actor"] == "phochutich" and json.loads(closed["new_value"]) == {"state": "appraisal_r2"}


def test_a_council_account_outside_the_council_cannot_write(storage, on_day):
    submitted(storage, on_day)
    svc.save_round1(storage, NV, YEAR, OWN, "1.1.2", Decimal(1), flagged=True, question="Báo cáo quý IV?")
    svc.accept_remaining(storage, ADMIN, YEAR, OWN)
    outsider = User("khach", "Chuyên viên Nội vụ", "council", office_code="NV")      # never a member
    users.add_user(storage, ADMIN, outsider.username, outsider.full_name, "council", "", office_code="NV",
                   password_hash="x")
    mid = next(m["id"] for m in council_svc.council(storage, ADMIN, YEAR).members if m["username"] == "hoidong2")
    council_svc.remove_member(storage, ADMIN, mid)                                          # no longer a member
    audits = storage.scalar("audit_count")
    for user in (outsider, NV2):
        with pytest.raises(ServiceError, match=f"«{user.username}» không phải thành viên Hội đồng thẩm định kỳ 2022"):
            svc.save_round1(storage, user, YEAR, OWN, NV_LEAF, Decimal("0.5"), "Chậm")
        with pytest.raises(ServiceError, match="không phải thành viên"):
            svc.accept_remaining(storage, user, YEAR, OWN, "1")
        with pytest.raises(ServiceError, match="Chỉ Chủ tịch, Phó Chủ tịch thường trực"):
            svc.close_round1(storage, user, YEAR, OWN)
        sheet = svc.open_sheet(storage, user, YEAR, OWN)
        assert not sheet.is_member and not sheet.may_appraise(user, "1")
    assert storage.scalar("audit_count") == audits and state(storage) == "appraisal_r1"
    assert appraised(storage, NV_LEAF) == 1                                         # as accepted above

    svc.close_round1(storage, ADMIN, YEAR, OWN)
    explanation_svc.save_answer(storage, OFFICER, YEAR, OWN, "1.1.2", "Đã gửi.")
    explanation_svc.submit_explanation(storage, OFFICER, YEAR, OWN)
    audits = storage.scalar("audit_count")
    with pytest.raises(ServiceError, match="không phải thành viên"):
        svc.save_round2(storage, NV2, YEAR, OWN, "1.1.2", Decimal(0), "Không có")
    svc.save_round2(storage, NV, YEAR, OWN, "1.1.2", Decimal(1), "Đã có báo cáo")
    assert storage.scalar("audit_count") > audits

    # a chair removed from the council no longer finalises
    council_account(storage, CHAIR, "chair")
    chair_id = next(m["id"] for m in council_svc.council(storage, ADMIN, YEAR).members if m["member_role"] == "chair")
    council_svc.remove_member(storage, ADMIN, chair_id)
    with pytest.raises(ServiceError, match="Chỉ Chủ tịch Hội đồng thẩm định"):
        svc.finalise(storage, CHAIR, YEAR, OWN)
    assert state(storage) == "appraisal_r2"
    council_account(storage, CHAIR, "chair")
    svc.finalise(storage, CHAIR, YEAR, OWN)
    assert state(storage) == "final"


def test_the_chair_and_the_standing_vice_chair_need_a_council_account(storage):
    users.add_user(storage, ADMIN, "lanhdao2", "Phó Chủ tịch UBND huyện", "leader", "", password_hash="x")
    audits = storage.scalar("audit_count")
    for role in ("chair", "standing_vice_chair"):
        with pytest.raises(ServiceError, match="«lanhdao2» có vai trò «Lãnh đạo UBND huyện», không phải "
                                               "«Thành viên Hội đồng thẩm định»"):
            council_svc.add_member(storage, ADMIN, YEAR, "Trần Văn B", "Phó Chủ tịch UBND huyện", "VP", role, "lanhdao2")
    assert storage.scalar("audit_count") == audits
    assert not [m for m in council_svc.council(storage, ADMIN, YEAR).members if m["username"] == "lanhdao2"]
    council_svc.add_member(storage, ADMIN, YEAR, "Trần Văn B", "Phó Chủ tịch UBND huyện", "VP", "chair")      # no account
    council_svc.add_member(storage, ADMIN, YEAR, "Lê Thị C", "Phó Chủ tịch UBND huyện", "VP", "member", "lanhdao2")
    council_account(storage, CHAIR, "standing_vice_chair")


# ------------------------------------------------------------------ the audit export


def test_the_audit_export_keeps_every_text_as_text(storage, on_day):
    import io

    from openpyxl import load_workbook
    submitted(storage, on_day)
    texts = ["=HYPERLINK(\"http://x\",\"bấm\")", "+84 912 345 678", "-0,5 điểm vì nộp chậm", "@hoidong xem lại",
             "Chậm\x07 hạn\x1b ngày"]
    for i, text in enumerate(texts):
        leaf = ["1.1.1", "1.1.2", "1.2.1", "1.4.2", "1.5"][i]
        svc.save_round1(storage, NV, YEAR, OWN, leaf, Decimal(0), text)
    rows = audit.entries(storage, ADMIN, action="appraisal.round1")
    ws = load_workbook(io.BytesIO(audit.to_xlsx(rows))).active
    assert ws.title == "Nhật ký"
    reasons = [ws.cell(i, 8) for i in range(2, ws.max_row + 1)]
    assert [c.value for c in reasons] == ["Chậm\ufffd hạn\ufffd ngày"] + texts[3::-1]
    assert all(c.data_type == "s" for c in reasons)                     # the "=" text is text, not a formula
    assert reasons[-1].value.startswith("=HYPERLINK")


def test_the_audit_export_takes_every_matching_row(storage, on_day):
    import io

    from openpyxl import load_workbook
    submitted(storage, on_day)
    svc.accept_remaining(storage, ADMIN, YEAR, OWN)
    total = audit.count(storage, ADMIN, unit=OWN)
    assert total > 20
    assert len(audit.entries(storage, ADMIN, unit=OWN, limit=20)) == 20
    assert len(audit.entries(storage, ADMIN, unit=OWN)) == total
    ws = load_workbook(io.BytesIO(audit.export_xlsx(storage, ADMIN, unit=OWN))).active
    assert ws.max_row == total + 1
    with pytest.raises(PermissionDenied):
        audit.export_xlsx(storage, LEADER)
