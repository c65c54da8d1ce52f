"""Citizens' satisfaction survey for one commune: /khao-sat?dv=<commune code> (QR codes point
here). No login. The questionnaire itself comes with the survey work."""

import re

import streamlit as st

from cchc import web
from cchc.services import reference
from cchc.services.common import today
from cchc.text import fmt_date
from cchc.workflow import survey_open

db = web.storage()
year = reference.latest_year(db)
st.title("Khảo sát sự hài lòng")
st.caption("Của người dân, tổ chức đối với sự phục vụ của UBND cấp xã")
if year is None:
    st.info("Hiện chưa có đợt khảo sát nào.")
    st.stop()
period = reference.period(db, year)
code = (st.query_params.get("dv") or "").strip()
unit = reference.unit(db, code) if re.fullmatch(r"\d{5}", code) else None
if unit is None:
    if code:
        st.warning(f"Không tìm thấy xã, thị trấn có mã «{code[:20]}». Mời bạn chọn đơn vị trong danh sách.")
    units = reference.public_units(db, year)
    choice = st.selectbox("Bạn đã làm thủ tục tại UBND xã, thị trấn nào?", units, index=None,
                          format_func=lambda u: u["name"], placeholder="Chọn đơn vị")
    if choice is None:
        st.stop()
    unit = choice
st.subheader(unit["name"])
day = today(db)
if not survey_open(period, day):
    st.info(f"Đợt khảo sát năm {year} mở từ {fmt_date(period['survey_opens'])} đến {fmt_date(period['survey_closes'])}. "
            "Cảm ơn bạn đã quan tâm, mời bạn quay lại trong thời gian khảo sát.")
    st.stop()
st.info("Phiếu khảo sát gồm 5 nhóm câu hỏi ngắn về tiếp cận dịch vụ, thủ tục hành chính, công chức giải quyết, "
        "kết quả và việc tiếp nhận góp ý; trả lời trong khoảng 3 phút. Phiếu đang được hoàn thiện.",
        icon=":material/construction:")
