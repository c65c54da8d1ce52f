"""Widgets of the self-assessment page. Every change is saved at once through the service
(on_change callbacks), so nothing typed is lost if the tab closes or the server restarts.

A criterion with a few allowed scores (rules.point_choices) is scored with one tap on one of
them; one with many takes a typed number («0,5» or «0.5»). Keyed widgets of Streamlit 1.67 keep
their state whatever default they are given, so the stored value is put into the widget through
session state whenever it changed since this session last showed it (_show_stored). Messages
appear where the officer acted: under the score, under the uploader, under the document form,
beside the submit button."""

from __future__ import annotations

import datetime as dt

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
from cchc.web import notices

_MESSAGES = "_cchc_leaf_messages"          # code -> (kind, text), under the score
_EVIDENCE = "_cchc_evidence_messages"      # code -> (kind, text), under the uploader
_DOCS = "_cchc_doc_messages"               # code -> (kind, text), under the document form
_SEEN = "_cchc_shown_values"               # widget key -> the stored value it last showed
_RESULT = "_cchc_submit_result"            # what the last submit/withdraw did, shown beside the button
_UNSEEN = object()
#: The first segment of a tapped score: no score yet (tapping it takes a score back).
NOT_SCORED = "Chưa chấm"
FIELD_KEY = "linh_vuc"                     # the chosen field, kept in the address (?linh_vuc=3)
#: What the self-assessment page's percentage is, and why it differs from the index of the
#: scorecard and the dashboard (cchc.core.assessment.Totals.index).
SELF_RATIO_HELP = ("Điểm tự chấm chia cho tổng điểm tối đa của các tiêu chí tự chấm có áp dụng, × 100. "
                   "Chưa gồm điểm khảo sát, điểm thưởng, điểm trừ và chưa qua thẩm định, nên khác với "
                   "**Chỉ số CCHC** (tạm tính) ở Phiếu điểm và Bảng điều khiển: chỉ số đó gồm cả điểm khảo sát, "
                   "điểm thưởng, điểm trừ và dùng điểm của Hội đồng khi đã có.")
# Streamlit refuses bigger files itself, in English; below this our own check answers in
# Vietnamese (the limit for evidence is 10 MB).
UPLOAD_CEILING_MB = 40



def _show_stored(key: str, stored) -> bool:
    """Make the widget `key` (drawn with `stored` as its default) show the stored value when it is
    new or when what is stored changed since this session last showed it (another tab, an Excel
    import, the officer's own save of «0.5», which reads «0,5»); else leave what the officer has in
    it (a refused number stays there to be corrected). True when the stored value is shown afresh."""
    seen = st.session_state.setdefault(_SEEN, {})
    if key in st.session_state and seen.get(key, _UNSEEN) == stored:
        return False
    if key in st.session_state and st.session_state[key] != stored:
        st.session_state[key] = stored       # a new widget takes its default instead
    seen[key] = stored
    return True


def kept_open(label: str, key: str):
    """An expander that stays as the officer left it when the page runs again, even when its label
    (a count) or what is drawn above it changes, which would otherwise draw it anew, closed: its
    open state is kept in session state under `key` (a stateful expander, Streamlit 1.67), and
    `.open` tells whether to draw what is inside."""
    st.session_state[key] = bool(st.session_state.get(key, False))
    return st.expander(label, key=key, on_change="rerun")


def _keys(code: str) -> dict[str, str]:
    return {k: f"{k}_{code}" for k in ("diem", "kad", "giaitrinh", "ghichu")}


def _slug(code: str) -> str:
    return code.replace(".", "_")


_FIELD_OF = {"diem": "points", "kad": "not_applicable", "giaitrinh": "explanation", "ghichu": "note"}


def _shown_points(leaf: Criterion, points) -> str:
    """A stored score as its widget shows it: a segment's label, or the typed text."""
    if points is None:
        return NOT_SCORED if rules.point_choices(leaf) is not None else ""
    return fmt_points(points)


