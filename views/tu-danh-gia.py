"""Self-assessment of the officer's own unit. The scoring form, evidence, drafts and submission
come with the self-assessment work; this page already shows the unit, its state and what it
will be scored on."""

import streamlit as st

from cchc import web
from cchc.services import progress, reference
from cchc.text import fmt_datetime, fmt_points
from cchc.workflow import STATES

user = web.require_user()
db = web.storage()
year = web.current_year(db)
mine = progress.unit_progress(db, user, year, user.unit_code)
if mine is None:
    web.unit_not_in_period(year)
period = reference.period(db, year)

st.title(f"Tự đánh giá — {mine['unit_name']}")
web.criteria_banner(reference.period_criteria(db, user, year))
c1, c2, c3 = st.columns(3)
c1.metric("Trạng thái", STATES[mine["state"]])
c2.metric("Tiêu chí đã chấm", f"{mine['leaves_done']}/{mine['leaves_total']}")
c3.metric("Điểm tự chấm", fmt_points(mine["self_points"]))
if mine["submitted_at"]:
    st.caption(f"Đã nộp lúc {fmt_datetime(mine['submitted_at'])}.")
st.info("Trang này sẽ có biểu mẫu chấm điểm từng tiêu chí kèm tài liệu kiểm chứng, lưu nháp tự động, "
        "kiểm tra trước khi nộp, nộp và rút lại trước hạn, và tải lên/tải về tệp Excel.",
        icon=":material/construction:")
cs = reference.period_criteria(db, user, year)
if cs is not None:
    st.subheader("Các tiêu chí đơn vị tự chấm")
    for f in cs.fields():
        leaves = [n for n in cs.leaves(f.code) if n.source == "self_assessed"]
        if leaves:
            with st.expander(f"{f.code}. {f.title} — {fmt_points(f.max_points)} điểm"):
                for n in leaves:
                    st.markdown(f"**{n.code}. {n.title}** ({fmt_points(n.max_points)} điểm)  \n"
                                f"Cách chấm: {n.guidance}  \nTài liệu kiểm chứng: {n.evidence}")
