"""Widgets of the appraisal page: the queue, one commune's field with each leaf's self-score,
evidence and the council's score; round 1, round 2 and the commune's completion. Every save
goes through the service, per leaf, with the version the screen showed (no lost updates)."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

import streamlit as st

from cchc import config
from cchc.core import appraisal as rules
from cchc.core import numbers
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
from cchc.web import notices, tables

_MSG = "_cchc_appraisal_messages"


def _say(code: str, kind: str, text: str) -> None:
    notices.say(_MSG, code, kind, text)


def _show(code: str) -> None:
    notices.show(_MSG, code)


UNIT_KEY = "td_don_vi"
UNIT_PARAM = "dv"                        # the unit in the address: ?dv=CODE


def unit_from_address(codes: list[str]) -> None:
    """The unit a link of the queue (or a reload) asks for (?dv=CODE) chooses the unit below,
    unless this session has chosen one already; an unknown code is ignored."""
    if st.session_state.get(UNIT_KEY) not in codes:
        wanted = str(st.query_params.get(UNIT_PARAM, ""))
        st.session_state[UNIT_KEY] = wanted if wanted in codes else codes[0]


def keep_unit_in_address() -> None:
    """The unit chosen in the list goes into the address, so that a reload keeps it."""
    st.query_params[UNIT_PARAM] = st.session_state[UNIT_KEY]


def queue_table(rows: list[dict], fields: list[Criterion]) -> None:
    """The communes handed in: state, how much of the appraisal is done, and per field (named by
    its title) how many leaves are appraised; a unit's name opens it below (?dv=CODE). A plain
    table: the data grid would double the page's work in the browser (bench/pages.py)."""
    data = []
    for r in rows:
        done = sum(d for d, _ in r["fields"].values())
        total = sum(t for _, t in r["fields"].values())
        row = {"Đơn vị": r["unit_name"], "Trạng thái": r["state_label"],
               "Đã thẩm định": f"{round(100 * done / total) if total else 0}%"}
        for f in fields:
            d, t = r["fields"].get(f.code, (0, 0))
            row[f"{f.code}. {f.title}"] = f"{d}/{t}" + (" ✓" if t and d == t else "")
        row["Cần giải trình"] = r["flagged"] or None
        data.append(row)
    st.caption("Bấm vào tên một đơn vị để thẩm định (hoặc chọn ở ô «Đơn vị thẩm định» bên dưới). Mỗi lĩnh vực một "
               "cột: số tiêu chí đã thẩm định / tổng số, ✓ khi xong.")
    tables.plain(data, links=[f"?{UNIT_PARAM}={quote(r['unit_code'])}" for r in rows], name="hang-doi")


def _points(code: str, raw) -> Decimal | None:
    """The typed score («0,5» or «0.5»; empty: none), or ScoreError naming the leaf."""
    try:
        value = numbers.decimal(raw)
    except numbers.NumberError as exc:
        raise ScoreError(f"Tiêu chí {code}: điểm «{str(raw).strip()}» {exc}.") from None
    return None if value is None else value.normalize()


