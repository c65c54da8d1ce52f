"""Compile, approve and publish (Phòng Nội vụ and the leaders), and the published results."""

from __future__ import annotations

import streamlit as st

from cchc.core.permissions import User
from cchc.core.text import fmt_date, fmt_datetime, fmt_points
from cchc.core.workflow import STATES
from cchc.db.storage import Storage
from cchc.services import ServiceError, approval
from cchc.services.results import results
from cchc.web import tables

_MSG = "_cchc_approval_message"


def _try(fn, *args, done: str) -> None:
    try:
        fn(*args)
        st.session_state[_MSG] = ("ok", done)
    except ServiceError as exc:
        st.session_state[_MSG] = ("error", str(exc))


def ranking_table(rows: list[dict], fields: list, by_field: dict) -> None:
    """The ranking with every figure as a number read the Vietnamese way (74,6), each field's
    column named by its title; units without data (no index) last, «—»."""
    data, config = [], {}
    for code, title in fields:
        config[f"{code}. {title} (%)"] = st.column_config.NumberColumn(
            width="small", help=f"Chỉ số thành phần (%) lĩnh vực {code}. {title}")
    for r in rows:
        row = {"Hạng": r["rank"], "Đơn vị": r["unit_name"], "Chỉ số (%)": r["index"], "Xếp loại": r["class"] or "",
               "Điểm tự đánh giá": r["self_points"], "Điểm thẩm định": r["appraised_points"],
               "Điểm khảo sát": r["survey_points"], "Thưởng": r["bonus"], "Trừ": r["penalty"]}
        for code, title in fields:
            f = by_field.get(r["unit_code"], {}).get(code)
            row[f"{code}. {title} (%)"] = f["sub_index"] if f else None
        data.append(row)
    tables.show(data, column_config=config, height="content")


def approval_page(db: Storage, user: User, year: int) -> None:
    s = approval.status(db, user, year)
    kind, text = st.session_state.pop(_MSG, ("", ""))
    if kind == "error":
        st.error(text)
    elif kind == "ok":
        st.success(text)
    final = len(s.units) - len(s.not_final)
    st.metric("Đơn vị đã hoàn tất thẩm định", f"{final}/{len(s.units)}")
    if s.not_final:
        with st.expander(f"{len(s.not_final)} đơn vị chưa hoàn tất thẩm định"):
            tables.plain([{"Đơn vị": u["unit_name"], "Trạng thái": STATES[u["state"]]} for u in s.not_final])
    if s.compilation:
        st.caption(f"Đã tổng hợp, trình lãnh đạo lúc {fmt_datetime(s.compilation['compiled_at'])} "
                   f"({s.compilation['compiled_by']}).")
    if user.role == "admin":
        why = s.compile_refusal
        st.button("Tổng hợp, trình lãnh đạo phê duyệt", icon=":material/send:", disabled=why is not None,
                  on_click=_try, args=(approval.compile_results, db, user, year),
                  kwargs={"done": "Đã tổng hợp và trình lãnh đạo."})
        if why:
            st.caption(f":material/block: {why}")
    res = results(db, user, year)
    st.subheader("Bảng xếp hạng hiện tại" + (" (tạm tính)" if res.provisional else ""))
    ranking_table(res.rows, res.fields, res.by_field)
    if user.role == "leader":
        st.subheader("Phê duyệt")
        why = s.approve_refusal
        if why:
            st.warning(f"**Chưa phê duyệt được.** {why.removeprefix('Chưa phê duyệt được: ')}",
                       icon=":material/block:")
        with st.form("phe_duyet"):
            c1, c2 = st.columns(2)
            number = c1.text_input("Số quyết định phê duyệt", placeholder="VD: 3456/QĐ-UBND", disabled=why is not None)
            day = c2.date_input("Ngày quyết định", value=None, format="DD/MM/YYYY", disabled=why is not None)
            reason = st.text_input("Lý do (bắt buộc khi phê duyệt lại)", disabled=why is not None)
            if st.form_submit_button("Phê duyệt kết quả", type="primary", disabled=why is not None,
                                     help=why or "Chụp lại toàn bộ kết quả lúc này làm số liệu đã phê duyệt."):
                _try(approval.approve, db, user, year, number, day, reason, done="Đã phê duyệt kết quả.")
                st.rerun()
    if s.approvals:
        st.subheader("Các lần phê duyệt")
        tables.plain([{"Lần": a["version"], "Quyết định": a["decision_number"], "Ngày": fmt_date(a["decision_date"]),
                       "Người phê duyệt": a["approved_by"], "Lý do": a["reason"],
                       "Công bố": fmt_datetime(a["published_at"]) if a["published_at"] else "chưa"}
                      for a in s.approvals])
        latest = s.approvals[0]
        if not latest["published_at"]:
            st.button(f"Công bố kết quả phê duyệt lần {latest['version']}", type="primary", icon=":material/public:",
                      on_click=_try, args=(approval.publish, db, user, year),
                      kwargs={"done": "Đã công bố kết quả trên trang Kết quả công bố."})


def own_detail(db: Storage, user: User, year: int) -> None:
    """A commune officer's own leaves with the appraisers' reasons (published results only)."""
    leaves = approval.own_detail(db, user, year, user.unit_code)
    if not leaves:
        return
    st.subheader("Chi tiết của đơn vị bạn")
    tables.show([{"Mã": x["code"], "Tiêu chí": x["title"], "Tối đa": x["max"],
                  "Tự chấm": "không áp dụng" if x["not_applicable"] else fmt_points(x["self"]),
                  "Thẩm định": ("không áp dụng" if x.get("counted_not_applicable", x["not_applicable"])
                                else fmt_points(x["appraised"])),
                  "Lý do của Hội đồng": x["r2_reason"] or x["r1_reason"],
                  "Câu hỏi / trả lời giải trình": (f"{x['question']} — {x['answer']}" if x["question"] else "")}
                 for x in leaves])