def _save_field(db: Storage, user: User, year: int, unit_code: str, leaf: Criterion, part: str) -> None:
    """Save the one part of the leaf that the officer just changed."""
    key = _keys(leaf.code)[part]
    raw = st.session_state.get(key)
    try:
        if part == "diem":
            value = rules.read_points(leaf, None if raw == NOT_SCORED else raw)
        elif part == "kad":
            value = bool(raw)
        else:
            value = (raw or "").strip()
        svc.save_leaf_field(db, user, year, unit_code, leaf.code, _FIELD_OF[part], value)
    except (rules.ScoreError, ServiceError) as exc:
        notices.say(_MESSAGES, leaf.code, "error", str(exc))
        return
    st.session_state.get(_MESSAGES, {}).pop(leaf.code, None)


def field_choice(form: svc.Form) -> str:
    """The field (lĩnh vực) to score, chosen in a list and kept in the address (?linh_vuc=3), so a
    reload or a shared link opens the same field; the first field, or an unknown value, leaves the
    address without it."""
    fields = {f.code: (f, t) for f, t in rules.field_totals(form.criteria, form.scores)}
    # The labels stay the same as scores change (the totals are shown below): the list would
    # otherwise keep showing the label it had when the field was chosen.
    labels = {code: f"{code}. {f.title}" for code, (f, _) in fields.items()}
    codes = list(labels)
    if st.session_state.get(FIELD_KEY) not in labels:
        wanted = str(st.query_params.get(FIELD_KEY, ""))
        st.session_state[FIELD_KEY] = wanted if wanted in labels else codes[0]
    chosen = st.selectbox("Lĩnh vực", codes, index=codes.index(st.session_state[FIELD_KEY]), format_func=labels.get,
                          key=FIELD_KEY)
    if chosen == codes[0]:                   # the first field: a clean address, as a bound widget keeps it
        if FIELD_KEY in st.query_params:
            del st.query_params[FIELD_KEY]
    elif st.query_params.get(FIELD_KEY) != chosen:
        st.query_params[FIELD_KEY] = chosen
    t = fields[chosen][1]
    st.caption(f"Lĩnh vực {chosen}: đã chấm {t.scored}/{t.leaves} tiêu chí, "
               f"{fmt_points(t.points)}/{fmt_points(t.applicable_max)} điểm.")
    return chosen


def leaf_card(db: Storage, user: User, form: svc.Form, leaf: Criterion) -> None:
    """One criterion: score, "không áp dụng", evidence, explanation, note."""
    keys = _keys(leaf.code)
    saved = form.scores.get(leaf.code, rules.LeafScore())
    args = (db, user, form.year, form.unit["code"], leaf)

    def save(part: str) -> dict:
        return dict(on_change=_save_field, args=(*args, part), disabled=not form.editable)

    n_evidence = len(form.files.get(leaf.code, [])) + len(form.docs.get(leaf.code, []))
    with st.container(border=True, key=f"tieu_chi_{_slug(leaf.code)}"):
        st.markdown(f"**{leaf.code}. {leaf.title}** — tối đa {fmt_points(leaf.max_points)} điểm")
        st.caption(f"Cách chấm: {leaf.guidance}  \nTài liệu kiểm chứng cần có: {leaf.evidence}")
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        with left:
            shown = _shown_points(leaf, saved.points)
            if _show_stored(keys["diem"], shown):
                st.session_state.get(_MESSAGES, {}).pop(leaf.code, None)     # a refused entry was replaced
            points = dict(save("diem"), disabled=not form.editable or saved.not_applicable)
            if (choices := rules.point_choices(leaf)) is not None:
                st.segmented_control("Điểm tự chấm", [NOT_SCORED] + [fmt_points(c) for c in choices], key=keys["diem"],
                                     default=shown, required=True, **points)
            else:
                st.text_input(f"Điểm tự chấm (0 đến {fmt_points(leaf.max_points)}, bước {fmt_points(leaf.step)})",
                              key=keys["diem"], value=shown, placeholder="Chưa chấm", **points,
                              help="Gõ số rồi nhấn Enter; dấu phẩy hay dấu chấm đều được (0,5 hoặc 0.5). "
                                   "Xóa trắng ô để bỏ điểm.")
        if leaf.na_allowed:
            _show_stored(keys["kad"], saved.not_applicable)
            right.checkbox("Không áp dụng", key=keys["kad"], value=saved.not_applicable, **save("kad"))
        kind, text = st.session_state.get(_MESSAGES, {}).get(leaf.code, ("", ""))
        if kind == "error":
            st.error(text, icon=":material/error:")
        elif saved.not_applicable:
            st.caption(f"Không áp dụng · đã lưu lúc {fmt_datetime(form.saved_at[leaf.code])}")
        elif leaf.code in form.saved_at:
            st.caption(f"Đã lưu lúc {fmt_datetime(form.saved_at[leaf.code])}")
        more = kept_open(f"Tài liệu kiểm chứng ({n_evidence}), giải trình, ghi chú", f"mo_{_slug(leaf.code)}")
        with more:
            if not more.open:        # drawn only when open: a tap on a score reruns a lighter page
                return
            _evidence(db, user, form, leaf)
            _show_stored(keys["giaitrinh"], saved.explanation)
            st.text_area("Giải trình (bắt buộc nếu có điểm mà chưa có tài liệu kiểm chứng)", key=keys["giaitrinh"],
                         value=saved.explanation, **save("giaitrinh"))
            _show_stored(keys["ghichu"], saved.note)
            st.text_input("Ghi chú", key=keys["ghichu"], value=saved.note, **save("ghichu"))


