"""Answers at the address of a page the logged-in user's role does not have."""

import streamlit as st

from cchc import web

user = web.require_user()
st.title("Không có quyền truy cập")
st.warning(f"Trang này không dành cho vai trò «{user.role_label}» của tài khoản {user.username}. "
           "Nếu bạn cần dùng trang này, hãy liên hệ Phòng Nội vụ.")
st.page_link("views/trang-chu.py", label="Về trang chủ", icon=":material/home:")
