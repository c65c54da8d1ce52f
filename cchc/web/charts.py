"""The dashboard's and the scorecard's charts, as Vega-Lite specifications: plain dicts for
st.vega_lite_chart, so nothing is built and validated twice on every rerun (Altair did, tens of
milliseconds a chart). Each takes plain rows and returns a spec; none draws more marks than it has
rows, and the pages never pass more than a district's units (wider views are grouped first).

Every chart reads the Vietnamese way: its locale puts a decimal comma and a dot between thousands
in axes, labels and tooltips (74,6 · 1.234), dates are dd/mm. Charts are drawn as SVG, so what a
chart says is text in the page (the browser tests read it). A chart of units lets a click on a
unit's mark select it (UNIT_PICK, by its code "Mã"): the page then opens that unit's scorecard."""

from __future__ import annotations

import datetime as dt

from cchc.core.workflow import deadlines
from cchc.services.results import CLASSES

CLASS_COLOURS = {"Tốt": "#2e7d32", "Khá": "#1565c0", "Trung bình": "#ef6c00", "Yếu": "#c62828"}
STATE_COLOURS = {"Chưa bắt đầu": "#bdbdbd", "Đang tự đánh giá": "#f9a825", "Đã nộp": "#66bb6a",
                 "Đang thẩm định vòng 1": "#42a5f5", "Đang giải trình": "#ab47bc", "Đang thẩm định vòng 2": "#1e88e5",
                 "Đã thẩm định xong": "#2e7d32", "Đã phê duyệt": "#1b5e20", "Đã công bố": "#004d40"}
NO_DATA_COLOUR = "#eeeeee"
#: How final a unit's figures are (the ranking draws provisional ones fainter).
FINAL, SUBMITTED, DRAFTING = "Chính thức", "Tạm tính: chưa thẩm định xong", "Tạm tính: đang tự đánh giá"
CERTAINTY = {FINAL: 1.0, SUBMITTED: 0.7, DRAFTING: 0.4}
UNIT_PICK = "chon_don_vi"

LOCALE = {
    "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]},
    "time": {"dateTime": "%A, %d/%m/%Y, %X", "date": "%d/%m/%Y", "time": "%H:%M:%S", "periods": ["SA", "CH"],
             "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
             "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
             "months": [f"tháng {m}" for m in range(1, 13)], "shortMonths": [f"Th{m}" for m in range(1, 13)]},
}
LABELS = {"labelLimit": 260}


def _spec(layer_or_mark: dict, **spec) -> dict:
    # aria off: Vega would describe every axis and mark in English («X-axis for a linear scale…»);
    # the page gives each chart a Vietnamese text alternative instead (st.vega_lite_chart alt=)
    return {**layer_or_mark, **spec, "config": {"locale": LOCALE, "aria": False},
            "usermeta": {"embedOptions": {"renderer": "svg"}}}


def _data(rows: list[dict]) -> dict:
    return {"values": rows}


def _pick() -> dict:
    """A click on a unit's mark selects the unit (the page reads the selection UNIT_PICK)."""
    return {"name": UNIT_PICK, "select": {"type": "point", "fields": ["Mã"], "on": "click"}}


def picked(event) -> str | None:
    """The unit code a click selected on a chart drawn with on_select (None: nothing selected)."""
    chosen = (event or {}).get("selection", {}).get(UNIT_PICK) or []
    return next((str(p["Mã"]) for p in chosen if isinstance(p, dict) and p.get("Mã") is not None), None)


def _when(day: dt.date, days: int) -> dict:
    """`days` after `day` as a Vega-Lite date-time (a scale domain must not be text)."""
    d = day + dt.timedelta(days=days)
    return {"year": d.year, "month": d.month, "date": d.day}


