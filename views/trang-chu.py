"""Home: the period, its deadlines against today, and where to go next for this role. A commune
officer sees the steps as their own unit stands: a step done is marked done, and the next
deadline is the next one the unit still has to meet."""

import streamlit as st

from cchc import web
from cchc.core.text import fmt_date
from cchc.core.workflow import (
    STATES,
    days_left_text,
    deadlines,
    next_deadline,
    step_done,
    unit_deadlines,
)
from cchc.services import progress, reference
from cchc.services.common import today
from cchc.web import tables, urging

user = web.require_user()
db = web.storage()
year = web.current_year(db)
period = reference.period(db, year)
day = today(db)

st.title(f"Xin chào, {user.full_name}")
st.markdown(f"**{period['name']}**  \n{period['plan_reference']}")
web.period_banner(db, user, year)

mine = None
if user.role == "commune":
    mine = progress.unit_progress(db, user, year, user.unit_code)
    if mine is None:
        web.unit_not_in_period(year)
state = mine["state"] if mine else None
reopened = mine["reopened_until"] if mine else None
urging.commune_notice(db, user, year, state)       # the latest urging notice, until the unit hands in
upcoming = next_deadline(period, day, state, reopened)
if upcoming:
    st.info(f"Mốc tiếp theo: **{upcoming.label}** — hạn {fmt_date(upcoming.date)} ({days_left_text(upcoming, day)}).",
            icon=":material/event:")
else:
    st.info("Mọi mốc thời gian của kỳ đánh giá đã qua.", icon=":material/event_available:")


DONE = {"self_assessment_deadline": "Đơn vị đã nộp", "explanation_deadline": "Đơn vị không còn phải giải trình"}


def status(d) -> str:
    if step_done(d.key, state):
        return DONE.get(d.key, "Đơn vị đã xong")
    return "Đã qua" if d.date < day else days_left_text(d, day)


st.subheader("Các mốc thời gian")
steps = unit_deadlines(period, state, reopened) if state else deadlines(period)
tables.plain([{"Việc": d.label, "Hạn": fmt_date(d.date), "Tình trạng": status(d)} for d in steps])

if mine is not None:
    st.subheader(mine["unit_name"])
    c1, c2 = st.columns(2)
    c1.metric("Trạng thái", STATES[mine["state"]])
    c2.metric("Tiêu chí đã chấm", f"{mine['leaves_done']}/{mine['leaves_total']}")
    st.page_link("views/tu-danh-gia.py", label="Mở trang tự đánh giá", icon=":material/edit_note:")
elif user.role in ("leader", "admin", "council"):
    st.page_link("views/bang-dieu-khien.py", label="Xem bảng điều khiển", icon=":material/monitoring:")
