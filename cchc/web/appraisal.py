"""Widgets of the appraisal page: the queue, one commune's field with each leaf's self-score,
evidence and the council's score; round 1, round 2 and the commune's completion. Every save
goes through the service, per leaf, with the version the screen showed (no lost updates)."""

from __future__ import annotations

from decimal import Decimal

import streamlit as st

from cchc import config
from cchc.core.assessment import SCORED_SOURCE, LeafScore, ScoreError
from cchc.core.criteria import Criterion
from cchc.core.permissions import User
from cchc.core.text import fmt_date, fmt_datetime, fmt_points
from cchc.core.workflow import STATES
from cchc.db.storage import Storage
from cchc.files import evidence
from cchc.services import ServiceError
from cchc.services import appraisal as svc
from cchc.services import assessment as self_svc

_MSG = "_cchc_appraisal_messages"


def _say(code: str, kind: str, text: str) -> None:
    st.session_state.setdefault(_MSG, {})[code] = (kind, text)


def _show(code: str) -> None:
    kind, text = st.session_state.get(_MSG, {}).pop(code, ("", ""))
    if kind == "error":
        st.error(text, icon=":material/error:")
    elif kind == "warning":
        st.warning(text, icon=":material/sync_problem:")
    elif kind == "ok":
        st.success(text, icon=":material/check:")


def queue_table(rows: list[dict], fields: list[Criterion]) -> None:
    data = []
    for r in rows:
        row = {"Mã": r["unit_code"], "Đơn vị": r["unit_name"], "Trạng thái": r["state_label"]}
        for f in fields:
            done, total = r["fields"].get(f.code, (0, 0))
            row[f"LV {f.code}"] = f"{done}/{total}" + (" ✓" if total and done == total else "")
        row["Cần giải trình"] = r["flagged"] or ""
        data.append(row)
    st.dataframe(data, hide_index=True, width="stretch")


def _points(raw) -> Decimal | None:
    return None if raw is None else Decimal(str(raw)).normalize()


def _save_r1(db: Storage, user: User, year: int, unit: str, code: str, version: int, key: str) -> None:
    s = st.session_state
    try:
        svc.save_round1(db, user, year, unit, code, _points(s.get(f"{key}_diem")), s.get(f"{key}_lydo") or "",
                        bool(s.get(f"{key}_gt")), s.get(f"{key}_hoi") or "", expected_version=version)
        _say(code, "ok", "Đã lưu điểm thẩm định vòng 1.")
    except svc.StaleLeaf as exc:
        _say(code, "warning", str(exc))
    except (ServiceError, ScoreError) as exc:
        _say(code, "error", str(exc))


def _save_r2(db: Storage, user: User, year: int, unit: str, code: str, version: int, key: str) -> None:
    s = st.session_state
    try:
        na = bool(s.get(f"{key}_kad2"))
        svc.save_round2(db, user, year, unit, code, None if na else _points(s.get(f"{key}_diem2")),
                        s.get(f"{key}_lydo2") or "", expected_version=version, not_applicable=na)
        _say(code, "ok", "Đã lưu điểm thẩm định vòng 2.")
    except svc.StaleLeaf as exc:
        _say(code, "warning", str(exc))
    except (ServiceError, ScoreError) as exc:
        _say(code, "error", str(exc))


def _self_text(leaf: Criterion, s: LeafScore, commune_na: bool) -> str:
    if leaf.source != SCORED_SOURCE:
        return "do Hội đồng chấm (đơn vị không tự chấm)"
    if commune_na:
        return "không áp dụng"
    return "chưa chấm" if s.points is None else fmt_points(s.points)


def _evidence(db: Storage, user: User, sheet: svc.Sheet, code: str) -> None:
    files_dir = config.from_env().files_dir
    files, docs = sheet.files.get(code, []), sheet.docs.get(code, [])
    if not files and not docs:
        st.caption("Không có tài liệu kiểm chứng.")
    for f in files:
        if not self_svc.file_on_disk(files_dir, f):
            st.warning(f"Tệp «{f['file_name']}» không còn trên máy chủ.")
            continue
        st.download_button(f":material/attach_file: {f['file_name']}",
                           lambda fid=f["id"]: self_svc.read_file(db, user, files_dir, fid)[2],
                           file_name=f["file_name"], mime=evidence.KINDS[f["kind"]][2], key=f"td_tep_{f['id']}",
                           type="tertiary")
    for d in docs:
        st.markdown(f":material/description: {d['doc_number']}"
                    f"{', ngày ' + fmt_date(d['issued_on']) if d['issued_on'] else ''}: {d['summary']}")


