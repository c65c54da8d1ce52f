"""Compile, approve and publish the period's results: Phòng Nội vụ sends the compiled results,
a leader approves them with the decision's number and date (a frozen snapshot), then publishes."""

import streamlit as st

from cchc import web
from cchc.web import appraisal_results as ui
from cchc.web import documents as documents_ui

user = web.require_user()
db = web.storage()
year = web.current_year(db)
st.title("Phê duyệt và công bố kết quả")
ui.approval_page(db, user, year)
st.subheader("Dự thảo quyết định phê duyệt")
documents_ui.document_button(db, user, "quyet-dinh-phe-duyet", year)