def _evidence(db: Storage, user: User, form: svc.Form, leaf: Criterion) -> None:
    files_dir = config.from_env().files_dir
    code = leaf.code
    for f in form.files.get(code, []):
        c1, c2 = st.columns([4, 1])
        if not svc.file_on_disk(files_dir, f):
            c1.warning(f"Tệp «{f['file_name']}» không còn trên máy chủ; hãy khôi phục từ bản sao lưu.")
            continue
        # Read from disk only when clicked, through the service (which checks who may read it).
        c1.download_button(f":material/attach_file: {f['file_name']} ({f['size_bytes'] // 1024 + 1} KB)",
                           lambda fid=f["id"]: svc.read_file(db, user, files_dir, fid)[2], file_name=f["file_name"],
                           mime=evidence.KINDS[f["kind"]][2], key=f"tai_{f['id']}", type="tertiary", on_click="ignore")
        if form.editable:
            c2.button("Gỡ", key=f"go_tep_{f['id']}", on_click=_remove,
                      args=(db, user, "file", f["id"], code, f"tệp «{f['file_name']}»"))
    for d in form.docs.get(code, []):
        c1, c2 = st.columns([4, 1])
        c1.markdown(f":material/description: {d['doc_number']}"
                    f"{', ngày ' + fmt_date(d['issued_on']) if d['issued_on'] else ''}: {d['summary']}")
        if form.editable:
            c2.button("Gỡ", key=f"go_vb_{d['id']}", on_click=_remove,
                      args=(db, user, "doc", d["id"], code, f"văn bản {d['doc_number']}"))
    if not form.editable:
        notices.show(_EVIDENCE, code)
        return
    round_key = f"tep_luot_{code}"
    upload_key = f"tep_{code}_{st.session_state.get(round_key, 0)}"
    st.file_uploader(f"Tải tệp lên (PDF, Word, Excel, JPEG, PNG; tối đa {evidence.MAX_BYTES // 1024 // 1024} MB)",
                     type=evidence.ALLOWED_EXTENSIONS, key=upload_key, on_change=_upload, max_upload_size=UPLOAD_CEILING_MB,
                     args=(db, user, form.year, form.unit["code"], code, upload_key, round_key))
    notices.show(_EVIDENCE, code)
    keys = _doc_keys(code)
    with st.form(f"vanban_{code}", border=False):
        st.caption("Hoặc ghi văn bản kiểm chứng")
        c1, c2 = st.columns(2)
        c1.text_input("Số, ký hiệu", placeholder="VD: 15/KH-UBND", key=keys["number"])
        c2.date_input("Ngày ban hành", value=None, format="DD/MM/YYYY", min_value=dt.date(2000, 1, 1), key=keys["issued"])
        st.text_input("Trích yếu", key=keys["summary"])
        st.form_submit_button("Thêm văn bản", on_click=_add_doc, args=(db, user, form.year, form.unit["code"], code))
    notices.show(_DOCS, code)


