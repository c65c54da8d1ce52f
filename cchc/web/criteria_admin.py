"""The criteria tab of the administration page: the sets a period uses, loading a new one from
Excel or YAML, and moving a period to another version with a preview of what happens to scores."""

from __future__ import annotations

import streamlit as st

from cchc.core import criteria
from cchc.core.criteria import APPLIES_TO, CriteriaSet
from cchc.core.permissions import PermissionDenied, User
from cchc.core.text import fmt_datetime, fmt_points
from cchc.db.storage import Storage
from cchc.files import criteria_workbook as criteria_excel
from cchc.services import ServiceError, reference

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FLASH = "_cchc_criteria_flash"


def criteria_view(db: Storage, user: User, year: int) -> None:
    from cchc.web import criteria_banner

    if message := st.session_state.pop(FLASH, None):
        st.success(message)
    in_use = reference.period_sets(db, user, year)
    criteria_banner(reference.period_criteria(db, user, year))
    _sets_in_use(in_use, year)
    st.download_button("Tải mẫu trống (.xlsx)", lambda: criteria_excel.build(None), file_name="mau-bo-tieu-chi.xlsx",
                       mime=XLSX, key="mau_trong")
    st.subheader("Nạp bộ tiêu chí")
    st.write("Từ sổ tính Excel hoặc tệp YAML. Tệp được kiểm tra toàn bộ; có lỗi thì không nạp gì. Một bộ đã nạp "
             "không sửa tại chỗ: mỗi lần nạp là một phiên bản mới. «Áp dụng cho» trong tệp quyết định bộ dùng chung "
             "cho mọi đơn vị hay riêng cho xã, thị trấn hoặc phường.")
    cs = _uploaded_set(db)
    if cs is not None:
        _preview(cs)
        reason = st.text_input("Lý do (cần khi có điểm đã nhập không hợp với bộ mới)", key="ly_do_nap")
        c1, c2 = st.columns(2)
        if c1.button(f"Nạp và gắn vào kỳ {year}", type="primary", key="nap_bo"):
            _act(lambda: reference.import_criteria_set(db, user, cs, year, reason),
                 f"Đã nạp {cs.code} phiên bản {cs.version} và gắn vào kỳ {year}.")
        if c2.button("Chỉ lưu thành phiên bản mới (chưa gắn vào kỳ)", key="luu_bo"):
            _act(lambda: reference.add_criteria_set(db, user, cs),
                 f"Đã lưu {cs.code} phiên bản {cs.version}. Chọn nó ở mục «Chuyển kỳ sang phiên bản khác» để dùng.")
    _move_section(db, user, year, in_use)


def _sets_in_use(in_use: list[dict], year: int) -> None:
    st.subheader(f"Bộ tiêu chí của kỳ {year}")
    if not in_use:
        st.info("Kỳ này chưa có bộ tiêu chí nào.")
        return
    st.dataframe([{"Áp dụng cho": APPLIES_TO[r["kind"]] if r["kind"] != "all" else "Các đơn vị không có bộ riêng",
                   "Bộ tiêu chí": r["set"].name, "Mã": r["set"].code, "Phiên bản": r["set"].version,
                   "Số đơn vị": r["units"], "Tổng điểm": fmt_points(r["set"].total),
                   "Thưởng tối đa": fmt_points(r["set"].cap("bonus")), "Trừ tối đa": fmt_points(r["set"].cap("penalty"))}
                  for r in in_use], hide_index=True, width="stretch")
    for r in in_use:
        cs: CriteriaSet = r["set"]
        c1, c2, c3 = st.columns([2, 1, 1])
        c1.caption(f"{cs.code} phiên bản {cs.version}")
        stem = f"bo-tieu-chi-{year}-{r['kind']}"
        c2.download_button("Tải .xlsx", lambda cs=cs: criteria_excel.build(cs), file_name=f"{stem}.xlsx", mime=XLSX,
                           key=f"tai_xlsx_{r['set_id']}")
        c3.download_button("Tải YAML", lambda cs=cs: criteria.to_yaml(cs).encode("utf-8"), file_name=f"{stem}.yaml",
                           mime="application/x-yaml", key=f"tai_yaml_{r['set_id']}")


def _uploaded_set(db: Storage) -> CriteriaSet | None:
    upload = st.file_uploader("Tệp bộ tiêu chí (.xlsx, .yaml)", type=["xlsx", "yaml", "yml"], key="bo_tieu_chi")
    if upload is None:
        return None
    offices = reference.office_codes(db)
    try:
        data = upload.getvalue()
        if upload.name.lower().endswith(".xlsx"):
            return criteria_excel.parse(data, offices)
        if len(data) > criteria_excel.MAX_BYTES:
            raise criteria.CriteriaError(["Tệp lớn hơn 5 MB, không phải một bộ tiêu chí."])
        try:
            return criteria.load_yaml_text(data.decode("utf-8"), offices)
        except UnicodeDecodeError:
            raise criteria.CriteriaError(["Tệp không phải văn bản UTF-8."]) from None
    except criteria.CriteriaError as exc:
        st.error(f"Tệp có {len(exc.errors)} lỗi, chưa nạp gì:\n\n" + "\n".join(f"- {e}" for e in exc.errors))
        return None


