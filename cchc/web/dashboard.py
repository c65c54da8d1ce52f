"""The dashboard's sections. Up to UNIT_LEVEL units are shown one by one; more (a province, the
country) are grouped by district or province first, so no chart draws thousands of marks.

No data is shown as no data: a unit that has not started has no index, is not ranked and is not
drawn as a red 0 (cchc/db/sql/views/09_unit_result.sql); provisional figures are marked. Who has
not handed in yet comes first, with names, while a deadline is near; a click on a unit's row,
bar or cell opens its scorecard (/phieu-diem)."""

from __future__ import annotations

from collections import Counter

import streamlit as st

from cchc.core.appraisal import explanation_deadline
from cchc.core.permissions import User
from cchc.core.text import fmt_date, fmt_datetime
from cchc.core.urging import AT_RISK_DAYS
from cchc.core.workflow import HANDED_IN, STATES
from cchc.db.storage import Storage
from cchc.services import reference, results
from cchc.services.results import CLASSES, Results
from cchc import web
from cchc.web import charts, tables, urging

UNIT_LEVEL = 300
ALL = ""
SCORECARD = "views/phieu-diem.py"
#: Days before a deadline from which the units still owing it are shown as "sắp hết hạn".
SOON = AT_RISK_DAYS


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


def open_scorecard(code: str | None, year: int) -> None:
    """Go to the unit's scorecard (a click on its row, bar or cell); nothing when no unit."""
    if code:
        st.switch_page(SCORECARD, query_params={"dv": code, "nam": str(year)})


def certainty(row: dict) -> str:
    """How far a unit's figures are from final (the ranking draws provisional ones fainter)."""
    if row["is_final"]:
        return charts.FINAL
    return charts.SUBMITTED if row["state"] in HANDED_IN else charts.DRAFTING


# ------------------------------------------------------------------ who still owes the next step


def _owing(s: dict) -> tuple[str, dict | None, list[dict]]:
    """The step whose laggards the page puts first: its key, its deadline (None: not dated) and
    the units that have not done it. Handing in comes first while any unit has not; then the
    explanations the council asked for."""
    period, units = s["period"], s["units"]
    not_in = [u for u in units if u["state"] not in HANDED_IN]
    if not_in:
        return "self_assessment", period.get("self_assessment_deadline"), not_in
    explaining = [u for u in units if u["state"] == "explanation"]
    if explaining:
        return "explanation", explanation_deadline(period), explaining
    return "", None, []


def pending(db: Storage, user: User, s: dict, year: int) -> None:
    """At the top of the page: the units that have not handed in (or not sent their explanations)
    by name, how far each has got, and how near the deadline is; a click on a row opens the unit's
    scorecard. Nothing once every unit has done its part."""
    step, deadline, units = _owing(s)
    if not units:
        return
    today, total = s["today"], s["total"]
    what = "nộp báo cáo tự đánh giá" if step == "self_assessment" else "gửi giải trình theo yêu cầu của Hội đồng"
    if deadline is None:
        when, tone = "", st.info
    elif today > deadline:
        when, tone = f" — đã quá hạn {fmt_date(deadline)} ({(today - deadline).days} ngày)", st.error
    else:
        days = (deadline - today).days
        left = "hạn cuối là hôm nay" if days == 0 else f"còn {days} ngày"
        when = f" — sắp hết hạn: {left} (hạn {fmt_date(deadline)})" if days <= SOON else f" — hạn {fmt_date(deadline)}, {left}"
        tone = st.warning if days <= SOON else st.info
    counts = {}
    for u in units:
        counts[STATES[u["state"]]] = counts.get(STATES[u["state"]], 0) + 1
    lagging = urging.lagging(db, user, year, s["units"]) if step == "self_assessment" else None
    with st.container(key="chua_nop"):
        st.subheader(f"Chưa {what}: {len(units)}/{total} đơn vị")
        tone(f"**Chưa {what}{when}.** " + ", ".join(f"{k}: {v}" for k, v in counts.items())
             + ". Bấm vào tên một đơn vị để mở phiếu điểm.", icon=":material/schedule:")
        order = sorted(units, key=lambda u: (u["state"] != "draft", -(u["leaves_done"] / u["leaves_total"]
                                                                       if u["leaves_total"] else 0), u["unit_name"]))
        urged = {r["unit_code"]: r for r in lagging[0]} if lagging else {}
        rows = []
        for u in order:
            row = {"Đơn vị": u["unit_name"], "Trạng thái": STATES[u["state"]],
                   "Tiêu chí đã chấm": f"{u['leaves_done']}/{u['leaves_total']}",
                   "Tiến độ tự chấm": f"{round(100 * u['leaves_done'] / u['leaves_total']) if u['leaves_total'] else 0}%",
                   "Lưu lần cuối": fmt_datetime(u["updated_at"]) if u.get("updated_at") else "chưa lưu lần nào"}
            if lagging:
                lag = urged.get(u["unit_code"])
                row["Đôn đốc"] = urging.urged_text(lag) if lag else ""
                row["E-mail lần gần nhất"] = urging.email_text(lag) if lag else ""
            rows.append(row)
        tables.plain(rows, links=[scorecard_link(u["unit_code"], year) for u in order], name="chua-nop")
    if lagging:
        urging.section(db, user, year, *lagging)


