"""The two public survey pages, built for a cheap phone (360–390 px): one column, big tap targets,
a progress bar, nothing wider than the screen. Nothing from the address or the form is trusted:
the services check it all. An unexpected failure shows a Vietnamese message, never a trace."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets

import streamlit as st

from cchc.core import survey as rules
from cchc.core.text import ascii_slug, fmt_date, fold
from cchc.db.storage import Storage
from cchc.services import ServiceError, citizen_survey, official_survey, reference
from cchc.services.common import today
from cchc.web import storage

log = logging.getLogger(__name__)
K = "ks_"                     # session keys of the citizens' survey
PHONE_CSS = """<style>
div[data-testid="stRadioGroup"], div[data-testid="stRadioGroup"] > div { width: 100%; }
label[data-testid="stRadioOption"] { min-height: 44px; width: 100%; box-sizing: border-box; padding: 6px 4px;
                                     align-items: center; border-bottom: 1px solid rgba(128, 128, 128, 0.15); }
label[data-testid="stRadioOption"] p { font-size: 1.05rem; }
div[data-testid="stRadio"] > label[data-testid="stWidgetLabel"] p { font-size: 1.05rem; font-weight: 600; }
div[data-testid="stFormSubmitButton"] button, div[data-testid="stButton"] button { min-height: 48px; width: 100%; }
div[data-testid="stButton"] button p { font-size: 1.05rem; }
.st-key-ks_head h3 { font-size: 1.2rem; padding: 0.25rem 0; }
.st-key-ks_head h3:focus { outline: none; }
.st-key-ks_repick button p, .st-key-ks_all_btn button p { text-decoration: underline; }
.st-key-ks_hp_box, div[class*="st-key-ks_js_"] { display: none !important; }
@media (max-width: 640px) { [data-testid="stMain"] h1 { font-size: 2rem; } }
</style>"""
# The honeypot is display:none: out of the Tab order and of what a screen reader reads, still in
# the form for a robot that fills every field. The script holders take no room either.
PICK_MAX = 30                 # communes shown as buttons at once; type more to narrow the list
TOP_JS = """<script>(() => {
  const where = __WHERE__;
  const first = window.cchcSurveyAt === undefined;
  if (window.cchcSurveyAt === where) return;
  window.cchcSurveyAt = where;
  const top = () => {
    for (const el of [document.scrollingElement, document.querySelector('[data-testid="stMain"]'),
                      document.querySelector('[data-testid="stAppViewContainer"]')]) { if (el) el.scrollTop = 0; }
    const heading = document.querySelector('.st-key-ks_head h3');
    if (heading && !first) { heading.tabIndex = -1; heading.focus({preventScroll: true}); }
  };
  top();
  requestAnimationFrame(top);
})();</script>"""
SORRY = ("Xin lỗi, hệ thống đang gặp sự cố nên chưa ghi nhận được. Mời bạn thử lại sau ít phút; "
         "phiếu của bạn chưa được gửi.")


def _guarded(body) -> None:
    try:
        body()
    except ServiceError as exc:
        st.warning(str(exc))
    except Exception:  # a public page never shows a trace
        log.exception("public survey page failed")
        st.error(SORRY)


# ------------------------------------------------------------------ citizens


def citizen_page() -> None:
    st.html(PHONE_CSS)
    st.title("Khảo sát sự hài lòng", anchor=False)
    st.caption("Của người dân, tổ chức đối với sự phục vụ của UBND cấp xã")
    _guarded(_citizen)


def _shown(text: str) -> str:
    """What a visitor typed, safe to echo in Markdown: no link, no formatting, at most 20 characters."""
    return re.sub(r"[^\w<>'\" =+-]", "", text)[:20]


def survey_year(db) -> int | None:
    """The period whose survey window holds today (next year's period may already exist while
    this year's survey runs), else the latest period."""
    day = today(db)
    periods = reference.periods(db)
    open_now = [p["year"] for p in periods if p["survey_opens"] and p["survey_closes"]
                and p["survey_opens"] <= day <= p["survey_closes"]]
    return open_now[0] if open_now else (periods[0]["year"] if periods else None)


TOKEN_COOKIE, KIOSK_COOKIE = "cchc_ks", "cchc_kiosk"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _cookie(name: str) -> str | None:
    try:
        value = st.context.cookies.get(name)
    except Exception:
        return None
    return value if isinstance(value, str) and TOKEN_RE.fullmatch(value) else None


def _keep_cookie(name: str, value: str) -> None:
    """Keep our own random token in the browser for a year (a script in the page: no iframe,
    no round trip); later page loads and new tabs send it back with the request."""
    with st.container(key=f"{K}js_{name}"):
        st.html(f"<script>document.cookie = '{name}={value}; Max-Age=31536000; Path=/; SameSite=Lax'"
                " + (location.protocol === 'https:' ? '; Secure' : '');</script>", unsafe_allow_javascript=True)


def _browser_token() -> str:
    """This browser's token: the one its cookie brings back, else a new one kept in the cookie
    (and in the session, so the first answer already carries it). Streamlit's own XSRF cookie
    is re-masked on every load, so it cannot tell a browser again."""
    token = st.session_state.get(K + "token") or _cookie(TOKEN_COOKIE)
    if token is None:
        token = secrets.token_urlsafe(18)
    st.session_state[K + "token"] = token
    if _cookie(TOKEN_COOKIE) != token:
        _keep_cookie(TOKEN_COOKIE, token)
    return token


def _client() -> str | None:
    """The client address for the abuse control; stored only as a salted hash."""
    try:
        ip = st.context.ip_address
        # Behind a reverse proxy (the public https address of the QR codes), Streamlit sees the
        # proxy: with CCHC_TRUSTED_PROXY=1 the visitor's address is the first of X-Forwarded-For.
        if os.environ.get("CCHC_TRUSTED_PROXY") == "1":
            forwarded = st.context.headers.get("X-Forwarded-For", "")
            ip = forwarded.split(",")[0].strip()[:64] or ip
    except Exception:
        return None
    return ip


def _kiosk(db: Storage, unit: dict) -> str | None:
    """The desk tablet's token: set once by the one-time link (?may=…), then from its cookie."""
    link = st.query_params.get("may")
    if isinstance(link, str) and link.strip():
        del st.query_params["may"]
        token, label = citizen_survey.activate_kiosk(db, unit["code"], link.strip())
        st.session_state[K + "kiosk"] = token
        st.session_state[K + "kiosk_new"] = label
    token = st.session_state.get(K + "kiosk") or _cookie(KIOSK_COOKIE)
    if token and _cookie(KIOSK_COOKIE) != token:
        _keep_cookie(KIOSK_COOKIE, token)
    if label := st.session_state.pop(K + "kiosk_new", None):
        st.success(f"Đã đăng ký máy này («{label}») làm máy khảo sát của {unit['name']}. Phiếu gửi từ máy này "
                   "được ghi là phiếu tại bộ phận một cửa.")
    return token


def _citizen() -> None:
    db = storage()
    year = survey_year(db)
    if year is None:
        st.info("Hiện chưa có đợt khảo sát nào.")
        return
    period = reference.period(db, year)
    raw = st.query_params.get("dv")
    code = raw.strip() if isinstance(raw, str) else ""
    unit = citizen_survey.public_unit(db, year, code)
    if unit is None:
        if code:
            st.warning(f"Không tìm thấy xã, thị trấn có mã «{_shown(code)}». Mời bạn chọn đơn vị trong danh sách.")
        _unit_picker(reference.public_units(db, year))
        return
    st.subheader(unit["name"], anchor=False)
    browser = _browser_token()
    state_kiosk = _kiosk(db, unit)
    if state_kiosk and citizen_survey.kiosk_for(db, state_kiosk, unit["code"]):
        st.caption("Máy khảo sát dùng chung tại bộ phận một cửa.")
    if not citizen_survey.is_open(db, year):
        when = (f"mở từ {fmt_date(period['survey_opens'])} đến {fmt_date(period['survey_closes'])}"
                if period["survey_opens"] and period["survey_closes"] else "chưa có lịch")
        st.info(f"Đợt khảo sát năm {year} {when}. Cảm ơn bạn đã quan tâm, mời bạn quay lại trong thời gian khảo sát.")
        return
    state = st.session_state.setdefault(K + "state", {})
    if state.get("unit") != unit["code"]:
        state.clear()
        state.update(unit=unit["code"], step=1, ratings={}, done=False)
    if state["done"]:
        _thanks(state)
        return
    _steps(db, year, unit, state, browser, state_kiosk)


def find_units(units: list[dict], typed: str | None) -> list[dict]:
    """The units whose name (or code) holds what was typed, both folded (`fold`): «son tay»,
    «SONTAY», «Sơn Tây» find «Xã Sơn Tây». Names that begin with it (after «Xã», «Thị trấn»)
    come first, the rest in the list's order; nothing typed: every unit."""
    key = fold(typed or "")
    if not key:
        return list(units)
    hits = [u for u in units if key in fold(u["name"]) or key in u["code"]]
    return sorted(hits, key=lambda u: not ascii_slug(u["name"]).startswith(key))


@st.fragment
def _unit_picker(units: list[dict]) -> None:
    """A search box that finds the commune as phone users type it (no tones needed), the matches
    as big buttons: one tap opens the survey of that commune (?dv=<code> in the address). The whole
    list only on request, so that the first load stays light. A fragment: typing reruns only this."""
    typed = st.text_input("Bạn đã làm thủ tục tại UBND xã, thị trấn nào?", key=K + "find",
                          placeholder="Gõ tên xã, ví dụ: son tay", autocomplete="off", live=True)
    typed = (typed or "")[:40]
    if not fold(typed):
        st.caption("Gõ vài chữ của tên xã, thị trấn; có dấu hay không dấu đều được.")
        if not st.session_state.get(K + "all"):
            st.button("Xem danh sách tất cả xã, thị trấn", key=K + "all_btn", type="tertiary",
                      on_click=lambda: st.session_state.update({K + "all": True}))
            return
    hits = find_units(units, typed)
    if not hits:
        st.warning(f"Không tìm thấy xã, thị trấn nào có tên «{_shown(typed)}». Mời bạn gõ lại vài chữ của tên "
                   "xã (có dấu hay không dấu đều được), hoặc xóa chữ đã gõ để chọn trong danh sách.")
        return
    st.caption(f"Tìm thấy {len(hits)} đơn vị. Chạm vào tên để bắt đầu." if fold(typed)
               else "Chạm vào tên xã, thị trấn để bắt đầu.")
    for u in hits[:PICK_MAX]:
        if st.button(u["name"], key=f"{K}pick_{u['code']}", width="stretch"):
            st.session_state[K + "picked"] = True
            st.query_params["dv"] = u["code"]
            st.rerun()
    if len(hits) > PICK_MAX:
        st.caption(f"Còn {len(hits) - PICK_MAX} đơn vị nữa: gõ thêm vài chữ để thu hẹp danh sách.")


def _open_at_top(where: str) -> None:
    """Each new step (and the thank-you screen) opens at its top, with the step's heading focused
    for a screen reader; the script runs once per step (its text changes with the step), and not
    again for a rerun on the same step (a warning under the buttons stays where the eye is)."""
    with st.container(key=K + "js_top"):
        st.html(TOP_JS.replace("__WHERE__", json.dumps(where)), unsafe_allow_javascript=True)


def _thanks(state: dict) -> None:
    st.success("**Cảm ơn bạn đã dành thời gian trả lời!** Phiếu của bạn đã được ghi nhận. Ý kiến của bạn giúp UBND "
               "xã, thị trấn phục vụ người dân, tổ chức tốt hơn.")
    _open_at_top(f"{state['unit']}:done")
    st.caption("Máy dùng chung tại bộ phận một cửa: bấm nút dưới đây để mời người tiếp theo trả lời.")
    st.button("Trả lời phiếu mới", key=K + "again", width="stretch",
              on_click=lambda: state.update(step=1, ratings={}, done=False))


# The buttons of the steps act in callbacks, before the run: one run per tap draws the next
# screen (an `if st.button(...): ... st.rerun()` would run the whole app twice).


def _move(state: dict, codes: list[str], step: int, by: int) -> None:
    """Keep the step's answers; go on only when every question has one, back in any case."""
    chosen = {c: st.session_state.get(f"{K}q{c}") for c in codes}
    state["ratings"].update({c: v for c, v in chosen.items() if v is not None})
    missing = [c for c, v in chosen.items() if v is None]
    if by > 0 and missing:
        state["problem"] = ("warning", f"Mời bạn chọn một mức cho câu {', '.join(missing)}.")
        return
    state["step"] = step + by


def _send(db: Storage, year: int, unit_code: str, state: dict, browser: str, kiosk: str | None,
          q: rules.Questionnaire, with_code: bool) -> None:
    """Send the answers kept step by step and those of the last step; a refusal keeps them all."""
    ss = st.session_state
    answers = rules.Answers(dict(state["ratings"]), {p.key: ss.get(f"{K}p_{p.key}") for p in q.profile
                                                     if ss.get(f"{K}p_{p.key}")},
                            ss.get(K + "overall"), ss.get(K + "suggestion") or "")
    try:
        citizen_survey.submit_web(db, year, unit_code, answers, ss.get(K + "hp") or "", _client(), browser, q,
                                  kiosk=kiosk, dossier_code=ss.get(K + "code") if with_code else None)
    except ServiceError as exc:              # refused (the dossier code, too many answers): the answers stay
        state["problem"] = ("warning", str(exc))
        return
    except Exception:  # a public page never shows a trace
        log.exception("public survey page failed")
        state["problem"] = ("error", SORRY)
        return
    state.update(done=True, ratings={})


def _problem(state: dict) -> None:
    """Why the tap did not go on, under the buttons where the citizen is."""
    if problem := state.pop("problem", None):
        kind, text = problem
        (st.error if kind == "error" else st.warning)(text)


def _repick() -> None:
    st.session_state.pop(K + "picked", None)
    del st.query_params["dv"]


def _steps(db: Storage, year: int, unit: dict, state: dict, browser: str, kiosk: str | None) -> None:
    q = rules.citizen_questionnaire()
    last = len(q.elements) + 1
    step = min(max(int(state.get("step", 1)), 1), last)
    st.progress(step / last, text=f"Bước {step}/{last}")
    if step == 1:
        st.caption(f"{len(q.questions())} câu hỏi ngắn, khoảng 3 phút. Không cần đăng nhập; phiếu không ghi tên bạn.")
        if st.session_state.get(K + "picked"):
            st.button("Chọn xã, thị trấn khác", key=K + "repick", type="tertiary", on_click=_repick)
    if step < last:
        element = q.elements[step - 1]
        codes = [question.code for question in element.questions]
        with st.form(f"{K}step{step}"):
            with st.container(key=K + "head"):
                st.subheader(f"{element.number}. {element.title}", anchor=False)
            for question in element.questions:
                saved = state["ratings"].get(question.code)
                st.radio(f"{question.code}. {question.text}", [1, 2, 3, 4, 5], index=None if saved is None else saved - 1,
                         format_func=lambda v: q.scale[v - 1], key=f"{K}q{question.code}", width="stretch")
            st.form_submit_button("Tiếp tục", type="primary", width="stretch", on_click=_move,
                                  args=(state, codes, step, 1))
            if step > 1:
                st.form_submit_button("Quay lại", width="stretch", on_click=_move, args=(state, codes, step, -1))
        _open_at_top(f"{unit['code']}:{step}")
        _problem(state)
        return
    with_code = citizen_survey.needs_code(db, year)
    with st.form(f"{K}last"):
        with st.container(key=K + "head"):
            st.subheader("Đánh giá chung và thông tin về bạn", anchor=False)
        st.radio(q.overall_label, [1, 2, 3, 4, 5], index=None, format_func=lambda v: q.scale[v - 1],
                 key=K + "overall", width="stretch")
        for p in q.profile:
            st.radio(p.label + " (không bắt buộc)", p.options, index=None, key=f"{K}p_{p.key}", width="stretch")
        st.text_area(q.suggestion_label, max_chars=q.suggestion_max, key=K + "suggestion")
        if with_code:
            given = st.query_params.get("ma")
            st.text_input("Mã hồ sơ in trên phiếu hẹn (hoặc mã phiếu khảo sát được phát)", max_chars=40,
                          value=given[:40] if isinstance(given, str) else "", key=K + "code")
            st.caption("Mỗi hồ sơ trả lời một lần.")
        with st.container(key=K + "hp_box"):
            st.text_input("Để trống ô này", key=K + "hp", label_visibility="collapsed", autocomplete="off")
        st.form_submit_button("Gửi phiếu", type="primary", width="stretch", on_click=_send,
                              args=(db, year, unit["code"], state, browser, kiosk, q, with_code))
        st.form_submit_button("Quay lại", width="stretch", on_click=lambda: state.update(step=step - 1))
    _open_at_top(f"{unit['code']}:{step}")
    _problem(state)


# ------------------------------------------------------------------ officials


def official_page() -> None:
    st.html(PHONE_CSS)
    st.title("Điều tra xã hội học", anchor=False)
    st.caption("Phiếu dành cho cán bộ, công chức và đại biểu được mời đánh giá công tác cải cách hành chính cấp xã")
    _guarded(_official)


def _code_form() -> None:
    with st.form("dt_nhap_ma"):
        typed = st.text_input("Mã phiếu in trên giấy mời (ví dụ K7M4P-9QXRT)", max_chars=20)
        if st.form_submit_button("Mở phiếu", type="primary", width="stretch") and typed.strip():
            st.query_params["ma"] = typed.strip()[:20]
            st.rerun()


def _official() -> None:
    db = storage()
    raw = st.query_params.get("ma")
    raw = raw.strip() if isinstance(raw, str) else ""
    code = rules.normalise_official_code(raw)
    if code is not None and st.session_state.get("dt_done") == code:
        st.success("**Cảm ơn ông/bà đã hoàn thành phiếu điều tra!** Câu trả lời đã được ghi nhận; mã phiếu đã hết hiệu lực.")
        return
    if not raw:
        _code_form()
        return
    if code is None:
        st.warning("Mã phiếu không hợp lệ. Mời bạn kiểm tra lại đường dẫn hoặc mã in trên giấy mời.")
        _code_form()
        return
    try:
        info = official_survey.open_code(db, raw)
    except ServiceError as exc:
        st.warning(str(exc))
        _code_form()
        return
    st.subheader(f"Đánh giá {info.unit_name}", anchor=False)
    st.caption(f"Nhóm người trả lời: {info.group.name} · năm {info.year} · mã phiếu {info.code}")
    with st.form("dt_phieu"):
        chosen = {}
        for i, question in enumerate(info.questions, 1):
            options = dict(question.options)
            chosen[question.code] = st.radio(f"Câu {i}. {question.text}", list(options), index=None,
                                             format_func=lambda k, o=options: f"{k}. {o[k]}", key=f"dt_q{question.code}",
                                             width="stretch")
        send = st.form_submit_button("Gửi phiếu", type="primary", width="stretch")
    if send:
        missing = [str(i) for i, q in enumerate(info.questions, 1) if chosen[q.code] is None]
        if missing:
            st.warning(f"Mời ông/bà chọn một phương án cho câu {', '.join(missing)}.")
            return
        official_survey.submit_official(db, info.code, chosen)
        st.session_state["dt_done"] = info.code
        st.rerun()