def leaf_card(db: Storage, user: User, sheet: svc.Sheet, leaf: Criterion, editable: bool) -> None:
    s = sheet.scores.get(leaf.code, LeafScore())
    a = sheet.appraisal(leaf.code)
    unit = sheet.unit["code"]
    key = f"td_{unit}_{leaf.code}_{a.version}"     # a new stored version draws fresh widgets
    with st.container(border=True, key=f"tieu_chi_{leaf.code.replace('.', '_')}"):
        st.markdown(f"**{leaf.code}. {leaf.title}** — tối đa {fmt_points(leaf.max_points)} điểm")
        st.caption(f"Cách chấm: {leaf.guidance}")
        left, right = st.columns([1, 1])
        with left:
            st.markdown(f"Điểm tự chấm: **{_self_text(leaf, s, sheet.commune_na(leaf.code))}**")
            if s.explanation:
                st.markdown(f"Giải trình của đơn vị: {s.explanation}")
            if s.note:
                st.caption(f"Ghi chú: {s.note}")
            with st.expander(f"Tài liệu kiểm chứng ({len(sheet.files.get(leaf.code, [])) + len(sheet.docs.get(leaf.code, []))})"):
                _evidence(db, user, sheet, leaf.code)
        with right:
            current = "chưa chấm" if a.r1_points is None else fmt_points(a.r1_points)
            st.markdown(f"Điểm thẩm định vòng 1: **{current}**" + (f" — lý do: {a.r1_reason}" if a.r1_reason else ""))
            if a.flagged:
                st.markdown(f":orange-badge[Cần giải trình] {a.question}")
                st.markdown(f"Trả lời của đơn vị: {a.answer or '_chưa trả lời_'}")
            if a.r2_points is not None:
                st.markdown(f"Điểm vòng 2: **{fmt_points(a.r2_points)}** — lý do: {a.r2_reason}")
            elif a.r2_na:
                st.markdown(f"Vòng 2: **xác nhận «không áp dụng»** — lý do: {a.r2_reason}")
            if a.overturned:
                st.caption("Hội đồng chấm điểm tiêu chí đơn vị đánh dấu «không áp dụng»: tiêu chí được tính vào "
                           "điểm tối đa.")
            if a.updated_at:
                st.caption(f"Lưu lần cuối: {a.updated_by}, {fmt_datetime(a.updated_at)}")
        _show(leaf.code)
        if editable and sheet.round1_open:
            _round1_form(db, user, sheet, leaf, s, a, key)
        elif editable and sheet.round2_open and a.flagged:
            _round2_form(db, user, sheet, leaf, a, key)


def _round1_form(db, user, sheet, leaf, s, a, key) -> None:
    na = leaf.source == SCORED_SOURCE and sheet.commune_na(leaf.code)
    if na:
        default = a.r1_points
    else:
        default = a.r1_points if a.r1_points is not None else (s.points if leaf.source == SCORED_SOURCE else Decimal(0))
    with st.form(key, border=False):
        c1, c2 = st.columns([1, 2])
        if na:
            c1.caption("Đơn vị đánh dấu «không áp dụng». Để trống điểm: giữ «không áp dụng» (có thể yêu cầu giải "
                       "trình); nhập điểm, kèm lý do: tiêu chí được tính vào điểm tối đa.")
        c1.number_input(f"Điểm thẩm định (bước {fmt_points(leaf.step)})", min_value=0.0,
                        max_value=float(leaf.max_points), step=float(leaf.step), format="%g",
                        value=None if default is None else float(default), key=f"{key}_diem")
        c2.text_input("Lý do (bắt buộc nếu khác điểm tự chấm)", value=a.r1_reason, key=f"{key}_lydo")
        c1.checkbox("Cần giải trình", value=a.flagged, key=f"{key}_gt")
        c2.text_input("Câu hỏi cho đơn vị (khi cần giải trình)", value=a.question, key=f"{key}_hoi")
        st.form_submit_button("Lưu vòng 1", on_click=_save_r1,
                              args=(db, user, sheet.year, sheet.unit["code"], leaf.code, a.version, key))


def _round2_form(db, user, sheet, leaf, a, key) -> None:
    default = a.r2_points if a.r2_points is not None else a.r1_points
    na = leaf.source == SCORED_SOURCE and sheet.commune_na(leaf.code)
    with st.form(f"{key}_v2", border=False):
        c1, c2 = st.columns([1, 2])
        c1.number_input(f"Điểm vòng 2 (bước {fmt_points(leaf.step)})", min_value=0.0, max_value=float(leaf.max_points),
                        step=float(leaf.step), format="%g", value=None if default is None else float(default),
                        key=f"{key}_diem2")
        c2.text_input("Lý do (kết luận sau giải trình)", value=a.r2_reason, key=f"{key}_lydo2")
        if na:
            c1.checkbox("Xác nhận «không áp dụng» (không chấm điểm)", value=a.r2_na, key=f"{key}_kad2",
                        help="Đơn vị đánh dấu tiêu chí này «không áp dụng». Chọn để giữ như vậy (tiêu chí không tính "
                             "vào điểm tối đa); hoặc để trống ô này và nhập điểm vòng 2.")
        st.form_submit_button("Lưu vòng 2", on_click=_save_r2,
                              args=(db, user, sheet.year, sheet.unit["code"], leaf.code, a.version, key))


