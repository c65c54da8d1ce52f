"""Logins an attacker cannot forge, race or abuse: the cookie key, the cookie check, the delays.

Real parts only: bcrypt (low rounds), DuckDB files, JWTs made as streamlit-authenticator makes
them, the app in AppTest, and one flow in Chromium that plants forged cookies in a real browser."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
import time

import jwt
import pytest
from streamlit.testing.v1 import AppTest

from cchc import config
from cchc.core.clock import wall_now
from cchc.core.permissions import CLI_USER
from cchc.db.storage import Storage
from cchc.services import seed, users

from .conftest import DEMO_PASSWORD, ROOT, opened

APP = str(ROOT / "app.py")
OLD_EXAMPLE_KEY = "khoa-mau-cua-ban-demo-hay-thay-bang-khoa-bi-mat"     # published by earlier versions
DAY = 86400


def issued_cookie(username: str, key: str, days: float = users.COOKIE_DAYS, **extra) -> str:
    """A cookie as streamlit-authenticator 0.4.2 issues it (models/cookie_model.py)."""
    return jwt.encode({"username": username, "exp_date": time.time() + days * DAY, **extra}, key, algorithm="HS256")


def app_key(db_path) -> str:
    """The key the app signs with when the operator sets none: the one generated beside the DB."""
    return config.generated_cookie_key(config.cookie_key_file(config.from_env({"CCHC_DB": str(db_path)})))


# ------------------------------------------------------------------ the key


def test_the_first_start_generates_a_private_key_and_later_starts_reuse_it(tmp_path):
    path = config.cookie_key_file(config.from_env({"CCHC_DB": str(tmp_path / "db" / "cchc.duckdb")}))
    assert path == tmp_path / "db" / ".cookie_key"
    key = config.generated_cookie_key(path)
    assert len(key) >= 64 and path.stat().st_mode & 0o777 == 0o600
    assert config.generated_cookie_key(path) == key                # a restart: the same key
    path.chmod(0o644)                                               # e.g. copied with looser rights
    assert config.generated_cookie_key(path) == key and path.stat().st_mode & 0o777 == 0o600
    assert config.generated_cookie_key(tmp_path / "other" / ".cookie_key") != key   # another database


def test_two_first_starts_at_once_agree_on_one_key(tmp_path):
    path, keys = tmp_path / ".cookie_key", []
    threads = [threading.Thread(target=lambda: keys.append(config.generated_cookie_key(path))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8 and len(set(keys)) == 1
    assert [p.name for p in tmp_path.iterdir()] == [".cookie_key"]          # no temporary file left


def test_the_key_file_is_git_ignored():
    assert ".cookie_key" in (ROOT / ".gitignore").read_text().split()


@pytest.mark.parametrize("key", [OLD_EXAMPLE_KEY, "ngan-qua"])
def test_an_operator_key_that_is_published_or_short_is_refused(key):
    with pytest.raises(config.ConfigError, match="Khóa bí mật trong CCHC_COOKIE_KEY không dùng được"):
        config.from_env({"CCHC_COOKIE_KEY": key})


def test_the_app_says_so_when_the_operator_key_is_the_old_example(demo_env, monkeypatch):
    monkeypatch.setenv("CCHC_COOKIE_KEY", OLD_EXAMPLE_KEY)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert at.error and "Khóa bí mật" in at.error[0].value
    assert not any(t.label == "Tên đăng nhập" for t in at.text_input)


# ------------------------------------------------------------------ the cookie


@pytest.fixture(params=["demo", "real"])
def any_db(request, demo_file, blank_file, tmp_path):
    """A demo database and a real one, with an admin added by the CLI in each."""
    path = shutil.copy(demo_file if request.param == "demo" else blank_file, tmp_path / "cchc.duckdb")
    db = Storage(path)
    users.add_user(db, CLI_USER, "quantri", "Quản trị", "admin", "MatKhau#2022")
    yield db
    db.close()


def test_a_cookie_forged_with_the_old_example_key_is_refused(any_db):
    key = app_key(any_db.path)
    assert key != OLD_EXAMPLE_KEY
    assert users.cookie_username(any_db, issued_cookie("quantri", key), key) == "quantri"     # what the app issues
    for name in ("quantri", "admin"):
        assert users.cookie_username(any_db, issued_cookie(name, OLD_EXAMPLE_KEY), key) is None
    assert not any_db.one("user_get", username="quantri")["is_demo"]       # added later: a real account


def test_after_a_password_change_the_old_cookie_is_refused(any_db):
    key = app_key(any_db.path)
    old = issued_cookie("quantri", key)
    assert users.cookie_username(any_db, old, key) == "quantri"
    users.set_password(any_db, CLI_USER, "quantri", "MatKhauMoi#2023")
    assert users.cookie_username(any_db, old, key) is None
    assert users.cookie_username(any_db, issued_cookie("quantri", key), key) == "quantri"     # a new login's


def _token(header: dict, payload: dict, key: str, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=algorithm, headers=header)


@pytest.mark.parametrize("case", [
    "ten_years", "expired", "extra_field", "no_expiry", "expiry_as_text", "expiry_true", "name_as_number",
    "alg_none", "hs512", "extra_header", "wrong_key", "unknown_user", "disabled_user",
    "garbage", "three_dots", "empty", "not_an_object",
])
def test_a_cookie_the_app_would_not_issue_is_ignored_without_raising(storage, case):
    users.add_user(storage, CLI_USER, "quantri", "Quản trị", "admin", "MatKhau#2022")
    users.add_user(storage, CLI_USER, "lanhdao", "Lãnh đạo", "leader", "MatKhau#2022")
    users.set_active(storage, CLI_USER, "lanhdao", False)
    key, now = app_key(storage.path), time.time()
    good = {"username": "quantri", "exp_date": now + users.COOKIE_DAYS * DAY}
    token = {
        "ten_years": issued_cookie("quantri", key, days=3650),
        "expired": issued_cookie("quantri", key, days=-1),
        "extra_field": issued_cookie("quantri", key, role="admin"),
        "no_expiry": jwt.encode({"username": "quantri"}, key, algorithm="HS256"),
        "expiry_as_text": jwt.encode({**good, "exp_date": "9999999999"}, key, algorithm="HS256"),
        "expiry_true": jwt.encode({**good, "exp_date": True}, key, algorithm="HS256"),
        "name_as_number": jwt.encode({**good, "username": 1}, key, algorithm="HS256"),
        "alg_none": jwt.encode(good, None, algorithm="none"),
        "hs512": jwt.encode(good, key, algorithm="HS512"),
        "extra_header": _token({"kid": "x"}, good, key),
        "wrong_key": issued_cookie("quantri", "mot-khoa-khac-hoan-toan-dai-hon-32-ky-tu"),
        "unknown_user": issued_cookie("khongco", key),
        "disabled_user": issued_cookie("lanhdao", key),
        "garbage": "khong-phai-jwt",
        "three_dots": "a.b.c",
        "empty": "",
        "not_an_object": jwt.api_jws.encode(b"[1, 2]", key, algorithm="HS256"),
    }[case]
    assert users.cookie_username(storage, token, key) is None
    assert users.cookie_username(storage, issued_cookie("quantri", key), key) == "quantri"


def test_an_expiry_a_little_ahead_of_ours_is_allowed_for_clock_skew(storage):
    users.add_user(storage, CLI_USER, "quantri", "Quản trị", "admin", "MatKhau#2022")
    key = app_key(storage.path)
    skewed = jwt.encode({"username": "quantri", "exp_date": time.time() + users.COOKIE_DAYS * DAY + 30}, key)
    assert users.cookie_username(storage, skewed, key) == "quantri"


# ------------------------------------------------------------------ counting and delays


@pytest.fixture
def officer(storage):
    users.add_user(storage, CLI_USER, "sonhong", "Cán bộ Sơn Hồng", "commune", "MatKhau#2022", unit_code="18139")
    return storage


@pytest.fixture
def bcrypt_checks(monkeypatch):
    """Count the real bcrypt checks the login service makes (the check itself still runs)."""
    calls = []
    real = users.check_password

    def counted(password, password_hash):
        calls.append(1)
        return real(password, password_hash)

    monkeypatch.setattr(users, "check_password", counted)
    return calls


def failed_audits(db: Storage) -> int:
    return sum(r["action"] == "login.failed" for r in db.all("audit_recent", limit=1000))


@pytest.mark.parametrize("clients", ["one client", "twelve clients"])
def test_twelve_parallel_wrong_passwords_reach_bcrypt_at_most_the_free_number_of_times(officer, bcrypt_checks, clients):
    at, results, start = wall_now(), [], threading.Barrier(12)

    def attempt(i: int) -> None:
        start.wait()
        client = "may-1" if clients == "one client" else f"may-{i}"
        results.append(users.log_in(officer, "sonhong", f"sai-{i}", client, at=at))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [None] * 12
    assert len(bcrypt_checks) == users.ACCOUNT_THROTTLE.free == failed_audits(officer)


def test_every_refusal_is_the_same_and_costs_the_same(officer, bcrypt_checks):
    users.add_user(officer, CLI_USER, "lanhdao", "Lãnh đạo", "leader", "MatKhau#2022")
    users.set_active(officer, CLI_USER, "lanhdao", False)
    for name, password in (("sonhong", "sai"), ("khongco", "MatKhau#2022"), ("lanhdao", "MatKhau#2022")):
        bcrypt_checks.clear()
        assert users.log_in(officer, name, password, f"may-{name}") is None
        assert len(bcrypt_checks) == 1                       # unknown and disabled names: one check too


@pytest.mark.parametrize("case", ["wrong", "unknown", "disabled", "waiting"])
def test_the_login_page_says_one_sentence_for_every_failure(demo_env, case):
    with opened(demo_env) as db:
        if case == "disabled":
            users.set_active(db, CLI_USER, "sonhong", False)
        if case == "waiting":       # ten failures from elsewhere, a minute apart, the last one a second ago
            for k in range(10, 0, -1):
                users.log_in(db, "sonhong", "sai", "may-khac", at=wall_now() - dt.timedelta(seconds=1 + 61 * (k - 1)))
    username, password = {"wrong": ("sonhong", "sai-mat-khau"), "unknown": ("khongco", DEMO_PASSWORD),
                          "disabled": ("sonhong", DEMO_PASSWORD), "waiting": ("sonhong", DEMO_PASSWORD)}[case]
    at = AppTest.from_file(APP, default_timeout=30).run()
    inputs = {t.label: t for t in at.text_input}
    inputs["Tên đăng nhập"].input(username)
    inputs["Mật khẩu"].input(password)
    next(b for b in at.button if b.label == "Đăng nhập").click()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [users.LOGIN_REFUSED]
    assert "tạm khóa" not in users.LOGIN_REFUSED and not at.session_state["authentication_status"]


def test_five_requests_from_an_attacker_do_not_keep_the_officer_out(officer):
    t0 = wall_now()
    for _ in range(5):
        assert users.log_in(officer, "sonhong", "doan-bua", "ke-tan-cong", at=t0) is None
    second = t0 + dt.timedelta(seconds=1)
    assert users.log_in(officer, "sonhong", "MatKhau#2022", "may-can-bo", at=second) is not None


def test_the_account_delay_has_a_cap_so_the_officer_gets_in_within_a_minute(officer):
    t = wall_now()
    for i in range(40):                                     # a long attack from many addresses
        users.log_in(officer, "sonhong", "doan-bua", f"may-{i}", at=t)
        t += dt.timedelta(seconds=users.ACCOUNT_THROTTLE.cap)
    last = t - dt.timedelta(seconds=users.ACCOUNT_THROTTLE.cap)
    assert users.log_in(officer, "sonhong", "MatKhau#2022", "may-can-bo", at=last + dt.timedelta(seconds=1)) is None
    ok = last + dt.timedelta(seconds=users.ACCOUNT_THROTTLE.cap)
    assert users.log_in(officer, "sonhong", "MatKhau#2022", "may-can-bo", at=ok) is not None


def test_an_attackers_client_is_slowed_down_across_accounts(officer, bcrypt_checks):
    t0 = wall_now()
    for i in range(30):                          # one address trying many names, a second apart
        users.log_in(officer, f"xa{i:02d}", "MatKhau#2022", "ke-tan-cong", at=t0 + dt.timedelta(seconds=i))
    assert len(bcrypt_checks) < users.CLIENT_THROTTLE.free + 5
    later = t0 + dt.timedelta(seconds=31)
    assert users.log_in(officer, "sonhong", "MatKhau#2022", "ke-tan-cong", at=later) is None   # refused early
    assert users.log_in(officer, "sonhong", "MatKhau#2022", "may-can-bo", at=later) is not None  # the officer is not


def test_failures_are_forgotten_after_a_quiet_hour_and_a_new_password_clears_them(officer):
    t0 = wall_now()
    for _ in range(3):
        users.log_in(officer, "sonhong", "sai", "may-1", at=t0)
    assert users.log_in(officer, "sonhong", "MatKhau#2022", "may-1", at=t0) is None
    assert users.log_in(officer, "sonhong", "MatKhau#2022", "may-1", at=t0 + users.FORGET_AFTER) is not None
    for _ in range(3):
        users.log_in(officer, "sonhong", "sai", "may-1", at=wall_now())
    users.reset_password(officer, CLI_USER, "sonhong")
    users.set_password(officer, CLI_USER, "sonhong", "MatKhauMoi#1")
    assert users.log_in(officer, "sonhong", "MatKhauMoi#1", "may-2", at=wall_now()) is not None


def test_a_success_does_not_wipe_the_clients_earlier_failures(officer, bcrypt_checks):
    """An attacker with an account of their own cannot reset their address's count by logging in."""
    t0 = wall_now()
    for i in range(users.CLIENT_THROTTLE.free):
        users.log_in(officer, f"ten{i}", "sai", "ke-tan-cong", at=t0)
    assert users.log_in(officer, "sonhong", "MatKhau#2022", "ke-tan-cong", at=t0) is None     # must wait now
    bcrypt_checks.clear()
    assert users.log_in(officer, "ten-moi", "sai", "ke-tan-cong", at=t0) is None
    assert bcrypt_checks == []


