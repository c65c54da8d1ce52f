"""The dashboard's and the scorecard's Altair charts. Each takes plain rows and returns a chart;
none draws more marks than it has rows, and the pages never pass more than a district's units
(wider views are grouped first)."""

from __future__ import annotations

import datetime as dt

import altair as alt

from cchc.core.workflow import deadlines
from cchc.services.results import CLASSES

CLASS_COLOURS = {"Tốt": "#2e7d32", "Khá": "#1565c0", "Trung bình": "#ef6c00", "Yếu": "#c62828"}
STATE_COLOURS = {"Chưa bắt đầu": "#bdbdbd", "Đang tự đánh giá": "#f9a825", "Đã nộp": "#66bb6a",
                 "Đang thẩm định vòng 1": "#42a5f5", "Đang giải trình": "#ab47bc", "Đang thẩm định vòng 2": "#1e88e5",
                 "Đã thẩm định xong": "#2e7d32", "Đã phê duyệt": "#1b5e20", "Đã công bố": "#004d40"}
LABELS = alt.Axis(labelLimit=240)
CLASS_SCALE = alt.Scale(domain=list(CLASSES), range=[CLASS_COLOURS[c] for c in CLASSES])


def _data(rows: list[dict]) -> alt.Data:
    return alt.Data(values=rows)


def timeline(period: dict, today: dt.date) -> alt.Chart:
    """The period's deadlines on a line, the survey window as a band, today as a red rule."""
    marks = [{"Mốc": d.label, "Ngày": d.date.isoformat(), "Đã qua": d.date < today, "Hiện": f"{d.date:%d/%m}"}
             for d in deadlines(period)]
    x = alt.X("Ngày:T", title=None, axis=alt.Axis(format="%d/%m", labelAngle=0, grid=False))
    points = alt.Chart(_data(marks)).mark_point(size=120, filled=True).encode(
        x=x, color=alt.Color("Đã qua:N", scale=alt.Scale(domain=[True, False], range=["#9e9e9e", "#1565c0"]), legend=None),
        tooltip=["Mốc:N", alt.Tooltip("Ngày:T", format="%d/%m/%Y")])
    labels = alt.Chart(_data(marks)).mark_text(dy=-14, fontSize=11).encode(x=x, text="Hiện:N")
    layers = [points, labels]
    if period.get("survey_opens") and period.get("survey_closes"):
        band = [{"Từ": period["survey_opens"].isoformat(), "Đến": period["survey_closes"].isoformat(),
                 "Mốc": "Thời gian khảo sát"}]
        layers.insert(0, alt.Chart(_data(band)).mark_rect(opacity=0.15, color="#1565c0").encode(
            x="Từ:T", x2="Đến:T", tooltip=["Mốc:N"]))
    layers.append(alt.Chart(_data([{"Ngày": today.isoformat(), "Mốc": "Hôm nay"}])).mark_rule(
        color="#c62828", strokeWidth=2).encode(x="Ngày:T", tooltip=["Mốc:N", alt.Tooltip("Ngày:T", format="%d/%m/%Y")]))
    return alt.layer(*layers).properties(height=70)


