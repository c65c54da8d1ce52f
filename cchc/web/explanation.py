"""The explanation round on the commune's self-assessment page: only the leaves the council
flagged, each with its question; the answer is saved as typed; evidence may be added; the
commune hands in its answers before the period's explanation deadline."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from cchc import config
from cchc.core.appraisal import ROUND1_STATES
from cchc.core.permissions import User
from cchc.core.text import fmt_date, fmt_datetime, fmt_points
from cchc.db.storage import Storage
from cchc.files import evidence
from cchc.services import ServiceError
from cchc.services import explanation as svc
from cchc.web import notices
from cchc.web.assessment_form import kept_open

#: States in which no explanation can have been asked for yet (round 1 is not over).
BEFORE_EXPLANATION = ROUND1_STATES | {"not_started", "draft"}
_MSG = "_cchc_explanation_message"          # code (or "" for the hand-in) -> (kind, text)


def _say(code: str, kind: str, text: str) -> None:
    notices.say(_MSG, code, kind, text)


def _show(code: str) -> None:
    """The message of the last action on this leaf (or on the hand-in), once, where it was taken."""
    notices.show(_MSG, code)


def _save(db: Storage, user: User, year: int, unit: str, code: str, key: str) -> None:
    try:
        svc.save_answer(db, user, year, unit, code, st.session_state.get(key) or "")
        _say(code, "ok", f"Đã lưu câu trả lời tiêu chí {code}.")
    except ServiceError as exc:
        _say(code, "error", str(exc))


def _upload(db: Storage, user: User, year: int, unit: str, code: str, key: str, round_key: str) -> None:
    up = st.session_state.get(key)
    if up is None:
        return
    # A fresh, empty uploader either way: a refused file must not look attached.
    st.session_state[round_key] = st.session_state.get(round_key, 0) + 1
    try:
        svc.add_explanation_file(db, user, config.from_env().files_dir, year, unit, code, up.name, up.getvalue())
        _say(_added(code), "ok", f"Đã thêm tệp «{evidence.display_name(up.name)}» cho tiêu chí {code}.")
    except (ServiceError, evidence.EvidenceError) as exc:
        _say(_added(code), "error", f"{exc} Tệp chưa được lưu.")


def _add_doc(db: Storage, user: User, year: int, unit: str, code: str) -> None:
    """Save the document reference typed in the form; the form empties only once it is saved."""
    keys = _doc_keys(code)
    number, issued, summary = (st.session_state.get(keys[k]) for k in ("number", "issued", "summary"))
    try:
        svc.add_explanation_doc(db, user, year, unit, code, number or "", issued, summary or "")
    except ServiceError as exc:
        _say(_added(code), "error", str(exc))
        return
    _say(_added(code), "ok", f"Đã thêm văn bản {(number or '').strip()} cho tiêu chí {code}.")
    st.session_state[keys["number"]] = st.session_state[keys["summary"]] = ""
    st.session_state[keys["issued"]] = None


def _added(code: str) -> str:
    """Where the messages about evidence added to a leaf go (under the evidence form)."""
    return f"{code} tài liệu"


def _doc_keys(code: str) -> dict[str, str]:
    return {"number": f"gt_vb_so_{code}", "issued": f"gt_vb_ngay_{code}", "summary": f"gt_vb_trich_yeu_{code}"}


def _submit(db: Storage, user: User, year: int, unit: str) -> None:
    try:
        svc.submit_explanation(db, user, year, unit)
        _say("", "ok", "Đã gửi giải trình cho Hội đồng thẩm định.")
    except ServiceError as exc:
        _say("", "error", str(exc))


def section(db: Storage, user: User, year: int, unit_code: str, state: str | None = None) -> None:
    """Nothing until the council asks for explanations; then the flagged leaves. With the unit's
    `state` known, nothing is read before round 1 is over (a lighter page while scoring)."""
    if state in BEFORE_EXPLANATION:
        return
    ex = svc.explanation(db, user, year, unit_code)
    if not ex.items:
        return
    st.subheader("Giải trình theo yêu cầu của Hội đồng thẩm định")
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
            _show(leaf.code)
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
    _show("")


def _add_evidence(db: Storage, user: User, year: int, unit: str, code: str) -> None:
    more = kept_open("Bổ sung tài liệu kiểm chứng", f"gt_mo_{code.replace('.', '_')}")
    with more:
        if not more.open:
            return
        round_key = f"gt_tep_luot_{code}"
        key = f"gt_tep_{code}_{st.session_state.get(round_key, 0)}"
        st.file_uploader("Tải tệp lên", type=evidence.ALLOWED_EXTENSIONS, key=key, on_change=_upload,
                         args=(db, user, year, unit, code, key, round_key))
        keys = _doc_keys(code)
        with st.form(f"gt_vb_{code}", border=False):
            c1, c2 = st.columns(2)
            c1.text_input("Số, ký hiệu", placeholder="VD: 15/BC-UBND", key=keys["number"])
            c2.date_input("Ngày ban hành", value=None, format="DD/MM/YYYY", min_value=dt.date(2000, 1, 1), key=keys["issued"])
            st.text_input("Trích yếu", key=keys["summary"])
            st.form_submit_button("Thêm văn bản", on_click=_add_doc, args=(db, user, year, unit, code))
        _show(_added(code))
