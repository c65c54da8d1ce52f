"""AppTest of the pages of the appraisal work: /tham-dinh (round 1, a stale screen, another
office's field), the explanation on /tu-danh-gia, the council and audit tabs of /quan-tri,
/phe-duyet and the public /ket-qua."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cchc.core.permissions import User
from cchc.services import ServiceError, approval, users
from cchc.services import appraisal as svc
from cchc.services import council as council_svc

from .conftest import opened
from .test_app import app_as, assert_clean, texts
from .test_appraisal import finalise_all
from .test_assessment import ADMIN, LEADER

YEAR, UNIT, LEAF = 2022, "18139", "1.1.1"          # Xã Sơn Hồng has submitted in the demo
NV2 = User("hoidong2", "Thành viên khác (Nội vụ)", "council", office_code="NV")


def appraisal_page(unit=UNIT):
    at = app_as("hoidong")
    at.switch_page("views/tham-dinh.py").run()
    assert_clean(at)
    at.selectbox(key="td_don_vi").set_value(unit).run()
    assert_clean(at)
    return at


def save_button(at, label="Lưu vòng 1", index=0):
    return [b for b in at.button if b.label == label][index]


def stored(path, code=LEAF):
    with opened(path) as db:
        return db.one("appraisal_leaf_get", year=YEAR, unit_code=UNIT, code=code)


def self_points(path, code=LEAF):
    with opened(path) as db:
        return Decimal(db.one("score_get", year=YEAR, unit_code=UNIT, code=code)["self_points"])


def test_council_member_scores_a_leaf_with_a_reason_and_flags_another(demo_env, on_day):
    on_day("2022-11-12")
    at = appraisal_page()
    assert "Đơn vị đã nộp: 8" in texts(at)
    other = 1 - self_points(demo_env) if self_points(demo_env) != Decimal("0.5") else Decimal(0)
    typed = format(other.normalize(), "f").replace(".", ",")              # typed with a decimal comma
    at.text_input(key=f"td_{UNIT}_{LEAF}_0_diem").input("nửa điểm")
    save_button(at).click().run()
    assert "«nửa điểm» không phải là số" in texts(at) and stored(demo_env) is None
    at.text_input(key=f"td_{UNIT}_{LEAF}_0_diem").input(typed)
    save_button(at).click().run()
    assert "cần ghi lý do" in texts(at) and stored(demo_env) is None       # refused, nothing stored
    at.text_input(key=f"td_{UNIT}_{LEAF}_0_diem").input(typed)
    at.text_input(key=f"td_{UNIT}_{LEAF}_0_lydo").input("Kế hoạch ban hành chậm")
    save_button(at).click().run()
    assert_clean(at)
    row = stored(demo_env)
    assert row["r1_points"] == other and row["r1_reason"] == "Kế hoạch ban hành chậm"
    at.checkbox(key=f"td_{UNIT}_1.1.2_0_gt").check()
    at.text_input(key=f"td_{UNIT}_1.1.2_0_hoi").input("Đề nghị gửi báo cáo quý IV.")
    save_button(at, index=1).click().run()
    assert stored(demo_env, "1.1.2")["flagged"]
    assert "Cần giải trình" in texts(at)


def test_a_stale_screen_is_told_the_value_changed_and_shows_it(demo_env, on_day):
    on_day("2022-11-12")
    with opened(demo_env) as db:               # a second member of Phòng Nội vụ in the council
        users.add_user(db, ADMIN, NV2.username, NV2.full_name, "council", "", office_code="NV", password_hash="x")
        council_svc.add_member(db, ADMIN, YEAR, NV2.full_name, "Chuyên viên", "NV", "member", NV2.username)
    at = appraisal_page()
    with opened(demo_env) as db:               # a colleague saves the same leaf meanwhile
        svc.save_round1(db, NV2, YEAR, UNIT, LEAF, Decimal(0), "Không có kế hoạch" if self_points(demo_env) else "")
    at.text_input(key=f"td_{UNIT}_{LEAF}_0_diem").input(format(self_points(demo_env).normalize(), "f"))
    save_button(at).click().run()
    assert_clean(at)
    assert "vừa được hoidong2 lưu" in texts(at) and "chưa được lưu" in texts(at)
    assert stored(demo_env)["r1_points"] == 0 and stored(demo_env)["version"] == 1
    assert at.text_input(key=f"td_{UNIT}_{LEAF}_1_diem").value == "0"      # the new value on screen


def test_a_field_of_another_office_is_read_only(demo_env, on_day):
    on_day("2022-11-12")
    at = appraisal_page()
    at.selectbox(key=f"td_lv_{UNIT}").set_value("2").run()
    assert_clean(at)
    assert "bạn chỉ xem" in texts(at)
    assert not [b for b in at.button if b.label == "Lưu vòng 1"]


def test_the_commune_answers_only_the_flagged_leaves(demo_env, on_day):
    on_day("2022-11-12")
    with opened(demo_env) as db:
        svc.save_round1(db, ADMIN, YEAR, UNIT, LEAF, self_points(demo_env), flagged=True, question="Số kế hoạch?")
        svc.accept_remaining(db, ADMIN, YEAR, UNIT)
        svc.close_round1(db, ADMIN, YEAR, UNIT)
    at = app_as("sonhong")
    at.switch_page("views/tu-danh-gia.py").run()
    assert_clean(at)
    assert "Giải trình theo yêu cầu của Hội đồng thẩm định" in texts(at) and "Số kế hoạch?" in texts(at)
    assert [t.key for t in at.text_area if t.key.startswith("tra_loi_")] == [f"tra_loi_{LEAF}"]
    at.text_area(key=f"tra_loi_{LEAF}").input("Kế hoạch số 12/KH-UBND ngày 05/01/2022.").run()
    assert stored(demo_env)["answer"] == "Kế hoạch số 12/KH-UBND ngày 05/01/2022."
    [b for b in at.button if b.label == "Gửi giải trình"][0].click().run()
    assert_clean(at)
    with opened(demo_env) as db:
        assert db.one("assessment_get", year=YEAR, unit_code=UNIT)["state"] == "appraisal_r2"
    on_day("2022-11-26")
    at = app_as("sonhong")
    at.switch_page("views/tu-danh-gia.py").run()
    assert at.text_area(key=f"tra_loi_{LEAF}").disabled


def test_admin_records_the_council_and_reads_the_audit_log(demo_env, on_day):
    at = app_as("admin")
    at.query_params["muc"] = "Hội đồng"                 # only the open tab runs
    at.switch_page("views/quan-tri.py").run()
    assert_clean(at)
    form = [t for t in at.text_input if t.label == "Số quyết định"][0]
    form.input("1234/QĐ-UBND")
    [d for d in at.date_input if d.label == "Ngày quyết định"][0].set_value(dt.date(2022, 11, 7))
    [t for t in at.text_input if t.label == "Người ký"][0].input("Nguyễn Văn A")
    [b for b in at.button if b.label == "Lưu quyết định"][0].click().run()
    assert_clean(at)
    with opened(demo_env) as db:
        assert db.one("council_get", year=YEAR)["decision_number"] == "1234/QĐ-UBND"
        assert council_svc.council_formed(db, YEAR) == (True, dt.date(2022, 11, 7), True)     # the demo has a chair
    at.query_params["muc"] = "Nhật ký"
    at.run()
    at.selectbox(key="nk_nguoi").set_value("admin").run()
    at.selectbox(key="nk_hanh_dong").set_value("council").run()
    assert_clean(at)
    shown = at.dataframe[-1].value
    assert len(shown) == 1 and shown.iloc[0]["Hành động"] == "Quyết định thành lập Hội đồng"     # the code's label
    assert "Số quyết định: 1520/QĐ-UBND → 1234/QĐ-UBND" in shown.iloc[0]["Thay đổi (cũ → mới)"]


def test_the_leader_cannot_approve_before_every_commune_is_final(demo_env):
    at = app_as("lanhdao")
    at.switch_page("views/phe-duyet.py").run()
    assert_clean(at)
    assert "Chưa phê duyệt được." in texts(at) and "còn 25 đơn vị chưa hoàn tất thẩm định" in texts(at)
    assert [b for b in at.button if b.label == "Phê duyệt kết quả"][0].disabled       # said before, not after a click
    with opened(demo_env) as db:                 # and the service refuses on its own
        with pytest.raises(ServiceError, match="chưa hoàn tất thẩm định"):
            approval.approve(db, LEADER, YEAR, "99/QĐ-UBND", dt.date(2022, 11, 24))
        assert db.all("approvals_of_period", year=YEAR) == []


def test_published_results_are_public_and_the_commune_sees_its_reasons(demo_env, on_day):
    with opened(demo_env) as db:
        finalise_all(db, on_day)
        approval.compile_results(db, ADMIN, YEAR)
        approval.approve(db, LEADER, YEAR, "99/QĐ-UBND", dt.date(2022, 11, 24))
        approval.publish(db, LEADER, YEAR)
        best = approval.published(db, YEAR).rows[0]["unit_name"]
    at = app_as(None)
    at.switch_page("views/ket-qua.py").run()
    assert_clean(at)
    assert "99/QĐ-UBND" in texts(at)
    table = at.dataframe[0].value
    assert len(table) == 25 and table.iloc[0]["Đơn vị"] == best and table.iloc[0]["Hạng"] == 1
    assert {"Điểm tự đánh giá", "Điểm thẩm định", "1. Công tác chỉ đạo, điều hành cải cách hành chính (%)"} <= set(table.columns)
    at = app_as("sonhong")
    at.switch_page("views/ket-qua.py").run()
    assert "Chi tiết của đơn vị bạn" in texts(at)
    assert "Lý do của Hội đồng" in at.dataframe[-1].value.columns


def test_admin_adds_a_member_and_reassigns_a_field(demo_env):
    at = app_as("admin")
    at.query_params["muc"] = "Hội đồng"                 # only the open tab runs
    at.switch_page("views/quan-tri.py").run()
    at.text_input(key="hd_ten").input("Nguyễn Thị D")
    at.text_input(key="hd_chuc_vu").input("Trưởng phòng Y tế")
    at.selectbox(key="hd_co_quan").set_value("YT")
    [b for b in at.button if b.label == "Thêm thành viên"][0].click().run()
    assert_clean(at)
    at.selectbox(key="hd_lv_2").set_value("NV").run()
    assert_clean(at)
    with opened(demo_env) as db:
        council = council_svc.council(db, ADMIN, YEAR)
        assert any(m["full_name"] == "Nguyễn Thị D" and m["office_code"] == "YT" and m["member_role"] == "member"
                   for m in council.members)
        assert council.assignment["2"] == "NV"
    assert "Đã phân công lĩnh vực 2." in texts(at), [e.value for e in at.success] + [e.value for e in at.error]


def test_a_leaf_marked_not_applicable_can_be_scored_on_the_page(demo_env, on_day):
    on_day("2022-11-12")
    with opened(demo_env) as db:                 # the commune marks 1.3.2 "không áp dụng" (reopened briefly)
        db.write(lambda tx: (tx.cur.execute(
            "UPDATE score SET not_applicable = TRUE, self_points = NULL "
            "WHERE period_year = ? AND unit_code = ? AND criterion_code = '1.3.2'", [YEAR, UNIT])))
        before = db.one("result_of_unit", year=YEAR, unit_code=UNIT)["applicable_max"]
    at = appraisal_page()
    key = f"td_{UNIT}_1.3.2_0"
    assert "Đơn vị đánh dấu «không áp dụng»" in texts(at) and at.text_input(key=f"{key}_diem").value == ""
    at.text_input(key=f"{key}_diem").input("1")
    at.text_input(key=f"{key}_lydo").input("Xã có phát sinh hồ sơ")
    [b for b in at.button if b.label == "Lưu vòng 1"][4].click().run()
    assert_clean(at)
    with opened(demo_env) as db:
        score = db.one("score_get", year=YEAR, unit_code=UNIT, code="1.3.2")
        assert not score["not_applicable"] and score["appraised_points"] == 1
        assert db.one("result_of_unit", year=YEAR, unit_code=UNIT)["applicable_max"] == before + 1
    assert "tiêu chí được tính vào điểm tối đa" in texts(at)


def test_a_council_account_removed_from_the_council_only_reads(demo_env, on_day):
    on_day("2022-11-12")
    with opened(demo_env) as db:
        for m in council_svc.council(db, ADMIN, YEAR).members:
            if m["username"] == "hoidong":
                council_svc.remove_member(db, ADMIN, m["id"])
    at = appraisal_page()
    assert "không phải thành viên Hội đồng thẩm định kỳ 2022" in texts(at)
    assert not [b for b in at.button if b.label in ("Lưu vòng 1", "Kết thúc vòng 1")]


def test_a_council_member_cannot_end_round_one(demo_env, on_day):
    on_day("2022-11-12")
    with opened(demo_env) as db:
        svc.accept_remaining(db, ADMIN, YEAR, UNIT)
    at = appraisal_page()                        # the demo's hoidong is a member, not the chair
    close = [b for b in at.button if b.label == "Kết thúc vòng 1"][0]
    assert close.disabled and "Chỉ Chủ tịch, Phó Chủ tịch thường trực" in texts(at)     # the reason, by the button


def test_the_audit_tab_says_when_the_screen_cuts_the_list(demo_env, monkeypatch):
    from cchc.services import audit
    monkeypatch.setattr(audit, "SCREEN_LIMIT", 3)
    with opened(demo_env) as db:
        svc.accept_remaining(db, ADMIN, YEAR, UNIT)          # one audit row per leaf
    at = app_as("admin")
    at.query_params["muc"] = "Nhật ký"                 # only the open tab runs
    at.switch_page("views/quan-tri.py").run()
    assert_clean(at)
    with opened(demo_env) as db:
        total = audit.count(db, ADMIN)
    assert total > 3 and len(at.dataframe[-1].value) == 3
    assert "màn hình chỉ hiện 3 dòng mới nhất" in texts(at) and "Tệp Excel xuất ra có đủ mọi dòng" in texts(at)
