"""AppTest of every page for every role, logins through the real streamlit-authenticator widget,
and the refusals the app itself makes. Each test runs on its own copy of the demo database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from cchc import config
from cchc.core.clock import wall_now
from cchc.core.navigation import LOGIN, PAGES, pages_for
from cchc.core.permissions import CLI_USER
from cchc.db.storage import Storage
from cchc.services import results, users

from .conftest import DEMO_PASSWORD, ROOT, opened

APP = str(ROOT / "app.py")
ACCOUNTS = {"admin": "admin", "leader": "lanhdao", "council": "hoidong", "commune": "sonhong"}


def app_as(username: str | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    if username:
        # What the login widget leaves in the session once the password (or cookie) was accepted.
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
        at.session_state["name"] = username
    return at.run()


def texts(at: AppTest) -> str:
    parts = [e.value for e in at.title] + [e.value for e in at.markdown] + [e.value for e in at.subheader]
    parts += [e.value for e in at.info] + [e.value for e in at.warning] + [e.value for e in at.error]
    parts += [e.value for e in at.success] + [e.value for e in at.caption]
    return "\n".join(str(p) for p in parts)


def on_login_page(at: AppTest) -> bool:
    return any(t.label == "Tên đăng nhập" for t in at.text_input)


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def test_a_run_leaves_the_libraries_out_of_the_collectors_scans(demo_env):
    # Streamlit collects garbage after every run: the objects of the libraries the pages load
    # (pandas, openpyxl, python-docx) are frozen once, so that collection scans only new ones.
    import gc
    import sys

    app_as(ACCOUNTS["leader"])
    assert {"pandas", "openpyxl", "docx", "cchc.web.dashboard", "cchc.web.survey_public"} <= set(sys.modules)
    assert gc.get_freeze_count() > 50_000
    assert len(gc.get_objects()) < gc.get_freeze_count()


@pytest.mark.parametrize("role", sorted(ACCOUNTS))
def test_every_page_of_every_role_renders(demo_env, role):
    at = app_as(ACCOUNTS[role])
    assert_clean(at)
    for spec in pages_for(role):
        at.switch_page(spec.file).run()
        assert_clean(at)
        assert at.title, f"{spec.file} has no title"
        assert "Bạn cần đăng nhập" not in texts(at)


def test_pages_a_role_may_not_use_are_not_registered(demo_env):
    at = app_as("sonhong")
    for spec in PAGES:
        if spec.roles and "commune" not in spec.roles:
            with pytest.raises(ValueError):
                at.switch_page(spec.file)


def test_anonymous_sees_the_login_and_the_public_pages_only(demo_env):
    at = app_as(None)
    assert_clean(at)
    assert on_login_page(at)
    assert "Bản minh họa" in texts(at) and DEMO_PASSWORD in texts(at)
    for spec in pages_for(None):
        at.switch_page(spec.file).run()
        assert_clean(at)
    with pytest.raises(ValueError):
        at.switch_page("views/quan-tri.py")


def test_the_commune_officer_sees_their_own_unit(demo_env):
    at = app_as("sonhong")
    at.switch_page("views/tu-danh-gia.py").run()
    assert at.title[0].value == "Tự đánh giá — Xã Sơn Hồng"
    assert "bộ tiêu chí mẫu" in texts(at)


def test_the_dashboard_counts_the_demo_campaign(demo_env):
    at = app_as("lanhdao")
    at.switch_page("views/bang-dieu-khien.py").run()
    assert_clean(at)
    submitted = next(m for m in at.metric if m.label == "Đã nộp tự đánh giá")
    assert submitted.value == "8/25"


def test_a_dashboard_of_many_units_adds_them_up_by_place_with_the_satisfaction_in_a_tab(demo_env, monkeypatch):
    # More units than a page lists (10.599 for the country; here the demo's 25 above a lowered
    # threshold): one line per district, the satisfaction drawn only when its tab is open.
    from cchc.web import dashboard

    monkeypatch.setattr(dashboard, "UNIT_LEVEL", 10)
    at = app_as("lanhdao")
    at.switch_page("views/bang-dieu-khien.py").run()
    assert_clean(at)
    assert "25 đơn vị: số liệu được gộp theo tỉnh" in texts(at)
    assert [c.proto.alt for c in at.get("vega_lite_chart")] == ["Các mốc của kỳ đánh giá", "Xếp loại các đơn vị theo tỉnh"]
    assert "Mức độ hài lòng theo yếu tố" not in texts(at)
    at.query_params["xem"] = "Mức độ hài lòng"
    at.run()
    assert_clean(at)
    assert "Mức độ hài lòng theo yếu tố" in texts(at)
    assert len(at.get("vega_lite_chart")) == 2 and "Xếp loại các đơn vị theo tỉnh" not in [
        c.proto.alt for c in at.get("vega_lite_chart")]
    fresh = app_as("lanhdao")                            # a district dashboard's tab, in a shared link
    fresh.query_params["xem"] = "Theo lĩnh vực"
    fresh.switch_page("views/bang-dieu-khien.py").run()
    assert_clean(fresh)
    assert "Xếp loại các đơn vị theo tỉnh" in [c.proto.alt for c in fresh.get("vega_lite_chart")]   # the first tab


@pytest.mark.parametrize("role", ["admin", "leader", "council"])
def test_the_dashboard_ranks_and_drills_down_for_each_role(demo_env, role):
    at = app_as(ACCOUNTS[role])
    at.switch_page("views/bang-dieu-khien.py").run()
    assert_clean(at)
    shown = texts(at)
    for heading in ("Xếp hạng (tạm tính)", "Phiếu điểm từng đơn vị"):
        assert heading in shown
    assert "Chỉ số thành phần theo lĩnh vực" not in shown              # only the open tab is drawn
    assert "Số liệu tạm tính" in shown
    assert len(at.get("vega_lite_chart")) == 2          # timeline, ranking
    for tab, heading, charts in (("Tình hình các đơn vị", "Tình hình các đơn vị", 2),       # timeline, states
                                 ("Theo lĩnh vực", "Chỉ số thành phần theo lĩnh vực", 2),   # timeline, heatmap
                                 ("Tự chấm so với thẩm định", "Tự chấm so với thẩm định", 1),   # none appraised yet
                                 ("Mức độ hài lòng", "Mức độ hài lòng theo yếu tố", 2)):
        at.query_params["xem"] = tab                   # the open tab is kept in the address
        at.run()
        assert_clean(at)
        assert heading in texts(at) and "Xếp hạng (tạm tính)" not in texts(at), tab
        assert len(at.get("vega_lite_chart")) == charts, tab
    at.query_params.pop("xem")
    assert {m.label for m in at.metric} >= {"Đã nộp tự đánh giá", "Nộp muộn", "Đã thẩm định xong", "Phiếu khảo sát",
                                            "Mốc tiếp theo"}
    with opened(demo_env) as db:
        best = results.results(db, CLI_USER, 2022).rows[0]["unit_code"]
    assert at.selectbox(key="xem_phieu_diem").value == best      # the best unit first


def test_the_dashboard_of_a_period_with_no_data(demo_env):
    from cchc.services import periods
    with opened(demo_env) as db:
        periods.create_from(db, CLI_USER, 2023, 2022)
    at = app_as("lanhdao")
    at.switch_page("views/bang-dieu-khien.py").run()
    assert_clean(at)
    assert at.title[0].value == "Bảng điều khiển — năm 2023"
    assert next(m for m in at.metric if m.label == "Đã nộp tự đánh giá").value == "0/25"
    assert "Chưa đơn vị nào có số liệu để xếp hạng." in texts(at)
    at.query_params["xem"] = "Tự chấm so với thẩm định"
    at.run()
    assert "Chưa có điểm thẩm định" in texts(at)
    at.query_params["xem"] = "Mức độ hài lòng"
    at.run()
    assert "Chưa có phiếu khảo sát" in texts(at)
    at.sidebar.selectbox[0].set_value(2022).run()               # the period selector
    assert_clean(at)
    assert at.title[0].value == "Bảng điều khiển — năm 2022"


def test_the_commune_sees_only_its_own_scorecard(demo_env):
    at = app_as("sonhong")
    at.query_params["dv"] = "18202"                              # another unit in the address is ignored
    at.switch_page("views/phieu-diem.py").run()
    assert_clean(at)
    assert "Xã Sơn Hồng — năm 2022" in texts(at)
    assert not at.selectbox or all(s.key != "pd_dv_18202" for s in at.selectbox)
    with opened(demo_env) as db:
        card = results.scorecard(db, CLI_USER, 2022, "18139")
    assert card.units_ranked == 17                               # the 8 communes with no figures are not ranked
    assert next(m for m in at.metric if m.label == "Xếp hạng").value == f"{card.row['rank']}/{card.units_ranked}"


def test_a_leader_opens_any_scorecard_from_its_link(demo_env):
    at = app_as("lanhdao")
    at.query_params["dv"] = "18202"
    at.switch_page("views/phieu-diem.py").run()
    assert_clean(at)
    assert "Xã Sơn Trà — năm 2022" in texts(at)
    with opened(demo_env) as db:
        expected = results.scorecard(db, CLI_USER, 2022, "18202").row["class"]
    assert next(m for m in at.metric if m.label == "Xếp loại").value == expected
    assert [b.label for b in at.get("download_button")] == ["Tải phiếu điểm chi tiết (.xlsx)"]


# ------------------------------------------------------------------ logging in for real


def login(at: AppTest, username: str, password: str) -> AppTest:
    inputs = {t.label: t for t in at.text_input}
    inputs["Tên đăng nhập"].input(username)
    inputs["Mật khẩu"].input(password)
    next(b for b in at.button if b.label == "Đăng nhập").click()
    return at.run()


def test_a_right_password_logs_in_and_is_recorded(demo_env):
    at = login(app_as(None), "sonhong", DEMO_PASSWORD)
    assert_clean(at)
    assert at.session_state["authentication_status"] is True
    with opened(demo_env) as db:
        assert db.one("user_get", username="sonhong")["last_login"] is not None


@pytest.mark.parametrize("username, password", [("sonhong", "sai-mat-khau"), ("khongco", DEMO_PASSWORD)])
def test_a_wrong_password_or_unknown_user_gets_the_same_message(demo_env, username, password):
    at = login(app_as(None), username, password)
    assert_clean(at)
    assert [e.value for e in at.error] == [users.LOGIN_REFUSED]
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in users.LOGIN_REFUSED
    assert not at.session_state["authentication_status"]


def test_repeated_failures_make_the_account_wait_with_the_same_message(demo_env):
    with opened(demo_env) as db:      # ten failures a minute apart, the last one a second ago
        for k in range(10, 0, -1):
            users.log_in(db, "sonhong", "sai-mat-khau", "may-khac", at=wall_now() - dt.timedelta(seconds=1 + 61 * (k - 1)))
    at = login(app_as(None), "sonhong", DEMO_PASSWORD)          # even the right password must wait now
    assert not at.session_state["authentication_status"]
    assert [e.value for e in at.error] == [users.LOGIN_REFUSED]
    with opened(demo_env) as db:
        assert db.all("audit_recent", limit=1)[0]["action"] == "login.failed"


def test_a_disabled_account_cannot_log_in_or_stay_logged_in(demo_env):
    db = Storage(demo_env)
    users.set_active(db, CLI_USER, "sonhong", False, reason="thử")
    db.close()
    at = login(app_as(None), "sonhong", DEMO_PASSWORD)
    assert not at.session_state["authentication_status"]
    at = app_as("sonhong")                               # a session from before the disabling
    assert on_login_page(at) and not at.session_state["authentication_status"]


# ------------------------------------------------------------------ configuration refusals


def test_a_real_install_generates_its_own_cookie_key(storage, monkeypatch):
    monkeypatch.setenv("CCHC_DB", str(storage.path))
    storage.close()
    at = app_as(None)
    assert_clean(at)
    assert on_login_page(at)
    key_file = config.cookie_key_file(config.from_env())
    assert key_file.parent == storage.path.parent and key_file.stat().st_mode & 0o777 == 0o600


def test_a_real_install_runs_with_its_own_key(storage, monkeypatch):
    monkeypatch.setenv("CCHC_DB", str(storage.path))
    monkeypatch.setenv("CCHC_COOKIE_KEY", "mot-khoa-rieng-rat-dai-cho-lan-thu-nay-1234567890")
    storage.close()
    at = app_as(None)
    assert_clean(at)
    assert on_login_page(at) and "Bản minh họa" not in texts(at)
    assert not config.cookie_key_file(config.from_env()).exists()       # the operator's key is used


# ------------------------------------------------------------------ public pages


@pytest.mark.parametrize("query, expected", [
    ("18139", "Xã Sơn Hồng"),
    ("99999", "Không tìm thấy xã, thị trấn có mã «99999»"),
    ("<script>", "Không tìm thấy xã, thị trấn có mã «<script>»"),
])
def test_the_survey_link_names_the_commune_or_says_it_is_unknown(demo_env, query, expected):
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["dv"] = query
    at.run()
    at.switch_page(next(p.file for p in PAGES if p.url_path == "khao-sat"))
    at.query_params["dv"] = query
    at.run()
    assert_clean(at)
    assert expected in texts(at)


def test_the_login_page_is_the_default_for_anonymous_users():
    assert pages_for(None)[0] == LOGIN


def test_a_user_who_must_change_the_password_gets_only_that_page(demo_env):
    db = Storage(demo_env)
    users.set_password(db, CLI_USER, "lanhdao", "MatKhauTam#1", must_change=True)
    db.close()
    at = app_as("lanhdao")
    assert at.title[0].value == "Đổi mật khẩu" and "cần đổi mật khẩu" in texts(at)
    with pytest.raises(ValueError):
        at.switch_page("views/bang-dieu-khien.py")
    change_password(at, "MatKhauTam#1", "MatKhauMoi#2")
    assert_clean(at)
    at.switch_page("views/bang-dieu-khien.py").run()      # the role's pages are back
    assert at.title[0].value.startswith("Bảng điều khiển")


def test_changing_the_password_checks_the_current_one(demo_env):
    at = app_as("lanhdao")
    at.switch_page("views/tai-khoan.py").run()
    change_password(at, "sai", "MatKhauMoi#2")
    assert [e.value for e in at.error] == ["Mật khẩu hiện tại không đúng."]


def change_password(at: AppTest, current: str, new: str) -> AppTest:
    fields = {t.label: t for t in at.text_input}
    fields["Mật khẩu hiện tại"].input(current)
    fields["Mật khẩu mới (ít nhất 8 ký tự)"].input(new)
    fields["Nhập lại mật khẩu mới"].input(new)
    next(b for b in at.button if b.label == "Đổi mật khẩu").click()
    return at.run()


def test_logging_out_clears_the_session_and_is_audited(demo_env):
    at = app_as("lanhdao")
    next(b for b in at.sidebar.button if b.label == "Đăng xuất").click()
    at.run()
    assert_clean(at)
    assert not at.session_state["authentication_status"] and on_login_page(at)
    with opened(demo_env) as db:
        assert db.all("audit_recent", limit=1)[0]["action"] == "logout"


# ------------------------------------------------------------------ stand-in pages


def test_the_login_address_sends_a_logged_in_user_home(demo_env):
    at = app_as("lanhdao")
    at.switch_page("views/dang-nhap.py").run()
    assert_clean(at)
    assert at.title[0].value.startswith("Xin chào")


def test_the_login_address_sends_someone_who_must_change_the_password_to_that_page(demo_env):
    db = Storage(demo_env)
    users.set_password(db, CLI_USER, "lanhdao", "MatKhauTam#1", must_change=True)
    db.close()
    at = app_as("lanhdao")
    at.switch_page("views/dang-nhap.py").run()
    assert_clean(at)
    assert at.title[0].value == "Đổi mật khẩu"


def test_a_page_of_another_role_answers_with_no_access(demo_env):
    at = app_as("sonhong")
    at.switch_page("views/khong-co-quyen.py").run()
    assert_clean(at)
    assert at.title[0].value == "Không có quyền truy cập"
    assert "Cán bộ UBND cấp xã" in texts(at)


def test_an_officer_whose_unit_left_the_list_gets_a_message_not_a_crash(demo_env):
    db = Storage(demo_env)
    db.write(lambda tx: (tx.cur.execute("UPDATE unit SET valid_to = 2021 WHERE code = '18139'")))
    db.close()
    at = app_as("sonhong")
    assert_clean(at)
    assert "không có trong danh mục đơn vị năm 2022" in texts(at)
    at.switch_page("views/tu-danh-gia.py").run()
    assert_clean(at)
    assert "không có trong danh mục đơn vị năm 2022" in texts(at)


def test_a_demo_with_a_real_account_runs_and_lists_only_the_demo_accounts(demo_env):
    db = Storage(demo_env)
    users.add_user(db, CLI_USER, "quantri", "Quản trị thật", "admin", "MatKhau#2022")
    db.close()
    at = app_as(None)
    assert_clean(at)
    assert on_login_page(at) and "Bản minh họa" in texts(at)
    listed = " ".join(m.value for m in at.markdown)
    assert "`tayson`" in listed and "`quantri`" not in listed


def test_a_bad_clock_setting_is_a_message_not_a_traceback(demo_env, monkeypatch):
    monkeypatch.setenv("CCHC_TODAY", "09/11/2022")
    at = app_as(None)
    assert at.error and "CCHC_TODAY" in at.error[0].value


# ------------------------------------------------------------------ the self-assessment page


def officer_of_a_draft_unit(demo_env) -> tuple[str, str]:
    with opened(demo_env) as db:
        from cchc.services import progress
        rows = progress.campaign(db, CLI_USER, 2022)["units"]
        unit = next(r["unit_code"] for r in rows if r["state"] == "not_started")
        return next(u["username"] for u in users.demo_accounts(db) if u["unit_code"] == unit), unit


def test_scoring_on_the_page_is_saved_at_once(demo_env):
    username, unit = officer_of_a_draft_unit(demo_env)
    at = app_as(username)
    at.switch_page("views/tu-danh-gia.py").run()
    assert_clean(at)
    score = at.segmented_control(key="diem_1.1.1")              # max 1, step 0,5: tapped
    assert score.options == ["Chưa chấm", "0", "0,5", "1"] and score.value == "Chưa chấm"
    saved_captions = lambda: sum("Đã lưu lúc" in c.value for c in at.caption)  # noqa: E731
    before = saved_captions()
    score.set_value("0,5").run()
    assert_clean(at)
    assert saved_captions() == before + 1             # the leaf now says when it was saved
    at.checkbox(key="kad_1.3.2").check().run()
    with opened(demo_env) as db:
        saved = {r["criterion_code"]: r for r in db.all("scores_of_unit", year=2022, unit_code=unit)}
    assert saved["1.1.1"]["self_points"] == Decimal("0.50")
    assert saved["1.3.2"]["not_applicable"] is True
    fresh = app_as(username)                          # a new session (browser closed and reopened)
    fresh.switch_page("views/tu-danh-gia.py").run()
    assert fresh.segmented_control(key="diem_1.1.1").value == "0,5"
    assert fresh.checkbox(key="kad_1.3.2").value is True
    fresh.segmented_control(key="diem_1.1.1").set_value("Chưa chấm").run()     # the score taken back
    assert_clean(fresh)
    with opened(demo_env) as db:
        assert db.one("score_get", year=2022, unit_code=unit, code="1.1.1")["self_points"] is None


def test_a_score_saved_elsewhere_shows_in_an_open_page(demo_env):
    """Another tab (or an Excel import) changes a score: the open page shows it on its next run,
    while a number the officer is correcting stays as typed."""
    from cchc.core import assessment as rules
    from cchc.services import assessment as svc

    username, unit = officer_of_a_draft_unit(demo_env)
    at = app_as(username)
    at.switch_page("views/tu-danh-gia.py").run()
    at.segmented_control(key="diem_1.1.1").set_value("1").run()
    assert_clean(at)
    with opened(demo_env) as db:
        svc.apply_scores(db, CLI_USER, 2022, unit, {"1.1.1": rules.LeafScore(Decimal("0.5")),
                                                     "1.1.2": rules.LeafScore(Decimal(0))})
    at.run()
    assert at.segmented_control(key="diem_1.1.1").value == "0,5"
    assert at.segmented_control(key="diem_1.1.2").value == "0"


def test_a_submitted_unit_sees_its_form_locked(demo_env):
    at = app_as("sonhong")                     # submitted in the demo
    at.switch_page("views/tu-danh-gia.py").run()
    assert_clean(at)
    assert at.segmented_control(key="diem_1.1.1").disabled
    assert "biểu mẫu đã khóa" in texts(at)
    assert any(b.label == "Rút lại báo cáo để sửa" for b in at.button)
    assert not any(m.label == "Chỉ số tạm tính" for m in at.metric)
    ratio = next(m for m in at.metric if m.label == "Tỷ lệ điểm tự chấm")
    assert ratio.value == "61,79%" and "Chỉ số CCHC" in ratio.help


def test_admin_sees_every_state_and_reopens_with_a_reason(demo_env, monkeypatch):
    monkeypatch.setenv("CCHC_TODAY", "2022-11-12")          # after the deadline
    at = app_as("admin")
    at.switch_page("views/quan-tri.py").run()
    assert_clean(at)
    form_reason = next(t for t in at.text_input if t.label.startswith("Lý do"))
    at.selectbox[0].set_value("18136")
    form_reason.input("Mất điện kéo dài")
    next(b for b in at.button if b.label == "Mở lại").click()
    at.run()
    assert_clean(at)
    assert any("Đã mở lại biểu mẫu của Thị trấn Tây Sơn" in s.value for s in at.success)
    with opened(demo_env) as db:
        row = db.one("assessment_get", year=2022, unit_code="18136")
        assert row["reopened_until"].isoformat() == "2022-11-15" and row["reopen_reason"] == "Mất điện kéo dài"


def test_admin_creates_an_account_and_resets_a_password(demo_env):
    at = app_as("admin")
    at.query_params["muc"] = "Tài khoản"                 # only the open tab runs
    at.switch_page("views/quan-tri.py").run()
    form_fields = {t.label: t for t in at.text_input}
    form_fields["Tên đăng nhập (chữ thường không dấu)"].input("hd-tuphap")
    form_fields["Họ tên"].input("Nguyễn Thị Pháp")
    at.selectbox(key="vt_moi").set_value("council")
    at.selectbox(key="cq_moi").set_value("TP")
    next(b for b in at.button if b.label == "Tạo tài khoản").click()
    at.run()
    assert_clean(at)
    assert any("Mật khẩu ban đầu của **hd-tuphap**" in s.value for s in at.success)
    with opened(demo_env) as db:
        row = db.one("user_get", username="hd-tuphap")
        assert row["office_code"] == "TP" and row["must_change_password"]
        assert not row["is_demo"]                  # created inside the demo, yet a real account
    at.selectbox(key="tk_chon").set_value("lanhdao").run()
    next(b for b in at.button if b.label == "Đặt lại mật khẩu").click()
    at.run()
    assert any("Mật khẩu ban đầu của **lanhdao**" in s.value for s in at.success)


def test_admin_creates_next_years_period_and_moves_a_deadline(demo_env):
    at = app_as("admin")
    at.query_params["muc"] = "Kỳ đánh giá"                 # only the open tab runs
    at.switch_page("views/quan-tri.py").run()
    next(b for b in at.button if b.label == "Tạo kỳ năm 2023 từ kỳ năm 2022").click()
    at.run()
    assert_clean(at)
    with opened(demo_env) as db:
        assert db.one("period_get", year=2023)["self_assessment_deadline"].isoformat() == "2023-11-10"
    at.selectbox(key="ky_sua").set_value(2022).run()
    at.date_input(key="council_deadline_2022").set_value(dt.date(2022, 11, 7))
    next(b for b in at.button if b.label == "Lưu kỳ đánh giá").click()
    at.run()                                                   # 08/11 has passed on the demo day: a reason is needed
    assert any("cần ghi lý do" in e.value for e in at.error)


def test_the_criteria_tab_offers_the_workbook_and_the_current_set(demo_env):
    at = app_as("admin")
    at.query_params["muc"] = "Bộ tiêu chí"                 # only the open tab runs
    at.switch_page("views/quan-tri.py").run()
    assert_clean(at)
    labels = [b.label for b in at.get("download_button")]
    assert "Tải mẫu trống (.xlsx)" in labels and "Tải .xlsx" in labels and "Tải YAML" in labels
    assert "Chưa có phiên bản nào khác trong kho" in texts(at)


def test_admin_previews_and_moves_the_period_to_a_new_version(demo_env):
    from dataclasses import replace

    from cchc.services import reference
    with opened(demo_env) as db:
        current = reference.period_criteria(db, CLI_USER, 2022)
        set_id = reference.add_criteria_set(db, CLI_USER, replace(current, version=2))
    at = app_as("admin")
    at.query_params["muc"] = "Bộ tiêu chí"                 # only the open tab runs
    at.switch_page("views/quan-tri.py").run()
    assert_clean(at)
    assert at.selectbox(key="chuyen_bo").value == (set_id, "all")
    shown = texts(at)
    assert "Đơn vị chuyển sang phiên bản này: **25**, trong đó **8 đã nộp**" in shown
    assert "Điểm cất vào kho lưu: **0**" in shown.replace("điểm cất", "Điểm cất")
    next(b for b in at.button if b.label == "Xác nhận chuyển điểm và gắn phiên bản này").click()
    at.run()
    assert any("cần ghi lý do" in e.value for e in at.error)
    at.text_input(key="ly_do_chuyen").input("Tỉnh ban hành bản đính chính")
    next(b for b in at.button if b.label == "Xác nhận chuyển điểm và gắn phiên bản này").click()
    at.run()
    assert_clean(at)
    assert any("Đã gắn HT-XA-2022-MAU phiên bản 2 vào kỳ 2022 (tất cả đơn vị)" in s.value for s in at.success)
    with opened(demo_env) as db:
        assert db.one("period_get", year=2022)["criteria_set_id"] == set_id


def test_admin_adds_renames_and_merges_units(demo_env):
    at = app_as("admin")
    at.query_params["muc"] = "Đơn vị"                 # only the open tab runs
    at.switch_page("views/quan-tri.py").run()
    at.text_input(key="ma_them").input("18999")
    at.text_input(key="ten_them").input("Xã Sơn Mới")
    at.number_input(key="nam_them").set_value(2023)
    next(b for b in at.button if b.label == "Thêm đơn vị").click()
    at.run()
    assert_clean(at)
    at.selectbox(key="dv_doi_ten").set_value("18139").run()
    assert at.text_input(key="ten_moi_18139").value == "Xã Sơn Hồng"      # the form follows the chosen unit
    assert at.selectbox(key="loai_moi_18139").value == "Xã"
    at.text_input(key="ten_moi_18139").input("Thị trấn Sơn Hồng")
    at.selectbox(key="loai_moi_18139").set_value("Thị trấn")
    next(b for b in at.button if b.label == "Lưu tên mới").click()
    at.run()
    assert_clean(at)
    at.multiselect(key="dv_sn").set_value(["18142"])
    at.selectbox(key="dv_nhan").set_value("18999")
    next(b for b in at.button if b.label == "Sáp nhập").click()
    at.run()
    assert_clean(at)
    with opened(demo_env) as db:
        assert db.one("unit_get", code="18999")["name"] == "Xã Sơn Mới"
        assert [n["name"] for n in db.all("unit_names", code="18139")] == ["Xã Sơn Hồng", "Thị trấn Sơn Hồng"]
        assert db.one("unit_get", code="18142")["successor_code"] == "18999"
    at.selectbox(key="ls_dv").set_value("18999").run()
    assert "Xã Sơn Tiến (18142) sáp nhập vào từ năm 2023" in texts(at)
    at.multiselect(key="dv_sn").set_value(["18139"])             # has 2022 data: merging from 2022 is refused
    at.selectbox(key="dv_nhan").set_value("18142")
    at.number_input(key="nam_sn").set_value(2022)
    next(b for b in at.button if b.label == "Sáp nhập").click()
    at.run()
    assert any("không thể sáp nhập từ năm 2022" in e.value for e in at.error)


def test_admin_loads_another_districts_units(demo_env):
    at = app_as("admin")
    at.query_params["muc"] = "Đơn vị"                 # only the open tab runs
    at.switch_page("views/quan-tri.py").run()
    at.selectbox(key="tinh_nap").set_value("42").run()
    at.selectbox(key="huyen_nap").set_value("440").run()
    next(b for b in at.button if b.label == "Nạp các đơn vị của huyện này").click()
    at.run()
    assert_clean(at)
    assert any(s.value.startswith("Đã thêm ") for s in at.success)


def test_the_dashboard_compares_two_periods_for_the_district(demo_env):
    from cchc.services import periods
    with opened(demo_env) as db:
        periods.create_from(db, CLI_USER, 2023, 2022)
    at = app_as("lanhdao")
    at.query_params["nam"] = "2022"
    at.switch_page("views/bang-dieu-khien.py").run()
    assert_clean(at)
    assert at.selectbox(key="so_sanh_ky").value == 2023
    table = at.dataframe[-1].value
    assert list(table.columns) == ["", "Năm 2022", "Năm 2023"]
    row = table[table[""] == "Số đơn vị"].iloc[0]
    assert (row["Năm 2022"], row["Năm 2023"]) == (25, 25)
