"""Survey work for staff: progress against the quota and the satisfaction results (a commune
officer: their own unit), and keying paper questionnaires (communes and administrators)."""

import streamlit as st

from cchc import web
from cchc.web import survey_views

user = web.require_user()
db = web.storage()
year = web.current_year(db)
st.title(f"Khảo sát sự hài lòng năm {year}")
if not survey_views.questionnaires_ok():
    st.stop()
if user.role == "admin":
    tab_progress, tab_paper, tab_review = st.tabs(["Tiến độ và kết quả", "Nhập phiếu giấy", "Xem xét phiếu"])
    with tab_progress:
        survey_views.progress_view(db, user, year)
    with tab_paper:
        survey_views.paper_entry(db, user, year)
    with tab_review:
        survey_views.review_view(db, user, year)
elif user.role == "commune":
    tab_progress, tab_paper = st.tabs(["Tiến độ và kết quả", "Nhập phiếu giấy"])
    with tab_progress:
        survey_views.progress_view(db, user, year)
    with tab_paper:
        survey_views.paper_entry(db, user, year)
else:
    survey_views.progress_view(db, user, year)
