"""Officials' sociological survey, opened with a one-time code: /dieu-tra?ma=<code>. The
questionnaires and codes come with the survey work."""

import re

import streamlit as st

st.title("Điều tra xã hội học")
st.caption("Phiếu dành cho cán bộ, công chức và đại biểu được mời đánh giá công tác cải cách hành chính cấp xã")
code = (st.query_params.get("ma") or "").strip()
if not code:
    st.info("Mời bạn mở đường dẫn hoặc quét mã QR in trên giấy mời; đường dẫn có kèm mã phiếu của bạn.")
elif not re.fullmatch(r"[A-Za-z0-9-]{6,32}", code):
    st.warning("Mã phiếu không hợp lệ. Mời bạn kiểm tra lại đường dẫn trên giấy mời.")
else:
    st.info("Mã phiếu chưa được phát hành hoặc đã được sử dụng. Phiếu điều tra đang được hoàn thiện; "
            "Phòng Nội vụ sẽ gửi mã khi mở đợt điều tra.")
