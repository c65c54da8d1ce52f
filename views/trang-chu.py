"""Home: the period, its deadlines against today, and where to go next for this role."""

import streamlit as st

from cchc import web
from cchc.core.text import fmt_date
from cchc.core.workflow import STATES, days_left_text, deadlines, next_deadline
from cchc.services import progress, reference
from cchc.services.common import today

user = web.require_user()
db = web.storage()
year = web.current_year(db)
period = reference.period(db, year)
day = today(db)

st.title(f"Xin chào, {user.full_name}")
st.markdown(f"**{period['name']}**  \n{period['plan_reference']}")
web.period_banner(db, user, year)

upcoming = next_deadline(period, day)
if upcoming:
    st.info(f"Mốc tiếp theo: **{upcoming.label}** — hạn {fmt_date(upcoming.date)} ({days_left_text(upcoming, day)}).",
            icon=":material/event:")
else:
    st.info("Mọi mốc thời gian của kỳ đánh giá đã qua.", icon=":material/event_available:")

st.subheader("Các mốc thời gian")
st.dataframe([{"Việc": d.label, "Hạn": fmt_date(d.date), "Tình trạng": "Đã qua" if d.date < day else days_left_text(d, day)}
              for d in deadlines(period)], hide_index=True, width="stretch")

if user.role == "commune":
    mine = progress.unit_progress(db, user, year, user.unit_code)
    if mine is None:
        web.unit_not_in_period(year)
    st.subheader(mine["unit_name"])
    c1, c2 = st.columns(2)
    c1.metric("Trạng thái", STATES[mine["state"]])
    c2.metric("Tiêu chí đã chấm", f"{mine['leaves_done']}/{mine['leaves_total']}")
    st.page_link("views/tu-danh-gia.py", label="Mở trang tự đánh giá", icon=":material/edit_note:")
elif user.role in ("leader", "admin", "council"):
    st.page_link("views/bang-dieu-khien.py", label="Xem bảng điều khiển", icon=":material/monitoring:")
