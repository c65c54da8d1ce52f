"""Accounts, passwords and login delays, on a real database; and the navigation table."""

from __future__ import annotations

import datetime as dt

import pytest

from cchc.core import navigation, workflow
from cchc.core.clock import wall_now
from cchc.core.permissions import CLI_USER
from cchc.services import ServiceError, users


def test_passwords_are_bcrypt_hashes(storage):
    users.add_user(storage, CLI_USER, "lanhdao", "Lãnh đạo", "leader", "MatKhau#2022")
    stored = storage.one("user_get", username="lanhdao")["password_hash"]
    assert stored.startswith("$2b$") and "MatKhau" not in stored
    assert users.check_password("MatKhau#2022", stored) and not users.check_password("matkhau#2022", stored)


@pytest.mark.parametrize("password, message", [
    ("ngan", "ít nhất 8 ký tự"), (" co-dau-cach ", "dấu cách"), ("ư" * 40, "tối đa 72 byte")])
def test_weak_or_unusable_passwords_are_refused(storage, password, message):
    with pytest.raises(ServiceError, match=message):
        users.add_user(storage, CLI_USER, "lanhdao", "Lãnh đạo", "leader", password)
    assert storage.one("user_get", username="lanhdao") is None


@pytest.mark.parametrize("kwargs, message", [
    (dict(username="A B", role="leader"), "không hợp lệ"),
    (dict(username="xa", role="commune", unit_code="18139"), "không hợp lệ"),
    (dict(username="xa1", role="commune"), "cần mã đơn vị"),
    (dict(username="hd1", role="council", office_code="KHONGCO"), "Không có cơ quan"),
    (dict(username="ld1", role="leader", unit_code="18139"), "Chỉ tài khoản cấp xã"),
    (dict(username="ld1", role="chairman"), "Vai trò 'chairman' không hợp lệ"),
])
def test_bad_accounts_are_refused(storage, kwargs, message):
    with pytest.raises(ServiceError, match=message):
        users.add_user(storage, CLI_USER, full_name="X", password="MatKhau#2022", **kwargs)


def test_credentials_hold_active_accounts_only(storage):
    users.add_user(storage, CLI_USER, "quantri", "Quản trị", "admin", "MatKhau#2022")
    users.add_user(storage, CLI_USER, "sonhong", "Cán bộ", "commune", "MatKhau#2022", unit_code="18139")
    users.set_active(storage, CLI_USER, "sonhong", False)
    creds = users.login_credentials(storage)["usernames"]
    assert set(creds) == {"quantri"}
    assert creds["quantri"]["roles"] == ["admin"] and creds["quantri"]["password"].startswith("$2b$")
    assert users.active_user(storage, "sonhong") is None and users.active_user(storage, "quantri").role == "admin"


def test_a_right_password_logs_in_once_a_mistyping_officer_has_waited(storage):
    users.add_user(storage, CLI_USER, "sonhong", "Cán bộ", "commune", "MatKhau#2022", unit_code="18139")
    t0 = wall_now()
    for at in (t0, t0, t0, t0 + dt.timedelta(seconds=1), t0 + dt.timedelta(seconds=3)):   # 5 typos, waiting 1 s then 2 s
        assert users.log_in(storage, "sonhong", "MatKhau#2021", "may-can-bo", at=at) is None
    assert [r["action"] for r in storage.all("audit_recent", limit=5)] == ["login.failed"] * 5
    assert users.log_in(storage, "sonhong", "MatKhau#2022", "may-can-bo", at=t0 + dt.timedelta(seconds=6)) is None   # 4 s not yet over
    user = users.log_in(storage, "sonhong", "MatKhau#2022", "may-can-bo", at=t0 + dt.timedelta(seconds=7))
    assert user is not None and user.unit_code == "18139"
    assert storage.one("user_get", username="sonhong")["last_login"] is not None
    assert storage.all("audit_recent", limit=1)[0]["action"] == "login"
    # The success cleared the account's count: three free tries again.
    t1 = t0 + dt.timedelta(seconds=8)
    assert all(users.log_in(storage, "sonhong", "sai", "may-can-bo", at=t1) is None for _ in range(3))
    assert users.log_in(storage, "sonhong", "MatKhau#2022", "may-can-bo", at=t1 + dt.timedelta(seconds=1)) is not None


