"""The council and its appraisal: round 1, the explanation round, round 2, finalisation,
compile/approve/publish with a frozen snapshot, the audit log, and the refusals — on a real
database, against the clock."""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal

import pytest

from cchc import appraisal as rules
from cchc.assessment import ScoreError
from cchc.permissions import PermissionDenied, User
from cchc.services import ServiceError
from cchc.services import appraisal as svc
from cchc.services import approval, audit, users
from cchc.services import assessment as self_svc

from .test_assessment import ADMIN, CS, LEADER, OFFICER, OTHER, OWN, PDF, YEAR, fill_all

NV = User("hoidong", "Hội đồng (Nội vụ)", "council", office_code="NV")
NV2 = User("hoidong2", "Hội đồng 2 (Nội vụ)", "council", office_code="NV")
TP = User("tuphap", "Hội đồng (Tư pháp)", "council", office_code="TP")
CHAIR = User("chutich", "Chủ tịch Hội đồng", "council", office_code="VP")
NV_LEAF, TP_LEAF = "1.1.1", "2.1.1"          # field 1 is Nội vụ's, field 2 Tư pháp's


def audit_rows(storage, action):
    return [r for r in storage.all("audit_recent", limit=10000) if r["action"] == action]


def submitted(storage, on_day, unit=OWN, officer=OFFICER):
    on_day("2022-11-05")
    fill_all(storage, officer, unit)
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
    assert svc.council_formed(storage, YEAR) == (False, None, False)
    with pytest.raises(ServiceError, match="số quyết định"):
        svc.save_decision(storage, ADMIN, YEAR, " ", dt.date(2022, 11, 7), "Chủ tịch")
    svc.save_decision(storage, ADMIN, YEAR, "1234/QĐ-UBND", dt.date(2022, 11, 7), "Nguyễn Văn A")
    assert svc.council_formed(storage, YEAR) == (False, dt.date(2022, 11, 7), False)    # no chair yet
    with pytest.raises(ServiceError, match="Không có tài khoản «chutich»"):
        svc.add_member(storage, ADMIN, YEAR, "Trần Văn B", "Phó Chủ tịch UBND huyện", "VP", "chair", "chutich")
    mid = svc.add_member(storage, ADMIN, YEAR, "Trần Văn B", "Phó Chủ tịch UBND huyện", "VP", "chair")
    assert svc.council_formed(storage, YEAR) == (True, dt.date(2022, 11, 7), True)
    with pytest.raises(ServiceError, match="đã có Chủ tịch"):
        svc.add_member(storage, ADMIN, YEAR, "Lê C", "Phó Chủ tịch", "VP", "chair")
    with pytest.raises(ServiceError, match="không hợp lệ"):
        svc.add_member(storage, ADMIN, YEAR, "Lê C", "Trưởng phòng", "NV", "boss")
    svc.assign_field(storage, ADMIN, YEAR, "2", "NV")
    assert svc.council(storage, ADMIN, YEAR).assignment["2"] == "NV"
    svc.save_decision(storage, ADMIN, YEAR, "1234/QĐ-UBND", dt.date(2022, 11, 9), "Nguyễn Văn A")
    assert svc.council_formed(storage, YEAR) == (True, dt.date(2022, 11, 9), False)    # after 08/11
    svc.remove_member(storage, ADMIN, mid)
    for action in ("council.decision", "council.member_add", "council.assign", "council.member_remove"):
        assert audit_rows(storage, action), action
    with pytest.raises(PermissionDenied):
        svc.save_decision(storage, NV, YEAR, "1/QĐ", dt.date(2022, 11, 7), "A")


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
    assert svc.explanation(storage, OFFICER, YEAR, OWN).items == []     # nothing shown before round 1 ends
    with pytest.raises(ServiceError, match="còn .* tiêu chí chưa có điểm"):
        svc.close_round1(storage, NV, YEAR, OWN)
    svc.accept_remaining(storage, ADMIN, YEAR, OWN)
    sheet = svc.open_sheet(storage, NV, YEAR, OWN)
    assert sheet.round1_complete() and sheet.field_progress("1")[0] == sheet.field_progress("1")[1]
    assert appraised(storage, "10.1") == 0            # bonus: a row created for the council's score
    assert svc.close_round1(storage, NV, YEAR, OWN) == "explanation"
    with pytest.raises(ServiceError, match="kết thúc vòng 1"):
        svc.save_round1(storage, NV, YEAR, OWN, NV_LEAF, Decimal(1))
    with pytest.raises(ServiceError, match="đang giải trình"):
        svc.save_round2(storage, NV, YEAR, OWN, "1.1.2", Decimal(0), "Không có báo cáo")

    ex = svc.explanation(storage, OFFICER, YEAR, OWN)
    assert ex.open and [leaf.code for leaf, _, _ in ex.items] == ["1.1.2"]
    assert ex.items[0][2].question == "Gửi báo cáo quý IV?"
    with pytest.raises(PermissionDenied):
        svc.explanation(storage, User("x", "x", "commune", unit_code=OTHER), YEAR, OWN)
    with pytest.raises(ServiceError, match="chưa trả lời"):
        svc.submit_explanation(storage, OFFICER, YEAR, OWN)
    with pytest.raises(ServiceError, match="không được Hội đồng yêu cầu"):
        svc.save_answer(storage, OFFICER, YEAR, OWN, NV_LEAF, "…")
    svc.save_answer(storage, OFFICER, YEAR, OWN, "1.1.2", "Đã gửi ngày 20/12, kèm công văn.")
    svc.add_explanation_doc(storage, OFFICER, YEAR, OWN, "1.1.2", "45/BC-UBND", dt.date(2022, 12, 20), "Báo cáo quý IV")
    svc.add_explanation_file(storage, OFFICER, tmp_path / "files", YEAR, OWN, "1.1.2", "bao-cao.pdf", PDF)
    assert [f["file_name"] for f in svc.explanation(storage, OFFICER, YEAR, OWN).files["1.1.2"]] == ["bao-cao.pdf"]
    svc.submit_explanation(storage, OFFICER, YEAR, OWN)
    assert state(storage) == "appraisal_r2"
    with pytest.raises(ServiceError, match="Hiện không có yêu cầu giải trình"):
        svc.add_explanation_doc(storage, OFFICER, YEAR, OWN, "1.1.2", "46/BC-UBND", None, "Bổ sung muộn")

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
    svc.add_member(storage, ADMIN, YEAR, "Chủ tịch", "Phó Chủ tịch UBND huyện", "VP", "chair", "chutich")
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
        svc.save_answer(storage, OFFICER, YEAR, OWN, NV_LEAF, "Muộn")
    with pytest.raises(ServiceError, match="quá hạn giải trình"):
        svc.submit_explanation(storage, OFFICER, YEAR, OWN)
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
    storage.write(lambda tx: tx.cur.execute(
        "UPDATE score SET appraised_points = 0 WHERE period_year = ? AND unit_code = ?", [YEAR, units[0]]))
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
    from openpyxl import load_workbook
    import io
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
    assert svc.explanation(storage, OFFICER, YEAR, OWN).open
    svc.save_answer(storage, OFFICER, YEAR, OWN, NV_LEAF, "Kế hoạch 12/KH-UBND")
    on_day("2022-11-19")
    ex = svc.explanation(storage, OFFICER, YEAR, OWN)
    assert not ex.open and "18/11/2022" in ex.closed_reason
    with pytest.raises(ServiceError, match="quá hạn giải trình \\(18/11/2022\\)"):
        svc.save_answer(storage, OFFICER, YEAR, OWN, NV_LEAF, "Sửa muộn")
    assert svc.open_sheet(storage, NV, YEAR, OWN).round2_open
