"""Appraisal queue. Appraising by field, the explanation round and round 2 come with the
council work; this page already lists the communes that have submitted."""

import streamlit as st

from cchc import web
from cchc.services import progress, reference
from cchc.text import fmt_datetime, fmt_points
from cchc.workflow import HANDED_IN, STATES

user = web.require_user()
db = web.storage()
year = web.current_year(db)
status = progress.campaign(db, user, year)
offices = {o["code"]: o["name"] for o in reference.offices(db)}

st.title("Thẩm định")
web.period_banner(db, user, year)
if user.office_code:
    st.caption(f"Cơ quan của bạn: {offices.get(user.office_code, user.office_code)}")
st.info("Trang này sẽ cho Hội đồng thẩm định chấm điểm thẩm định từng tiêu chí theo lĩnh vực được phân công, "
        "xem tài liệu kiểm chứng, yêu cầu giải trình, thẩm định vòng 2 và hoàn tất từng đơn vị.",
        icon=":material/construction:")
queue = [r for r in status["units"] if r["state"] in HANDED_IN]
st.subheader(f"Đơn vị đã nộp: {len(queue)}/{status['total']}")
if queue:
    st.dataframe([{"Mã": r["unit_code"], "Đơn vị": r["unit_name"], "Trạng thái": STATES[r["state"]],
                   "Nộp lúc": fmt_datetime(r["submitted_at"]), "Nộp muộn": "Có" if r["is_late"] else "",
                   "Điểm tự chấm": fmt_points(r["self_points"])} for r in queue],
                 hide_index=True, width="stretch")
else:
    st.write("Chưa có đơn vị nào nộp báo cáo tự đánh giá.")
