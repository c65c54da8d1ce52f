"""Showing a scorecard (cchc.services.results.Scorecard) and two periods side by side."""

from __future__ import annotations

import streamlit as st

from cchc.core.text import fmt_points
from cchc.services.results import Scorecard
from cchc.web import charts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pct(value) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",") + "%"


def show(card: Scorecard) -> None:
    row = card.row
    st.subheader(f"{row['unit_name']} — năm {card.year}")
    if not row["is_final"]:
        st.caption("**Số liệu tạm tính**: chưa thẩm định xong; chỉ số tính trên điểm thẩm định nếu có, chưa có thì trên "
                   "điểm tự chấm.")
    cols = st.columns(4)
    delta = None
    if card.previous and card.previous["index"] is not None and row["index"] is not None:
        delta = f"{row['index'] - card.previous['index']:+.2f} so với năm {card.year - 1}".replace(".", ",")
    cols[0].metric("Chỉ số CCHC", _pct(row["index"]), delta=delta)
    cols[1].metric("Xếp hạng", f"{row['rank']}/{card.units_ranked}")
    cols[2].metric("Xếp loại", row["class"] or "—")
    cols[3].metric("Tổng điểm", f"{fmt_points(row['total_points'])}/{fmt_points(row['applicable_max'])}")
    st.caption(f"Tự chấm {fmt_points(row['self_points'])} · thẩm định "
               f"{fmt_points(row['appraised_points']) if row['appraised_points'] is not None else 'chưa có'} · khảo sát "
               f"{fmt_points(row['survey_points'])} · thưởng {fmt_points(row['bonus'])} · trừ {fmt_points(row['penalty'])}")
    from cchc.files.results_workbook import scorecard_workbook

    st.download_button("Tải phiếu điểm chi tiết (.xlsx)", lambda: scorecard_workbook(card),
                       file_name=f"phieu-diem-{row['unit_code']}-{card.year}.xlsx", mime=XLSX, key="tai_phieu_diem")
    st.markdown("**Theo lĩnh vực, so với bình quân huyện**")
    chart_rows = [{"Lĩnh vực": f"{f['code']}. {f['title']}", "Của đơn vị": f["sub_index"], "Bình quân huyện": f["average"]}
                  for f in card.fields]
    st.altair_chart(charts.fields_vs_average(chart_rows), width="stretch")
    st.dataframe([{"Lĩnh vực": f"{f['code']}. {f['title']}", "Điểm": fmt_points(f["points"]),
                   "Tối đa": fmt_points(f["max"]), "Chỉ số (%)": _pct(f["sub_index"]),
                   "Bình quân huyện (%)": _pct(f["average"])} for f in card.fields], hide_index=True, width="stretch")
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("**Mất điểm nhiều nhất (cần khắc phục)**")
        if card.shortcomings:
            st.dataframe([{"Mã": x["code"], "Tiêu chí": x["title"], "Đạt": fmt_points(x["points"]),
                           "Tối đa": fmt_points(x["max"]), "Mất": fmt_points(x["lost"])} for x in card.shortcomings],
                         hide_index=True, width="stretch")
        else:
            st.caption("Không mất điểm ở tiêu chí nào.")
    with c2:
        st.markdown("**Đạt điểm tối đa (điểm mạnh)**")
        if card.strengths:
            st.dataframe([{"Mã": x["code"], "Tiêu chí": x["title"], "Điểm": fmt_points(x["points"])} for x in card.strengths],
                         hide_index=True, width="stretch")
        else:
            st.caption("Chưa có tiêu chí nào đạt điểm tối đa.")


def compare(a: Scorecard, b: Scorecard) -> None:
    """Two periods of one unit side by side: headline figures and each field's sub-index."""
    first, second = sorted((a, b), key=lambda c: c.year)
    st.dataframe([{"": label, f"Năm {first.year}": fmt(first), f"Năm {second.year}": fmt(second)} for label, fmt in (
        ("Chỉ số (%)", lambda c: _pct(c.row["index"])),
        ("Xếp hạng", lambda c: f"{c.row['rank']}/{c.units_ranked}"),
        ("Xếp loại", lambda c: c.row["class"] or "—"),
        ("Điểm tự chấm", lambda c: fmt_points(c.row["self_points"])),
        ("Điểm khảo sát", lambda c: fmt_points(c.row["survey_points"])),
    )] + [{"": f"Lĩnh vực {code}", f"Năm {first.year}": _pct(next((f["sub_index"] for f in first.fields if f["code"] == code), None)),
           f"Năm {second.year}": _pct(next((f["sub_index"] for f in second.fields if f["code"] == code), None))}
          for code in sorted({f["code"] for f in first.fields + second.fields}, key=int)],
        hide_index=True, width="stretch")
