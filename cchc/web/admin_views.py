"""Parts of the administration page that hold more than a table."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ..permissions import User
from ..services import ServiceError, progress
from ..services import assessment as svc
from ..storage import Storage
from ..text import fmt_date, fmt_datetime, fmt_points
from ..workflow import STATES


def self_assessment_states(db: Storage, user: User, year: int) -> None:
    """Every commune's state, submission time, lateness; reopening with a reason."""
    s = progress.campaign(db, user, year)
    st.caption(f"Hạn nộp: {fmt_date(s['period']['self_assessment_deadline'])} · hôm nay {fmt_date(s['today'])} · "
               f"đã nộp {s['submitted']}/{s['total']}, nộp muộn {s['late']}, đang làm {s['draft']}, "
               f"chưa bắt đầu {s['not_started']}")
    st.dataframe([{"Mã": r["unit_code"], "Đơn vị": r["unit_name"], "Trạng thái": STATES[r["state"]],
                   "Nộp lúc": fmt_datetime(r["submitted_at"]), "Nộp muộn": "Có" if r["is_late"] else "",
                   "Tiêu chí đã chấm": f"{r['leaves_done']}/{r['leaves_total']}",
                   "Điểm tự chấm": fmt_points(r["self_points"]),
                   "Mở lại đến": fmt_date(r["reopened_until"]) if r["reopened_until"] else "",
                   "Lý do mở lại": r["reopen_reason"] or ""} for r in s["units"]],
                 hide_index=True, width="stretch")
    with st.form("mo_lai", clear_on_submit=True):
        st.markdown("**Mở lại biểu mẫu sau hạn** (đơn vị được sửa và nộp đến ngày chọn; nộp sau hạn được ghi là nộp muộn)")
        names = {r["unit_code"]: r["unit_name"] for r in s["units"]}
        c1, c2 = st.columns(2)
        unit_code = c1.selectbox("Đơn vị", list(names), format_func=lambda c: f"{names[c]} ({c})")
        until = c2.date_input("Mở đến hết ngày", value=s["today"] + dt.timedelta(days=3), format="DD/MM/YYYY")
        reason = st.text_input("Lý do (bắt buộc, ghi vào nhật ký)")
        if st.form_submit_button("Mở lại"):
            try:
                svc.reopen(db, user, year, unit_code, until, reason)
                st.success(f"Đã mở lại biểu mẫu của {names[unit_code]} đến hết ngày {fmt_date(until)}.")
            except ServiceError as exc:
                st.error(str(exc))