def scorecard_link(code: str, year: int) -> str:
    """The address of a unit's scorecard, relative to the page (the app may live under a base path)."""
    return f"phieu-diem?dv={code}&nam={year}"


# ------------------------------------------------------------------ one district's units


def units(db: Storage, user: User, r: Results, s: dict, province: str | None, district: str | None) -> None:
    """One district (or a few): in tabs, the ranking (open first), the status of every unit, the
    fields, over-scoring and satisfaction; another period; drill-down. Only the open tab is drawn
    (`on_change="rerun"`) and it is kept in the address (?xem=…), so a link opens the same view."""
    names = chart_names(r.rows)
    web.lazy_tabs({
        "Xếp hạng": _headed("Xếp hạng" + (" (tạm tính)" if r.provisional else ""), _ranking, r, names),
        "Tình hình các đơn vị": _headed("Tình hình các đơn vị", _status, r, s),
        "Theo lĩnh vực": _headed("Chỉ số thành phần theo lĩnh vực", _fields, r, names),
        "Tự chấm so với thẩm định": _headed("Tự chấm so với thẩm định", _gaps, r, names),
        "Mức độ hài lòng": _satisfaction_view(db, user, r.year, province, district),
    }, key="xem")
    others = [p["year"] for p in reference.periods(db) if p["year"] != r.year]
    if others:
        with st.expander("So sánh hai kỳ (toàn huyện)"):
            _compare_periods(db, user, r, others, province, district)
    st.subheader("Phiếu điểm từng đơn vị")
    code = st.selectbox("Đơn vị", list(names), format_func=names.get, key="xem_phieu_diem")
    st.page_link(SCORECARD, label=f"Xem phiếu điểm của {names[code]}", icon=":material/analytics:",
                 query_params={"dv": code, "nam": str(r.year)})


def _headed(heading: str, draw, *args):
    """A tab's view: its heading, then what `draw(*args)` shows."""
    def view() -> None:
        st.subheader(heading)
        draw(*args)
    return view


def _satisfaction_view(db: Storage, user: User, year: int, province: str | None, district: str | None):
    return _headed("Mức độ hài lòng theo yếu tố", _satisfaction, db, user, year, province, district)


def _status(r: Results, s: dict) -> None:
    progress = {p["unit_code"]: p for p in s["units"]}
    table = []
    for row in r.rows:
        p = progress.get(row["unit_code"], {})
        table.append({"Hạng": row["rank"], "Đơn vị": row["unit_name"], "Trạng thái": STATES[row["state"]],
                      "Tiêu chí đã chấm": f"{p['leaves_done']}/{p['leaves_total']}" if p else "",
                      "Nộp lúc": fmt_datetime(p.get("submitted_at")),
                      "Tự chấm": row["self_points"] if p.get("leaves_done") else None,     # nothing scored: no figure
                      "Thẩm định": row["appraised_points"], "Khảo sát": row["survey_points"],
                      "Chỉ số (%)": row["index"], "Xếp loại": row["class"] or ""})
    st.vega_lite_chart(charts.states(table), width="stretch", alt="Số đơn vị theo trạng thái")
    st.caption("Bấm vào tên một đơn vị để mở phiếu điểm. «—»: chưa có số liệu (đơn vị chưa chấm tiêu chí nào: không "
               "xếp hạng).")
    tables.plain(table, link_column="Đơn vị", links=[scorecard_link(row["unit_code"], r.year) for row in r.rows], name="tinh-hinh",
                 styles={"Trạng thái": lambda v: f"background-color: {charts.STATE_COLOURS.get(v, '#ffffff')}33",
                         "Xếp loại": lambda v: f"color: {charts.CLASS_COLOURS.get(v, '#000000')}; font-weight: 600"})


