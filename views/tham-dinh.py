"""Appraisal (Hội đồng thẩm định): the queue of communes that have submitted, then one commune
and one field — round 1, round 2 after the explanation round, and finalisation by the chair."""

import streamlit as st

from cchc import web
from cchc.core import appraisal as rules
from cchc.services import appraisal as svc
from cchc.services import reference
from cchc.web import appraisal as ui
from cchc.web import documents as documents_ui

user = web.require_user()
db = web.storage()
year = web.current_year(db)
offices = {o["code"]: o["name"] for o in reference.offices(db)}

st.title("Thẩm định")
web.period_banner(db, user, year)
if user.office_code:
    st.caption(f"Cơ quan của bạn: {offices.get(user.office_code, user.office_code)}")
queue = svc.queue(db, user, year)
cs = reference.period_criteria(db, user, year)
st.subheader(f"Đơn vị đã nộp: {len(queue)}")
if not queue:
    st.write("Chưa có đơn vị nào nộp báo cáo tự đánh giá.")
    st.stop()
ui.queue_table(queue, rules.appraised_fields(cs) if cs else [])
names = {r["unit_code"]: f"{r['unit_name']} — {r['state_label']}" for r in queue}
ui.unit_from_address(list(names))
unit_code = st.selectbox("Đơn vị thẩm định", list(names), format_func=names.get, key=ui.UNIT_KEY,
                         on_change=ui.keep_unit_in_address)
sheet = svc.open_sheet(db, user, year, unit_code)
st.subheader(sheet.unit["name"])
ui.sheet_view(db, user, sheet, offices)
if sheet.state in rules.FINAL_STATES:      # the notice to the commune, once its appraisal is finished
    documents_ui.document_button(db, user, "thong-bao-tham-dinh", year, unit_code)
