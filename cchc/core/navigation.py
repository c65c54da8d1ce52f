"""Which pages exist, at which stable URL, for which roles. Pure data; cchc.web builds st.Page
objects from it. A page a role may not use is simply not registered for that role."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from cchc.core.permissions import STAFF


@dataclass(frozen=True)
class PageSpec:
    file: str
    url_path: str
    title: str
    icon: str
    roles: frozenset[str]     # empty: public, no login needed
    section: str


WORK = "Công việc"
PUBLIC = "Trang công khai"
ACCOUNT = "Tài khoản"

PAGES: tuple[PageSpec, ...] = (
    PageSpec("views/trang-chu.py", "trang-chu", "Trang chủ", ":material/home:", STAFF, WORK),
    PageSpec("views/tu-danh-gia.py", "tu-danh-gia", "Tự đánh giá", ":material/edit_note:", frozenset({"commune"}), WORK),
    PageSpec("views/tham-dinh.py", "tham-dinh", "Thẩm định", ":material/fact_check:", frozenset({"council", "admin"}), WORK),
    PageSpec("views/phe-duyet.py", "phe-duyet", "Phê duyệt, công bố", ":material/approval:", frozenset({"admin", "leader"}), WORK),
    PageSpec("views/bang-dieu-khien.py", "bang-dieu-khien", "Bảng điều khiển", ":material/monitoring:", frozenset({"leader", "admin", "council"}), WORK),
    PageSpec("views/phieu-diem.py", "phieu-diem", "Phiếu điểm", ":material/analytics:", STAFF, WORK),
    PageSpec("views/quan-ly-khao-sat.py", "quan-ly-khao-sat", "Khảo sát", ":material/ballot:", STAFF, WORK),
    PageSpec("views/tieu-chi.py", "tieu-chi", "Bộ tiêu chí", ":material/checklist:", STAFF, WORK),
    PageSpec("views/quan-tri.py", "quan-tri", "Quản trị", ":material/admin_panel_settings:", frozenset({"admin"}), WORK),
    PageSpec("views/tai-khoan.py", "tai-khoan", "Đổi mật khẩu", ":material/key:", STAFF, ACCOUNT),
    PageSpec("views/ket-qua.py", "ket-qua", "Kết quả công bố", ":material/leaderboard:", frozenset(), PUBLIC),
    PageSpec("views/khao-sat.py", "khao-sat", "Khảo sát sự hài lòng", ":material/sentiment_satisfied:", frozenset(), PUBLIC),
    PageSpec("views/dieu-tra.py", "dieu-tra", "Điều tra xã hội học", ":material/quiz:", frozenset(), PUBLIC),
)
LOGIN = PageSpec("views/dang-nhap.py", "dang-nhap", "Đăng nhập", ":material/login:", frozenset(), ACCOUNT)
NO_ACCESS_FILE = "views/khong-co-quyen.py"
NOT_FOUND_FILE = "views/khong-tim-thay.py"
_SLUG = re.compile(r"[A-Za-z0-9_-]{1,80}")


ACCOUNT_PAGE = next(p for p in PAGES if p.url_path == "tai-khoan")


def pages_for(role: str | None, must_change_password: bool = False) -> list[PageSpec]:
    """The pages registered for a role (None: not logged in), the default one first. Someone who
    must change their password gets only the page to do it (and the public pages)."""
    if role is None:
        return [LOGIN] + [p for p in PAGES if not p.roles]
    if must_change_password:
        return [ACCOUNT_PAGE] + [p for p in PAGES if not p.roles]
    return [p for p in PAGES if role in p.roles or not p.roles]


def stand_ins_for(role: str | None, must_change_password: bool = False) -> list[PageSpec]:
    """Hidden pages that answer at the URLs of pages this role does not have: the login form for
    someone not logged in (so a deep link opens after login), the password page for someone who
    must change it first, a "no access" note otherwise. They run a different script, so
    registering them grants nothing."""
    if role is None:
        return [PageSpec(LOGIN.file, p.url_path, p.title, p.icon, frozenset(), ACCOUNT) for p in PAGES if p.roles]
    if must_change_password:
        return [PageSpec(ACCOUNT_PAGE.file, p.url_path, p.title, p.icon, frozenset(), ACCOUNT)
                for p in PAGES if p.roles and p != ACCOUNT_PAGE] + [LOGIN]
    stand_ins = [PageSpec(NO_ACCESS_FILE, p.url_path, p.title, p.icon, frozenset(), ACCOUNT)
                 for p in PAGES if p.roles and role not in p.roles]
    return stand_ins + [LOGIN]


def requested_page(url: str | None, base_path: str = "") -> str:
    """The page name in a browser's address ("" for the root), without the server's base path."""
    path = unquote(urlsplit(url or "").path).strip("/")
    base = base_path.strip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base):].strip("/")
    return path


#: Public forms a citizen fills in on a phone: shown without the sidebar and its menu (nothing
#: there is for them, and its icons cost a 375 KB font on a cheap phone's first load).
CITIZEN_FORMS = frozenset({"khao-sat", "dieu-tra"})


def unknown_address(url: str | None, answering: set[str], base_path: str = "") -> str | None:
    """The page name a browser asked for when no page answers there (a mistyped address, or the
    name of the default page, which answers only at the root), so that a "not found" page can
    answer at it in Vietnamese instead of Streamlit's English dialog. `answering`: the addresses
    of the pages registered for this visitor. None for the root, a known page or an odd path."""
    if not url:
        return None
    path = requested_page(url, base_path)
    if not path or path in answering or not _SLUG.fullmatch(path):
        return None
    return path


def not_found_page(name: str) -> PageSpec:
    """The hidden page that answers at an unknown address."""
    return PageSpec(NOT_FOUND_FILE, name, "Không tìm thấy trang", ":material/search_off:", frozenset(), ACCOUNT)
