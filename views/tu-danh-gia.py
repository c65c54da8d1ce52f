"""Self-assessment of the officer's own unit: score every criterion with evidence, saved as the
officer works; the report's text; Excel round trip; submit, withdraw, report export."""

import streamlit as st

from cchc import web
from cchc.core import assessment as rules
from cchc.core.text import fmt_date, fmt_datetime, fmt_points
from cchc.core.workflow import STATES
from cchc.services import assessment as svc
from cchc.services import reference
from cchc.web import assessment_form as ui
from cchc.web import documents as documents_ui
from cchc.web import explanation, urging

user = web.require_user()
db = web.storage()
year = web.current_year(db)
if not any(u["code"] == user.unit_code for u in reference.public_units(db, year)):
    web.unit_not_in_period(year)
form = svc.open_form(db, user, year, user.unit_code)

st.title(f"Tự đánh giá — {form.unit['name']}")
web.criteria_banner(form.criteria)
totals = form.totals()
colour = {"submitted": "green", "draft": "orange"}.get(form.state, "gray")
if form.submitted_at:
    deadline = f"Đã nộp lúc {fmt_datetime(form.submitted_at)}"
else:
    deadline = f"Hạn nộp: {fmt_date(form.edit_until)}" + (f" (đã mở lại: {form.reopen_reason})" if form.reopen_reason else "")
saved = f" · Đã lưu lúc {fmt_datetime(form.last_saved)}" if form.last_saved else ""
st.markdown(f":{colour}-badge[{STATES[form.state]}{' — nộp muộn' if form.is_late else ''}] {deadline}{saved}")
c1, c2, c3 = st.columns(3)
c1.metric("Tiêu chí đã chấm", f"{totals.scored}/{totals.leaves}")
c2.metric("Điểm tự chấm", f"{fmt_points(totals.points)}/{fmt_points(totals.applicable_max)}")
c3.metric("Tỷ lệ điểm tự chấm", f"{fmt_points(totals.index)}%" if totals.index is not None else "—",
          help=ui.SELF_RATIO_HELP)
urging.commune_notice(db, user, year, form.state)
if form.locked_reason:
    st.info(form.locked_reason, icon=":material/lock:")
explanation.section(db, user, year, user.unit_code, form.state)

chosen = ui.field_choice(form)
for leaf in (n for n in form.criteria.leaves(chosen) if n.source == rules.SCORED_SOURCE):
    ui.leaf_card(db, user, form, leaf)

with ui.kept_open("Khó khăn, vướng mắc và kiến nghị", "mo_kho_khan"):
    ui.report_text(db, user, form)
with ui.kept_open("Làm trên Excel (tải biểu mẫu, điền, tải lên)", "mo_excel"):
    ui.excel_section(db, user, form)
st.subheader("Nộp báo cáo")
ui.submit_section(db, user, form)
st.download_button("Tải báo cáo tự đánh giá (.xlsx)", lambda: svc.report_of(form),   # built when clicked
                   file_name=svc.report_name(year, user.unit_code), icon=":material/description:",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")
documents_ui.document_button(db, user, "bao-cao-tu-danh-gia", year, user.unit_code)   # built when clicked
