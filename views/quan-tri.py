"""Administration (Phòng Nội vụ): self-assessment states, accounts, units, periods, the criteria
set, backups, the audit log. Editing units and restoring from the page come with the rest of the
administration work; restores run from the command line meanwhile."""

import io

import streamlit as st

from cchc import config, web
from cchc.services import backup
from cchc.web import admin_views, audit_view, council, criteria_admin, survey_views

user = web.require_user()
db = web.storage()
year = web.current_year(db)
st.title("Quản trị")
tab_progress, tab_users, tab_units, tab_periods, tab_criteria, tab_survey, tab_council, tab_backup, tab_audit = st.tabs(
    ["Tự đánh giá", "Tài khoản", "Đơn vị", "Kỳ đánh giá", "Bộ tiêu chí", "Khảo sát", "Hội đồng", "Sao lưu", "Nhật ký"])

with tab_progress:
    admin_views.self_assessment_states(db, user, year)

with tab_users:
    admin_views.accounts(db, user, year)

with tab_units:
    admin_views.units_view(db, user, year)

with tab_periods:
    admin_views.periods_view(db, user, year)

with tab_criteria:
    criteria_admin.criteria_view(db, user, year)

with tab_survey:
    survey_views.admin_tab(db, user, year)

with tab_backup:
    st.write("Bản sao lưu gồm cơ sở dữ liệu và các tệp minh chứng, trong một tệp .zip.")
    if st.button("Tạo bản sao lưu", icon=":material/backup:"):
        buffer = io.BytesIO()
        manifest = backup.create_backup(db, config.from_env().files_dir, buffer, user)
        stamp = manifest["created_at"].replace(":", "").replace("-", "")
        st.download_button("Tải bản sao lưu", buffer.getvalue(), file_name=f"cchc-sao-luu-{stamp}.zip",
                           mime="application/zip", icon=":material/download:")
    admin_views.restore_view(user)

with tab_council:
    council.council_tab(db, user, year)

with tab_audit:
    audit_view.audit_tab(db, user, year)