def _save_r1(db: Storage, user: User, year: int, unit: str, code: str, version: int, key: str) -> None:
    s = st.session_state
    try:
        svc.save_round1(db, user, year, unit, code, _points(code, s.get(f"{key}_diem")), s.get(f"{key}_lydo") or "",
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
        svc.save_round2(db, user, year, unit, code, None if na else _points(code, s.get(f"{key}_diem2")),
                        s.get(f"{key}_lydo2") or "", expected_version=version, not_applicable=na)
        _say(code, "ok", "Đã lưu điểm thẩm định vòng 2.")
    except svc.StaleLeaf as exc:
        _say(code, "warning", str(exc))
    except (ServiceError, ScoreError) as exc:
        _say(code, "error", str(exc))


def _score_label(what: str, leaf: Criterion) -> str:
    return f"{what} (0 đến {fmt_points(leaf.max_points)}, bước {fmt_points(leaf.step)})"


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
        c1.text_input(_score_label("Điểm thẩm định", leaf), value="" if default is None else fmt_points(default),
                      key=f"{key}_diem", placeholder="VD: 0,5")
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
        c1.text_input(_score_label("Điểm vòng 2", leaf), value="" if default is None else fmt_points(default),
                      key=f"{key}_diem2", placeholder="VD: 0,5")
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


def close_round1_refusal(user: User, sheet: svc.Sheet) -> str | None:
    """Why «Kết thúc vòng 1» cannot be used now (None: it can), said next to the button."""
    if not sheet.may_close_round1(user):
        return svc.CLOSE_REFUSAL
    missing: dict[str, int] = {}
    for f in sheet.fields:
        left = sum(1 for n in sheet.leaves(f.code) if not sheet.done(n))
        if left:
            missing[f.code] = left
    if missing:
        return (f"Còn {sum(missing.values())} tiêu chí chưa có điểm thẩm định (lĩnh vực "
                + ", ".join(f"{code}: {n}" for code, n in missing.items())
                + "). Kết thúc vòng 1 khi mọi tiêu chí của mọi lĩnh vực đã có điểm.")
    return rules.close_round1_refusal(sheet.unit["name"], [n.code for n in sheet.flagged()], sheet.period, sheet.today)


def finalise_refusal(sheet: svc.Sheet) -> str | None:
    """Why «Hoàn tất thẩm định đơn vị» cannot be used now (None: it can)."""
    missing = [n.code for n in sheet.flagged() if not sheet.appraisal(n.code).r2_done]
    if missing:
        return ("Còn tiêu chí cần giải trình chưa có điểm vòng 2: " + ", ".join(missing)
                + ". Chấm vòng 2 các tiêu chí này (bắt buộc có lý do) rồi hoàn tất.")
    return None


@st.dialog("Kết thúc vòng 1?")
def _confirm_close(db: Storage, user: User, sheet: svc.Sheet) -> None:
    flagged = [n.code for n in sheet.flagged()]
    st.markdown(f"**{sheet.unit['name']}**: mọi tiêu chí đã có điểm thẩm định vòng 1.")
    if flagged:
        st.markdown(f"Có **{len(flagged)} tiêu chí cần giải trình** ({', '.join(flagged)}): đơn vị chuyển sang **giải "
                    f"trình**, hạn {fmt_date(sheet.explanation_deadline)}. Vòng 2 mở khi đơn vị gửi giải trình hoặc khi "
                    "hết hạn.")
    else:
        st.markdown("Không có tiêu chí cần giải trình: đơn vị chuyển sang **vòng 2**, có thể hoàn tất thẩm định ngay.")
    st.markdown("Sau bước này không sửa được điểm vòng 1 nữa.")
    _confirm_or_cancel("Xác nhận kết thúc vòng 1", "v1", svc.close_round1, db, user, sheet, "Đã kết thúc vòng 1.")


def _confirm_or_cancel(label: str, key: str, action, db: Storage, user: User, sheet: svc.Sheet, done: str) -> None:
    """A dialog's two buttons: do the action on the commune (its message shown under the unit's
    buttons), or close without doing anything."""
    c1, c2 = st.columns(2)
    if c1.button(label, type="primary", key=f"td_xac_nhan_{key}", width="stretch"):
        _act(action, db, user, sheet.year, sheet.unit["code"], done=done)
        st.rerun()
    if c2.button("Hủy", key=f"td_huy_{key}", width="stretch"):
        st.rerun()


@st.dialog("Hoàn tất thẩm định đơn vị?")
def _confirm_finalise(db: Storage, user: User, sheet: svc.Sheet) -> None:
    st.markdown(f"**{sheet.unit['name']}**: mọi tiêu chí cần giải trình đã có điểm vòng 2.")
    st.markdown("Từ đây điểm của đơn vị là **chính thức**: không sửa được nữa, chỉ số không còn là số liệu tạm tính.")
    _confirm_or_cancel("Xác nhận hoàn tất", "ht", svc.finalise, db, user, sheet, "Đã hoàn tất thẩm định đơn vị.")


def unit_actions(db: Storage, user: User, sheet: svc.Sheet, field_code: str, may_field: bool) -> None:
    """Accept the remaining self-scores of the field, end round 1, finalise the commune: a button
    that cannot be used says why, and the two that change the commune's state ask first."""
    year, unit = sheet.year, sheet.unit["code"]
    kind, text = st.session_state.pop(_MSG + "_unit", ("", ""))
    if kind == "error":
        st.error(text)
    elif kind == "ok":
        st.success(text)
    if sheet.round1_open and may_field:
        st.button("Giữ nguyên điểm tự chấm cho các tiêu chí chưa thẩm định của lĩnh vực này",
                  on_click=_act, args=(svc.accept_remaining, db, user, year, unit, field_code),
                  kwargs={"done": "Đã giữ nguyên điểm tự chấm cho {result} tiêu chí."})
    cols = st.columns(2)
    if sheet.round1_open and (user.role == "admin" or sheet.is_member):
        why = close_round1_refusal(user, sheet)
        with cols[0]:
            if st.button("Kết thúc vòng 1", type="primary", disabled=why is not None, key="td_ket_thuc_v1",
                         help="Chuyển đơn vị sang giải trình (nếu có tiêu chí cần giải trình) hoặc sang vòng 2."):
                _confirm_close(db, user, sheet)
            if why:
                st.caption(f":material/block: {why}")
    if sheet.round2_open and sheet.may_finalise(user):
        why = finalise_refusal(sheet)
        with cols[1]:
            if st.button("Hoàn tất thẩm định đơn vị", type="primary", disabled=why is not None, key="td_hoan_tat"):
                _confirm_finalise(db, user, sheet)
            if why:
                st.caption(f":material/block: {why}")


def sheet_view(db: Storage, user: User, sheet: svc.Sheet, offices: dict[str, str]) -> None:
    """One commune: its state, the field to appraise (offices: code -> name), the leaves, the actions."""
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
        who = offices.get(office, office) if office else "cơ quan chưa được phân công"
        st.info(f"Lĩnh vực này do {who} thẩm định; bạn chỉ xem.", icon=":material/visibility:")
    for leaf in sheet.leaves(field_code):
        leaf_card(db, user, sheet, leaf, may_field)
    unit_actions(db, user, sheet, field_code, may_field)