def _preview(cs: CriteriaSet) -> None:
    totals = cs.points_by_source()
    st.success(f"Hợp lệ: {cs.name} (mã {cs.code}, phiên bản {cs.version}, áp dụng cho {APPLIES_TO[cs.applies_to].lower()}); "
               f"{len(cs.leaves())} tiêu chí chấm điểm; tự đánh giá {fmt_points(totals['self_assessed'])} + khảo sát "
               f"{fmt_points(totals['citizen_survey'])} + điều tra {fmt_points(totals['official_survey'])} = "
               f"{fmt_points(cs.total)} điểm"
               + (f"; ngoài 100 điểm: thưởng tối đa {fmt_points(cs.cap('bonus'))}, trừ tối đa {fmt_points(cs.cap('penalty'))}"
                  if totals["bonus"] or totals["penalty"] else "") + ".")
    st.dataframe([{"Mã": n.code, "Nội dung": ("    " * (n.depth - 1)) + n.title, "Điểm tối đa": fmt_points(n.max_points),
                   "Nguồn điểm": criteria.SOURCES[n.source] if n.is_leaf else "", "Cơ quan": n.office_code or ""}
                  for n in cs.nodes], hide_index=True, width="stretch", height=360)


def _move_section(db: Storage, user: User, year: int, in_use: list[dict]) -> None:
    st.subheader("Chuyển kỳ sang phiên bản khác")
    used = {r["set_id"] for r in in_use}
    general = next((r for r in in_use if r["kind"] == "all"), None)
    # (set id, unit kind) choices: versions in the store, and giving a kind the general set back.
    choices: dict[tuple[int, str], str] = {
        (s["id"], s["applies_to"]): f"{s['code']} — phiên bản {s['version']} ({APPLIES_TO[s['applies_to']].lower()}), "
                                     f"nạp lúc {fmt_datetime(s['created_at'])}"
        for s in reference.criteria_sets(db, user) if s["id"] not in used}
    if general:
        for r in in_use:
            if r["kind"] != "all":
                choices[(general["set_id"], r["kind"])] = (f"Bỏ bộ riêng của {APPLIES_TO[r['kind']].lower()}: "
                                                           f"dùng bộ chung {general['set'].code} phiên bản {general['set'].version}")
    if not choices:
        st.caption("Chưa có phiên bản nào khác trong kho. Nạp bộ mới bằng «Chỉ lưu thành phiên bản mới» rồi quay lại đây.")
        return
    st.write("Điểm đã nhập được giữ theo mã tiêu chí. Điểm của tiêu chí không còn trong phiên bản mới, hoặc không hợp "
             "với cách chấm mới, được cất vào kho lưu (không xóa) và liệt kê dưới đây trước khi xác nhận.")
    keys = list(choices)
    set_id, kind = st.selectbox("Phiên bản", keys, format_func=choices.get, key="chuyen_bo")
    try:
        pv = reference.move_preview(db, user, year, set_id, kind)
    except (ServiceError, PermissionDenied) as exc:
        st.error(str(exc))
        return
    plan = pv.plan
    st.markdown(
        f"- Đơn vị chuyển sang phiên bản này: **{len(pv.units)}**"
        + (f", trong đó **{len(pv.submitted)} đã nộp**" if pv.submitted else "") + "\n"
        f"- Tiêu chí trùng mã: **{len(plan.matched)}**; tiêu chí mới phải chấm: **{len(plan.added)}**; "
        f"tiêu chí bị bỏ: **{len(plan.dropped)}**; tiêu chí đổi cách chấm: **{len(plan.changed)}**\n"
        f"- Điểm được giữ: **{plan.carried_count}**; điểm cất vào kho lưu: **{len(plan.set_aside)}**"
        + (f"\n- Tài liệu kiểm chứng gắn với tiêu chí bị bỏ: **{pv.evidence_on_dropped}** (vẫn lưu, không hiện trên "
           "biểu mẫu mới)" if pv.evidence_on_dropped else ""))
    if plan.set_aside:
        st.dataframe([{"Đơn vị": a.unit_code, "Tiêu chí": a.code, "Lý do": a.reason} for a in plan.set_aside],
                     hide_index=True, width="stretch")
    if plan.added or plan.dropped or plan.changed:
        st.dataframe([{"Thay đổi": "Mới", "Mã": n.code, "Nội dung": n.title} for n in plan.added]
                     + [{"Thay đổi": "Bỏ", "Mã": n.code, "Nội dung": n.title} for n in plan.dropped]
                     + [{"Thay đổi": "Đổi cách chấm", "Mã": n.code,
                         "Nội dung": f"{n.title} (tối đa {fmt_points(o.max_points)} → {fmt_points(n.max_points)})"}
                        for o, n in plan.changed], hide_index=True, width="stretch")
    if pv.reopened:
        st.warning(f"{len(pv.reopened)} đơn vị đã nộp phải chấm bổ sung và sẽ được mở lại "
                   f"{reference.REOPEN_DAYS} ngày: " + ", ".join(u["name"] for u in pv.reopened) + ".")
    elif pv.submitted:
        st.info("Các đơn vị đã nộp giữ nguyên trạng thái: phiên bản mới không thêm hay bỏ điểm nào của họ.")
    reason = st.text_input("Lý do chuyển" + (" (bắt buộc)" if pv.needs_reason else ""), key="ly_do_chuyen")
    if st.button("Xác nhận chuyển điểm và gắn phiên bản này", type="primary", key="xac_nhan_chuyen"):
        try:
            done = reference.move_to_set(db, user, year, set_id, reason, kind)
        except (ServiceError, PermissionDenied) as exc:
            st.error(str(exc))
            return
        st.session_state[FLASH] = (f"Đã gắn {pv.new.code} phiên bản {pv.new.version} vào kỳ {year} "
                                   f"({APPLIES_TO[kind].lower()}): giữ {done.carried_count} điểm, "
                                   f"cất {len(done.set_aside)} điểm vào kho lưu.")
        st.rerun()


def _act(action, message: str) -> None:
    try:
        action()
    except (ServiceError, PermissionDenied) as exc:
        st.error(str(exc))
        return
    st.session_state[FLASH] = message
    st.rerun()
