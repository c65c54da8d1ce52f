"""Parts of the administration page that hold more than a table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import streamlit as st

from cchc.core.numbers import NumberError, decimal
from cchc.core.permissions import ROLES, PermissionDenied, User
from cchc.core.text import fmt_date, fmt_datetime, fmt_points
from cchc.core.workflow import BANDS, DEADLINES, STATES
from cchc.db.storage import Storage
from cchc.files import assessment_workbook as excel_io
from cchc.services import ServiceError, periods, progress, reference, seed, units, users
from cchc.services import assessment as svc


def self_assessment_states(db: Storage, user: User, year: int) -> None:
    """Every commune's state, submission time, lateness; reopening with a reason."""
    s = progress.campaign(db, user, year)
    st.caption(f"Hạn nộp: {fmt_date(s['period']['self_assessment_deadline'])} · hôm nay {fmt_date(s['today'])} · "
               f"đã nộp {s['submitted']}/{s['total']}, nộp muộn {s['late']}, đang làm {s['draft']}, "
               f"chưa bắt đầu {s['not_started']}")
    st.dataframe([{"Mã": r["unit_code"], "Đơn vị": r["unit_name"], "Trạng thái": STATES[r["state"]],
                   "Nộp lúc": fmt_datetime(r["submitted_at"]), "Nộp muộn": "Có" if r["is_late"] else "",
                   "Tiêu chí đã chấm": f"{r['leaves_done']}/{r['leaves_total']}",
                   "Điểm tự chấm": fmt_points(r["self_points"]),
                   "Mở lại đến": fmt_date(r["reopened_until"]) if r["reopened_until"] else "",
                   "Lý do mở lại": r["reopen_reason"] or ""} for r in s["units"]],
                 hide_index=True, width="stretch")
    with st.form("mo_lai", clear_on_submit=True):
        st.markdown("**Mở lại biểu mẫu sau hạn** (đơn vị được sửa và nộp đến ngày chọn; nộp sau hạn được ghi là nộp muộn)")
        names = {r["unit_code"]: r["unit_name"] for r in s["units"]}
        c1, c2 = st.columns(2)
        unit_code = c1.selectbox("Đơn vị", list(names), format_func=lambda c: f"{names[c]} ({c})")
        until = c2.date_input("Mở đến hết ngày", value=s["today"] + dt.timedelta(days=3), format="DD/MM/YYYY")
        reason = st.text_input("Lý do (bắt buộc, ghi vào nhật ký)")
        if st.form_submit_button("Mở lại"):
            try:
                svc.reopen(db, user, year, unit_code, until, reason)
                st.success(f"Đã mở lại biểu mẫu của {names[unit_code]} đến hết ngày {fmt_date(until)}.")
            except ServiceError as exc:
                st.error(str(exc))