def test_an_unknown_username_is_not_recorded(storage):
    before = storage.scalar("audit_count")
    assert users.log_in(storage, "khongco", "MatKhau#2022", "may-1") is None
    assert storage.scalar("audit_count") == before


def test_only_an_admin_may_set_someone_elses_password(storage):
    users.add_user(storage, CLI_USER, "lanhdao", "Lãnh đạo", "leader", "MatKhau#2022")
    leader = users.active_user(storage, "lanhdao")
    users.set_password(storage, leader, "lanhdao", "MatKhauMoi#1")        # their own: allowed
    from cchc.core.permissions import PermissionDenied
    with pytest.raises(PermissionDenied):
        users.set_password(storage, leader, "admin", "MatKhauMoi#1")


# ------------------------------------------------------------------ navigation, pure


def test_every_staff_page_has_a_stable_address_and_roles():
    paths = [p.url_path for p in navigation.PAGES]
    assert len(paths) == len(set(paths))
    assert {"tu-danh-gia", "tham-dinh", "bang-dieu-khien", "quan-tri", "khao-sat", "dieu-tra", "ket-qua"} <= set(paths)
    for p in navigation.PAGES + (navigation.LOGIN,):
        assert p.file == f"views/{p.url_path}.py"


@pytest.mark.parametrize(("url", "expected"), [
    ("http://may-chu:8501/khao-sat", None),                 # a page of this visitor
    ("http://may-chu:8501/", None),                         # the root
    ("http://may-chu:8501", None),
    ("http://may-chu:8501/khao-sat-nham", "khao-sat-nham"),  # a typing slip
    ("https://cchc.huongson.vn/cchc/khaosat", "khaosat"),    # under a base path
    ("http://may-chu:8501/Kh%E1%BA%A3o-s%C3%A1t", None),     # not a plain page name: Streamlit's own answer
    ("http://may-chu:8501/a/b", None),
    ("http://may-chu:8501/" + "x" * 81, None),
    (None, None),
])
def test_a_mistyped_address_is_recognised_so_that_a_page_can_answer_it(url, expected):
    answering = {p.url_path for p in navigation.pages_for(None)} | {s.url_path for s in navigation.stand_ins_for(None)}
    base = "cchc" if url and "/cchc/" in url else ""
    assert navigation.unknown_address(url, answering, base) == expected
    if expected:
        spec = navigation.not_found_page(expected)
        assert spec.url_path == expected and spec.file == navigation.NOT_FOUND_FILE and not spec.roles


@pytest.mark.parametrize("role", ["admin", "leader", "council", "commune", None])
def test_stand_ins_never_run_a_page_of_another_role(role):
    real = {p.url_path for p in navigation.pages_for(role)}
    for stand_in in navigation.stand_ins_for(role):
        assert stand_in.file in (navigation.LOGIN.file, navigation.NO_ACCESS_FILE)
        assert stand_in.url_path not in real or stand_in == navigation.LOGIN


def test_workflow_deadlines_against_the_clock():
    period = {"council_deadline": dt.date(2022, 11, 8), "self_assessment_deadline": dt.date(2022, 11, 10),
              "appraisal_deadline": dt.date(2022, 11, 25), "publication_deadline": dt.date(2022, 11, 25)}
    assert workflow.next_deadline(period, dt.date(2022, 11, 9)).key == "self_assessment_deadline"
    assert workflow.next_deadline(period, dt.date(2022, 11, 10)).key == "self_assessment_deadline"
    assert workflow.next_deadline(period, dt.date(2022, 11, 26)) is None
    d = workflow.next_deadline(period, dt.date(2022, 11, 9))
    assert workflow.days_left_text(d, dt.date(2022, 11, 9)) == "còn 1 ngày"
    assert workflow.days_left_text(d, dt.date(2022, 11, 10)) == "hạn cuối là hôm nay"


