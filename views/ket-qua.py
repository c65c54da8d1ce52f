"""Published results: the ranking, indices and field sub-indices once the Chairman has approved
and published them. No login."""

import streamlit as st

from cchc import web
from cchc.services import reference
from cchc.text import fmt_date

db = web.storage()
year = reference.latest_year(db)
st.title("Kết quả Chỉ số cải cách hành chính cấp xã")
if year is None:
    st.info("Chưa có kỳ đánh giá nào.")
    st.stop()
period = reference.period(db, year)
st.markdown(f"**{period['name']}**")
st.info(f"Kết quả năm {year} chưa được công bố. Theo kế hoạch, kết quả được phê duyệt và công bố trước "
        f"ngày {fmt_date(period['publication_deadline'])}. Khi công bố, trang này hiển thị bảng xếp hạng, "
        "chỉ số thành phần theo lĩnh vực, điểm tự đánh giá và điểm thẩm định của từng xã, thị trấn.",
        icon=":material/hourglass_top:")