def accounts(db: Storage, user: User, year: int) -> None:
    """Accounts: list, create, edit, reset a password, disable or enable, one per commune."""
    rows = users.list_users(db, user)
    st.dataframe([{"Tên đăng nhập": u["username"], "Họ tên": u["full_name"], "Vai trò": ROLES[u["role"]],
                   "Đơn vị / cơ quan": u["unit_name"] or u["office_name"] or "",
                   "E-mail": u.get("email") or "",
                   "Hoạt động": "Có" if u["active"] else "Đã khóa",
                   "Phải đổi mật khẩu": "Có" if u["must_change_password"] else "",
                   "Đăng nhập gần nhất": fmt_datetime(u["last_login"])} for u in rows],
                 hide_index=True, width="stretch")
    if shown := st.session_state.pop("_cchc_new_password", None):
        st.success(f"Mật khẩu ban đầu của **{shown[0]}**: `{shown[1]}` — chỉ hiện một lần; người dùng phải đổi ở lần "
                   "đăng nhập đầu.")
    units = {u["code"]: u["name"] for u in reference.units(db, user, year)}
    offices = {o["code"]: o["name"] for o in reference.offices(db)}
    create, edit, bulk = st.tabs(["Tạo tài khoản", "Sửa, đặt lại mật khẩu, khóa", "Tài khoản cho mọi xã"])
    with create, st.form("tao_tai_khoan", clear_on_submit=True):
        c1, c2 = st.columns(2)
        username = c1.text_input("Tên đăng nhập (chữ thường không dấu)")
        full_name = c2.text_input("Họ tên")
        role, unit_code, office_code = _role_fields(units, offices, "moi")
        email = st.text_input("E-mail (không bắt buộc; thông báo đôn đốc được gửi tới địa chỉ này)", key="email_moi")
        if st.form_submit_button("Tạo tài khoản"):
            password = users.initial_password()
            _run(lambda: users.add_user(db, user, username, full_name, role, password, unit_code, office_code,
                                        must_change_password=True, email=email),
                 new_password=(username.strip().lower(), password))
    with edit:
        chosen = st.selectbox("Tài khoản", [u["username"] for u in rows], key="tk_chon",
                              format_func=lambda n: next(f"{u['full_name']} ({n})" for u in rows if u["username"] == n))
        row = next(u for u in rows if u["username"] == chosen)
        with st.form(f"sua_{chosen}"):
            full_name = st.text_input("Họ tên", value=row["full_name"])
            role, unit_code, office_code = _role_fields(units, offices, chosen, row)
            email = st.text_input("E-mail (để trống: không có)", value=row.get("email") or "", key=f"email_{chosen}")
            if st.form_submit_button("Lưu thay đổi"):
                _run(lambda: users.update_user(db, user, chosen, full_name, role, unit_code, office_code, email=email))
        c1, c2 = st.columns(2)
        if c1.button("Đặt lại mật khẩu", key=f"dat_lai_{chosen}"):
            _run(lambda: st.session_state.__setitem__("_cchc_new_password",
                                                      (chosen, users.reset_password(db, user, chosen))))
        reason = c2.text_input("Lý do khóa/mở khóa", key=f"ly_do_{chosen}")
        label = "Khóa tài khoản" if row["active"] else "Mở khóa tài khoản"
        if c2.button(label, key=f"khoa_{chosen}"):
            _run(lambda: users.set_active(db, user, chosen, not row["active"], reason))
        st.caption("Tài khoản không bao giờ bị xóa (để giữ lịch sử trong nhật ký); chỉ khóa.")
    with bulk:
        st.write("Tạo một tài khoản cho mỗi xã, thị trấn chưa có tài khoản đang hoạt động, mỗi tài khoản một mật khẩu "
                 "ngẫu nhiên phải đổi ở lần đăng nhập đầu. Danh sách để in chỉ tải được ngay lúc tạo.")
        if st.button("Tạo tài khoản cho mọi xã chưa có", key="tao_hang_loat"):
            with st.spinner("Đang tạo tài khoản…"):
                created = users.create_commune_accounts(db, user, year)
            if created:
                st.session_state["_cchc_bulk_sheet"] = excel_io.build_account_sheet(
                    created, seed.district_config()["district"]["name"])
                st.success(f"Đã tạo {len(created)} tài khoản.")
            else:
                st.info("Mọi xã, thị trấn đều đã có tài khoản.")
        if sheet := st.session_state.get("_cchc_bulk_sheet"):
            st.download_button("Tải danh sách để in (.xlsx)", sheet, file_name=f"tai-khoan-cap-xa-{year}.xlsx",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               on_click=lambda: st.session_state.pop("_cchc_bulk_sheet", None))


def _role_fields(units: dict, offices: dict, key: str, row: dict | None = None) -> tuple:
    roles = list(ROLES)
    c1, c2, c3 = st.columns(3)
    role = c1.selectbox("Vai trò", roles, index=roles.index(row["role"]) if row else 3, format_func=ROLES.get, key=f"vt_{key}")
    unit_keys = [""] + list(units)
    unit_code = c2.selectbox("Đơn vị (cán bộ cấp xã)", unit_keys, key=f"dv_{key}",
                             index=unit_keys.index(row["unit_code"]) if row and row["unit_code"] in unit_keys else 0,
                             format_func=lambda c: units.get(c, "(không)"))
    office_keys = [""] + list(offices)
    office_code = c3.selectbox("Cơ quan (thành viên hội đồng)", office_keys, key=f"cq_{key}",
                               index=office_keys.index(row["office_code"]) if row and row["office_code"] in office_keys else 0,
                               format_func=lambda c: offices.get(c, "(không)"))
    return role, unit_code or None, office_code or None


