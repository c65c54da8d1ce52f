"""Answers at an address where no page is (a mistyped link), in Vietnamese, with the way back."""

import streamlit as st

from cchc import web
from cchc.core.navigation import pages_for

user = web.current_user()
st.title("Không tìm thấy trang")
st.warning("Địa chỉ này không có trang nào. Có thể đường dẫn bị gõ nhầm hoặc đã cũ.", icon=":material/search_off:")
st.markdown("Các trang bạn có thể mở:")
for spec in pages_for(user.role if user else None, bool(user and user.must_change_password)):
    st.page_link(spec.file, label=spec.title, icon=spec.icon)