def test_logout_password_change_and_disabling_revoke_older_cookies(storage):
    users.add_user(storage, CLI_USER, "sonhong", "Cán bộ", "commune", "MatKhau#2022", unit_code="18139")
    issued = wall_now()
    assert users.cookie_accepted(storage, "sonhong", issued)
    users.record_logout(storage, "sonhong")
    assert not users.cookie_accepted(storage, "sonhong", issued)           # issued before the logout
    assert users.cookie_accepted(storage, "sonhong", wall_now())    # a new login's cookie
    issued = wall_now()
    users.set_password(storage, CLI_USER, "sonhong", "MatKhauMoi#1")
    assert not users.cookie_accepted(storage, "sonhong", issued)
    users.set_active(storage, CLI_USER, "sonhong", False)
    assert not users.cookie_accepted(storage, "sonhong", wall_now())
    assert not users.cookie_accepted(storage, "khongco", wall_now())


@pytest.mark.parametrize("role", ["admin", "leader", "council", "commune"])
def test_stand_ins_for_someone_who_must_change_the_password_run_only_that_page(role):
    for stand_in in navigation.stand_ins_for(role, must_change_password=True):
        assert stand_in.file in (navigation.ACCOUNT_PAGE.file, navigation.LOGIN.file)
    assert [p.url_path for p in navigation.pages_for(role, True) if p.roles] == ["tai-khoan"]


# ------------------------------------------------------------------ administration of accounts


def test_update_user_checks_links_and_keeps_the_last_admin(storage):
    users.add_user(storage, CLI_USER, "quantri", "Quản trị", "admin", "MatKhau#2022")
    users.add_user(storage, CLI_USER, "hd1", "Hội đồng", "council", "MatKhau#2022", office_code="NV")
    users.update_user(storage, CLI_USER, "hd1", "Hội đồng Tư pháp", "council", office_code="TP")
    row = storage.one("user_get", username="hd1")
    assert (row["full_name"], row["office_code"]) == ("Hội đồng Tư pháp", "TP")
    assert storage.all("audit_recent", limit=1)[0]["action"] == "user.update"
    with pytest.raises(ServiceError, match="cần mã đơn vị"):
        users.update_user(storage, CLI_USER, "hd1", "X", "commune")
    with pytest.raises(ServiceError, match="quản trị cuối cùng"):
        users.update_user(storage, CLI_USER, "quantri", "Quản trị", "leader")
    issued = wall_now()
    users.update_user(storage, CLI_USER, "hd1", "Cán bộ", "commune", unit_code="18139")
    assert not users.cookie_accepted(storage, "hd1", issued)      # a new role: log in again


def test_reset_password_gives_a_readable_one_to_change_at_next_login(storage):
    users.add_user(storage, CLI_USER, "lanhdao", "Lãnh đạo", "leader", "MatKhau#2022")
    password = users.reset_password(storage, CLI_USER, "lanhdao")
    assert len(password) == 10 and not set(password) & set("0O1lI")
    row = storage.one("user_get", username="lanhdao")
    assert users.check_password(password, row["password_hash"]) and row["must_change_password"]


def test_one_account_per_commune_in_one_go(storage):
    users.add_user(storage, CLI_USER, "sonhong", "Cán bộ", "commune", "MatKhau#2022", unit_code="18139")
    created = users.create_commune_accounts(storage, CLI_USER, 2022)
    assert len(created) == 24 and "18139" not in {c["unit_code"] for c in created}
    assert {c["username"] for c in created} >= {"phochau", "sonkim1", "sonkim2"}
    row = storage.one("user_get", username="phochau")
    assert row["must_change_password"] and row["unit_code"] == "18133"
    assert users.check_password(next(c["password"] for c in created if c["username"] == "phochau"), row["password_hash"])
    assert users.create_commune_accounts(storage, CLI_USER, 2022) == []          # every unit has one now
    import io

    from openpyxl import load_workbook

    from cchc.files import assessment_workbook as excel_io
    ws = load_workbook(io.BytesIO(excel_io.build_account_sheet(created, "Huyện Hương Sơn"))).active
    assert ws["A1"].value == "DANH SÁCH TÀI KHOẢN CẤP XÃ — HUYỆN HƯƠNG SƠN" and ws.max_row == 4 + 24


def test_only_admin_manages_accounts(storage):
    from cchc.core.permissions import PermissionDenied, User
    leader = User("lanhdao", "Lãnh đạo", "leader")
    for call in (lambda: users.reset_password(storage, leader, "x"),
                 lambda: users.update_user(storage, leader, "x", "X", "leader"),
                 lambda: users.create_commune_accounts(storage, leader, 2022)):
        with pytest.raises(PermissionDenied):
            call()