def timeline(period: dict, today: dt.date) -> dict:
    """The period's steps, one row each with its name and date written out, in date order; the
    survey window as a bar; today as a red rule. Names are on the axis, not only on hover, and the
    dates have room on the right, so nothing overlaps or is cut off."""
    steps = [{"Mốc": d.label, "Ngày": d.date.isoformat(), "Từ": d.date.isoformat(), "Hiện": f"{d.date:%d/%m/%Y}",
              "Trạng thái": "Đã qua" if d.date < today else "Sắp tới"} for d in deadlines(period)]
    upcoming = next((s for s in steps if s["Trạng thái"] == "Sắp tới"), None)
    if upcoming:
        upcoming["Trạng thái"] = "Mốc tiếp theo"
    band = []
    opens, closes = period.get("survey_opens"), period.get("survey_closes")
    if opens and closes:
        band = [{"Mốc": "Khảo sát sự hài lòng", "Từ": opens.isoformat(), "Đến": closes.isoformat(),
                 "Ngày": closes.isoformat(), "Hiện": f"{opens:%d/%m} – {closes:%d/%m/%Y}"}]
    rows = sorted(steps + band, key=lambda r: r["Từ"])
    if not rows:
        rows = [{"Mốc": "Hôm nay", "Từ": today.isoformat(), "Ngày": today.isoformat(), "Hiện": f"{today:%d/%m/%Y}",
                 "Trạng thái": "Sắp tới"}]
    first = min([dt.date.fromisoformat(r["Từ"]) for r in rows] + [today])
    last = max([dt.date.fromisoformat(r["Ngày"]) for r in rows] + [today])
    span = max((last - first).days, 10)
    x = {"field": "Ngày", "type": "temporal", "title": None,
         "axis": {"format": "%d/%m", "labelAngle": 0, "grid": True, "tickCount": 8}}
    # the layers share one scale: its domain is given once, with room for the last date's label
    scaled = dict(x, scale={"domain": [_when(first, -max(2, span // 30)), _when(last, max(8, span // 4))]})
    y = {"field": "Mốc", "type": "nominal", "title": None, "sort": [r["Mốc"] for r in rows],
         "axis": {"labelLimit": 320, "labelFontSize": 12}}
    layers = []
    if band:
        layers.append({"name": "khao_sat", "data": _data(band),
                       "mark": {"type": "bar", "height": 10, "color": "#1565c0", "opacity": 0.35, "cornerRadius": 3},
                       "encoding": {"x": dict(x, field="Từ"), "x2": {"field": "Đến"}, "y": y,
                                    "tooltip": [{"field": "Mốc"}, {"field": "Hiện", "title": "Thời gian"}]}})
    layers += [
        {"name": "moc", "data": _data(steps), "mark": {"type": "point", "filled": True, "size": 110},
         "encoding": {"x": scaled, "y": y,
                      "color": {"field": "Trạng thái", "type": "nominal", "legend": None,
                                "scale": {"domain": ["Đã qua", "Mốc tiếp theo", "Sắp tới"],
                                          "range": ["#9e9e9e", "#ef6c00", "#1565c0"]}},
                      "tooltip": [{"field": "Mốc"}, {"field": "Hiện", "title": "Ngày"}, {"field": "Trạng thái"}]}},
        {"name": "ngay", "data": _data(rows), "mark": {"type": "text", "align": "left", "dx": 9, "fontSize": 12},
         "encoding": {"x": x, "y": y, "text": {"field": "Hiện"}}},
        {"data": _data([{"Ngày": today.isoformat(), "Hiện": f"Hôm nay {today:%d/%m/%Y}"}]),
         "mark": {"type": "rule", "color": "#c62828", "strokeWidth": 2},
         "encoding": {"x": x, "tooltip": [{"field": "Hiện", "title": "Hôm nay"}]}},
        {"data": _data([{"Ngày": today.isoformat(), "Hiện": "Hôm nay"}]),
         "mark": {"type": "text", "color": "#c62828", "baseline": "bottom", "dy": -4, "fontWeight": "bold"},
         "encoding": {"x": x, "y": {"value": 0}, "text": {"field": "Hiện"}}},
    ]
    return _spec({"layer": layers}, height={"step": 28}, padding={"top": 18, "right": 8})


def states(rows: list[dict]) -> dict:
    """How many units are in each state (rows: one per unit, with "Trạng thái"). The axis ends at
    the largest count, with whole numbers only, and each bar is labelled with its count."""
    present = [s for s in STATE_COLOURS if any(r["Trạng thái"] == s for r in rows)]
    counts = [{"Trạng thái": s, "Số đơn vị": sum(1 for r in rows if r["Trạng thái"] == s)} for s in present]
    top = max([c["Số đơn vị"] for c in counts] + [1])
    step = 1 if top <= 10 else 5 if top <= 50 else 10 ** (len(str(top)) - 1)
    x = {"field": "Số đơn vị", "type": "quantitative", "title": "Số đơn vị",
         "scale": {"domain": [0, top], "nice": False},
         "axis": {"values": list(range(0, top + 1, step)), "format": "d"}}
    y = {"field": "Trạng thái", "type": "nominal", "sort": present, "title": None, "axis": LABELS}
    return _spec({"layer": [
        {"name": "trang_thai", "mark": {"type": "bar"}, "encoding": {
            "x": x, "y": y, "tooltip": [{"field": "Trạng thái"}, {"field": "Số đơn vị", "type": "quantitative"}],
            "color": {"field": "Trạng thái", "type": "nominal", "legend": None,
                      "scale": {"domain": present, "range": [STATE_COLOURS[s] for s in present]}}}},
        {"mark": {"type": "text", "align": "right", "dx": -4, "color": "#212121", "fontWeight": "bold"},
         "encoding": {"x": x, "y": y, "text": {"field": "Số đơn vị", "type": "quantitative"}}},
    ]}, data=_data(counts), height={"step": 30})


def ranking(rows: list[dict]) -> dict:
    """The units with an index, best first, coloured by class, fainter while provisional, each bar
    labelled with its index; a click opens the unit (rows: Mã, Đơn vị, Chỉ số, Xếp loại, Hạng,
    Số liệu — FINAL, SUBMITTED or DRAFTING)."""
    labelled = [dict(r, Nhãn=f"{r['Hạng']}. {r['Đơn vị']}") for r in rows]
    present = [c for c in CERTAINTY if any(r["Số liệu"] == c for r in rows)]
    y = {"field": "Nhãn", "type": "nominal", "title": None, "axis": LABELS,
         "sort": [r["Nhãn"] for r in sorted(labelled, key=lambda r: (-r["Chỉ số"], r["Hạng"]))]}
    x = {"field": "Chỉ số", "type": "quantitative", "title": "Chỉ số (%)", "scale": {"domain": [0, 100]}}
    return _spec({"layer": [
        {"name": "thanh", "mark": {"type": "bar", "cursor": "pointer"}, "params": [_pick()], "encoding": {
            "x": x, "y": y,
            "color": {"field": "Xếp loại", "type": "nominal", "title": "Xếp loại",
                      "scale": {"domain": list(CLASSES), "range": [CLASS_COLOURS[c] for c in CLASSES]},
                      "legend": {"orient": "bottom"}},
            "opacity": {"field": "Số liệu", "type": "ordinal", "title": "Số liệu", "sort": present,
                        "scale": {"domain": present, "range": [CERTAINTY[c] for c in present]},
                        "legend": {"orient": "bottom", "symbolType": "square", "labelLimit": 320}},
            "tooltip": [{"field": "Hạng", "type": "quantitative"}, {"field": "Đơn vị"},
                        {"field": "Chỉ số", "type": "quantitative", "format": ".2f", "title": "Chỉ số (%)"},
                        {"field": "Xếp loại"}, {"field": "Số liệu"}]}},
        {"name": "chi_so", "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 11},
         "encoding": {"x": x, "y": y, "text": {"field": "Chỉ số", "type": "quantitative", "format": ".2f"}}},
    ]}, data=_data(labelled), height={"step": 22})


def class_mix(rows: list[dict], group: str) -> dict:
    """Grouped view (many units): how many units of each class per group."""
    return _spec({"mark": {"type": "bar"}, "encoding": {
        "x": {"field": "Số đơn vị", "type": "quantitative", "stack": "normalize", "title": "Tỷ lệ đơn vị",
              "axis": {"format": "%"}},
        "y": {"field": group, "type": "nominal", "title": None, "axis": LABELS,
              "sort": {"field": "Chỉ số bình quân", "order": "descending"}},
        "color": {"field": "Xếp loại", "type": "nominal", "title": None, "legend": {"orient": "bottom"},
                  "scale": {"domain": list(CLASSES), "range": [CLASS_COLOURS[c] for c in CLASSES]}},
        "order": {"field": "Thứ tự", "type": "quantitative"},
        "tooltip": [{"field": group}, {"field": "Xếp loại"}, {"field": "Số đơn vị", "type": "quantitative"},
                    {"field": "Chỉ số bình quân", "type": "quantitative", "format": ".2f"}]}},
        data=_data(rows), height={"step": 22})


def heatmap(rows: list[dict], order: list[str], fields: list[str]) -> dict:
    """Sub-index (%) of each field for each unit (rows: Mã, Đơn vị, Lĩnh vực, Tên lĩnh vực, Chỉ số
    — None where the unit has no data in the field: a grey cell with «—», never a red 0). A click
    on a cell opens the unit."""
    cells = [dict(r, Nhãn="—" if r["Chỉ số"] is None else f"{r['Chỉ số']:.0f}",
                  Hiện="chưa có số liệu" if r["Chỉ số"] is None else f"{r['Chỉ số']:.2f}%".replace(".", ","))
             for r in rows]
    x = {"field": "Lĩnh vực", "type": "nominal", "title": "Lĩnh vực", "sort": fields, "axis": {"labelAngle": 0}}
    y = {"field": "Đơn vị", "type": "nominal", "sort": order, "title": None, "axis": LABELS}
    tooltip = [{"field": "Đơn vị"}, {"field": "Tên lĩnh vực", "title": "Lĩnh vực"},
               {"field": "Hiện", "title": "Chỉ số thành phần"}]
    has_data, no_data = "datum['Chỉ số'] != null", "datum['Chỉ số'] == null"
    return _spec({"layer": [
        {"name": "khong_so_lieu", "transform": [{"filter": no_data}], "mark": {"type": "rect", "color": NO_DATA_COLOUR},
         "encoding": {"x": x, "y": y}},
        {"transform": [{"filter": has_data}], "mark": {"type": "rect"},
         "encoding": {"x": x, "y": y,
                      "color": {"field": "Chỉ số", "type": "quantitative", "title": "Chỉ số thành phần (%)",
                                "scale": {"domain": [0, 100], "scheme": "redyellowgreen"}}}},
        {"name": "nhan", "mark": {"type": "text", "fontSize": 10}, "encoding": {
            "x": x, "y": y, "text": {"field": "Nhãn"},
            "color": {"condition": {"test": no_data, "value": "#757575"}, "value": "#212121"}}},
        # on top of every cell, with or without data: the tooltip and the click
        {"name": "o_bam", "mark": {"type": "rect", "opacity": 0.001, "cursor": "pointer"}, "params": [_pick()],
         "encoding": {"x": x, "y": y, "tooltip": tooltip}},
    ]}, data=_data(cells), height={"step": 22})


def gaps(rows: list[dict]) -> dict:
    """Self-assessed minus appraised points per unit: who over-scores (rows: Mã, Đơn vị, Tự chấm,
    Thẩm định, Chênh lệch). A click opens the unit."""
    return _spec({"mark": {"type": "bar", "cursor": "pointer"}, "params": [_pick()], "encoding": {
        "x": {"field": "Chênh lệch", "type": "quantitative", "title": "Điểm tự chấm − điểm thẩm định"},
        "y": {"field": "Đơn vị", "type": "nominal", "title": None, "axis": LABELS,
              "sort": {"field": "Chênh lệch", "order": "descending"}},
        "color": {"condition": {"test": "datum['Chênh lệch'] > 0", "value": "#c62828"}, "value": "#2e7d32"},
        "tooltip": [{"field": "Đơn vị"}, {"field": "Tự chấm", "type": "quantitative", "format": ".2f"},
                    {"field": "Thẩm định", "type": "quantitative", "format": ".2f"},
                    {"field": "Chênh lệch", "type": "quantitative", "format": ".2f"}]}},
        data=_data(rows), height={"step": 22})


def satisfaction(rows: list[dict]) -> dict:
    """Satisfaction (%) per SIPAS element (rows: Yếu tố, Tỷ lệ hài lòng, Số phiếu)."""
    x = {"field": "Tỷ lệ hài lòng", "type": "quantitative", "title": "Tỷ lệ hài lòng (%)", "scale": {"domain": [0, 100]}}
    y = {"field": "Yếu tố", "type": "nominal", "sort": None, "title": None, "axis": LABELS}
    return _spec({"layer": [
        {"mark": {"type": "bar", "color": "#1565c0"}, "encoding": {
            "x": x, "y": y, "tooltip": [{"field": "Yếu tố"},
                                        {"field": "Tỷ lệ hài lòng", "type": "quantitative", "format": ".2f"},
                                        {"field": "Số phiếu", "type": "quantitative", "format": ",d"}]}},
        {"mark": {"type": "text", "align": "left", "dx": 3},
         "encoding": {"x": x, "y": y, "text": {"field": "Tỷ lệ hài lòng", "type": "quantitative", "format": ".1f"}}},
    ]}, data=_data(rows), height={"step": 30})


def fields_vs_average(rows: list[dict]) -> dict:
    """A unit's sub-index per field next to the district average (rows: Lĩnh vực, Của đơn vị,
    Bình quân huyện; None where there is no figure: no bar)."""
    long = [{"Lĩnh vực": r["Lĩnh vực"], "Chỉ số": r[k], "Loại": k} for r in rows for k in ("Của đơn vị", "Bình quân huyện")
            if r[k] is not None]
    return _spec({"mark": {"type": "bar"}, "encoding": {
        "y": {"field": "Lĩnh vực", "type": "nominal", "sort": [r["Lĩnh vực"] for r in rows], "title": None,
              "axis": {"labelLimit": 360}},
        "x": {"field": "Chỉ số", "type": "quantitative", "title": "Chỉ số thành phần (%)", "scale": {"domain": [0, 100]}},
        "yOffset": {"field": "Loại", "type": "nominal", "sort": ["Của đơn vị", "Bình quân huyện"]},
        "color": {"field": "Loại", "type": "nominal", "title": None, "legend": {"orient": "bottom"},
                  "scale": {"domain": ["Của đơn vị", "Bình quân huyện"], "range": ["#1565c0", "#bdbdbd"]}},
        "tooltip": [{"field": "Lĩnh vực"}, {"field": "Loại"},
                    {"field": "Chỉ số", "type": "quantitative", "format": ".2f", "title": "Chỉ số (%)"}]}},
        data=_data(long), height={"step": 16})
