"""Survey work for staff: progress against the quota and the satisfaction results (a commune
officer: their own unit), keying paper questionnaires (communes and administrators), each
commune's survey link and QR code, and the review of suspect answers (administrators). Only the
open tab runs, and it is kept in the address (`?muc=…`)."""

import streamlit as st

from cchc import web
from cchc.web import survey_views

user = web.require_user()
db = web.storage()
year = web.current_year(db)
st.title(f"Khảo sát sự hài lòng năm {year}")
if not survey_views.questionnaires_ok():
    st.stop()
sections = {"Tiến độ và kết quả": lambda: survey_views.progress_view(db, user, year)}
if user.role in ("admin", "commune"):
    sections["Nhập phiếu giấy"] = lambda: survey_views.paper_entry(db, user, year)
    sections["Mã QR"] = lambda: survey_views.qr_view(db, user, year)
if user.role == "admin":
    sections["Xem xét phiếu"] = lambda: survey_views.review_view(db, user, year)
if len(sections) == 1:
    survey_views.progress_view(db, user, year)
else:
    web.lazy_tabs(sections, key="muc")
