"""The only cchc module that imports Streamlit: the cached database, logins, navigation, and
the few display helpers every page shares."""

from __future__ import annotations

import gc
import importlib
import os
import pkgutil
import re
from collections import defaultdict
from collections.abc import Callable
from functools import cache
from pathlib import Path

import streamlit as st
from streamlit_authenticator import Authenticate

from cchc import config
from cchc.core.criteria import CriteriaSet
from cchc.core.navigation import (CITIZEN_FORMS, not_found_page, pages_for, requested_page, stand_ins_for,
                                  unknown_address)
from cchc.core.permissions import User
from cchc.core.text import fmt_date
from cchc.db.storage import Storage, StorageError
from cchc.services import reference, seed, users
from cchc.services.common import is_demo, today

COOKIE_NAME = "cchc_dang_nhap"
COOKIE_DAYS = users.COOKIE_DAYS     # what the cookie check expects
APP_TITLE = "Chỉ số CCHC cấp xã"
_LOGOUT_KEY = "_cchc_logout_requested"
_COOKIE_PENDING = "_cchc_cookie_pending"


# ------------------------------------------------------------------ the database


@st.cache_resource(show_spinner="Đang mở cơ sở dữ liệu…")
def _open_storage(db_path: str) -> Storage:
    # A first start creates the file, seeds the reference data and the demo (cchc.seed).
    return seed.open_database(config.from_env())


def storage() -> Storage:
    return _open_storage(str(config.from_env().db_path))


def restore_from_upload(data: bytes, user: User) -> dict:
    """Replace the running database and evidence files with a backup's, then reopen."""
    import io

    from cchc.services import backup

    try:
        return backup.restore_in_place(storage(), io.BytesIO(data), config.from_env().files_dir, user)
    finally:
        _open_storage.clear()         # the next call opens whatever file is now in place


# ------------------------------------------------------------------ logins


def _cookie_key() -> str:
    """The operator's key (CCHC_COOKIE_KEY, else secrets.toml [auth] cookie_key), else the key
    generated at the first start beside the database. There is no example key."""
    settings = config.from_env()
    key = settings.cookie_key
    if not key:
        try:
            key = st.secrets.get("auth", {}).get("cookie_key")
        except Exception:  # no secrets.toml at all (Streamlit raises its own error types)
            key = None
        key = config.check_cookie_key(key or None, ".streamlit/secrets.toml [auth] cookie_key")
    return key or config.generated_cookie_key(config.cookie_key_file(settings))


def _make_authenticator(db: Storage) -> Authenticate:
    """The authenticator, made only in the run that sets the re-login cookie (a login) or deletes
    it (a logout): it draws the cookie component, an iframe whose script loads and then reruns the
    whole page. Every other run reads the cookie on the server (_log_in_from_cookie)."""
    return Authenticate(users.login_credentials(db), COOKIE_NAME, _cookie_key(), COOKIE_DAYS,
                        auto_hash=False, login_sleep_time=0)


def _log_in_from_cookie(db: Storage) -> None:
    """A returning user's re-login cookie, checked on the server in the first run of the session:
    only what the app would have issued logs in (users.cookie_username: the algorithm, the exact
    fields, the expiry, an active account, not revoked); anything else is ignored for this session.
    The browser's cookies are those of the page load, so after a logout (`logout` set) they are
    not read again."""
    if st.session_state.get("authentication_status") or st.session_state.get("logout"):
        return
    token = st.context.cookies.get(COOKIE_NAME)
    if not token:
        return
    username = users.cookie_username(db, token, _cookie_key())
    user = users.active_user(db, username) if username else None
    if user is None:
        st.session_state["logout"] = True
        return
    _start_session(user)


def _start_session(user: User) -> None:
    st.session_state.update(name=user.full_name, username=user.username, roles=[user.role], email=None,
                            authentication_status=True, logout=None)


def current_user() -> User | None:
    if not st.session_state.get("authentication_status"):
        return None
    return users.active_user(storage(), st.session_state.get("username"))


def client_address() -> str:
    """Where a login try comes from, for its throttle: the connection's address (None when the
    browser is on the same machine); behind a proxy that overwrites X-Forwarded-For
    (CCHC_TRUSTED_PROXY=1, as for the survey) the visitor's, else every login would share one."""
    address = st.context.ip_address
    if os.environ.get("CCHC_TRUSTED_PROXY") == "1":
        address = (st.context.headers.get("X-Forwarded-For") or "").split(",")[0].strip() or address
    return address or "local"


def log_in(username: str, password: str) -> bool:
    """Check a login in the service layer (counted in the database, throttled, one message);
    on success, log the session in and have the authenticator set the re-login cookie."""
    db = storage()
    user = users.log_in(db, username, password, client_address())
    if user is None:
        st.session_state["authentication_status"] = False
        return False
    _start_session(user)
    _set_cookie(db)
    return True


