"""Login, with the demo accounts listed when this is the demo."""

import streamlit as st

from cchc import web
from cchc.core.permissions import ROLES
from cchc.services import users
from cchc.services.common import is_demo
from cchc.services.seed import demo_usernames, district_config

if (user := web.current_user()) is not None:    # already logged in: this address is only an alias
    st.switch_page(web.home_page(user))
st.title("Chỉ số cải cách hành chính cấp xã")
st.caption(f"{district_config()['district']['name']}, {district_config()['district']['province_name']}")
db = web.storage()
# Our own form: the password is checked by the service (counted in the database, throttled), not
# by the login widget, whose in-memory counters parallel tries would race.
with st.form("dang_nhap"):
    st.subheader("Đăng nhập")
    username = st.text_input("Tên đăng nhập", autocomplete="username")
    password = st.text_input("Mật khẩu", type="password", autocomplete="current-password")
    submitted = st.form_submit_button("Đăng nhập")
if submitted and username:
    if web.log_in(username, password):
        st.success("Đăng nhập thành công. Đang mở trang làm việc…")
        # No st.rerun() here: it would cancel the component that stores the re-login cookie. That
        # component reruns the app itself once the cookie is stored, and the role's pages appear.
    else:
        st.error(users.LOGIN_REFUSED)

if is_demo(db):
    with st.container(border=True):
        st.subheader(":material/info: Bản minh họa")
        st.markdown(f"Đây là **dữ liệu minh họa**, không phải số liệu thật. Mọi tài khoản dưới đây dùng mật khẩu "
                    f"**`{district_config()['demo']['password']}`**. Đồng hồ của bản minh họa đứng ở một ngày giữa đợt đánh giá.")
        rows = [{"Tên đăng nhập": a["username"], "Người dùng": a["full_name"],
                 "Vai trò": ROLES[a["role"]], "Đơn vị": a["unit_name"] or a["office_name"] or ""}
                for a in users.demo_accounts(db) if a["username"] in demo_usernames()]
        # A plain table: the grid widget's code is the heaviest part of a first load.
        st.markdown("| Tên đăng nhập | Người dùng | Vai trò | Đơn vị |\n|---|---|---|---|\n" + "\n".join(
            f"| `{r['Tên đăng nhập']}` | {r['Người dùng']} | {r['Vai trò']} | {r['Đơn vị']} |" for r in rows))
