"""Widgets of the self-assessment page. Every change is saved at once through the service
(on_change callbacks), so nothing typed is lost if the tab closes or the server restarts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import streamlit as st

from cchc import config
from cchc.core import assessment as rules
from cchc.core.criteria import Criterion
from cchc.core.permissions import User
from cchc.core.text import fmt_date, fmt_datetime, fmt_points
from cchc.db.storage import Storage
from cchc.files import evidence
from cchc.files.assessment_workbook import WorkbookError
from cchc.services import ServiceError
from cchc.services import assessment as svc

_MESSAGES = "_cchc_leaf_messages"
# Streamlit refuses bigger files itself, in English; below this our own check answers in
# Vietnamese (the limit for evidence is 10 MB).
UPLOAD_CEILING_MB = 40


def _say(code: str, kind: str, text: str) -> None:
    st.session_state.setdefault(_MESSAGES, {})[code] = (kind, text)


def _keys(code: str) -> dict[str, str]:
    return {k: f"{k}_{code}" for k in ("diem", "kad", "giaitrinh", "ghichu")}


_FIELD_OF = {"diem": "points", "kad": "not_applicable", "giaitrinh": "explanation", "ghichu": "note"}


def _save_field(db: Storage, user: User, year: int, unit_code: str, code: str, part: str) -> None:
    """Save the one part of the leaf that the officer just changed."""
    raw = st.session_state.get(_keys(code)[part])
    if part == "diem":
        value = None if raw is None else Decimal(str(raw)).normalize()
    elif part == "kad":
        value = bool(raw)
    else:
        value = (raw or "").strip()
    try:
        at = svc.save_leaf_field(db, user, year, unit_code, code, _FIELD_OF[part], value)
        _say(code, "ok", f"Đã lưu lúc {at:%H:%M}")
    except (rules.ScoreError, ServiceError) as exc:
        _say(code, "error", str(exc))


def leaf_card(db: Storage, user: User, form: svc.Form, leaf: Criterion) -> None:
    """One criterion: score, "không áp dụng", evidence, explanation, note."""
    keys = _keys(leaf.code)
    saved = form.scores.get(leaf.code, rules.LeafScore())
    # The saved values are the widgets' defaults (not session state): a widget's identity includes
    # its default, so whenever the saved value changes the widget shows it afresh.
    def save(part: str) -> dict:
        return dict(on_change=_save_field, args=(db, user, form.year, form.unit["code"], leaf.code, part),
                    disabled=not form.editable)
    n_evidence = len(form.files.get(leaf.code, [])) + len(form.docs.get(leaf.code, []))
    with st.container(border=True):
        st.markdown(f"**{leaf.code}. {leaf.title}** — tối đa {fmt_points(leaf.max_points)} điểm")
        st.caption(f"Cách chấm: {leaf.guidance}  \nTài liệu kiểm chứng cần có: {leaf.evidence}")
        left, right = st.columns([2, 1])
        left.number_input(f"Điểm tự chấm (bước {fmt_points(leaf.step)})", min_value=0.0, max_value=float(leaf.max_points),
                          step=float(leaf.step), format="%g", key=keys["diem"], placeholder="Chưa chấm",
                          value=None if saved.points is None else float(saved.points),
                          **dict(save("diem"), disabled=not form.editable or saved.not_applicable))
        if leaf.na_allowed:
            right.checkbox("Không áp dụng", key=keys["kad"], value=saved.not_applicable, **save("kad"))
        kind, text = st.session_state.get(_MESSAGES, {}).get(leaf.code, ("", ""))
        if kind == "error":
            st.error(text)
        elif leaf.code in form.saved_at:
            st.caption(f"Đã lưu lúc {fmt_datetime(form.saved_at[leaf.code])}")
        with st.expander(f"Tài liệu kiểm chứng ({n_evidence}), giải trình, ghi chú"):
            _evidence(db, user, form, leaf)
            st.text_area("Giải trình (bắt buộc nếu có điểm mà chưa có tài liệu kiểm chứng)", key=keys["giaitrinh"],
                         value=saved.explanation, **save("giaitrinh"))
            st.text_input("Ghi chú", key=keys["ghichu"], value=saved.note, **save("ghichu"))


def _evidence(db: Storage, user: User, form: svc.Form, leaf: Criterion) -> None:
    files_dir = config.from_env().files_dir
    for f in form.files.get(leaf.code, []):
        c1, c2 = st.columns([4, 1])
        if not svc.file_on_disk(files_dir, f):
            c1.warning(f"Tệp «{f['file_name']}» không còn trên máy chủ; hãy khôi phục từ bản sao lưu.")
            continue
        # Read from disk only when clicked, through the service (which checks who may read it).
        c1.download_button(f":material/attach_file: {f['file_name']} ({f['size_bytes'] // 1024 + 1} KB)",
                           lambda fid=f["id"]: svc.read_file(db, user, files_dir, fid)[2], file_name=f["file_name"],
                           mime=evidence.KINDS[f["kind"]][2], key=f"tai_{f['id']}", type="tertiary")
        if form.editable:
            c2.button("Gỡ", key=f"go_tep_{f['id']}", on_click=_remove, args=(db, user, "file", f["id"], leaf.code))
    for d in form.docs.get(leaf.code, []):
        c1, c2 = st.columns([4, 1])
        c1.markdown(f":material/description: {d['doc_number']}"
                    f"{', ngày ' + fmt_date(d['issued_on']) if d['issued_on'] else ''}: {d['summary']}")
        if form.editable:
            c2.button("Gỡ", key=f"go_vb_{d['id']}", on_click=_remove, args=(db, user, "doc", d["id"], leaf.code))
    if not form.editable:
        return
    round_key = f"tep_luot_{leaf.code}"
    upload_key = f"tep_{leaf.code}_{st.session_state.get(round_key, 0)}"
    st.file_uploader(f"Tải tệp lên (PDF, Word, Excel, JPEG, PNG; tối đa {evidence.MAX_BYTES // 1024 // 1024} MB)",
                     type=evidence.ALLOWED_EXTENSIONS, key=upload_key, on_change=_upload, max_upload_size=UPLOAD_CEILING_MB,
                     args=(db, user, form.year, form.unit["code"], leaf.code, upload_key, round_key))
    with st.form(f"vanban_{leaf.code}", clear_on_submit=True, border=False):
        st.caption("Hoặc ghi văn bản kiểm chứng")
        c1, c2 = st.columns(2)
        number = c1.text_input("Số, ký hiệu", placeholder="VD: 15/KH-UBND")
        issued = c2.date_input("Ngày ban hành", value=None, format="DD/MM/YYYY", min_value=dt.date(2000, 1, 1))
        summary = st.text_input("Trích yếu")
        if st.form_submit_button("Thêm văn bản"):
            try:
                svc.add_doc(db, user, form.year, form.unit["code"], leaf.code, number, issued, summary)
                st.rerun()
            except ServiceError as exc:
                st.error(str(exc))


def _upload(db: Storage, user: User, year: int, unit_code: str, code: str, key: str, round_key: str) -> None:
    uploaded = st.session_state.get(key)
    if uploaded is None:
        return
    try:
        svc.add_file(db, user, config.from_env().files_dir, year, unit_code, code, uploaded.name, uploaded.getvalue())
        st.session_state[round_key] = st.session_state.get(round_key, 0) + 1     # a fresh, empty uploader
        _say(code, "ok", "Đã tải tệp lên.")
    except (evidence.EvidenceError, ServiceError) as exc:
        _say(code, "error", str(exc))


def _remove(db: Storage, user: User, kind: str, evidence_id: int, code: str) -> None:
    try:
        svc.remove_evidence(db, user, kind, evidence_id)
    except ServiceError as exc:
        _say(code, "error", str(exc))


def report_text(db: Storage, user: User, form: svc.Form) -> None:
    """Difficulties and recommendations (khó khăn, vướng mắc, kiến nghị), saved as typed."""
    for key, value in (("kho_khan", form.difficulties), ("kien_nghi", form.recommendations)):
        st.session_state.setdefault(key, value)

    def save() -> None:
        try:
            svc.save_report(db, user, form.year, form.unit["code"], st.session_state["kho_khan"], st.session_state["kien_nghi"])
        except ServiceError as exc:
            st.session_state[_MESSAGES + "_report"] = str(exc)

    st.text_area("Khó khăn, vướng mắc", key="kho_khan", on_change=save, disabled=not form.editable)
    st.text_area("Kiến nghị, đề xuất", key="kien_nghi", on_change=save, disabled=not form.editable)
    if message := st.session_state.pop(_MESSAGES + "_report", None):
        st.error(message)


def excel_section(db: Storage, user: User, form: svc.Form) -> None:
    st.download_button("Tải biểu mẫu Excel (kèm điểm đã lưu)", lambda: svc.workbook_of(form),   # built when clicked
                       file_name=svc.workbook_name(form.year, form.unit["code"]), icon=":material/download:",
                       mime=evidence.KINDS["xlsx"][2])
    if not form.editable:
        return
    if done := st.session_state.pop("_cchc_import_done", None):
        st.success(done)
    upload = st.file_uploader("Tải lên biểu mẫu đã điền (.xlsx)", type=["xlsx"], key="bieu_mau_excel",
                              max_upload_size=UPLOAD_CEILING_MB)
    if upload is None:
        return
    data = upload.getvalue()
    try:
        preview = _preview(db, user, form, data)
    except (WorkbookError, ServiceError, rules.ScoreError) as exc:
        lines = getattr(exc, "errors", [str(exc)])
        st.error(f"Sổ tính có {len(lines)} lỗi, chưa nhập gì:\n\n" + "\n".join(f"- {e}" for e in lines))
        return
    if not preview.rows:
        st.info("Sổ tính không có gì khác với điểm đã lưu.")
        return
    st.write(f"Sẽ thay đổi {len(preview.rows)} tiêu chí:")
    st.dataframe([{"Mã": r["code"], "Tiêu chí": r["title"], "Trước": r["before"], "Sau": r["after"]} for r in preview.rows],
                 hide_index=True, width="stretch")
    if st.button("Áp dụng tất cả thay đổi", type="primary"):
        try:
            changed = svc.import_workbook(db, user, form.year, form.unit["code"], data)
        except (WorkbookError, ServiceError, rules.ScoreError) as exc:
            st.error(f"Chưa nhập gì: {exc}")
            return
        st.session_state["_cchc_import_done"] = f"Đã nhập {changed} tiêu chí từ sổ tính."
        st.session_state.pop("bieu_mau_excel", None)
        st.rerun()


def _preview(db: Storage, user: User, form: svc.Form, data: bytes) -> svc.Preview:
    """Parse an uploaded workbook once, not on every rerun of the page."""
    key = (evidence.content_hash(data), form.last_saved)
    cached = st.session_state.get("_cchc_preview")
    if cached and cached[0] == key:
        return cached[1]
    preview = svc.preview_import(db, user, form.year, form.unit["code"], data)
    st.session_state["_cchc_preview"] = (key, preview)
    return preview


def submit_section(db: Storage, user: User, form: svc.Form) -> None:
    if form.can_withdraw:
        if st.button("Rút lại báo cáo để sửa", icon=":material/undo:"):
            _act(svc.withdraw, db, user, form)
        return
    if not form.editable:
        return
    problems = form.problems()
    if problems:
        st.warning(f"Còn {len(problems)} mục cần hoàn thiện trước khi nộp:\n\n" + "\n".join(f"- {p}" for p in problems[:30])
                   + ("\n- …" if len(problems) > 30 else ""))
    if st.button("Nộp báo cáo tự đánh giá", type="primary", disabled=bool(problems), icon=":material/send:"):
        _act(svc.submit, db, user, form)


def _act(action, db: Storage, user: User, form: svc.Form) -> None:
    try:
        action(db, user, form.year, form.unit["code"])
        st.rerun()
    except ServiceError as exc:
        st.error(str(exc))