def states(rows: list[dict]) -> alt.Chart:
    """How many units are in each state."""
    present = [s for s in STATE_COLOURS if any(r["Trạng thái"] == s for r in rows)]
    counts = [{"Trạng thái": s, "Số đơn vị": sum(1 for r in rows if r["Trạng thái"] == s)} for s in present]
    return alt.Chart(_data(counts)).mark_bar().encode(
        x=alt.X("Số đơn vị:Q", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("Trạng thái:N", sort=present, title=None, axis=LABELS),
        color=alt.Color("Trạng thái:N", scale=alt.Scale(domain=present, range=[STATE_COLOURS[s] for s in present]), legend=None),
        tooltip=["Trạng thái:N", "Số đơn vị:Q"],
    ).properties(height=alt.Step(30))


def ranking(rows: list[dict]) -> alt.Chart:
    """Units by index, best first, coloured by class (rows: Đơn vị, Chỉ số, Xếp loại, Hạng)."""
    return alt.Chart(_data(rows)).mark_bar().encode(
        x=alt.X("Chỉ số:Q", title="Chỉ số (%)", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("Đơn vị:N", sort=alt.EncodingSortField("Chỉ số", order="descending"), title=None, axis=LABELS),
        color=alt.Color("Xếp loại:N", scale=CLASS_SCALE, legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["Hạng:Q", "Đơn vị:N", alt.Tooltip("Chỉ số:Q", format=".2f"), "Xếp loại:N"],
    ).properties(height=alt.Step(22))


def class_mix(rows: list[dict], group: str) -> alt.Chart:
    """Grouped view (many units): how many units of each class per group."""
    return alt.Chart(_data(rows)).mark_bar().encode(
        x=alt.X("Số đơn vị:Q", stack="normalize", title="Tỷ lệ đơn vị", axis=alt.Axis(format="%")),
        y=alt.Y(f"{group}:N", title=None, sort=alt.EncodingSortField("Chỉ số bình quân", order="descending"), axis=LABELS),
        color=alt.Color("Xếp loại:N", scale=CLASS_SCALE, legend=alt.Legend(orient="bottom", title=None)),
        order=alt.Order("Thứ tự:Q"),
        tooltip=[f"{group}:N", "Xếp loại:N", "Số đơn vị:Q", alt.Tooltip("Chỉ số bình quân:Q", format=".2f")],
    ).properties(height=alt.Step(22))


def heatmap(rows: list[dict], order: list[str]) -> alt.Chart:
    """Sub-index (%) of each field for each unit (rows: Đơn vị, Lĩnh vực, Tên lĩnh vực, Chỉ số)."""
    base = alt.Chart(_data(rows)).encode(
        x=alt.X("Lĩnh vực:N", title="Lĩnh vực", sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("Đơn vị:N", sort=order, title=None, axis=LABELS))
    cells = base.mark_rect().encode(
        color=alt.Color("Chỉ số:Q", title="Chỉ số thành phần (%)", scale=alt.Scale(domain=[0, 100], scheme="redyellowgreen")),
        tooltip=["Đơn vị:N", "Tên lĩnh vực:N", alt.Tooltip("Chỉ số:Q", format=".1f")])
    text = base.mark_text(fontSize=10).encode(text=alt.Text("Chỉ số:Q", format=".0f"))
    return (cells + text).properties(height=alt.Step(22))


def gaps(rows: list[dict]) -> alt.Chart:
    """Self-assessed minus appraised points per unit: who over-scores (rows: Đơn vị, Chênh lệch)."""
    return alt.Chart(_data(rows)).mark_bar().encode(
        x=alt.X("Chênh lệch:Q", title="Điểm tự chấm − điểm thẩm định"),
        y=alt.Y("Đơn vị:N", sort=alt.EncodingSortField("Chênh lệch", order="descending"), title=None, axis=LABELS),
        color=alt.condition(alt.datum["Chênh lệch"] > 0, alt.value("#c62828"), alt.value("#2e7d32")),
        tooltip=["Đơn vị:N", alt.Tooltip("Tự chấm:Q", format=".2f"), alt.Tooltip("Thẩm định:Q", format=".2f"),
                 alt.Tooltip("Chênh lệch:Q", format=".2f")],
    ).properties(height=alt.Step(22))


def satisfaction(rows: list[dict]) -> alt.Chart:
    """Satisfaction (%) per SIPAS element (rows: Yếu tố, Tỷ lệ hài lòng, Số phiếu)."""
    bars = alt.Chart(_data(rows)).mark_bar(color="#1565c0").encode(
        x=alt.X("Tỷ lệ hài lòng:Q", title="Tỷ lệ hài lòng (%)", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("Yếu tố:N", sort=None, title=None, axis=LABELS),
        tooltip=["Yếu tố:N", alt.Tooltip("Tỷ lệ hài lòng:Q", format=".2f"), "Số phiếu:Q"])
    text = bars.mark_text(align="left", dx=3).encode(text=alt.Text("Tỷ lệ hài lòng:Q", format=".1f"))
    return (bars + text).properties(height=alt.Step(30))


def fields_vs_average(rows: list[dict]) -> alt.Chart:
    """A unit's sub-index per field next to the district average (rows: Lĩnh vực, Của đơn vị, Bình quân)."""
    long = [{"Lĩnh vực": r["Lĩnh vực"], "Chỉ số": r[k], "Loại": k} for r in rows for k in ("Của đơn vị", "Bình quân huyện")
            if r[k] is not None]
    return alt.Chart(_data(long)).mark_bar().encode(
        y=alt.Y("Lĩnh vực:N", sort=None, title=None, axis=alt.Axis(labelLimit=360)),
        x=alt.X("Chỉ số:Q", title="Chỉ số thành phần (%)", scale=alt.Scale(domain=[0, 100])),
        yOffset="Loại:N",
        color=alt.Color("Loại:N", scale=alt.Scale(domain=["Của đơn vị", "Bình quân huyện"], range=["#1565c0", "#bdbdbd"]),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["Lĩnh vực:N", "Loại:N", alt.Tooltip("Chỉ số:Q", format=".2f")],
    ).properties(height=alt.Step(16))
