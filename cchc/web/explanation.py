"""The explanation round on the commune's self-assessment page: only the leaves the council
flagged, each with its question; the answer is saved as typed; evidence may be added; the
commune hands in its answers before the period's explanation deadline."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from cchc import config
from cchc.core.permissions import User
from cchc.core.text import fmt_date, fmt_datetime, fmt_points
from cchc.db.storage import Storage
from cchc.files import evidence
from cchc.services import ServiceError
from cchc.services import explanation as svc

_MSG = "_cchc_explanation_message"


def _save(db: Storage, user: User, year: int, unit: str, code: str, key: str) -> None:
    try:
        svc.save_answer(db, user, year, unit, code, st.session_state.get(key) or "")
        st.session_state[_MSG] = ("ok", f"Đã lưu câu trả lời tiêu chí {code}.")
    except ServiceError as exc:
        st.session_state[_MSG] = ("error", str(exc))


def _upload(db: Storage, user: User, year: int, unit: str, code: str, key: str) -> None:
    up = st.session_state.get(key)
    if up is None:
        return
    try:
        svc.add_explanation_file(db, user, config.from_env().files_dir, year, unit, code, up.name, up.getvalue())
        st.session_state[_MSG] = ("ok", f"Đã thêm tệp cho tiêu chí {code}.")
    except (ServiceError, evidence.EvidenceError) as exc:
        st.session_state[_MSG] = ("error", str(exc))


def _submit(db: Storage, user: User, year: int, unit: str) -> None:
    try:
        svc.submit_explanation(db, user, year, unit)
        st.session_state[_MSG] = ("ok", "Đã gửi giải trình cho Hội đồng thẩm định.")
    except ServiceError as exc:
        st.session_state[_MSG] = ("error", str(exc))


def section(db: Storage, user: User, year: int, unit_code: str) -> None:
    """Nothing until the council asks for explanations; then the flagged leaves."""
    ex = svc.explanation(db, user, year, unit_code)
    if not ex.items:
        return
    st.subheader("Giải trình theo yêu cầu của Hội đồng thẩm định")
    kind, text = st.session_state.pop(_MSG, ("", ""))
    if kind == "error":
        st.error(text)
    elif kind == "ok":
        st.success(text)
    if ex.open:
        st.info(f"Hội đồng đề nghị giải trình {len(ex.items)} tiêu chí. Hạn gửi giải trình: "
                f"{fmt_date(ex.deadline)}.", icon=":material/question_answer:")
    elif ex.explained_at:
        st.caption(f"Đã gửi giải trình lúc {fmt_datetime(ex.explained_at)}.")
    else:
        st.caption(ex.closed_reason)
    for leaf, score, a in ex.items:
        with st.container(border=True, key=f"giai_trinh_{leaf.code.replace('.', '_')}"):
            st.markdown(f"**{leaf.code}. {leaf.title}** — tối đa {fmt_points(leaf.max_points)} điểm")
            st.markdown(f"Điểm tự chấm: **{'không áp dụng' if score.not_applicable or a.self_na else fmt_points(score.points)}** · "
                        f"Điểm thẩm định vòng 1: **{fmt_points(a.r1_points)}**"
                        + (f" (lý do: {a.r1_reason})" if a.r1_reason else ""))
            st.markdown(f"Câu hỏi của Hội đồng: _{a.question}_")
            key = f"tra_loi_{leaf.code}"
            st.text_area("Trả lời giải trình", value=a.answer, key=key, disabled=not ex.open,
                         on_change=_save, args=(db, user, year, unit_code, leaf.code, key))
            for f in ex.files.get(leaf.code, []):
                st.caption(f":material/attach_file: {f['file_name']}")
            for d in ex.docs.get(leaf.code, []):
                st.caption(f":material/description: {d['doc_number']}: {d['summary']}")
            if ex.open:
                _add_evidence(db, user, year, unit_code, leaf.code)
            if a.r2_points is not None:
                st.markdown(f"Kết luận vòng 2: **{fmt_points(a.r2_points)}** — {a.r2_reason}")
            elif a.r2_na:
                st.markdown(f"Kết luận vòng 2: **không áp dụng** — {a.r2_reason}")
    if ex.open:
        st.button("Gửi giải trình", type="primary", icon=":material/send:", on_click=_submit,
                  args=(db, user, year, unit_code))


def _add_evidence(db: Storage, user: User, year: int, unit: str, code: str) -> None:
    with st.expander("Bổ sung tài liệu kiểm chứng"):
        key = f"gt_tep_{code}"
        st.file_uploader("Tải tệp lên", type=evidence.ALLOWED_EXTENSIONS, key=key, on_change=_upload,
                         args=(db, user, year, unit, code, key))
        with st.form(f"gt_vb_{code}", clear_on_submit=True, border=False):
            c1, c2 = st.columns(2)
            number = c1.text_input("Số, ký hiệu", placeholder="VD: 15/BC-UBND")
            issued = c2.date_input("Ngày ban hành", value=None, format="DD/MM/YYYY", min_value=dt.date(2000, 1, 1))
            summary = st.text_input("Trích yếu")
            if st.form_submit_button("Thêm văn bản"):
                try:
                    svc.add_explanation_doc(db, user, year, unit, code, number, issued, summary)
                    st.rerun()
                except ServiceError as exc:
                    st.error(str(exc))
