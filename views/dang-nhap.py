"""Login, with the demo accounts listed when this is the demo."""

import streamlit as st
from streamlit_authenticator.utilities import LoginError

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
auth, credentials = web.authenticator()
before = {u: e.get("failed_login_attempts", 0) for u, e in credentials["usernames"].items()}
fields = {"Form name": "Đăng nhập", "Username": "Tên đăng nhập", "Password": "Mật khẩu", "Login": "Đăng nhập"}
try:
    auth.login(location="main", fields=fields, max_login_attempts=users.MAX_FAILED_LOGINS, key="dang_nhap")
except LoginError:
    st.error(f"Tài khoản đang tạm khóa vì nhập sai mật khẩu {users.MAX_FAILED_LOGINS} lần. "
             f"Hãy thử lại sau {users.LOCK_MINUTES} phút hoặc liên hệ Phòng Nội vụ.")
web.record_login_attempt(credentials, before)
if st.session_state.get("authentication_status") is False:
    st.error("Tên đăng nhập hoặc mật khẩu không đúng.")
elif st.session_state.get("authentication_status"):
    st.success("Đăng nhập thành công. Đang mở trang làm việc…")
    # No st.rerun() here: it would cancel the component that stores the re-login cookie. That
    # component reruns the app itself once the cookie is stored, and the role's pages appear.

if is_demo(db):
    with st.container(border=True):
        st.subheader(":material/info: Bản minh họa")
        st.markdown(f"Đây là **dữ liệu minh họa**, không phải số liệu thật. Mọi tài khoản dưới đây dùng mật khẩu "
                    f"**`{district_config()['demo']['password']}`**. Đồng hồ của bản minh họa đứng ở một ngày giữa đợt đánh giá.")
        rows = [{"Tên đăng nhập": a["username"], "Người dùng": a["full_name"],
                 "Vai trò": ROLES[a["role"]], "Đơn vị": a["unit_name"] or a["office_name"] or ""}
                for a in users.demo_accounts(db) if a["username"] in demo_usernames()]
        st.dataframe(rows, hide_index=True, width="stretch")
