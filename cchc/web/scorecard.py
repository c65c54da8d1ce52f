"""Showing a scorecard (cchc.services.results.Scorecard) and two periods side by side. A unit
with no scores yet shows no figures (no index, rank or class), never a 0 that reads as the worst
result; provisional figures say how provisional they are."""

from __future__ import annotations

import streamlit as st

from cchc.core.text import fmt_points
from cchc.core.workflow import STATES
from cchc.services.results import Scorecard
from cchc.web import charts, tables

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pct(value) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",") + "%"


def _rank(row: dict, ranked: int) -> str:
    return "—" if row["rank"] is None else f"{row['rank']}/{ranked}"


def show(card: Scorecard) -> None:
    row = card.row
    st.subheader(f"{row['unit_name']} — năm {card.year}")
    if row["index"] is None:
        st.info(f"**Chưa có số liệu.** {row['unit_name']} chưa chấm tiêu chí nào ({STATES[row['state']].lower()}): "
                f"chưa có chỉ số, không xếp hạng và không tính vào bình quân huyện. Số liệu hiện khi đơn vị bắt đầu "
                "tự chấm điểm.", icon=":material/hourglass_empty:")
    elif row["state"] == "draft":
        st.caption(f"**Số liệu tạm tính**: đơn vị đang tự đánh giá, mới chấm {card.scored}/{card.scorable} tiêu chí; "
                   "tiêu chí chưa chấm tính 0 điểm.")
    elif not row["is_final"]:
        st.caption("**Số liệu tạm tính**: chưa thẩm định xong; chỉ số tính trên điểm thẩm định nếu có, chưa có thì trên "
                   "điểm tự chấm.")
    cols = st.columns(4)
    delta = None
    if card.previous and card.previous["index"] is not None and row["index"] is not None:
        delta = f"{row['index'] - card.previous['index']:+.2f} so với năm {card.year - 1}".replace(".", ",")
    cols[0].metric("Chỉ số CCHC", _pct(row["index"]), delta=delta)
    cols[1].metric("Xếp hạng", _rank(row, card.units_ranked),
                   help=f"Trong {card.units_ranked} đơn vị có số liệu; đơn vị chưa chấm tiêu chí nào không được xếp hạng.")
    cols[2].metric("Xếp loại", row["class"] or "—")
    cols[3].metric("Tổng điểm", "—" if row["index"] is None else
                   f"{fmt_points(row['total_points'])}/{fmt_points(row['applicable_max'])}")
    if row["index"] is not None:
        st.caption(f"Tự chấm {fmt_points(row['self_points'])} · thẩm định "
                   f"{fmt_points(row['appraised_points']) if row['appraised_points'] is not None else 'chưa có'} · khảo sát "
                   f"{fmt_points(row['survey_points'])} · thưởng {fmt_points(row['bonus'])} · trừ {fmt_points(row['penalty'])}")
        from cchc.files.results_workbook import scorecard_workbook

        st.download_button("Tải phiếu điểm chi tiết (.xlsx)", lambda: scorecard_workbook(card),
                           file_name=f"phieu-diem-{row['unit_code']}-{card.year}.xlsx", mime=XLSX, key="tai_phieu_diem",
                           on_click="ignore")
    st.markdown("**Theo lĩnh vực, so với bình quân huyện** (bình quân các đơn vị có số liệu ở lĩnh vực đó)")
    chart_rows = [{"Lĩnh vực": f"{f['code']}. {f['title']}", "Của đơn vị": _float(f["sub_index"]),
                   "Bình quân huyện": _float(f["average"])} for f in card.fields]
    st.vega_lite_chart(charts.fields_vs_average(chart_rows), width="stretch",
                       alt="Chỉ số thành phần của đơn vị so với bình quân huyện")
    tables.show([{"Lĩnh vực": f"{f['code']}. {f['title']}", "Điểm": f["points"], "Tối đa": f["max"],
                  "Chỉ số (%)": f["sub_index"], "Bình quân huyện (%)": f["average"]} for f in card.fields],
                placeholder="—")
    st.markdown("**Mất điểm nhiều nhất (cần khắc phục)**")
    if card.shortcomings:
        tables.show([{"Mã": x["code"], "Tiêu chí": x["title"], "Đạt": x["points"], "Tối đa": x["max"], "Mất": x["lost"]}
                     for x in card.shortcomings])
    else:
        st.caption("Chưa có tiêu chí nào đã chấm mà mất điểm." if card.scored < card.scorable
                   else "Không mất điểm ở tiêu chí nào.")
    st.markdown("**Đạt điểm tối đa (điểm mạnh)**")
    if card.strengths:
        tables.show([{"Mã": x["code"], "Tiêu chí": x["title"], "Điểm": x["points"]} for x in card.strengths])
    else:
        st.caption("Chưa có tiêu chí nào đạt điểm tối đa.")


def _float(value):
    return None if value is None else float(value)


def compare(a: Scorecard, b: Scorecard) -> None:
    """Two periods of one unit side by side: headline figures and each field's sub-index."""
    first, second = sorted((a, b), key=lambda c: c.year)

    def field(card: Scorecard, code: str) -> str:
        return _pct(next((f["sub_index"] for f in card.fields if f["code"] == code), None))

    tables.show([{"": label, f"Năm {first.year}": fmt(first), f"Năm {second.year}": fmt(second)} for label, fmt in (
        ("Chỉ số (%)", lambda c: _pct(c.row["index"])),
        ("Xếp hạng", lambda c: _rank(c.row, c.units_ranked)),
        ("Xếp loại", lambda c: c.row["class"] or "—"),
        ("Điểm tự chấm", lambda c: fmt_points(c.row["self_points"])),
        ("Điểm khảo sát", lambda c: fmt_points(c.row["survey_points"])),
    )] + [{"": f"Lĩnh vực {code}", f"Năm {first.year}": field(first, code), f"Năm {second.year}": field(second, code)}
          for code in sorted({f["code"] for f in first.fields + second.fields}, key=int)])
