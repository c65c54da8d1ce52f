"""The only cchc module that imports Streamlit: the cached database, logins, navigation, and
the few display helpers every page shares."""

from __future__ import annotations

from collections import defaultdict

import streamlit as st
from streamlit_authenticator import Authenticate
from streamlit_authenticator.utilities import LoginError

from . import config, seed
from .criteria import CriteriaSet
from .navigation import pages_for, stand_ins_for
from .permissions import User
from .services import reference, users
from .services.common import is_demo, today
from .storage import Storage, StorageError
from .text import fmt_date

COOKIE_NAME = "cchc_dang_nhap"
COOKIE_DAYS = 7.0
APP_TITLE = "Chỉ số CCHC cấp xã"
_AUTH_KEY = "_cchc_auth"


# ------------------------------------------------------------------ the database


@st.cache_resource(show_spinner="Đang mở cơ sở dữ liệu…")
def _open_storage(db_path: str) -> Storage:
    # A first start creates the file, seeds the reference data and the demo (cchc.seed).
    return seed.open_database(config.from_env())


def storage() -> Storage:
    return _open_storage(str(config.from_env().db_path))


# ------------------------------------------------------------------ logins


def _cookie_key(db: Storage) -> str:
    key = config.from_env().cookie_key
    if not key:
        try:
            key = st.secrets.get("auth", {}).get("cookie_key")
        except Exception:  # no secrets.toml at all: fall through to the example key
            key = None
    key = key or config.EXAMPLE_COOKIE_KEY
    if key == config.EXAMPLE_COOKIE_KEY and not is_demo(db):
        st.error("Ứng dụng chưa được cấu hình khóa bí mật cho phiên đăng nhập. Quản trị viên hãy đặt "
                 "`cookie_key` trong mục `[auth]` của `.streamlit/secrets.toml` hoặc biến môi trường "
                 "`CCHC_COOKIE_KEY` (một chuỗi ngẫu nhiên dài), rồi khởi động lại.")
        st.stop()
    return key


def _make_authenticator(db: Storage) -> tuple[Authenticate, dict]:
    credentials = users.login_credentials(db)
    auth = Authenticate(credentials, COOKIE_NAME, _cookie_key(db), COOKIE_DAYS,
                        auto_hash=False, login_sleep_time=0)
    st.session_state[_AUTH_KEY] = (auth, credentials)
    return auth, credentials


def authenticator() -> tuple[Authenticate, dict]:
    """The authenticator made for this run, with the credentials dict it was given."""
    return st.session_state[_AUTH_KEY]


def current_user() -> User | None:
    if not st.session_state.get("authentication_status"):
        return None
    return users.active_user(storage(), st.session_state.get("username"))


def record_login_attempt(credentials: dict, before: dict[str, int]) -> None:
    """Persist what the login widget did to the in-memory counts: a success or a failure."""
    db = storage()
    for username, entry in credentials["usernames"].items():
        if entry.get("failed_login_attempts", 0) > before.get(username, 0):
            users.record_failed_login(db, username)
    if st.session_state.get("authentication_status") and not st.session_state.get("_cchc_login_recorded"):
        users.record_login(db, st.session_state["username"])
        st.session_state["_cchc_login_recorded"] = True


# ------------------------------------------------------------------ the app


def main() -> None:
    st.set_page_config(page_title=APP_TITLE, page_icon=":material/account_balance:", layout="wide")
    try:
        db = storage()
    except StorageError as exc:
        st.error(str(exc))
        st.stop()
    # The cookie component is an invisible iframe; keep it from taking a line at the top.
    st.html("<style>.st-key-init, .st-key-set, .st-key-delete {position: absolute; height: 0; overflow: hidden;}</style>")
    auth, _ = _make_authenticator(db)
    try:
        auth.login(location="unrendered")        # a valid cookie logs the user back in
    except LoginError:                             # the cookie's account is gone or disabled
        st.session_state["authentication_status"] = None
    user = current_user()
    if st.session_state.get("authentication_status") and user is None:
        auth.logout(location="unrendered")
    _sidebar(auth, user, db)                 # its logout button acts before the pages are chosen
    nav = st.navigation(_pages(current_user()), position="sidebar")
    nav.run()


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


def _sidebar(auth: Authenticate, user: User | None, db: Storage) -> None:
    with st.sidebar:
        st.markdown(f"**{APP_TITLE}**  \n{seed.district_config()['district']['name']}")
        if is_demo(db):
            st.caption(f"Bản minh họa · hôm nay là {fmt_date(today(db))}")
        if user is not None:
            where = reference.unit(db, user.unit_code)["name"] if user.unit_code else user.role_label
            st.markdown(f"Đăng nhập: **{user.full_name}**  \n{where}")
            auth.logout(button_name="Đăng xuất", location="sidebar", key="dang_xuat", callback=_on_logout)


def _on_logout(event: dict) -> None:
    st.session_state.pop("_cchc_login_recorded", None)
    if event.get("username"):
        users.record_logout(storage(), event["username"])


# ------------------------------------------------------------------ shared display helpers


def require_user() -> User:
    """The logged-in user; pages for staff call this first (navigation already filters)."""
    user = current_user()
    if user is None:
        st.warning("Bạn cần đăng nhập để xem trang này.")
        st.stop()
    return user


def current_year(db: Storage) -> int:
    year = reference.latest_year(db)
    if year is None:
        st.info("Chưa có kỳ đánh giá nào. Quản trị viên cần tạo kỳ đánh giá trước.")
        st.stop()
    return year


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
