"""Change one's own password."""

import streamlit as st

from cchc import web
from cchc.services import ServiceError, users

user = web.require_user()
db = web.storage()
st.title("Đổi mật khẩu")
st.caption(f"Tài khoản: {user.username}")
if user.must_change_password:
    st.warning("Bạn cần đổi mật khẩu trước khi tiếp tục làm việc.", icon=":material/key:")
with st.form("doi_mat_khau", clear_on_submit=True):
    current = st.text_input("Mật khẩu hiện tại", type="password")
    new = st.text_input(f"Mật khẩu mới (ít nhất {users.MIN_PASSWORD_LENGTH} ký tự)", type="password")
    again = st.text_input("Nhập lại mật khẩu mới", type="password")
    if st.form_submit_button("Đổi mật khẩu"):
        try:
            users.change_own_password(db, user, current, new, again)
            st.success("Đã đổi mật khẩu.")
            if user.must_change_password:
                st.rerun()                  # the full menu of the role comes back
        except ServiceError as exc:
            st.error(str(exc))