def _ranking(r: Results, names: dict[str, str]) -> None:
    ranked = [{"Mã": row["unit_code"], "Đơn vị": names[row["unit_code"]], "Chỉ số": float(row["index"]),
               "Xếp loại": row["class"], "Hạng": row["rank"], "Số liệu": certainty(row)} for row in r.ranked]
    if ranked:
        if r.provisional:
            st.caption("Thanh nhạt: số liệu tạm tính (chưa thẩm định xong; đơn vị đang tự đánh giá thì các tiêu chí chưa "
                       "chấm tính 0 điểm). Bấm vào một thanh để mở phiếu điểm.")
        event = st.vega_lite_chart(charts.ranking(ranked), width="stretch", key="bdk_xep_hang", on_select="rerun",
                                   alt="Xếp hạng các đơn vị có số liệu theo chỉ số")
        open_scorecard(charts.picked(event), r.year)
    else:
        st.caption("Chưa đơn vị nào có số liệu để xếp hạng.")
    if r.unranked:
        st.markdown(f"**Chưa có số liệu, không xếp hạng ({len(r.unranked)} đơn vị):** "
                    + ", ".join(row["unit_name"] for row in r.unranked) + ".")


def _fields(r: Results, names: dict[str, str]) -> None:
    if not r.fields:
        st.caption("Kỳ này chưa có bộ tiêu chí.")
        return
    titles = dict(r.fields)
    cells = [{"Mã": row["unit_code"], "Đơn vị": names[row["unit_code"]], "Lĩnh vực": code,
              "Tên lĩnh vực": f"{code}. {titles[code]}",
              "Chỉ số": _float(r.by_field.get(row["unit_code"], {}).get(code, {}).get("sub_index"))}
             for row in r.rows for code in titles]
    st.caption("Ô xám «—»: chưa có số liệu ở lĩnh vực đó (không phải điểm 0). Bấm vào một ô để mở phiếu điểm.")
    event = st.vega_lite_chart(charts.heatmap(cells, [names[row["unit_code"]] for row in r.rows], list(titles)),
                               width="stretch", key="bdk_linh_vuc", on_select="rerun",
                               alt="Chỉ số thành phần của từng đơn vị theo lĩnh vực")
    open_scorecard(charts.picked(event), r.year)
    st.caption("Lĩnh vực: " + " · ".join(f"{code}. {title}" for code, title in r.fields))


def _gaps(r: Results, names: dict[str, str]) -> None:
    gaps = [{"Mã": row["unit_code"], "Đơn vị": names[row["unit_code"]], "Tự chấm": float(row["self_points"]),
             "Thẩm định": float(row["appraised_points"]),
             "Chênh lệch": round(float(row["self_points"]) - float(row["appraised_points"]), 2)}
            for row in r.rows if row["appraised_points"] is not None]
    if not gaps:
        st.caption("Chưa có điểm thẩm định: biểu đồ chênh lệch sẽ hiện khi Hội đồng bắt đầu chấm.")
        return
    st.caption("Thanh đỏ: tự chấm cao hơn điểm thẩm định. Bấm vào một thanh để mở phiếu điểm.")
    event = st.vega_lite_chart(charts.gaps(gaps), width="stretch", key="bdk_chenh_lech", on_select="rerun",
                               alt="Chênh lệch điểm tự chấm và điểm thẩm định")
    open_scorecard(charts.picked(event), r.year)