def _run(action, new_password: tuple | None = None) -> None:
    try:
        action()
    except (ServiceError, PermissionDenied) as exc:
        st.error(str(exc))
        return
    if new_password:
        st.session_state["_cchc_new_password"] = new_password
    st.rerun()


def periods_view(db: Storage, user: User, year: int) -> None:
    """Periods: the list, next year's from this one, deadlines and survey settings changed."""
    rows = reference.periods(db)
    st.dataframe([{"Năm": p["year"], "Tên": p["name"],
                   **{label: fmt_date(p[key]) if p[key] else "" for key, label in DEADLINES},
                   "Khảo sát": f"{fmt_date(p['survey_opens'])} – {fmt_date(p['survey_closes'])}",
                   "Chỉ tiêu phiếu/xã": p["survey_quota"]} for p in rows], hide_index=True, width="stretch")
    latest = rows[0]["year"]
    if st.button(f"Tạo kỳ năm {latest + 1} từ kỳ năm {latest}", key="tao_ky"):
        _run(lambda: periods.create_from(db, user, latest + 1, latest))
    chosen = st.selectbox("Sửa kỳ", [p["year"] for p in rows], key="ky_sua")
    p = next(r for r in rows if r["year"] == chosen)
    with st.form(f"sua_ky_{chosen}"):
        name = st.text_input("Tên kỳ đánh giá", value=p["name"])
        plan = st.text_input("Kế hoạch (số, ngày, cơ quan ban hành)", value=p["plan_reference"])
        cols = st.columns(len(DEADLINES))
        dates = {key: col.date_input(label, value=p[key], format="DD/MM/YYYY", key=f"{key}_{chosen}")
                 for col, (key, label) in zip(cols, DEADLINES)}
        c1, c2, c3 = st.columns(3)
        opens = c1.date_input("Khảo sát mở", value=p["survey_opens"], format="DD/MM/YYYY")
        closes = c2.date_input("Khảo sát đóng", value=p["survey_closes"], format="DD/MM/YYYY")
        quota = c3.number_input("Chỉ tiêu phiếu mỗi xã", min_value=0, value=int(p["survey_quota"]), step=10)
        st.caption("Ngưỡng xếp loại theo chỉ số (%): từ ngưỡng trở lên; dưới ngưỡng Trung bình là Yếu. Số thập phân "
                   "gõ dấu phẩy (ví dụ 72,5).")
        b1, b2, b3 = st.columns(3)
        labels = dict(zip(BANDS, ("Tốt từ", "Khá từ", "Trung bình từ")))
        bands = {key: col.text_input(labels[key], fmt_points(p[key] if p[key] is not None else default),
                                     key=f"{key}_{chosen}")
                 for col, key, default in zip((b1, b2, b3), BANDS, (80, 70, 60))}
        reason = st.text_input("Lý do (bắt buộc khi đổi một mốc đã qua)")
        if st.form_submit_button("Lưu kỳ đánh giá"):
            try:
                parsed = {k: _band(labels[k], v) for k, v in bands.items()}
            except ServiceError as exc:
                st.error(str(exc))
                return
            changes = dict(name=name, plan_reference=plan, survey_opens=opens, survey_closes=closes,
                           survey_quota=int(quota), **dates, **parsed)
            _run(lambda: periods.update(db, user, chosen, changes, reason))


def _band(label: str, text: str) -> Decimal:
    """A class band as typed («72,5» or «72.5»), 0–100; a Vietnamese reason otherwise."""
    try:
        value = decimal(text)
    except NumberError as exc:
        raise ServiceError(f"Ngưỡng «{label}»: «{text.strip()[:20]}» {exc}.") from None
    if value is None or not 0 <= value <= 100:
        raise ServiceError(f"Ngưỡng «{label}»: cần một số từ 0 đến 100.")
    return value


