"""Survey work for staff: progress against the quota and the results, keying paper forms, and
the administrator's tab (quotas, QR codes, suspect answers, the officials' survey codes)."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from functools import partial

import streamlit as st

from cchc.core import survey as rules
from cchc.core.numbers import NumberError, decimal
from cchc.core.permissions import PermissionDenied, User
from cchc.core.text import fmt_date, fmt_datetime
from cchc.db.storage import Storage
from cchc.files import qr as survey_qr
from cchc.files.assessment_workbook import WorkbookError
from cchc.services import ServiceError, citizen_survey, official_survey, reference, seed
from cchc.services.common import today
from cchc import web
from cchc.web import tables


def questionnaires_ok() -> bool:
    """Show every problem of a broken questionnaire file (data/surveys/) instead of a trace."""
    try:
        rules.citizen_questionnaire()
        rules.official_questionnaire()
    except rules.SurveyDataError as exc:
        st.error("Tệp phiếu khảo sát trong data/surveys/ có lỗi, cần sửa rồi khởi động lại ứng dụng:\n\n"
                 + "\n".join(f"- {e}" for e in exc.errors))
        return False
    return True


def _pct(share) -> str:
    return "—" if share is None else f"{100 * share:.2f}".replace(".", ",") + "%"


# ------------------------------------------------------------------ progress and results


def pending_note(db: Storage, user: User, year: int, unit_code: str | None = None) -> None:
    """How many survey answers wait for review (not counted yet), where the results are shown."""
    n = citizen_survey.pending_count(db, user, year, unit_code)
    if n:
        st.caption(f"{n:,}".replace(",", ".") + " phiếu khảo sát có dấu hiệu bất thường đang chờ Phòng Nội vụ xem xét; "
                   "chưa được tính vào chỉ số.")


def progress_view(db: Storage, user: User, year: int) -> None:
    """Answers against the target per commune (a commune officer: their own), then the results."""
    unit_code = user.unit_code if user.role == "commune" else None
    p = reference.period(db, year)
    rows = citizen_survey.progress(db, user, year, unit_code)
    st.caption(f"Thời gian khảo sát: {citizen_survey.window_text(p)} · hôm nay {fmt_date(today(db))}. Phiếu bị loại (có lý do) "
               "không được tính; phiếu có dấu hiệu bất thường chưa được tính cho tới khi Phòng Nội vụ chấp nhận.")
    waiting = sum(r["pending"] for r in rows)
    if waiting:
        st.warning(f"{waiting} phiếu có dấu hiệu bất thường đang chờ Phòng Nội vụ xem xét (chưa được tính).")
    valid, target = sum(r["valid"] for r in rows), sum(r["target"] for r in rows)
    c1, c2, c3 = st.columns(3)
    c1.metric("Phiếu được tính", f"{valid:,}".replace(",", "."))
    c2.metric("Chỉ tiêu", f"{target:,}".replace(",", "."))
    c3.metric("Đạt", _pct(valid / target if target else None))
    tables.show([{"Mã": r["unit_code"], "Đơn vị": r["unit_name"], "Phiếu được tính": r["valid"],
                  "Chỉ tiêu": r["target"], "Tiến độ": (r["done_share"] or 0.0) * 100,
                  "Trực tuyến": r["web"], "Phiếu giấy": r["paper"], "Chờ xem xét": r["pending"], "Tại một cửa": r["kiosk"],
                  "Đã loại": r["excluded"]} for r in rows], places=0,
                column_config={"Tiến độ": st.column_config.ProgressColumn("Tiến độ", format="%.0f%%", min_value=0, max_value=100)})
    agg = citizen_survey.aggregates(db, user, year, unit_code)
    st.markdown("**Tỷ lệ hài lòng** = (Hài lòng + Rất hài lòng) / số câu trả lời hợp lệ, theo từng câu; bình quân các câu "
                "thành tỷ lệ của yếu tố; bình quân năm yếu tố thành tỷ lệ của đơn vị.")
    if not agg.elements:
        st.info("Chưa có phiếu nào được tính.")
    else:
        q = rules.citizen_questionnaire()
        titles = {e.number: e.title for e in q.elements}
        table = {}
        for r in agg.elements:
            row = table.setdefault(r["unit_code"], {"Đơn vị": r["unit_name"]})
            row[f"{r['element']}. {titles.get(r['element'], '')}"] = _pct(r["share"])
        for u in agg.units:
            table[u["unit_code"]]["Chung"] = _pct(u["share"])
        st.dataframe(list(table.values()), hide_index=True, width="stretch")
        if unit_code is None and agg.district_share is not None:
            st.metric("Tỷ lệ hài lòng toàn huyện", _pct(agg.district_share))
    if st.button("Chuẩn bị tệp Excel (phiếu và tổng hợp)", icon=":material/table:", key="ks_export"):
        name, data = citizen_survey.export(db, user, year, unit_code)
        st.download_button("Tải tệp Excel", data, file_name=name, icon=":material/download:", on_click="ignore",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# ------------------------------------------------------------------ paper forms


PAPER_BOX = "ks_phieu_giay"           # the container of the paper form (class st-key-ks_phieu_giay)
_PAPER_LAST = "_ks_paper_last"        # (unit, date on the form) of the last form saved: the next one starts with them

# Keying by keyboard only: Enter in a field moves to the next field (as Tab does) instead of
# submitting half a form; Enter in «Hài lòng chung» saves. In an open list (the unit, a profile
# field) Enter picks the option, then moves on. Installed once per page; the form is found by its class.
_PAPER_KEYS_JS = """
(() => {
  if (window.cchcPaperKeys) return;
  window.cchcPaperKeys = true;
  const FOCUSABLE = "input:not([type=hidden]):not([tabindex='-1']):not([disabled]), textarea, [role=spinbutton], "
                  + "button[data-testid^=stBaseButton]";
  const container = (el) => el.closest("[data-testid=stElementContainer]");
  const moveOn = (box, from) => {
    const fields = [...box.querySelectorAll("[data-testid=stElementContainer]")]
      .map((c) => c.querySelector(FOCUSABLE)).filter((el) => el && el.offsetParent !== null);
    const next = fields[fields.findIndex((el) => container(el) === container(from)) + 1];
    if (next) next.focus();
  };
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || e.shiftKey || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    const t = e.target;
    const box = t.closest && t.closest(".st-key-%(box)s");
    if (!box || !(t.tagName === "INPUT" || t.getAttribute("role") === "spinbutton")) return;
    if (t.closest("[class*='_overall']")) return;                          // the last field: Enter saves
    if (t.getAttribute("aria-expanded") === "true") {                      // an open list: Enter picks, then on
      setTimeout(() => moveOn(box, t), 0);
      return;
    }
    e.preventDefault();
    e.stopPropagation();
    moveOn(box, t);
  }, true);
})();
""" % {"box": PAPER_BOX}


# Streamlit's «Enter to submit» hint is true only in «Hài lòng chung»; the other fields move on.
_PAPER_CSS = (f".st-key-{PAPER_BOX} [data-testid=InputInstructions] {{ visibility: hidden; }} "
              f".st-key-{PAPER_BOX} [class*='_overall'] [data-testid=InputInstructions] {{ visibility: visible; }}")


def _focus_js(selector: str, n: str) -> str:
    """Once form `n` is on the page: put the cursor in its field `selector` with the top of the
    form (and the «saved» line) in view, and take the date's calendar button out of the Tab order
    (the date is typed: dd, mm, yyyy)."""
    return (f"<script>/* phiếu {n} */ (() => {{ let tries = 0; const t = setInterval(() => {{"
            f" const el = document.querySelector({selector!r});"
            f" document.querySelectorAll('.st-key-{PAPER_BOX} [data-testid=stDateInputCalendarButton]')"
            ".forEach((b) => b.setAttribute('tabindex', '-1'));"
            " if (el) { el.focus({preventScroll: true}); el.select && el.select();"
            f" document.querySelector('.st-key-{PAPER_BOX}').scrollIntoView({{block: 'start'}}); }}"
            " if (el || ++tries > 200) clearInterval(t); }, 50); })();</script>")


def paper_entry(db: Storage, user: User, year: int) -> None:
    """Key paper questionnaires fast, by keyboard only: digits per element, Enter or Tab to the
    next field, Enter in the last one saves; the next form comes back empty with the cursor in
    its first field, keeping the unit and the date on the form."""
    q = rules.citizen_questionnaire()
    units = {u["code"]: u["name"] for u in reference.public_units(db, year)}
    if user.role == "commune":
        units = {c: n for c, n in units.items() if c == user.unit_code}
    if not units:
        st.info("Đơn vị của tài khoản này không có trong danh mục đơn vị của kỳ.")
        return
    saved = st.session_state.pop("_ks_paper_saved", None)
    n = st.session_state.setdefault("_ks_paper_n", 0)
    last_unit, last_day = st.session_state.get(_PAPER_LAST, (None, None))
    codes = list(units)
    st.caption("Mỗi yếu tố gõ liền các mức theo thứ tự câu hỏi (1 = Rất không hài lòng … 5 = Rất hài lòng; câu bỏ "
               "trống gõ 0), ví dụ «454». Enter hoặc Tab để sang ô sau; Enter ở ô «Hài lòng chung» để lưu (hoặc Tab "
               "tiếp tới thông tin người trả lời, góp ý và nút lưu). Sau khi lưu, con trỏ về ô yếu tố 1; đơn vị và ngày "
               "trên phiếu được giữ cho phiếu sau.")
    box = st.container(key=PAPER_BOX)
    if saved:                               # right above the form, which is scrolled into view with it
        box.success(f"Đã lưu phiếu giấy số {saved}. Mời nhập phiếu tiếp theo.")
    with box, st.form(f"phieu_giay_{n}"):
        c1, c2 = st.columns(2)
        unit_code = c1.selectbox("Đơn vị", codes, format_func=lambda c: f"{units[c]} ({c})",
                                 index=codes.index(last_unit) if last_unit in units else 0, disabled=len(units) == 1)
        filled_on = c2.date_input("Ngày trên phiếu", value=last_day, format="DD/MM/YYYY", key=f"pg_{n}_ngay")
        typed = {}
        for e in q.elements:
            typed[e.number] = st.text_input(
                f"{e.number}. {e.title} — câu {e.questions[0].code}–{e.questions[-1].code} ({len(e.questions)} chữ số)",
                max_chars=len(e.questions) + 4, key=f"pg_{n}_{e.number}")
        overall = st.text_input("Hài lòng chung (1–5, để trống nếu bỏ trống)", max_chars=1, key=f"pg_{n}_overall")
        cols = st.columns(len(q.profile))
        profile = {p.key: col.selectbox(p.label, p.options, index=None, key=f"pg_{n}_{p.key}", placeholder="(trống)")
                   for p, col in zip(q.profile, cols)}
        suggestion = st.text_area("Góp ý (nếu có)", max_chars=q.suggestion_max, key=f"pg_{n}_goy")
        # Where the cursor goes: the first field to type (the date of a first form, else element 1),
        # or after a refusal the field it names; kept per form so that other reruns leave it be.
        first = f".st-key-pg_{n}_ngay [role=spinbutton]" if last_day is None else f".st-key-pg_{n}_1 input"
        focus = st.session_state.get("_ks_paper_focus")
        if focus is None or focus[0] != n:
            focus = (n, first, 0)
        if st.form_submit_button("Lưu và nhập phiếu tiếp", type="primary"):
            at = None
            try:
                ratings = {}
                for element, text in typed.items():
                    at = f".st-key-pg_{n}_{element} input"
                    ratings.update(rules.parse_digits(q, element, text))
                at = f".st-key-pg_{n}_overall input"
                if overall.strip() and overall.strip() not in "12345":
                    raise rules.AnswerError("Hài lòng chung: gõ một chữ số từ 1 đến 5.")
                at = None
                answers = rules.Answers(ratings, {k: v for k, v in profile.items() if v},
                                        int(overall) if overall.strip() else None, suggestion)
                rid = citizen_survey.submit_paper(db, user, year, unit_code, answers, filled_on, q)
            except (rules.AnswerError, ServiceError, PermissionDenied) as exc:
                st.error(str(exc))
                if at is None and "Ngày trên phiếu" in str(exc):
                    at = f".st-key-pg_{n}_ngay [role=spinbutton]"
                focus = (n, at or focus[1], focus[2] + 1)
            else:
                st.session_state["_ks_paper_saved"] = rid
                st.session_state["_ks_paper_n"] = n + 1
                st.session_state[_PAPER_LAST] = (unit_code, filled_on)
                st.rerun()
    st.session_state["_ks_paper_focus"] = focus
    st.html(f"<script>{_PAPER_KEYS_JS}</script><style>{_PAPER_CSS}</style>", unsafe_allow_javascript=True)
    st.html(_focus_js(focus[1], f"{n}.{focus[2]}"), unsafe_allow_javascript=True)
    st.markdown("**Nhập nhiều phiếu bằng Excel**")
    if st.button("Chuẩn bị biểu mẫu Excel phiếu giấy", icon=":material/table:", key="ks_template"):
        st.download_button("Tải biểu mẫu Excel phiếu giấy", citizen_survey.paper_template(db, user, year, q),
                           file_name=f"phieu-khao-sat-{year}.xlsx", icon=":material/download:", on_click="ignore",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    upload = st.file_uploader("Tệp phiếu giấy đã điền (.xlsx)", type=["xlsx"], key="ks_upload")
    again = upload is not None and st.checkbox("Tệp này đã nhập rồi nhưng chứa phiếu khác: vẫn nhập", key="ks_again")
    if upload is not None and st.button("Nhập các phiếu trong tệp", key="ks_import"):
        try:
            count = citizen_survey.import_paper(db, user, year, upload.getvalue(), q, again=again)
        except WorkbookError as exc:
            st.error(f"Tệp có {len(exc.errors)} lỗi, chưa nhập phiếu nào:\n\n" + "\n".join(f"- {e}" for e in exc.errors[:50]))
        except (ServiceError, PermissionDenied) as exc:
            st.error(str(exc))
        else:
            st.success(f"Đã nhập {count} phiếu giấy.")


# ------------------------------------------------------------------ the administrator's tab


def admin_tab(db: Storage, user: User, year: int) -> None:
    """Quản trị → Khảo sát: only the open sub-tab runs (kept in the address, ?ks=…)."""
    if not questionnaires_ok():
        return
    sections = {
        "Chỉ tiêu phiếu": _quota, "Mã QR": qr_view, "Phiếu bất thường": review_view, "Máy tại một cửa": _kiosks,
        "Mã hồ sơ": _dossier_codes, "Điều tra xã hội học": _officials,
    }
    web.lazy_tabs({label: partial(draw, db, user, year) for label, draw in sections.items()}, key="ks")


def _done(message: str) -> None:
    st.session_state["_ks_admin_msg"] = message
    st.rerun()


def _quota(db: Storage, user: User, year: int) -> None:
    if msg := st.session_state.pop("_ks_admin_msg", None):
        st.success(msg)
    rows = citizen_survey.progress(db, user, year)
    names = {r["unit_code"]: r["unit_name"] for r in rows}
    st.caption("Chỉ tiêu chung của kỳ sửa ở tab «Kỳ đánh giá». Ở đây đặt chỉ tiêu riêng cho từng xã: nhập thẳng, hoặc "
               "nhập số hồ sơ N đã giải quyết để tính n = N / (1 + N·e²) với sai số e.")
    with st.form("ks_quota"):
        c1, c2, c3, c4 = st.columns(4)
        unit_code = c1.selectbox("Đơn vị", list(names), format_func=lambda c: f"{names[c]} ({c})")
        dossiers = c2.number_input("Số hồ sơ N (để trống: nhập chỉ tiêu)", min_value=0, value=None, step=10)
        margin_text = c3.text_input("Sai số e (%)", value="5", help="Từ 1 đến 20; số thập phân gõ dấu phẩy (ví dụ 2,5).")
        target = c4.number_input("Hoặc chỉ tiêu phiếu", min_value=0, value=None, step=10)
        if st.form_submit_button("Lưu chỉ tiêu"):
            try:
                try:
                    margin = decimal(margin_text)
                except NumberError as exc:
                    raise ServiceError(f"Sai số e: «{margin_text.strip()[:20]}» {exc}.") from None
                if margin is None or not 1 <= margin <= 20:
                    raise ServiceError("Sai số e: cần một số từ 1 đến 20 (%).")
                n = citizen_survey.set_quota(db, user, year, unit_code, None if target is None else int(target),
                                             None if dossiers is None else int(dossiers), float(margin) / 100)
            except ServiceError as exc:
                st.error(str(exc))
            else:
                _done(f"Chỉ tiêu của {names[unit_code]}: {n} phiếu.")
    st.dataframe([{"Đơn vị": r["unit_name"], "Chỉ tiêu": r["target"], "Riêng": "Có" if r["own_target"] else "",
                   "Số hồ sơ N": "" if r["dossiers"] is None else r["dossiers"], "Phiếu được tính": r["valid"]} for r in rows],
                 hide_index=True, width="stretch")


def _base_url_form(db: Storage, user: User, current: str) -> None:
    """The public address the QR codes point to; once saved, folded away under its value."""
    seen = urllib.parse.urlsplit(st.context.url or "")
    here = f"{seen.scheme}://{seen.netloc}" if seen.scheme and seen.netloc else ""
    box = st.expander(f"Địa chỉ công khai: {current} (sửa)") if current else st.container()
    with box:
        st.caption("Địa chỉ công khai của ứng dụng (tên miền người dân mở được). Mã QR của mỗi xã trỏ tới "
                   "«địa chỉ/khao-sat?dv=mã xã».")
        with st.form("ks_base_url"):
            url = st.text_input("Địa chỉ công khai", value=current or here, placeholder="https://cchc.huongson.gov.vn",
                                help=None if current else "Gợi ý sẵn là địa chỉ bạn đang mở ứng dụng; sửa nếu người "
                                                          "dân dùng một tên miền khác.")
            if st.form_submit_button("Lưu địa chỉ"):
                try:
                    citizen_survey.set_base_url(db, user, url)
                except ServiceError as exc:
                    st.error(str(exc))
                else:
                    _done("Đã lưu địa chỉ công khai.")


def qr_view(db: Storage, user: User, year: int) -> None:
    """Each commune's survey link and QR code (a commune officer: their own): a preview, the
    PNG and a printable A4 page of the chosen commune; for administrators the public address and
    every commune's codes in one .zip."""
    if msg := st.session_state.pop("_ks_admin_msg", None):
        st.success(msg)
    current = citizen_survey.base_url(db)
    if user.role == "admin":
        _base_url_form(db, user, current)
    if not current:
        st.info("Chưa có địa chỉ công khai của ứng dụng, nên chưa tạo được mã QR. "
                + ("Lưu địa chỉ ở trên." if user.role == "admin" else "Phòng Nội vụ lưu địa chỉ này ở trang Quản trị."))
        return
    units = {u["code"]: u["name"] for u in reference.public_units(db, year)}
    if user.role == "commune":
        units = {c: n for c, n in units.items() if c == user.unit_code}
    if not units:
        st.info("Đơn vị của tài khoản này không có trong danh mục đơn vị của kỳ.")
        return
    links = {c: survey_qr.survey_url(current, c) for c in units}
    codes = list(units)
    district = seed.district_config()["district"]["name"]
    left, right = st.columns([1, 2], vertical_alignment="center")
    with right:
        code = codes[0] if len(codes) == 1 else st.selectbox(
            "Xem mã QR của", codes, format_func=lambda c: f"{units[c]} ({c})", key="qr_don_vi")
        image = survey_qr.png(links[code], scale=8)
        st.markdown(f"**{units[code]}** · mã đơn vị {code}")
        st.code(links[code], language=None)
        st.download_button("Tải ảnh mã QR (.png)", image, file_name=f"qr-{code}.png", mime="image/png",
                           icon=":material/qr_code_2:", on_click="ignore", key="qr_png")
        st.download_button("Tải trang in A4 của xã này (.html)",
                           lambda: survey_qr.a4_sheet([{"code": code, "name": units[code]}], current, year, district),
                           file_name=f"qr-khao-sat-{year}-{code}.html", mime="text/html", icon=":material/print:",
                           on_click="ignore", key="qr_a4")
    left.image(image, width=240, caption=f"Mã QR khảo sát — {units[code]}")
    if user.role == "admin":
        st.markdown("**Đường dẫn khảo sát của mọi xã**")
        st.dataframe([{"Mã": c, "Đơn vị": n, "Đường dẫn khảo sát": links[c]} for c, n in units.items()],
                     hide_index=True, width="stretch", height=250,
                     column_config={"Đường dẫn khảo sát": st.column_config.LinkColumn("Đường dẫn khảo sát")})
        st.download_button("Tải mã QR của mọi xã (.zip: ảnh PNG từng xã và trang A4 để in)",
                           lambda: survey_qr.zipped(citizen_survey.qr_files(db, user, year, current, district)),
                           file_name=f"ma-qr-khao-sat-{year}.zip", mime="application/zip", icon=":material/download:",
                           on_click="ignore", key="qr_zip")
    st.caption("Trang A4 mở bằng trình duyệt rồi in (3 mã mỗi hàng, có tên xã, mã xã và đường dẫn viết đầy đủ cho "
               "người không quét được).")


