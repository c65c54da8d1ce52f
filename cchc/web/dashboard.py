"""The dashboard's sections. Up to UNIT_LEVEL units are shown one by one; more (a province, the
country) are grouped by district or province first, so no chart draws thousands of marks."""

from __future__ import annotations

import streamlit as st

from cchc.core.permissions import User
from cchc.core.text import fmt_date, fmt_datetime, fmt_points
from cchc.core.workflow import STATES
from cchc.db.storage import Storage
from cchc.services import results
from cchc.services.results import CLASSES, Results
from cchc.web import charts

UNIT_LEVEL = 300
ALL = ""


def thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def council_line(formed: tuple, period: dict, today) -> None:
    """Whether the appraisal council was formed by its deadline (08/11/2022 in the plan)."""
    ok, decided_on, on_time = formed
    deadline = period.get("council_deadline")
    if ok and on_time:
        st.success(f"Hội đồng thẩm định đã thành lập đúng hạn (quyết định ngày {fmt_date(decided_on)}, "
                   f"hạn {fmt_date(deadline)}).", icon=":material/groups:")
    elif ok:
        st.warning(f"Hội đồng thẩm định thành lập muộn: quyết định ngày {fmt_date(decided_on)}, hạn {fmt_date(deadline)}.",
                   icon=":material/groups:")
    elif deadline and today > deadline:
        st.error(f"Chưa thành lập Hội đồng thẩm định; đã quá hạn {fmt_date(deadline)}.", icon=":material/groups:")
    else:
        st.info("Chưa thành lập Hội đồng thẩm định" + (f" (hạn {fmt_date(deadline)})." if deadline else "."),
                icon=":material/groups:")


def place_filters(places: list[dict]) -> tuple[str | None, str | None]:
    """Province and district pickers, shown only when the period spans more than one district."""
    if len({p["district_code"] for p in places}) <= 1:
        return None, None
    provinces = {p["province_code"]: p["province_name"] for p in places}
    c1, c2 = st.columns(2)
    province = c1.selectbox("Tỉnh, thành phố", [ALL, *provinces], key="loc_tinh",
                            format_func=lambda c: provinces.get(c, f"Tất cả ({len(provinces)} tỉnh)"))
    if not province:
        return None, None
    districts = {p["district_code"]: f"{p['district_name']} ({p['units']} đơn vị)" for p in places
                 if p["province_code"] == province}
    district = c2.selectbox("Quận, huyện", [ALL, *districts], key=f"loc_huyen_{province}",
                            format_func=lambda c: districts.get(c, f"Tất cả ({len(districts)} huyện)"))
    return province, district or None


def units_shown(places: list[dict], province: str | None, district: str | None) -> int:
    """How many units the chosen place has (places: results.places)."""
    return sum(p["units"] for p in places if province in (None, p["province_code"]) and district in (None, p["district_code"]))


def _index(value) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def units(db: Storage, user: User, r: Results, s: dict, province: str | None, district: str | None) -> None:
    """One district (or a few): status, ranking, heatmap, over-scoring, satisfaction, drill-down."""
    progress = {p["unit_code"]: p for p in s["units"]}
    st.subheader("Tình hình các đơn vị")
    table = [{"Hạng": row["rank"], "Đơn vị": row["unit_name"], "Trạng thái": STATES[row["state"]],
              "Tiêu chí đã chấm": f"{progress[row['unit_code']]['leaves_done']}/{progress[row['unit_code']]['leaves_total']}"
              if row["unit_code"] in progress else "",
              "Nộp lúc": fmt_datetime(progress.get(row["unit_code"], {}).get("submitted_at")),
              "Tự chấm": fmt_points(row["self_points"]),
              "Thẩm định": fmt_points(row["appraised_points"]) if row["appraised_points"] is not None else "—",
              "Khảo sát": fmt_points(row["survey_points"]), "Chỉ số (%)": _index(row["index"]),
              "Xếp loại": row["class"] or "", "Mã": row["unit_code"]} for row in r.rows]
    c1, c2 = st.columns([1, 2])
    c1.altair_chart(charts.states(table), width="stretch")
    c2.dataframe(_coloured(table), hide_index=True, width="stretch", height=min(38 + 35 * len(table), 420))
    st.subheader("Xếp hạng" + (" (tạm tính)" if r.provisional else ""))
    ranked = [{"Đơn vị": row["unit_name"], "Chỉ số": row["index"] or 0, "Xếp loại": row["class"] or "Yếu",
               "Hạng": row["rank"]} for row in r.rows]
    st.altair_chart(charts.ranking(ranked), width="stretch")
    if r.fields:
        st.subheader("Chỉ số thành phần theo lĩnh vực")
        titles = dict(r.fields)
        cells = [{"Đơn vị": row["unit_name"], "Lĩnh vực": code, "Tên lĩnh vực": titles[code],
                  "Chỉ số": r.by_field.get(row["unit_code"], {}).get(code, {}).get("sub_index")}
                 for row in r.rows for code in titles]
        st.altair_chart(charts.heatmap([c for c in cells if c["Chỉ số"] is not None], [row["unit_name"] for row in r.rows]),
                        width="stretch")
        st.caption("Lĩnh vực: " + " · ".join(f"{code}. {title}" for code, title in r.fields))
    st.subheader("Tự chấm so với thẩm định")
    gaps = [{"Đơn vị": row["unit_name"], "Tự chấm": float(row["self_points"]), "Thẩm định": float(row["appraised_points"]),
             "Chênh lệch": round(float(row["self_points"]) - float(row["appraised_points"]), 2)}
            for row in r.rows if row["appraised_points"] is not None]
    if gaps:
        st.altair_chart(charts.gaps(gaps), width="stretch")
    else:
        st.caption("Chưa có điểm thẩm định: biểu đồ chênh lệch sẽ hiện khi Hội đồng bắt đầu chấm.")
    _satisfaction(db, user, r.year, province, district)
    _compare_periods(db, user, r, province, district)
    st.subheader("Phiếu điểm từng đơn vị")
    names = {row["unit_code"]: row["unit_name"] for row in r.rows}
    code = st.selectbox("Đơn vị", list(names), format_func=names.get, key="xem_phieu_diem")
    st.page_link("views/phieu-diem.py", label=f"Xem phiếu điểm của {names[code]}", icon=":material/analytics:",
                 query_params={"dv": code, "nam": str(r.year)})


