"""Urging (đôn đốc) on the screen: the dashboard's section for Phòng Nội vụ (send, with a
confirmation) and leaders (read-only), and the notice a commune officer sees on the home page and
the self-assessment page until the unit hands in."""

from __future__ import annotations

import streamlit as st

from cchc.core import urging as rules
from cchc.core.permissions import User, can
from cchc.core.text import fmt_date, fmt_datetime
from cchc.core.workflow import HANDED_IN
from cchc.db.storage import Storage
from cchc.services import ServiceError
from cchc.services import urging as svc
from cchc.services.common import today
from cchc.web import documents, notices, tables

_BOX = "_cchc_urging"


def lagging(db: Storage, user: User, year: int, units: list[dict]) -> tuple[list[dict], list[dict]] | None:
    """(the units that have not handed in, with when each was last urged; every notice of the
    year) for the dashboard, from its unit_progress rows; None for a role that may not see them."""
    if not can(user, "urging.view"):
        return None
    history = svc.notices(db, user, year)
    return svc.laggards(db, user, year, units=units, notices=history), history


def urged_text(r: dict) -> str:
    """When the unit was last urged, «10:20 09/11/2022 (2 lần)», or «chưa»: a laggards() row."""
    if not r["last_urged_at"]:
        return "chưa"
    times = f" ({r['times']} lần)" if r["times"] > 1 else ""
    return f"{fmt_datetime(r['last_urged_at'])}{times}"


def email_text(r: dict) -> str:
    """What became of the e-mail of the unit's last notice (a laggards() row)."""
    return _email(r["last_email"], r["last_email_error"])


def _email(status: str | None, error: str | None) -> str:
    if status is None:
        return ""
    text = rules.EMAIL_STATUSES.get(status, status)
    return f"{text}: {error}" if error else text


def section(db: Storage, user: User, year: int, rows: list[dict], history: list[dict]) -> None:
    """«Đôn đốc», under the dashboard's list of the units not handed in (which shows when each was
    last urged): how many are late or at risk, for Phòng Nội vụ one button that urges them
    (asked first) and the urging letter; the year's notices. `rows`, `history`: lagging()."""
    urgent = [r for r in rows if r["lag"] in (rules.LATE, rules.AT_RISK)]
    with st.container(key="don_doc"):
        st.subheader(f"Đôn đốc: {len(urgent)} đơn vị quá hạn hoặc sắp hết hạn")
        notices.show(_BOX, "send")
        if urgent:
            late = sum(r["lag"] == rules.LATE for r in urgent)
            urged = [r for r in urgent if r["last_urged_at"]]
            last = max((r["last_urged_at"] for r in urged), default=None)
            st.markdown(f"Quá hạn: **{late}**, sắp hết hạn (còn {rules.AT_RISK_DAYS} ngày trở xuống): "
                        f"**{len(urgent) - late}**; đã được đôn đốc: **{len(urged)}/{len(urgent)}**"
                        + (f", lần gần nhất lúc {fmt_datetime(last)}." if last else ".")
                        + " Từng đơn vị: cột «Đôn đốc» của danh sách trên.")
        else:
            st.caption(f"Chưa đơn vị nào quá hạn hoặc còn {rules.AT_RISK_DAYS} ngày trở xuống đến hạn nộp.")
        if can(user, "urging.send"):
            problem = svc.mail_server_problem()
            if problem:
                st.caption(problem)
            if st.button("Gửi thông báo đôn đốc", key="gui_don_doc", disabled=not rows,
                         help="Ghi một thông báo cho mỗi đơn vị được chọn (mặc định: các đơn vị quá hạn, sắp hết "
                              "hạn); đơn vị thấy thông báo trên trang chủ và trang tự đánh giá đến khi nộp."):
                _confirm(db, user, year, rows, urgent)
        documents.document_button(db, user, "cong-van-don-doc", year)   # the urging letter (.docx), admin only
        if history:
            with st.expander(f"Lịch sử đôn đốc năm {year} ({len(history)} thông báo)"):
                tables.plain([{"Lúc": fmt_datetime(n["sent_at"]), "Đơn vị": n["unit_name"], "Người gửi": n["sender_name"],
                               "Hạn nộp": fmt_date(n["deadline"]), "Tình trạng khi gửi": rules.LAGS.get(n["lag"], n["lag"]),
                               "E-mail": (f"{n['email_to']} — " if n["email_to"] else "")
                               + _email(n["email_status"], n["email_error"]), "Nội dung": n["message"]}
                              for n in history], name="lich-su-don-doc")


@st.dialog("Gửi thông báo đôn đốc?")
def _confirm(db: Storage, user: User, year: int, rows: list[dict], urgent: list[dict]) -> None:
    names = {r["unit_code"]: f"{r['unit_name']} ({rules.LAGS[r['lag']].lower()}, {r['when']})" for r in rows}
    chosen = st.multiselect("Đơn vị được đôn đốc", list(names), default=[r["unit_code"] for r in urgent],
                            format_func=names.get, key="don_doc_chon", placeholder="Chọn đơn vị")
    text = st.text_area("Nội dung (để trống: dùng nội dung mặc định)", key="don_doc_noi_dung", max_chars=rules.MAX_MESSAGE,
                        placeholder="Ví dụ: " + rules.default_message("Xã …", rows[0]["deadline"], today(db)))
    st.markdown("Mỗi đơn vị được chọn nhận **một thông báo**, ghi ngày giờ và người gửi; thông báo hiện trên trang chủ "
                "và trang tự đánh giá của đơn vị đến khi đơn vị nộp báo cáo"
                + ("." if svc.mail_server_problem() else ", và được gửi e-mail tới địa chỉ trong tài khoản của đơn vị."))
    c1, c2 = st.columns(2)
    if c1.button("Gửi thông báo", type="primary", width="stretch", key="don_doc_gui", disabled=not chosen):
        try:
            with st.spinner("Đang gửi…"):
                sent = svc.send(db, user, year, chosen, text)
        except ServiceError as exc:
            st.error(str(exc))                 # in the dialog, which stays open
            return
        kind, message = svc.outcome_text(sent)
        notices.say(_BOX, "send", kind, message)
        st.rerun()
    if c2.button("Hủy", width="stretch", key="don_doc_huy"):
        st.rerun()


def commune_notice(db: Storage, user: User, year: int, state: str | None) -> None:
    """The latest urging notice to the officer's unit, until it hands in; nothing (and no query)
    once it has."""
    if user.role != "commune" or state is None or state in HANDED_IN:
        return
    n = svc.latest_for_unit(db, user, year, user.unit_code)
    if n is None:
        return
    with st.container(key="thong_bao_don_doc"):
        st.warning(f"**Thông báo đôn đốc** của Phòng Nội vụ, lúc {fmt_datetime(n['sent_at'])} (người gửi: "
                   f"{n['sender_name']}):  \n"
                   f"{n['message']}  \n**Hạn nộp: {fmt_date(n['deadline'])} — {n['when']}.**")