def review_view(db: Storage, user: User, year: int) -> None:
    """Suspect answers in bulk: filter, see them grouped by client and flag (no row cap) and a
    page at a time, then accept or exclude every matching answer with one reason."""
    if msg := st.session_state.pop("_ks_review_msg", None):
        st.success(msg)
    st.caption("Phiếu có dấu hiệu bất thường được giữ lại, không bị xóa, nhưng **chưa được tính** cho tới khi bạn chấp "
               "nhận. Phiếu điền ô ẩn chống máy tự động bị loại ngay. Mỗi lần chấp nhận hay loại ghi một dòng nhật ký "
               "(số phiếu, bộ lọc, lý do).")
    units = {u["code"]: u["name"] for u in reference.public_units(db, year)}
    states = {"pending": "Chờ xem xét", "accepted": "Đã chấp nhận", "excluded": "Đã loại", None: "Mọi trạng thái"}
    c1, c2, c3 = st.columns(3)
    state = c1.selectbox("Trạng thái", list(states), format_func=lambda k: states[k], key="ksr_state")
    flag = c2.selectbox("Dấu hiệu", [None, *rules.FLAGS], format_func=lambda k: rules.FLAGS.get(k, "Mọi dấu hiệu"),
                        key="ksr_flag")
    unit = c3.selectbox("Đơn vị", [None, *units], format_func=lambda k: units.get(k, "Mọi đơn vị"), key="ksr_unit")
    base = citizen_survey.ReviewFilter(state=state, flag=flag, unit_code=unit)
    clients = {}
    for g in citizen_survey.review_groups(db, user, year, base):
        if g["client_key"]:
            clients[g["client_key"]] = clients.get(g["client_key"], 0) + g["answers"]
    c4, c5, c6 = st.columns(3)
    client = c4.selectbox("Máy khách (địa chỉ mạng đã băm)", [None, *clients],
                          format_func=lambda k: "Mọi máy khách" if k is None else f"{k[:8]} ({clients[k]} phiếu)",
                          key="ksr_client")
    since = c5.date_input("Từ ngày", value=None, format="DD/MM/YYYY", key="ksr_since")
    until = c6.date_input("Đến hết ngày", value=None, format="DD/MM/YYYY", key="ksr_until")
    f = citizen_survey.ReviewFilter(
        state=state, flag=flag, unit_code=unit, client=client,
        since=dt.datetime.combine(since, dt.time()) if since else None,
        until=dt.datetime.combine(until + dt.timedelta(days=1), dt.time()) if until else None)
    try:
        groups = citizen_survey.review_groups(db, user, year, f)
    except ServiceError as exc:
        st.error(str(exc))
        return
    total = sum(g["answers"] for g in groups)
    st.metric("Phiếu khớp bộ lọc", f"{total:,}".replace(",", "."))
    if not groups:
        st.info("Không có phiếu nào khớp bộ lọc.")
    else:
        st.dataframe([{"Máy khách": g["client_short"], "Dấu hiệu": g["flag_text"], "Đơn vị": units.get(g["unit_code"], g["unit_code"]),
                       "Trạng thái": g["state_text"], "Số phiếu": g["answers"], "Từ": fmt_datetime(g["first_at"]),
                       "Đến": fmt_datetime(g["last_at"])} for g in groups], hide_index=True, width="stretch")
        size = 50
        page = st.number_input(f"Trang (mỗi trang {size} phiếu)", min_value=1, max_value=max(1, -(-total // size)),
                               value=1, key="ksr_page")
        rows = citizen_survey.review_page(db, user, year, f, int(page) - 1, size)
        st.dataframe([{"Số phiếu": r["id"], "Đơn vị": units.get(r["unit_code"], r["unit_code"]),
                       "Lúc": fmt_datetime(r["submitted_at"]), "Máy khách": r["client_short"], "Dấu hiệu": r["flag_text"],
                       "Trạng thái": r["state_text"], "Người xem xét": r["reviewed_by"] or "",
                       "Lý do": r["review_reason"]} for r in rows], hide_index=True, width="stretch")
        with st.form("ksr_bulk"):
            reason = st.text_input(f"Lý do cho cả {total} phiếu (bắt buộc, ghi nhật ký)")
            b1, b2 = st.columns(2)
            accept = b1.form_submit_button(f"Chấp nhận (tính) {total} phiếu")
            exclude = b2.form_submit_button(f"Loại {total} phiếu khỏi kết quả")
            if accept or exclude:
                try:
                    n = citizen_survey.review(db, user, year, f, bool(accept), reason)
                except ServiceError as exc:
                    st.error(str(exc))
                else:
                    st.session_state["_ks_review_msg"] = (f"Đã {'chấp nhận' if accept else 'loại'} {n} phiếu.")
                    st.rerun()
    with st.expander("Một phiếu theo số phiếu (kể cả phiếu không bị đánh dấu)"):
        with st.form("ks_exclude"):
            c1, c2 = st.columns([1, 3])
            rid = c1.number_input("Số phiếu", min_value=1, step=1, value=None)
            reason = c2.text_input("Lý do (bắt buộc, ghi nhật ký)")
            b1, b2 = st.columns(2)
            exclude = b1.form_submit_button("Loại khỏi kết quả")
            include = b2.form_submit_button("Tính phiếu")
            if (exclude or include) and rid:
                try:
                    citizen_survey.set_excluded(db, user, int(rid), bool(exclude), reason)
                except ServiceError as exc:
                    st.error(str(exc))
                else:
                    st.session_state["_ks_review_msg"] = (f"Phiếu số {rid}: "
                                                          + ("đã loại khỏi kết quả." if exclude else "được tính."))
                    st.rerun()


def _kiosks(db: Storage, user: User, year: int) -> None:
    st.caption("Máy tính bảng dùng chung ở bộ phận một cửa: phiếu gửi từ máy đã đăng ký không bị đánh dấu vì gửi nhiều, "
               "được ghi là phiếu tại một cửa và được tính ngay. Tạo máy, rồi mở đường dẫn dùng một lần trên chính máy đó.")
    units = {u["code"]: u["name"] for u in reference.public_units(db, year)}
    with st.form("ks_kiosk"):
        c1, c2 = st.columns(2)
        unit = c1.selectbox("Đơn vị", list(units), format_func=lambda c: f"{units[c]} ({c})")
        label = c2.text_input("Tên máy", value="Máy tính bảng bộ phận một cửa")
        if st.form_submit_button("Đăng ký máy khảo sát"):
            try:
                kid, link = citizen_survey.create_kiosk(db, user, year, unit, label)
            except ServiceError as exc:
                st.error(str(exc))
            else:
                url = f"{citizen_survey.base_url(db) or ''}/khao-sat?dv={unit}&may={link}"
                st.success(f"Đã tạo máy {kid}. Mở đường dẫn này **một lần** trên máy tính bảng (không gửi cho ai khác):")
                st.code(url, language=None)
    rows = citizen_survey.kiosks(db, user)
    if rows:
        st.dataframe([{"Máy": r["id"], "Đơn vị": units.get(r["unit_code"], r["unit_code"]), "Tên": r["label"],
                       "Đã mở đường dẫn": fmt_datetime(r["activated_at"]) if r["activated_at"] else "chưa",
                       "Thu hồi": fmt_datetime(r["revoked_at"]) if r["revoked_at"] else "", "Số phiếu": r["answers"]}
                      for r in rows], hide_index=True, width="stretch")
        live = [r["id"] for r in rows if not r["revoked_at"]]
        if live:
            with st.form("ks_kiosk_revoke"):
                kid = st.selectbox("Thu hồi máy (máy hỏng, mất, chuyển đi)", live)
                if st.form_submit_button("Thu hồi"):
                    citizen_survey.revoke_kiosk(db, user, kid)
                    _done(f"Đã thu hồi máy {kid}.")


def _dossier_codes(db: Storage, user: User, year: int) -> None:
    on = citizen_survey.needs_code(db, year)
    st.caption("Khi bật, phiếu khảo sát hỏi mã hồ sơ in trên phiếu hẹn (hoặc mã phiếu in kèm mã QR); mỗi mã chỉ trả "
               "lời một lần. Khi tắt, khảo sát mở như thường.")
    wanted = st.toggle("Mỗi hồ sơ một phiếu (cần mã hồ sơ)", value=on, key="ks_needs_code")
    if wanted != on:
        citizen_survey.set_needs_code(db, user, year, wanted)
        _done("Đã bật yêu cầu mã hồ sơ." if wanted else "Đã tắt yêu cầu mã hồ sơ.")
    upload = st.file_uploader("Danh sách mã hồ sơ xuất từ hệ thống một cửa (.xlsx hoặc .csv: cột «Mã xã», «Mã hồ sơ»)",
                              type=["xlsx", "csv"], key="ks_codes_upload")
    if upload is not None and st.button("Nhập danh sách mã hồ sơ", key="ks_codes_import"):
        try:
            added, known = citizen_survey.import_codes(db, user, year, upload.getvalue(), upload.name)
        except WorkbookError as exc:
            st.error(f"Tệp có {len(exc.errors)} lỗi, chưa nhập mã nào:\n\n" + "\n".join(f"- {e}" for e in exc.errors[:50]))
        else:
            st.success(f"Đã nhập {added} mã hồ sơ mới ({known} mã đã có từ trước).")
    units = {u["code"]: u["name"] for u in reference.public_units(db, year)}
    with st.form("ks_codes_make"):
        c1, c2 = st.columns([3, 1])
        chosen = c1.multiselect("In mã phiếu cho các xã (để trống: mọi xã)", list(units), format_func=lambda c: units[c])
        per_unit = c2.number_input("Số mã mỗi xã", min_value=1, max_value=5000, value=50)
        made = st.form_submit_button("Tạo mã phiếu để in")
    if made:
        rows = citizen_survey.generate_codes(db, user, year, chosen or list(units), int(per_unit))
        st.download_button(f"Tải {len(rows)} mã vừa tạo (.csv)", citizen_survey.codes_csv(db, user, year, rows),
                           file_name=f"ma-phieu-khao-sat-{year}.csv", mime="text/csv", on_click="ignore")
    done = citizen_survey.code_progress(db, user, year)
    if done:
        st.dataframe([{"Đơn vị": units.get(r["unit_code"], r["unit_code"]), "Số mã": r["codes"], "Đã trả lời": r["used"]}
                      for r in done], hide_index=True, width="stretch")


def _officials(db: Storage, user: User, year: int) -> None:
    oq = rules.official_questionnaire()
    groups = {g.code: g.name for g in oq.groups}
    units = {u["code"]: u["name"] for u in reference.public_units(db, year)}
    st.caption(f"{oq.name}. Trọng số phương án: " + ", ".join(f"{k} {v}%" for k, v in oq.weights.items())
               + " (sửa trong data/surveys/dieu-tra-xa-hoi-hoc.yaml). Mỗi mã dùng một lần, cho một nhóm và một xã.")
    codes: list[str] = []
    with st.form("ks_codes"):
        c1, c2 = st.columns(2)
        group = c1.selectbox("Nhóm người trả lời", list(groups), format_func=lambda g: groups[g])
        per_unit = c2.number_input("Số mã mỗi xã", min_value=1, max_value=200, value=3)
        chosen = st.multiselect("Đánh giá các xã (để trống: mọi xã)", list(units), format_func=lambda c: units[c])
        if st.form_submit_button("Tạo mã phiếu"):
            try:
                codes = official_survey.issue_codes(db, user, year, group, chosen or list(units), int(per_unit), oq)
            except ServiceError as exc:
                st.error(str(exc))
                codes = []
    if codes:
        st.success(f"Đã tạo {len(codes)} mã phiếu.")
        st.download_button("Tải danh sách mã vừa tạo để in (.xlsx, A4)", official_survey.codes_sheet(db, user, year, codes, oq),
                           file_name=f"ma-dieu-tra-{year}-moi.xlsx", icon=":material/print:", on_click="ignore")
    rows = official_survey.official_progress(db, user, year)
    if rows:
        st.dataframe([{"Đơn vị": r["unit_name"], "Nhóm": groups.get(r["group_code"], r["group_code"]),
                       "Mã đã phát": r["issued"], "Đã trả lời": r["answered"]} for r in rows],
                     hide_index=True, width="stretch")
        if st.button("Chuẩn bị danh sách mọi mã chưa dùng (.xlsx)", key="ks_all_codes"):
            st.download_button("Tải danh sách mã chưa dùng", official_survey.codes_sheet(db, user, year, None, oq),
                               file_name=f"ma-dieu-tra-{year}.xlsx", icon=":material/print:", on_click="ignore")
    points = official_survey.official_points(db, user, year)
    if points:
        st.markdown("**Điểm điều tra xã hội học theo xã** (điểm tối đa × bình quân trọng số)")
        table: dict[str, dict] = {}
        for r in points:
            table.setdefault(r["unit_code"], {"Đơn vị": units.get(r["unit_code"], r["unit_code"])})[r["criterion_code"]] = \
                r["points"]
        tables.show(list(table.values()), places=2)