# ------------------------------------------------------------------ in a real browser


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_forged_cookies_in_a_real_browser_show_the_login_without_a_traceback(tmp_path):
    from . import test_browser as tb  # skips here too where Chromium is absent

    env = {**os.environ, "CCHC_DB": str(tmp_path / "cchc.duckdb"), "CCHC_FILES": str(tmp_path / "files"),
           "CCHC_BCRYPT_ROUNDS": "4"}
    env.pop("CCHC_COOKIE_KEY", None)
    seed.open_database(config.from_env(env)).close()       # the demo, as a first start makes it
    from playwright.sync_api import sync_playwright

    with tb.running_app(tmp_path, env) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=tb.CHROMIUM, args=tb.CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(url)
        page.get_by_label("Tên đăng nhập").wait_for()        # the first page run made the key
        key = (tmp_path / ".cookie_key").read_text()
        good = {"username": "sonhong", "exp_date": time.time() + users.COOKIE_DAYS * DAY}
        forged = [jwt.encode(good, None, algorithm="none"), issued_cookie("admin", OLD_EXAMPLE_KEY),
                  issued_cookie("sonhong", key, days=3650), "khong-phai-jwt"]
        for token in forged:
            context.add_cookies([{"name": "cchc_dang_nhap", "value": token, "url": url}])
            page.goto(url + "/tu-danh-gia")
            page.get_by_label("Tên đăng nhập").wait_for()
            tb.settle(page)
            assert page.locator("[data-testid=stException]").count() == 0, token
            assert page.get_by_text("Traceback").count() == 0
            assert page.get_by_role("heading", name="Tự đánh giá — Xã Sơn Hồng").count() == 0
        # The cookie the app itself would issue does log in: the check refuses forgeries only.
        context.add_cookies([{"name": "cchc_dang_nhap", "value": jwt.encode(good, key, algorithm="HS256"), "url": url}])
        page.goto(url + "/tu-danh-gia")
        page.get_by_role("heading", name="Tự đánh giá — Xã Sơn Hồng").wait_for()
        browser.close()


def test_a_short_key_in_secrets_toml_is_refused_with_a_message(demo_env):
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["auth"] = {"cookie_key": "thay-bang-chuoi-ngau-nhien"}      # the example file's placeholder
    at.run()
    assert not at.exception
    assert at.error and "secrets.toml" in at.error[0].value
