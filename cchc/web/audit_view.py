"""The audit log for administrators: who, when, what, old → new, why; filtered by unit, user,
action and day; exported to .xlsx."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from cchc.core.permissions import User
from cchc.db.storage import Storage
from cchc.services import audit, reference


def _n(count: int) -> str:
    return f"{count:,}".replace(",", ".")


def audit_tab(db: Storage, user: User, year: int) -> None:
    actors, actions = audit.choices(db, user)
    units = {u["code"]: u["name"] for u in reference.units(db, user, year)}
    c1, c2, c3, c4 = st.columns(4)
    unit = c1.selectbox("Đơn vị", list(units), format_func=lambda c: f"{units[c]} ({c})", index=None,
                        placeholder="Tất cả", key="nk_don_vi")
    who = c2.selectbox("Người thực hiện", actors, index=None, placeholder="Tất cả", key="nk_nguoi")
    action = c3.selectbox("Hành động", audit.action_filter(actions), index=None, placeholder="Tất cả",
                          format_func=lambda a: audit.action_choice_label(a, actions), key="nk_hanh_dong")
    days = c4.date_input("Từ ngày – đến ngày", value=(), format="DD/MM/YYYY", key="nk_ngay")
    start = days[0] if len(days) >= 1 else None
    end = days[1] if len(days) == 2 else start
    filters = dict(unit=unit, user=who, action=action, date_from=start, date_to=end)
    rows = audit.entries(db, user, **filters, limit=audit.SCREEN_LIMIT)
    total = audit.count(db, user, **filters) if len(rows) >= audit.SCREEN_LIMIT else len(rows)
    if total > len(rows):
        st.warning(f"Có {_n(total)} dòng khớp bộ lọc; màn hình chỉ hiện {_n(len(rows))} dòng mới nhất. "
                   "Tệp Excel xuất ra có đủ mọi dòng; hoặc thu hẹp bộ lọc (đơn vị, người, hành động, ngày).",
                   icon=":material/filter_list:")
    else:
        st.caption(f"{_n(len(rows))} dòng (mới nhất trước).")
    shown = audit.rows_for_display(rows)
    for r in shown:
        r["Thời điểm"] = r["Thời điểm"].strftime("%H:%M:%S %d/%m/%Y") if isinstance(r["Thời điểm"], dt.datetime) else r["Thời điểm"]
    st.dataframe(shown, hide_index=True, width="stretch",
                 column_config={"Thay đổi (cũ → mới)": st.column_config.TextColumn(width="large")})
    st.caption("Bấm vào một ô để đọc hết nội dung. Tệp Excel giữ nguyên các mã (hành động, đối tượng, tên các mục) "
               "như nhật ký ghi, kèm tên tiếng Việt của hành động và đối tượng.")
    st.download_button("Xuất Excel (.xlsx)", lambda: audit.export_xlsx(db, user, **filters),
                       file_name="nhat-ky-thay-doi.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       icon=":material/download:", key="nk_xuat")