def _doc_keys(code: str) -> dict[str, str]:
    return {"number": f"vb_so_{code}", "issued": f"vb_ngay_{code}", "summary": f"vb_trich_yeu_{code}"}


def _upload(db: Storage, user: User, year: int, unit_code: str, code: str, key: str, round_key: str) -> None:
    uploaded = st.session_state.get(key)
    if uploaded is None:
        return
    # A fresh, empty uploader either way: a refused file must not look attached.
    st.session_state[round_key] = st.session_state.get(round_key, 0) + 1
    try:
        svc.add_file(db, user, config.from_env().files_dir, year, unit_code, code, uploaded.name, uploaded.getvalue())
    except (evidence.EvidenceError, ServiceError) as exc:
        notices.say(_EVIDENCE, code, "error", f"{exc} Tệp chưa được lưu.")
        return
    notices.say(_EVIDENCE, code, "ok", f"Đã tải lên «{evidence.display_name(uploaded.name)}».")


def _add_doc(db: Storage, user: User, year: int, unit_code: str, code: str) -> None:
    """Save the document reference typed in the form; the form empties only once it is saved."""
    keys = _doc_keys(code)
    number, issued, summary = (st.session_state.get(keys[k]) for k in ("number", "issued", "summary"))
    try:
        svc.add_doc(db, user, year, unit_code, code, number or "", issued, summary or "")
    except ServiceError as exc:
        notices.say(_DOCS, code, "error", str(exc))
        return
    notices.say(_DOCS, code, "ok", f"Đã thêm văn bản {(number or '').strip()}.")
    st.session_state[keys["number"]] = st.session_state[keys["summary"]] = ""
    st.session_state[keys["issued"]] = None


def _remove(db: Storage, user: User, kind: str, evidence_id: int, code: str, what: str) -> None:
    try:
        svc.remove_evidence(db, user, kind, evidence_id)
    except ServiceError as exc:
        notices.say(_EVIDENCE, code, "error", str(exc))
        return
    notices.say(_EVIDENCE, code, "ok", f"Đã gỡ {what}.")


def report_text(db: Storage, user: User, form: svc.Form) -> None:
    """Difficulties and recommendations (khó khăn, vướng mắc, kiến nghị), saved as typed."""
    _show_stored("kho_khan", form.difficulties)
    _show_stored("kien_nghi", form.recommendations)

    def save() -> None:
        try:
            svc.save_report(db, user, form.year, form.unit["code"], st.session_state["kho_khan"], st.session_state["kien_nghi"])
        except ServiceError as exc:
            st.session_state[_MESSAGES + "_report"] = str(exc)

    st.text_area("Khó khăn, vướng mắc", key="kho_khan", value=form.difficulties, on_change=save, disabled=not form.editable)
    st.text_area("Kiến nghị, đề xuất", key="kien_nghi", value=form.recommendations, on_change=save,
                 disabled=not form.editable)
    if message := st.session_state.pop(_MESSAGES + "_report", None):
        st.error(message)


def excel_section(db: Storage, user: User, form: svc.Form) -> None:
    st.download_button("Tải biểu mẫu Excel (kèm điểm đã lưu)", lambda: svc.workbook_of(form),   # built when clicked
                       file_name=svc.workbook_name(form.year, form.unit["code"]), icon=":material/download:",
                       mime=evidence.KINDS["xlsx"][2], on_click="ignore")
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


# ------------------------------------------------------------------ submit and withdraw