def chart_names(rows: list[dict]) -> dict[str, str]:
    """Each unit's name on a chart, where there is one mark per name: with its district when two
    units shown share a name (a few districts at once)."""
    count = Counter(row["unit_name"] for row in rows)
    return {row["unit_code"]: f"{row['unit_name']} ({row['district_name']})" if count[row["unit_name"]] > 1
            else row["unit_name"] for row in rows}


def _float(value):
    return None if value is None else float(value)


def district_summary(r: Results) -> dict:
    """One period's figures for the whole district (or the chosen place): averages over the
    units with an index (those without data are counted apart)."""
    indices = [float(row["index"]) for row in r.ranked]
    out = {"Số đơn vị": len(r.rows), "Đơn vị có số liệu": len(indices),
           "Chỉ số bình quân (%)": round(sum(indices) / len(indices), 2) if indices else None,
           "Cao nhất (%)": max(indices, default=None), "Thấp nhất (%)": min(indices, default=None)}
    out |= {f"Xếp loại {c}": sum(1 for row in r.rows if row["class"] == c) for c in CLASSES}
    titles = dict(r.fields)
    out |= {f"Lĩnh vực {code}. {titles[code]} (%)": avg["sub_index"] for code, avg in sorted(
        r.field_average.items(), key=lambda kv: int(kv[0])) if code in titles}
    return out


def _compare_periods(db: Storage, user: User, r: Results, others: list[int], province: str | None,
                     district: str | None) -> None:
    other = st.selectbox("So với kỳ", others, format_func=lambda y: f"Năm {y}", key="so_sanh_ky")
    o = results.results(db, user, other, province, district)
    first, second = sorted((r, o), key=lambda x: x.year)
    a, b = district_summary(first), district_summary(second)
    tables.show([{"": k, f"Năm {first.year}": a.get(k), f"Năm {second.year}": b.get(k)}
                 for k in dict.fromkeys([*a, *b])], placeholder="—")


def _satisfaction(db: Storage, user: User, year: int, province: str | None, district: str | None) -> None:
    rows = results.element_shares(db, user, year, province, district)
    if not rows:
        st.caption("Chưa có phiếu khảo sát.")
        return
    st.vega_lite_chart(charts.satisfaction([{"Yếu tố": r["label"], "Tỷ lệ hài lòng": float(r["share"]),
                                             "Số phiếu": r["responses"]} for r in rows]),
                       width="stretch", alt="Tỷ lệ hài lòng theo yếu tố")


def grouped(db: Storage, user: User, year: int, places: list[dict], province: str | None) -> None:
    """Many units: one line per province (nothing chosen) or per district (a province chosen),
    from results.by_place (added up in the database: the units' rows are never fetched); the
    satisfaction in a second tab, as on a district's dashboard (only the open tab is drawn)."""
    label = "Tỉnh" if province is None else "Huyện"
    units = sum(g["units"] for g in places)
    st.info(f"{thousands(units)} đơn vị: số liệu được gộp theo {label.lower()}. Chọn tỉnh và huyện ở trên để "
            "xem từng đơn vị. Chỉ số bình quân tính trên các đơn vị đã có số liệu.", icon=":material/filter_alt:")
    web.lazy_tabs({f"Theo {label.lower()}": lambda: _by_place(places, label),
                   "Mức độ hài lòng": _satisfaction_view(db, user, year, province, None)}, key="xem")


def _by_place(places: list[dict], label: str) -> None:
    table = [{label: g["name"], "Số đơn vị": g["units"], "Đã nộp": g["handed_in"], "Đã thẩm định": g["final"],
              "Có số liệu": g["ranked"], **g["classes"], "Chỉ số bình quân": g["index"]} for g in places]
    mix = [{label: g[label], "Xếp loại": c, "Số đơn vị": g[c], "Chỉ số bình quân": g["Chỉ số bình quân"],
            "Thứ tự": i} for g in table for i, c in enumerate(CLASSES)]
    st.vega_lite_chart(charts.class_mix(mix, label), width="stretch", alt=f"Xếp loại các đơn vị theo {label.lower()}")
    tables.show(table, placeholder="—")         # a place without an index shows «—»