def _act(fn, *args, done: str) -> None:
    try:
        result = fn(*args)
        st.session_state[_MSG + "_unit"] = ("ok", done.format(result=result))
    except (ServiceError, ScoreError) as exc:
        st.session_state[_MSG + "_unit"] = ("error", str(exc))


def unit_actions(db: Storage, user: User, sheet: svc.Sheet, field_code: str, may_field: bool) -> None:
    """Accept the remaining self-scores of the field, end round 1, finalise the commune."""
    year, unit = sheet.year, sheet.unit["code"]
    kind, text = st.session_state.pop(_MSG + "_unit", ("", ""))
    if kind == "error":
        st.error(text)
    elif kind == "ok":
        st.success(text)
    cols = st.columns(3)
    if sheet.round1_open and may_field:
        cols[0].button("Giữ nguyên điểm tự chấm cho các tiêu chí chưa thẩm định của lĩnh vực này",
                       on_click=_act, args=(svc.accept_remaining, db, user, year, unit, field_code),
                       kwargs={"done": "Đã giữ nguyên điểm tự chấm cho {result} tiêu chí."})
    if sheet.round1_open and (user.role == "admin" or sheet.is_member):
        may_close = sheet.may_close_round1(user)
        cols[1].button("Kết thúc vòng 1", type="primary", disabled=not (may_close and sheet.round1_complete()),
                       on_click=_act, args=(svc.close_round1, db, user, year, unit),
                       kwargs={"done": "Đã kết thúc vòng 1."},
                       help=("Khi mọi tiêu chí đã có điểm thẩm định: chuyển đơn vị sang giải trình (nếu có tiêu chí "
                             "cần giải trình, trước hạn giải trình) hoặc sang vòng 2." if may_close else
                             "Chỉ Chủ tịch, Phó Chủ tịch thường trực Hội đồng (hoặc quản trị) kết thúc vòng 1."))
    if sheet.round2_open and sheet.may_finalise(user):
        cols[2].button("Hoàn tất thẩm định đơn vị", type="primary", disabled=not sheet.can_finalise(),
                       on_click=_act, args=(svc.finalise, db, user, year, unit),
                       kwargs={"done": "Đã hoàn tất thẩm định đơn vị."})


def sheet_view(db: Storage, user: User, sheet: svc.Sheet) -> None:
    badge = {"final": "green", "explanation": "orange"}.get(sheet.state, "blue")
    st.markdown(f":{badge}-badge[{STATES[sheet.state]}] Hạn giải trình: {fmt_date(sheet.explanation_deadline)}")
    if sheet.state == "explanation" and not sheet.round2_open:
        st.info(f"Đơn vị đang giải trình {len(sheet.flagged())} tiêu chí (hạn {fmt_date(sheet.explanation_deadline)}). "
                "Vòng 2 mở khi đơn vị gửi giải trình hoặc khi hết hạn.", icon=":material/hourglass_top:")
    names = {f.code: f.title for f in sheet.fields}
    if user.role != "admin" and not sheet.is_member:
        st.warning(f"Tài khoản «{user.username}» không phải thành viên Hội đồng thẩm định kỳ {sheet.year} (hoặc đã "
                   "được bỏ khỏi Hội đồng): bạn chỉ xem. Đề nghị Phòng Nội vụ bổ sung vào Hội đồng nếu bạn được "
                   "phân công.", icon=":material/person_off:")
    mine = [f.code for f in sheet.fields if sheet.may_appraise(user, f.code)]

    def label(code: str) -> str:
        done, total = sheet.field_progress(code)
        tag = " — của cơ quan bạn" if code in mine and user.role != "admin" else ""
        return f"{code}. {names[code]} ({done}/{total}{', xong' if done == total else ''}){tag}"

    codes = [f.code for f in sheet.fields]
    default = codes.index(mine[0]) if mine else 0
    field_code = st.selectbox("Lĩnh vực", codes, index=default, format_func=label, key=f"td_lv_{sheet.unit['code']}")
    may_field = field_code in mine
    office = sheet.offices.get(field_code)
    if not may_field:
        st.info(f"Lĩnh vực này do {office or 'cơ quan chưa được phân công'} thẩm định; bạn chỉ xem.",
                icon=":material/visibility:")
    for leaf in sheet.leaves(field_code):
        leaf_card(db, user, sheet, leaf, may_field)
    unit_actions(db, user, sheet, field_code, may_field)