def submit_section(db: Storage, user: User, form: svc.Form) -> None:
    """Submit or withdraw, each confirmed in a dialog that says what will happen; the result is
    shown here, beside the button, not at the top of the page."""
    with st.container(key="nop_bao_cao"):
        done = st.session_state.pop(_RESULT, None)
        if done == "submitted" and form.state == "submitted":
            st.success(f"Đã nộp báo cáo tự đánh giá lúc {fmt_datetime(form.submitted_at)}"
                       f"{' (nộp muộn)' if form.is_late else ''}. Biểu mẫu đã khóa"
                       + (f"; đến hết ngày {fmt_date(form.edit_until)} vẫn rút lại được để sửa." if form.can_withdraw else "."),
                       icon=":material/task_alt:")
        elif done == "withdrawn" and form.editable:
            st.success(f"Đã rút lại báo cáo: biểu mẫu mở để sửa. Nhớ nộp lại trước hết ngày {fmt_date(form.edit_until)}.",
                       icon=":material/undo:")
        if done:
            st.html(_IN_VIEW_JS, unsafe_allow_javascript=True)
        if form.can_withdraw:
            if st.button("Rút lại báo cáo để sửa", icon=":material/undo:"):
                _confirm_withdraw(db, user, form)
            return
        if not form.editable:
            return
        problems = form.problems()
        if problems:
            st.warning(f"Còn {len(problems)} mục cần hoàn thiện trước khi nộp:\n\n"
                       + "\n".join(f"- {p}" for p in problems[:30]) + ("\n- …" if len(problems) > 30 else ""))
        if st.button("Nộp báo cáo tự đánh giá", type="primary", disabled=bool(problems), icon=":material/send:"):
            _confirm_submit(db, user, form)


# The page above the section changes height when the form locks or opens again: bring the
# result (and the button after it) into view, where the officer clicked.
_IN_VIEW_JS = """<script>(() => {
  const show = () => { const el = document.querySelector('.st-key-nop_bao_cao');
                       if (el) el.scrollIntoView({block: 'nearest'}); };
  requestAnimationFrame(show);
  setTimeout(show, 300);
})();</script>"""


def _decide(action, db: Storage, user: User, form: svc.Form, result: str) -> None:
    try:
        action(db, user, form.year, form.unit["code"])
    except ServiceError as exc:
        st.error(str(exc))                   # in the dialog, which stays open
        return
    st.session_state[_RESULT] = result
    st.rerun()                               # closes the dialog and redraws the page


@st.dialog("Nộp báo cáo tự đánh giá?")
def _confirm_submit(db: Storage, user: User, form: svc.Form) -> None:
    t = form.totals()
    st.markdown(f"Báo cáo của **{form.unit['name']}** ({t.scored}/{t.leaves} tiêu chí, "
                f"{fmt_points(t.points)}/{fmt_points(t.applicable_max)} điểm tự chấm) sẽ được gửi Phòng Nội vụ "
                "để Hội đồng thẩm định.")
    st.markdown("Sau khi nộp, biểu mẫu **khóa lại**: không sửa được điểm, tài liệu kiểm chứng, giải trình. "
                f"Đến hết ngày {fmt_date(form.edit_until)} vẫn có thể rút lại báo cáo để sửa rồi nộp lại.")
    if form.late_now:
        st.warning(f"Đã quá hạn nộp ({fmt_date(form.deadline)}): báo cáo sẽ được ghi là **nộp muộn**.")
    c1, c2 = st.columns(2)
    if c1.button("Nộp báo cáo", type="primary", icon=":material/send:", width="stretch"):
        _decide(svc.submit, db, user, form, "submitted")
    if c2.button("Chưa nộp, quay lại", width="stretch"):
        st.rerun()


@st.dialog("Rút lại báo cáo đã nộp?")
def _confirm_withdraw(db: Storage, user: User, form: svc.Form) -> None:
    st.markdown(f"Báo cáo của **{form.unit['name']}** đã nộp lúc {fmt_datetime(form.submitted_at)} sẽ trở về "
                "**đang tự đánh giá**: biểu mẫu mở để sửa, và Phòng Nội vụ coi như chưa nhận báo cáo.")
    st.markdown(f"Sửa xong phải **nộp lại** trước hết ngày {fmt_date(form.edit_until)}; sau hạn đó biểu mẫu khóa hẳn.")
    c1, c2 = st.columns(2)
    if c1.button("Rút lại báo cáo", type="primary", icon=":material/undo:", width="stretch"):
        _decide(svc.withdraw, db, user, form, "withdrawn")
    if c2.button("Không rút, quay lại", width="stretch"):
        st.rerun()

