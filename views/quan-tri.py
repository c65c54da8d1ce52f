"""Administration (Phòng Nội vụ): accounts, units, periods, the criteria set, backups, the audit
log. Editing periods and users, Excel criteria workbooks and restores come with the
administration work."""

import io

import streamlit as st

from cchc import backup, config, criteria, web
from cchc.web import admin_views
from cchc.services import ServiceError, reference
from cchc.text import fmt_datetime

MAX_YAML_BYTES = 1_000_000
user = web.require_user()
db = web.storage()
year = web.current_year(db)
st.title("Quản trị")
tab_progress, tab_users, tab_units, tab_periods, tab_criteria, tab_backup, tab_audit = st.tabs(
    ["Tự đánh giá", "Tài khoản", "Đơn vị", "Kỳ đánh giá", "Bộ tiêu chí", "Sao lưu", "Nhật ký"])

with tab_progress:
    admin_views.self_assessment_states(db, user, year)

with tab_users:
    admin_views.accounts(db, user, year)

with tab_units:
    st.dataframe([{"Mã": u["code"], "Tên": u["name"], "Loại": u["kind"], "Huyện": u["district_name"],
                   "Hiệu lực từ năm": u["valid_from"], "Đến năm": u["valid_to"] or ""}
                  for u in reference.units(db, user, year)], hide_index=True, width="stretch")

with tab_periods:
    admin_views.periods_view(db, user, year)

with tab_criteria:
    web.criteria_banner(reference.period_criteria(db, user, year))
    st.write(f"Nạp bộ tiêu chí (tệp YAML) cho kỳ {year}. Tệp được kiểm tra toàn bộ; có lỗi thì không nạp gì.")
    upload = st.file_uploader("Tệp bộ tiêu chí (.yaml)", type=["yaml", "yml"], max_upload_size=1)
    if upload is not None:
        data = upload.getvalue()
        try:
            if len(data) > MAX_YAML_BYTES:
                raise criteria.CriteriaError(["Tệp lớn hơn 1 MB, không phải một bộ tiêu chí."])
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise criteria.CriteriaError(["Tệp không phải văn bản UTF-8."]) from None
            cs = criteria.load_yaml_text(text, reference.office_codes(db))
        except criteria.CriteriaError as exc:
            st.error(f"Tệp có {len(exc.errors)} lỗi, chưa nạp gì:\n\n" + "\n".join(f"- {e}" for e in exc.errors))
        else:
            st.success(f"Hợp lệ: {cs.name}, phiên bản {cs.version}, {len(cs.leaves())} tiêu chí chấm điểm.")
            if st.button(f"Nạp và gắn vào kỳ {year}", type="primary"):
                try:
                    reference.import_criteria_set(db, user, cs, year)
                    st.success("Đã nạp bộ tiêu chí.")
                except ServiceError as exc:
                    st.error(str(exc))

with tab_backup:
    st.write("Bản sao lưu gồm cơ sở dữ liệu và các tệp minh chứng, trong một tệp .zip.")
    if st.button("Tạo bản sao lưu", icon=":material/backup:"):
        buffer = io.BytesIO()
        manifest = backup.create_backup(db, config.from_env().files_dir, buffer, user)
        stamp = manifest["created_at"].replace(":", "").replace("-", "")
        st.download_button("Tải bản sao lưu", buffer.getvalue(), file_name=f"cchc-sao-luu-{stamp}.zip",
                           mime="application/zip", icon=":material/download:")
    st.caption("Khôi phục: dừng ứng dụng rồi chạy `python -m cchc restore TỆP.zip`.")

with tab_audit:
    st.dataframe([{"Lúc": fmt_datetime(a["logged_at"]), "Người thực hiện": a["actor"], "Hành động": a["action"],
                   "Đối tượng": f"{a['entity']} {a['entity_key']}", "Cũ": a["old_value"] or "",
                   "Mới": a["new_value"] or "", "Lý do": a["reason"]} for a in reference.recent_audit(db, user)],
                 hide_index=True, width="stretch")
