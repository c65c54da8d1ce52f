"""Administration tab for the appraisal council: its decision, its members, and which office
appraises which field."""

from __future__ import annotations

import streamlit as st

from cchc.core import appraisal as rules
from cchc.core.permissions import User
from cchc.core.text import fmt_date
from cchc.db.storage import Storage
from cchc.services import ServiceError
from cchc.services import council as svc

_MSG = "_cchc_council_message"


def _done(text: str) -> None:
    st.session_state[_MSG] = ("ok", text)


def _try(fn, *args, done: str) -> None:
    try:
        fn(*args)
        _done(done)
    except ServiceError as exc:
        st.session_state[_MSG] = ("error", str(exc))


def council_tab(db: Storage, user: User, year: int) -> None:
    c = svc.council(db, user, year)
    kind, text = st.session_state.pop(_MSG, ("", ""))
    if kind == "error":
        st.error(text)
    elif kind == "ok":
        st.success(text)
    formed, day, on_time = c.formed
    if formed:
        st.markdown(f":green-badge[Đã thành lập] ngày {fmt_date(day)}" + ("" if on_time else " — :orange-badge[sau hạn]"))
    else:
        st.markdown(":orange-badge[Chưa thành lập] (cần quyết định và Chủ tịch Hội đồng)")

    st.subheader("Quyết định thành lập")
    d = c.decision or {}
    with st.form("hd_quyet_dinh"):
        c1, c2, c3 = st.columns(3)
        number = c1.text_input("Số quyết định", value=d.get("decision_number", ""), placeholder="VD: 1234/QĐ-UBND")
        day = c2.date_input("Ngày quyết định", value=d.get("decision_date"), format="DD/MM/YYYY")
        signer = c3.text_input("Người ký", value=d.get("signer", ""))
        if st.form_submit_button("Lưu quyết định"):
            _try(svc.save_decision, db, user, year, number, day, signer, done="Đã lưu quyết định thành lập Hội đồng.")
            st.rerun()

    st.subheader("Thành viên")
    if c.members:
        st.dataframe([{"Họ tên": m["full_name"], "Chức vụ": m["title"], "Cơ quan": c.offices.get(m["office_code"] or "", ""),
                       "Vai trò": rules.MEMBER_ROLES.get(m["member_role"], m["member_role"]),
                       "Tài khoản": m["username"] or ""} for m in c.members], hide_index=True, width="stretch")
        labels = {m["id"]: f"{m['full_name']} ({rules.MEMBER_ROLES.get(m['member_role'])})" for m in c.members}
        r1, r2 = st.columns([3, 1])
        chosen = r1.selectbox("Bỏ thành viên", list(labels), format_func=labels.get, index=None,
                              placeholder="Chọn thành viên", key="hd_bo")
        r2.button("Bỏ khỏi Hội đồng", disabled=chosen is None, on_click=_try,
                  args=(svc.remove_member, db, user, chosen), kwargs={"done": "Đã bỏ thành viên."})
    else:
        st.write("Chưa có thành viên.")
    with st.form("hd_them", clear_on_submit=True):
        c1, c2 = st.columns(2)
        name = c1.text_input("Họ tên", key="hd_ten")
        title = c2.text_input("Chức vụ", placeholder="VD: Trưởng phòng Nội vụ", key="hd_chuc_vu")
        office = c1.selectbox("Cơ quan", list(c.offices), format_func=c.offices.get, index=None, placeholder="Chọn cơ quan", key="hd_co_quan")
        role = c2.selectbox("Vai trò trong Hội đồng", list(rules.MEMBER_ROLES), format_func=rules.MEMBER_ROLES.get, index=2,
                            key="hd_vai_tro")
        username = st.text_input("Tài khoản đăng nhập (nếu có; vai trò «Thành viên Hội đồng thẩm định»: Chủ tịch cần có "
                                 "để hoàn tất thẩm định, thành viên cần có để thẩm định)", key="hd_tai_khoan")
        if st.form_submit_button("Thêm thành viên"):
            _try(svc.add_member, db, user, year, name, title, office, role, username.strip().lower() or None,
                 done=f"Đã thêm {name.strip()}.")
            st.rerun()

    st.subheader("Phân công thẩm định theo lĩnh vực")
    st.caption("Mặc định theo cơ quan ghi trong bộ tiêu chí; có thể đổi.")
    codes = list(c.offices)
    for f in c.fields:
        key = f"hd_lv_{f.code}"
        current = c.assignment.get(f.code)

        def change(field_code=f.code, key=key):
            _try(svc.assign_field, db, user, year, field_code, st.session_state[key],
                 done=f"Đã phân công lĩnh vực {field_code}.")

        default = " (mặc định)" if current == c.defaults.get(f.code) else ""
        st.selectbox(f"{f.code}. {f.title}{default}", codes, index=codes.index(current) if current in codes else None,
                     format_func=c.offices.get, key=key, on_change=change)