def restore_view(user: User) -> None:
    """Restore a backup from the page, after a confirmation that names the backup's date."""
    from cchc.services import backup
    from cchc.web import restore_from_upload

    st.markdown("**Khôi phục từ bản sao lưu** (dữ liệu hiện tại được thay thế và giữ lại bên cạnh trên máy chủ). "
                "Bản sao lưu lớn hơn 40 MB: dừng ứng dụng rồi chạy `python -m cchc restore TỆP.zip`.")
    if done := st.session_state.pop("_cchc_restored", None):
        st.success(done)
    upload = st.file_uploader("Tệp sao lưu (.zip)", type=["zip"], key="sao_luu_zip")
    if upload is None:
        return
    data = upload.getvalue()
    try:
        import io
        manifest = backup.read_manifest(io.BytesIO(data))
    except backup.BackupError as exc:
        st.error(str(exc))
        return
    made = str(manifest.get("created_at", "?")).replace("T", " lúc ")
    confirm = st.checkbox(f"Tôi đồng ý thay toàn bộ dữ liệu hiện tại bằng bản sao lưu tạo ngày {made}.", key="xac_nhan_khoi_phuc")
    if st.button("Khôi phục", type="primary", disabled=not confirm, key="khoi_phuc"):
        try:
            restore_from_upload(data, user)
        except (backup.BackupError, PermissionDenied) as exc:
            st.error(str(exc))
            return
        st.session_state.pop("sao_luu_zip", None)
        st.session_state["_cchc_restored"] = (f"Đã khôi phục bản sao lưu tạo ngày {made}. "
                                              "Mọi người dùng đang mở ứng dụng cần tải lại trang.")
        st.rerun()              # this run still holds the closed database: start again on the new one


