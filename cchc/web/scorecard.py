"""Showing a scorecard (cchc.services.results.Scorecard) and two periods side by side. A unit
with no scores yet shows no figures (no index, rank or class), never a 0 that reads as the worst
result; provisional figures say how provisional they are."""

from __future__ import annotations

from html import escape

import streamlit as st

from cchc.core.text import fmt_points
from cchc.core.workflow import STATES
from cchc.services.results import Scorecard
from cchc.web import charts, tables

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ------------------------------------------------------------------ print (A4, cchc/web/static/app.css)


def _issuer_and_place() -> tuple[str, str]:
    """«UBND HUYỆN HƯƠNG SƠN» and «Hương Sơn», from the district this installation serves."""
    from cchc.services.seed import district_config

    name = district_config()["district"]["name"]
    place = name.partition(" ")[2]
    return f"UBND {name}".upper(), place or name


def print_header(title: str, subtitle: str = "", day=None) -> None:
    """The header block of a printed page (hidden on screen): the issuing body, the national motto,
    the place and date, the title. The page's own title and widgets are hidden in print."""
    issuer, place = _issuer_and_place()
    when = f"{place}, ngày {day:%d} tháng {day:%m} năm {day:%Y}" if day else ""
    with st.container(key="in_tieu_de"):
        st.html(f"""<div class="cchc-ph">
<div class="cchc-ph-row">
<div class="cchc-ph-left"><div class="cchc-ph-org">{escape(issuer)}</div><div class="cchc-ph-rule"></div></div>
<div class="cchc-ph-right"><div class="cchc-ph-motto">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div>
<div class="cchc-ph-motto2">Độc lập - Tự do - Hạnh phúc</div><div class="cchc-ph-rule cchc-ph-rule-wide"></div>
<div class="cchc-ph-date">{escape(when)}</div></div>
</div>
<div class="cchc-ph-title">{escape(title)}</div>
{f'<div class="cchc-ph-subtitle">{escape(subtitle)}</div>' if subtitle else ''}
</div>""")


def print_table(rows: list[dict], places: int = 2, kind: str = "") -> None:
    """A plain HTML copy of a table, shown only in print: the grid of st.dataframe is a canvas
    that prints only what is scrolled into view and cannot keep a row from being cut."""
    if not rows:
        return
    st.html(f'<div class="cchc-print-table{f" cchc-print-{kind}" if kind else ""}">'
            f"{tables.plain_html(rows, places=places)}</div>")


def print_ranking(rows: list[dict], fields: list, by_field: dict) -> None:
    """The published ranking for print, narrow enough for A4 portrait: each field's sub-index
    under its number, the field titles listed below."""
    data = []
    for r in rows:
        row = {"Hạng": r["rank"], "Đơn vị": r["unit_name"], "Chỉ số (%)": r["index"], "Xếp loại": r["class"] or "",
               "Tự đánh giá": r["self_points"], "Thẩm định": r["appraised_points"], "Khảo sát": r["survey_points"],
               "Thưởng": r["bonus"], "Trừ": r["penalty"]}
        for code, _ in fields:
            f = by_field.get(r["unit_code"], {}).get(code)
            row[f"LV {code} (%)"] = f["sub_index"] if f else None
        data.append(row)
    print_table(data, kind="ranking")
    if fields:
        st.html('<div class="cchc-print-only cchc-print-note">Chỉ số thành phần theo lĩnh vực (LV): '
                + escape(" · ".join(f"{code}. {title}" for code, title in fields)) + ".</div>")


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
    by_field = [{"Lĩnh vực": f"{f['code']}. {f['title']}", "Điểm": f["points"], "Tối đa": f["max"],
                 "Chỉ số (%)": f["sub_index"], "Bình quân huyện (%)": f["average"]} for f in card.fields]
    tables.plain(by_field)
    st.markdown("**Mất điểm nhiều nhất (cần khắc phục)**")
    if card.shortcomings:
        lost = [{"Mã": x["code"], "Tiêu chí": x["title"], "Đạt": x["points"], "Tối đa": x["max"], "Mất": x["lost"]}
                for x in card.shortcomings]
        tables.plain(lost)
    else:
        st.caption("Chưa có tiêu chí nào đã chấm mà mất điểm." if card.scored < card.scorable
                   else "Không mất điểm ở tiêu chí nào.")
    st.markdown("**Đạt điểm tối đa (điểm mạnh)**")
    if card.strengths:
        strong = [{"Mã": x["code"], "Tiêu chí": x["title"], "Điểm": x["points"]} for x in card.strengths]
        tables.plain(strong)
    else:
        st.caption("Chưa có tiêu chí nào đạt điểm tối đa.")


def _float(value):
    return None if value is None else float(value)


def compare(a: Scorecard, b: Scorecard) -> None:
    """Two periods of one unit side by side: headline figures and each field's sub-index."""
    first, second = sorted((a, b), key=lambda c: c.year)

    def field(card: Scorecard, code: str) -> str:
        return _pct(next((f["sub_index"] for f in card.fields if f["code"] == code), None))

    rows = ([{"": label, f"Năm {first.year}": fmt(first), f"Năm {second.year}": fmt(second)} for label, fmt in (
        ("Chỉ số (%)", lambda c: _pct(c.row["index"])),
        ("Xếp hạng", lambda c: _rank(c.row, c.units_ranked)),
        ("Xếp loại", lambda c: c.row["class"] or "—"),
        ("Điểm tự chấm", lambda c: fmt_points(c.row["self_points"])),
        ("Điểm khảo sát", lambda c: fmt_points(c.row["survey_points"])),
    )] + [{"": f"Lĩnh vực {code}", f"Năm {first.year}": field(first, code), f"Năm {second.year}": field(second, code)}
            for code in sorted({f["code"] for f in first.fields + second.fields}, key=int)])
    tables.show(rows)
    print_table(rows)
