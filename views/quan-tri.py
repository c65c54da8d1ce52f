"""Administration (Phòng Nội vụ): self-assessment states, accounts, units, periods, the criteria
set, surveys, the council, backups, the audit log. Only the open tab runs (`on_change="rerun"`),
and the open tab is kept in the address (`?muc=…`), so a reload or a shared link opens it again."""

import io

import streamlit as st

from cchc import config, web
from cchc.services import backup
from cchc.web import admin_views, audit_view, council, criteria_admin, survey_views

user = web.require_user()
db = web.storage()
year = web.current_year(db)


def backups() -> None:
    st.write("Bản sao lưu gồm cơ sở dữ liệu và các tệp minh chứng, trong một tệp .zip.")
    if st.button("Tạo bản sao lưu", icon=":material/backup:"):
        buffer = io.BytesIO()
        manifest = backup.create_backup(db, config.from_env().files_dir, buffer, user)
        stamp = manifest["created_at"].replace(":", "").replace("-", "")
        st.download_button("Tải bản sao lưu", buffer.getvalue(), file_name=f"cchc-sao-luu-{stamp}.zip",
                           mime="application/zip", icon=":material/download:")
    admin_views.restore_view(user)


SECTIONS = {
    "Tự đánh giá": lambda: admin_views.self_assessment_states(db, user, year),
    "Tài khoản": lambda: admin_views.accounts(db, user, year),
    "Đơn vị": lambda: admin_views.units_view(db, user, year),
    "Kỳ đánh giá": lambda: admin_views.periods_view(db, user, year),
    "Bộ tiêu chí": lambda: criteria_admin.criteria_view(db, user, year),
    "Khảo sát": lambda: survey_views.admin_tab(db, user, year),
    "Hội đồng": lambda: council.council_tab(db, user, year),
    "Sao lưu": backups,
    "Nhật ký": lambda: audit_view.audit_tab(db, user, year),
}

st.title("Quản trị")
web.lazy_tabs(SECTIONS, key="muc")