def _set_cookie(db: Storage) -> None:
    """Have the authenticator's component store the re-login cookie. Its value (kept under the
    component's key, "set") turns True once the browser has stored it; until then each run draws
    it again, so a rerun that comes first (the component's own "init" reruns the page when it
    loads) cannot drop the cookie."""
    st.session_state[_COOKIE_PENDING] = True
    if st.session_state.get("set") is True:
        del st.session_state["set"]              # a value left by an earlier login of this session
    _make_authenticator(db).cookie_controller.set_cookie()


# ------------------------------------------------------------------ the app


@cache
def _leave_libraries_out_of_gc() -> None:
    """Once per process, before the first run: load every page's modules, then leave all that
    exists at that moment (the libraries' objects, some 150.000, which live as long as the process)
    out of the garbage collector's scans (gc.freeze). Streamlit collects garbage after every run
    (its runner.postScriptGC) over every object the process tracks: with pandas, openpyxl and
    python-docx loaded that took 75 to 175 ms after every run, a page load's or a click's, holding
    the interpreter while the server had other sessions' work to do; frozen, 3 to 10 ms. What a
    run makes is still collected after it, and a frozen object is still freed once nothing
    refers to it."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    gc.collect()
    gc.freeze()


def main() -> None:
    _leave_libraries_out_of_gc()
    # An emoji icon is drawn in the page (a data: image); a Material one is fetched from Google's
    # servers by every visitor's browser, which a closed network refuses.
    st.set_page_config(page_title=APP_TITLE, page_icon="🏛️", layout="wide")
    try:
        db = storage()
        _cookie_key()                  # a wrong key setting stops every page, loudly
        _log_in_from_cookie(db)
    except (StorageError, config.ConfigError) as exc:
        st.error(str(exc))
        st.stop()
    chrome = _page_chrome()
    # The cookie's component is drawn inside the chrome's container: drawn or not, the page's own
    # elements keep their places, so a run that adds or drops it does not redraw them twice.
    if st.session_state.get(_COOKIE_PENDING):
        if st.session_state.get("set") is True:
            st.session_state[_COOKIE_PENDING] = False
        elif st.session_state.get("authentication_status"):
            with chrome:
                _set_cookie(db)
    user = current_user()
    if st.session_state.get("authentication_status") and user is None:
        with chrome:
            _log_out(db, None)                # the account was disabled meanwhile
    if st.session_state.pop(_LOGOUT_KEY, False) and user is not None:
        with chrome:
            _log_out(db, user)
        user = None
    citizen_form = user is None and requested_page(st.context.url, _base_path()) in CITIZEN_FORMS
    if not citizen_form:
        _sidebar(user, db)
    st.navigation(_pages(user), position="hidden" if citizen_form else "sidebar").run()


def _base_path() -> str:
    return st.get_option("server.baseUrlPath") or ""


def _log_out(db: Storage, user: User | None) -> None:
    """End the session and delete the re-login cookie (the authenticator's component does)."""
    _make_authenticator(db).logout(location="unrendered")
    st.session_state["logout"] = True
    if user is not None:
        users.record_logout(db, user.username)


_STATIC = Path(__file__).with_name("static")


@cache
def _static(name: str) -> str:
    return (_STATIC / name).read_text(encoding="utf-8")


def _script(name: str) -> str:
    """A script of static/, checked: the HTML sanitizer drops a script whose text holds a "<" before
    a letter or "/", silently, so such a script is refused here, loudly."""
    text = _static(name)
    if re.search(r"<[A-Za-z/!]", text):
        raise ValueError(f"static/{name}: không được có «<» đứng trước chữ cái hoặc «/» (bộ lọc HTML sẽ bỏ cả đoạn mã).")
    return text


def _page_chrome():
    """What every page shares in the browser: the app's stylesheet, and Streamlit's own words in
    Vietnamese with <html lang="vi"> (static/tieng-viet.js), in a container that takes no room
    (returned: the login cookie's component is drawn in it too)."""
    chrome = st.container(key="cchc_chrome")       # one element, drawn once per page load
    with chrome:
        st.html(f"<style>{_static('app.css')}</style><script>{_script('tieng-viet.js')}</script>",
                unsafe_allow_javascript=True)
    return chrome


def _pages(user: User | None) -> dict[str, list]:
    role = user.role if user else None
    must_change = bool(user and user.must_change_password)
    sections: dict[str, list] = defaultdict(list)
    shown = pages_for(role, must_change)
    # The default page answers at the root, and Streamlit does not resolve its name (/dang-nhap,
    # /trang-chu) to it: the name goes to a hidden copy, the default keeps a name nobody types.
    for i, spec in enumerate(shown):
        sections[spec.section].append(
            st.Page(spec.file, title=spec.title, icon=spec.icon, default=(i == 0),
                    url_path=spec.url_path + ("-mac-dinh" if i == 0 else "")))
    hidden = stand_ins_for(role, must_change) + [shown[0]]
    answering = {p.url_path for p in shown + hidden}
    unknown = unknown_address(st.context.url, answering, _base_path())
    if unknown:
        hidden.append(not_found_page(unknown))
    for spec in hidden:
        sections[spec.section].append(
            st.Page(spec.file, title=spec.title, icon=spec.icon, url_path=spec.url_path, visibility="hidden"))
    return dict(sections)


def _request_logout() -> None:
    # A callback, and a flag kept in the session: a rerun triggered by the cookie component at
    # the same moment cannot swallow the click.
    st.session_state[_LOGOUT_KEY] = True


def _sidebar(user: User | None, db: Storage) -> None:
    with st.sidebar:
        st.markdown(f"**{APP_TITLE}**  \n{seed.district_config()['district']['name']}")
        if is_demo(db):
            st.caption(f"Bản minh họa · hôm nay là {fmt_date(today(db))}")
        if user is not None:
            unit = reference.unit(db, user.unit_code) if user.unit_code else None
            where = unit["name"] if unit else user.role_label
            st.markdown(f"Đăng nhập: **{user.full_name}**  \n{where}")
            st.button("Đăng xuất", key="dang_xuat", on_click=_request_logout, icon=":material/logout:")


# ------------------------------------------------------------------ shared display helpers


def lazy_tabs(sections: dict[str, Callable[[], None]], key: str) -> None:
    """Tabs of which only the open one is drawn (a click on another reruns the page), the open
    one kept in the address (?<key>=<its label>), so a reload or a shared link opens the same
    tab; an unknown label in the address opens the first."""
    for tab, draw in zip(st.tabs(list(sections), key=key, on_change="rerun", bind="query-params"), sections.values()):
        if tab.open:
            with tab:
                draw()


def require_user() -> User:
    """The logged-in user; pages for staff call this first (navigation already filters)."""
    user = current_user()
    if user is None:
        st.warning("Bạn cần đăng nhập để xem trang này.")
        st.stop()
    return user


def home_page(user: User) -> str:
    """The file of the user's default page."""
    return pages_for(user.role, user.must_change_password)[0].file


def current_year(db: Storage) -> int:
    year = reference.latest_year(db)
    if year is None:
        st.info("Chưa có kỳ đánh giá nào. Quản trị viên cần tạo kỳ đánh giá trước.")
        st.stop()
    return year


def selected_year(db: Storage) -> int:
    """The period a results page shows: chosen in the sidebar, kept in the address (?nam=2022) so
    a link opens the same year; the latest period by default."""
    years = [p["year"] for p in reference.periods(db)]
    if not years:
        st.info("Chưa có kỳ đánh giá nào. Quản trị viên cần tạo kỳ đánh giá trước.")
        st.stop()
    raw = str(st.query_params.get("nam", ""))
    wanted = int(raw) if raw.isdigit() and int(raw) in years else years[0]
    year = st.sidebar.selectbox("Kỳ đánh giá", years, index=years.index(wanted), format_func=lambda y: f"Năm {y}",
                                key=f"ky_xem_{wanted}")
    if year != wanted or raw:
        st.query_params["nam"] = str(year)
    return year


def unit_not_in_period(year: int) -> None:
    """Stop the page for an officer whose unit is not in the period's list of units."""
    st.warning(f"Đơn vị của tài khoản này không có trong danh mục đơn vị năm {year} (có thể đã sáp nhập "
               "hoặc đổi tên). Hãy liên hệ Phòng Nội vụ để được gắn với đơn vị đúng.")
    st.stop()


def period_banner(db: Storage, user: User, year: int) -> None:
    """The criteria banner for what this user works with: a commune officer's own unit's set;
    for district staff every set the period uses (one per unit kind where there are several)."""
    if user.role == "commune" and user.unit_code:
        criteria_banner(reference.unit_criteria(db, year, user.unit_code))
        return
    sets = reference.period_sets(db, user, year)
    if not sets:
        criteria_banner(None)
    for r in sets:
        criteria_banner(r["set"])


def criteria_banner(cs: CriteriaSet | None) -> None:
    """Say which set is in use; a template says loudly that it must be replaced."""
    if cs is None:
        st.warning("Kỳ đánh giá này chưa có bộ tiêu chí.")
    elif cs.is_template:
        st.warning(f"Đang dùng **bộ tiêu chí mẫu** ({cs.code}, phiên bản {cs.version}), cần thay bằng bộ tiêu chí "
                   "chính thức tại Phụ lục III Quyết định 2125/QĐ-UBND ngày 17/10/2022 của UBND tỉnh Hà Tĩnh.",
                   icon=":material/warning:")
    else:
        st.caption(f"Bộ tiêu chí: {cs.name} — {cs.source_decision} (phiên bản {cs.version}).")