def units_view(db: Storage, user: User, year: int) -> None:
    """Every unit with its years of validity; add, rename from a year, change validity, merge;
    a unit's history; a district's units from the national list in one step."""
    rows = units.all_units(db, user)
    names = {u["code"]: u["name"] for u in rows}
    st.dataframe([{"Mã": u["code"], "Tên hiện nay": u["name"], "Loại": u["kind"], "Huyện": u["district_name"],
                   "Hiệu lực từ năm": u["valid_from"], "Đến năm": u["valid_to"] or "",
                   "Sáp nhập vào": names.get(u["successor_code"], "") if u["successor_code"] else ""}
                  for u in rows], hide_index=True, width="stretch")
    with st.expander("Lịch sử một đơn vị"):
        code = st.selectbox("Đơn vị", list(names), format_func=lambda c: f"{names[c]} ({c})", key="ls_dv")
        h = units.history(db, user, code)
        lines = [f"- Từ năm {n['from_year']}: {n['name']} ({n['kind'].lower()})" for n in h["names"]]
        lines += [f"- {p['name']} ({p['code']}) sáp nhập vào từ năm {p['valid_to'] + 1}" for p in h["predecessors"]]
        if h["successor"]:
            lines.append(f"- Sáp nhập vào {h['successor']['name']} từ năm {h['unit']['valid_to'] + 1}")
        st.markdown("\n".join(lines))
    with st.expander("Thêm đơn vị"):
        with st.form("them_dv"):
            c1, c2, c3, c4 = st.columns([1, 2, 1, 1])
            code = c1.text_input("Mã (5 chữ số)", max_chars=5, key="ma_them")
            name = c2.text_input("Tên", placeholder="Xã Sơn Hồng", key="ten_them")
            kind = c3.selectbox("Loại", units.KINDS, key="loai_them")
            since = c4.number_input("Hiệu lực từ năm", 2000, 2100, year, 1, key="nam_them")
            if st.form_submit_button("Thêm đơn vị"):
                _run(lambda: units.add_unit(db, user, code, name, kind, int(since)))
    with st.expander("Đổi tên, đổi loại đơn vị từ một năm"):
        code = st.selectbox("Đơn vị", list(names), format_func=lambda c: f"{names[c]} ({c})", key="dv_doi_ten")
        current = next(u for u in rows if u["code"] == code)
        with st.form("doi_ten"):
            c2, c3, c4 = st.columns([2, 1, 1])
            name = c2.text_input("Tên mới", value=current["name"], key=f"ten_moi_{code}")
            kind = c3.selectbox("Loại", units.KINDS, index=units.KINDS.index(current["kind"]), key=f"loai_moi_{code}")
            since = c4.number_input("Áp dụng từ năm", 2000, 2100, year + 1, 1, key=f"nam_ten_moi_{code}")
            reason = st.text_input("Căn cứ (nghị quyết, quyết định)", key="can_cu_ten")
            st.caption("Các năm trước vẫn giữ tên cũ cùng toàn bộ dữ liệu.")
            if st.form_submit_button("Lưu tên mới"):
                _run(lambda: units.rename_unit(db, user, code, name, kind, int(since), reason))
    with st.expander("Thời gian hiệu lực"):
        code = st.selectbox("Đơn vị", list(names), format_func=lambda c: f"{names[c]} ({c})", key="dv_hl")
        current = next(u for u in rows if u["code"] == code)
        with st.form("hieu_luc"):
            c2, c3 = st.columns(2)
            since = c2.number_input("Từ năm", 2000, 2100, current["valid_from"], 1, key=f"tu_{code}")
            until = c3.number_input("Đến năm (0: vẫn còn)", 0, 2100, current["valid_to"] or 0, 1, key=f"den_{code}")
            reason = st.text_input("Lý do", key="ly_do_hl")
            if st.form_submit_button("Lưu thời gian hiệu lực"):
                _run(lambda: units.set_validity(db, user, code, int(since), int(until) or None, reason))
    with st.expander("Sáp nhập đơn vị"):
        with st.form("sap_nhap"):
            merged = st.multiselect("Các đơn vị được sáp nhập", list(names), format_func=lambda c: f"{names[c]} ({c})",
                                    key="dv_sn")
            c1, c2 = st.columns([2, 1])
            into = c1.selectbox("Vào đơn vị", list(names), format_func=lambda c: f"{names[c]} ({c})", key="dv_nhan")
            since = c2.number_input("Từ năm", 2000, 2100, year + 1, 1, key="nam_sn")
            reason = st.text_input("Căn cứ (nghị quyết của UBTV Quốc hội)", key="can_cu_sn")
            st.caption("Đơn vị mới hình thành do sáp nhập: thêm nó ở mục «Thêm đơn vị» trước. Các năm trước "
                       "sáp nhập giữ nguyên dữ liệu và tên cũ.")
            if st.form_submit_button("Sáp nhập"):
                _run(lambda: units.merge_units(db, user, merged, into, int(since), reason))
    with st.expander("Nạp đơn vị của một huyện từ danh mục đơn vị hành chính cả nước (01/10/2022)"):
        every = units.districts()
        provinces = dict(sorted({d["province_code"]: d["province_name"] for d in every}.items()))
        province = st.selectbox("Tỉnh, thành phố", list(provinces), format_func=provinces.get, key="tinh_nap")
        here = [d for d in every if d["province_code"] == province]
        district = st.selectbox("Quận, huyện", [d["district_code"] for d in here], key="huyen_nap",
                                format_func=lambda c: next(f"{d['district_name']} ({d['units']} đơn vị)"
                                                           for d in here if d["district_code"] == c))
        valid_from = st.number_input("Hiệu lực từ năm", min_value=2000, max_value=2100, value=year, step=1, key="nam_nap")
        if st.button("Nạp các đơn vị của huyện này", key="nap_huyen"):
            try:
                added = units.load_district(db, user, district, int(valid_from))
            except (ServiceError, PermissionDenied) as exc:
                st.error(str(exc))
            else:
                st.success(f"Đã thêm {added} đơn vị." if added else "Mọi đơn vị của huyện này đã có sẵn.")