def district_summary(r: Results) -> dict:
    """One period's figures for the whole district (or the chosen place)."""
    indices = [float(row["index"]) for row in r.rows if row["index"] is not None]
    out = {"Số đơn vị": len(r.rows), "Chỉ số bình quân (%)": round(sum(indices) / len(indices), 2) if indices else None,
           "Cao nhất (%)": max(indices, default=None), "Thấp nhất (%)": min(indices, default=None)}
    out |= {f"Xếp loại {c}": sum(1 for row in r.rows if row["class"] == c) for c in CLASSES}
    titles = dict(r.fields)
    out |= {f"Lĩnh vực {code}. {titles[code]} (%)": avg["sub_index"] for code, avg in sorted(
        r.field_average.items(), key=lambda kv: int(kv[0])) if code in titles}
    return out


def _compare_periods(db: Storage, user: User, r: Results, province: str | None, district: str | None) -> None:
    from cchc.services import reference

    others = [p["year"] for p in reference.periods(db) if p["year"] != r.year]
    if not others:
        return
    with st.expander("So sánh hai kỳ (toàn huyện)"):
        other = st.selectbox("So với kỳ", others, format_func=lambda y: f"Năm {y}", key="so_sanh_ky")
        o = results.results(db, user, other, province, district)
        first, second = sorted((r, o), key=lambda x: x.year)
        a, b = district_summary(first), district_summary(second)
        st.dataframe([{"": k, f"Năm {first.year}": a.get(k), f"Năm {second.year}": b.get(k)}
                      for k in dict.fromkeys([*a, *b])], hide_index=True, width="stretch")


def _coloured(table: list[dict]):
    import pandas as pd

    frame = pd.DataFrame(table)
    return frame.style.map(lambda v: f"background-color: {charts.STATE_COLOURS.get(v, '#ffffff')}33",
                           subset=["Trạng thái"]).map(
        lambda v: f"color: {charts.CLASS_COLOURS.get(v, '#000000')}; font-weight: 600", subset=["Xếp loại"])


def _satisfaction(db: Storage, user: User, year: int, province: str | None, district: str | None) -> None:
    rows = results.element_shares(db, user, year, province, district)
    st.subheader("Mức độ hài lòng theo yếu tố")
    if not rows:
        st.caption("Chưa có phiếu khảo sát.")
        return
    st.altair_chart(charts.satisfaction([{"Yếu tố": r["label"], "Tỷ lệ hài lòng": r["share"], "Số phiếu": r["responses"]}
                                         for r in rows]), width="stretch")


def grouped(db: Storage, user: User, year: int, places: list[dict], province: str | None) -> None:
    """Many units: one line per province (nothing chosen) or per district (a province chosen),
    from results.by_place (added up in the database: the units' rows are never fetched)."""
    label = "Tỉnh" if province is None else "Huyện"
    units = sum(g["units"] for g in places)
    st.info(f"{thousands(units)} đơn vị: số liệu được gộp theo {label.lower()}. Chọn tỉnh và huyện ở trên để "
            "xem từng đơn vị.", icon=":material/filter_alt:")
    table = [{label: g["name"], "Số đơn vị": g["units"], "Đã nộp": g["handed_in"], "Đã thẩm định": g["final"],
              **g["classes"], "Chỉ số bình quân": g["index"]} for g in places]
    mix = [{label: g[label], "Xếp loại": c, "Số đơn vị": g[c], "Chỉ số bình quân": g["Chỉ số bình quân"],
            "Thứ tự": i} for g in table for i, c in enumerate(CLASSES)]
    st.altair_chart(charts.class_mix(mix, label), width="stretch")
    st.dataframe(table, hide_index=True, width="stretch")
    _satisfaction(db, user, year, province, None)
