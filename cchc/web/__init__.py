"""The only cchc module that imports Streamlit: the cached database, logins, navigation, and
the few display helpers every page shares."""

from __future__ import annotations

import os
from collections import defaultdict

import streamlit as st
from streamlit_authenticator import Authenticate
from streamlit_authenticator.utilities import LoginError

from cchc import config
from cchc.core.criteria import CriteriaSet
from cchc.core.navigation import pages_for, stand_ins_for
from cchc.core.permissions import User
from cchc.core.text import fmt_date
from cchc.db.storage import Storage, StorageError
from cchc.services import reference, seed, users
from cchc.services.common import is_demo, today

COOKIE_NAME = "cchc_dang_nhap"
COOKIE_DAYS = users.COOKIE_DAYS     # what the cookie check expects
APP_TITLE = "Chỉ số CCHC cấp xã"
_AUTH_KEY = "_cchc_auth"
_LOGOUT_KEY = "_cchc_logout_requested"


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


def _make_authenticator(db: Storage) -> tuple[Authenticate, dict]:
    credentials = users.login_credentials(db)
    key = _cookie_key()
    _ignore_unacceptable_cookie(db, key)
    auth = Authenticate(credentials, COOKIE_NAME, key, COOKIE_DAYS,
                        auto_hash=False, login_sleep_time=0)
    st.session_state[_AUTH_KEY] = (auth, credentials)
    return auth, credentials


def _ignore_unacceptable_cookie(db: Storage, key: str) -> None:
    """Check the re-login cookie before the authenticator reads it: anything the app would not
    have issued (forged, revoked, malformed) is ignored for this session. The authenticator only
    checks the signature, and a cookie with another algorithm makes it raise on every page; with
    `logout` set it does not read the cookie at all."""
    token = st.context.cookies.get(COOKIE_NAME)
    if token and not st.session_state.get("authentication_status") and users.cookie_username(db, token, key) is None:
        st.session_state["logout"] = True


def authenticator() -> tuple[Authenticate, dict]:
    """The authenticator made for this run, with the credentials dict it was given."""
    return st.session_state[_AUTH_KEY]


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
    on success, log the session in the way the authenticator does and have it set the cookie."""
    user = users.log_in(storage(), username, password, client_address())
    if user is None:
        st.session_state["authentication_status"] = False
        return False
    st.session_state.update(name=user.full_name, username=user.username, roles=[user.role], email=None,
                            authentication_status=True)
    auth, _ = authenticator()
    auth.cookie_controller.set_cookie()
    return True


# ------------------------------------------------------------------ the app


def main() -> None:
    st.set_page_config(page_title=APP_TITLE, page_icon=":material/account_balance:", layout="wide")
    try:
        db = storage()
        config.from_env()
        auth, _ = _make_authenticator(db)
    except (StorageError, config.ConfigError) as exc:
        st.error(str(exc))
        st.stop()
    # The cookie component is an invisible iframe; keep it from taking a line at the top.
    st.html("<style>.st-key-init, .st-key-set, .st-key-delete {position: absolute; height: 0; overflow: hidden;}</style>")
    try:
        auth.login(location="unrendered")        # a valid cookie logs the user back in
    except LoginError:                             # the cookie's account is gone or disabled
        st.session_state["authentication_status"] = None
    user = current_user()
    if st.session_state.get("authentication_status") and user is None:
        auth.logout(location="unrendered")    # the account was disabled meanwhile
    if st.session_state.pop(_LOGOUT_KEY, False) and user is not None:
        auth.logout(location="unrendered")    # clears the session and deletes the cookie
        users.record_logout(db, user.username)
        user = None
    _sidebar(user, db)
    st.navigation(_pages(user), position="sidebar").run()


def _pages(user: User | None) -> dict[str, list]:
    role = user.role if user else None
    must_change = bool(user and user.must_change_password)
    sections: dict[str, list] = defaultdict(list)
    for i, spec in enumerate(pages_for(role, must_change)):
        sections[spec.section].append(
            st.Page(spec.file, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=(i == 0)))
    for spec in stand_ins_for(role, must_change):
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
