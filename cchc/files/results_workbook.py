"""Official results reports (.xlsx), pure: the district results table that annexes the approval
decision, the field sub-index table, and one unit's detail. Times New Roman, official header
block, frozen header row, A4 landscape, header repeated on every printed page.

Workbooks are written in openpyxl's write-only mode (streamed, so 10,599 rows stay fast and
small in memory). Write-only sheets cannot merge cells, so titles are centred across the table
with "center across selection" (Excel's own alternative to merging, also read by LibreOffice)."""

from __future__ import annotations

import io
from copy import copy
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

FONT = "Times New Roman"
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="E8E8E8")
ACROSS = Alignment(horizontal="centerContinuous", vertical="center")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
POINTS = "0.00"


class _Sheet:
    """A write-only sheet with the house styles; styles are made once, cells by the row."""

    def __init__(self, wb: Workbook, title: str, widths: list[int], header_row: int):
        self.ws = wb.create_sheet(title)
        # A write-only sheet writes its view before the first row: freeze and print titles now.
        self.ws.freeze_panes = f"A{header_row + 1}"
        self.ws.print_title_rows = f"{header_row}:{header_row}"
        self.ws.row_dimensions[header_row].height = 64       # two or three lines of a wrapped header
        self.width = len(widths)
        for i, w in enumerate(widths, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = w
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.paperSize = "9"          # A4
        self.ws.page_setup.fitToWidth, self.ws.page_setup.fitToHeight = 1, 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.print_options.horizontalCentered = True
        self.ws.page_margins.left = self.ws.page_margins.right = 0.5
        self.rows = 0
        self.styles: dict[tuple, object] = {}
        self.fonts = {k: Font(name=FONT, size=12, **v) for k, v in
                      {"n": {}, "b": {"bold": True}, "i": {"italic": True}, "t": {"bold": True},
                       "u": {"bold": True, "underline": "single"}}.items()}
        self.fonts["t"] = Font(name=FONT, size=14, bold=True)

    def cell(self, value, font="n", align=None, box=False, fmt=None, fill=None) -> WriteOnlyCell:
        c = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str) and value.startswith("="):
            c.data_type = "s"                       # text is never a formula
        # Registering a style with the workbook is the slow part of writing a cell; each
        # combination is registered once and later cells reuse its style ids.
        key = (font, id(align), box, fmt, id(fill))
        style = self.styles.get(key)
        if style is None:
            c.font = self.fonts[font]
            if align is not None:
                c.alignment = align
            if box:
                c.border = BOX
            if fmt:
                c.number_format = fmt
            if fill is not None:
                c.fill = fill
            self.styles[key] = copy(c._style)
        else:
            c._style = copy(style)
        return c

    def append(self, cells: list) -> None:
        self.ws.append(cells)
        self.rows += 1

    def template(self, *styles: dict) -> list[WriteOnlyCell]:
        """One styled cell per column, for table rows written with `append_values`."""
        return [self.cell(None, **style) for style in styles]

    def append_values(self, cells: list[WriteOnlyCell], values) -> None:
        """A row of `values` in the template's styles. A write-only sheet writes a row out when it
        is appended, so the same cells serve every row (making and styling a cell per value was
        most of the time of a 10,599-unit report)."""
        for c, value in zip(cells, values):
            c.value = value
            if isinstance(value, str) and value.startswith("="):
                c.data_type = "s"                   # text is never a formula
        self.append(cells)

    def across(self, text: str, font="n", first: int = 1, span: int | None = None) -> list:
        """A title centred across `span` columns from `first` (no merged cells)."""
        span = span or self.width
        return [None] * (first - 1) + [self.cell(text, font, ACROSS)] + [self.cell(None, font, ACROSS) for _ in range(span - 1)]

    @staticmethod
    def header_rows(subtitle: list[str]) -> int:
        """Rows taken by header_block: authority, motto, place and date, blank, title, subtitles, blank."""
        return 6 + len(subtitle)

    def header_block(self, authority: str, place_line: str, title: str, subtitle: list[str]) -> None:
        left = max(2, self.width // 3)
        self.append(self.across(authority.upper(), "b", 1, left) + self.across("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "b", 1, self.width - left))
        self.append(self.across("", "n", 1, left) + self.across("Độc lập - Tự do - Hạnh phúc", "u", 1, self.width - left))
        self.append([None] * left + self.across(place_line, "i", 1, self.width - left))
        self.append([])
        self.append(self.across(title, "t"))
        for line in subtitle:
            self.append(self.across(line, "i"))
        self.append([])

    def table_header(self, headers: list[str]) -> None:
        self.append([self.cell(h, "b", CENTRE, True, fill=HEAD_FILL) for h in headers])


def _points(value) -> float | None:
    return None if value is None else float(Decimal(str(value)).quantize(Decimal("0.01")))


def _finish(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def results_workbook(res, authority: str, place: str, decision: str = "") -> bytes:
    """The results table and the field sub-index table of a period (`res`: services.results.Results)."""
    year = res.year
    wb = Workbook(write_only=True)
    subtitle = [f"(Kèm theo {decision})" if decision else "(Kèm theo Quyết định số …/QĐ-UBND ngày … của UBND huyện)"]
    if res.provisional:
        subtitle.append("SỐ LIỆU TẠM TÍNH — chưa thẩm định xong, chưa phê duyệt")
    place_line = f"{place}, ngày … tháng … năm {year}"

    head = _Sheet.header_rows(subtitle) + 1
    sheet = _Sheet(wb, "Kết quả", [6, 30, 12, 12, 12, 12, 12, 8, 12], head)
    sheet.header_block(authority, place_line,
                       f"KẾT QUẢ XÁC ĐỊNH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year} CỦA UBND CÁC XÃ, THỊ TRẤN", subtitle)
    sheet.table_header(["STT", "Đơn vị", "Điểm tự đánh giá", "Điểm thẩm định", "Điểm khảo sát, điều tra",
                        "Tổng điểm", "Chỉ số (%)", "Xếp hạng", "Xếp loại"])
    centre, left, points = dict(align=CENTRE, box=True), dict(align=LEFT, box=True), dict(box=True, fmt=POINTS)
    cells = sheet.template(centre, left, points, points, points, points, points, centre, centre)
    for i, r in enumerate(res.rows, 1):
        sheet.append_values(cells, (i, r["unit_name"], _points(r["self_points"]), _points(r["appraised_points"]),
                                    _points(r["survey_points"]), _points(r["total_points"]), _points(r["index"]),
                                    r["rank"], r["class"] or ""))

    fields = res.fields
    sub = _Sheet(wb, "Chỉ số thành phần", [6, 30] + [11] * len(fields) + [11], head)
    sub.header_block(authority, place_line, f"CHỈ SỐ THÀNH PHẦN THEO LĨNH VỰC NĂM {year}", subtitle)
    sub.table_header(["STT", "Đơn vị"] + [f"{code}. {title}" for code, title in fields] + ["Chỉ số CCHC (%)"])
    cells = sub.template(centre, left, *[points] * len(fields), points)
    for i, r in enumerate(res.rows, 1):
        mine = res.by_field.get(r["unit_code"], {})
        sub.append_values(cells, (i, r["unit_name"], *(_points(mine.get(code, {}).get("sub_index")) for code, _ in fields),
                                  _points(r["index"])))
    if res.field_average:
        sub.append([sub.cell(None, box=True), sub.cell("Bình quân", "b", LEFT, True)]
                   + [sub.cell(_points(res.field_average.get(code, {}).get("sub_index")), "b", box=True, fmt=POINTS)
                      for code, _ in fields] + [sub.cell(None, box=True)])
    return _finish(wb)


def scorecard_workbook(card) -> bytes:
    """One unit's detail (`card`: services.results.Scorecard): figures, fields, lost points."""
    row = card.row
    wb = Workbook(write_only=True)
    district = row["district_name"] or ""
    place = district.split(" ", 1)[1] if district.startswith(("Huyện ", "Quận ", "Thị xã ", "Thành phố ")) else district
    subtitle = [f"Xếp hạng {row['rank']}/{card.units_ranked} — xếp loại {row['class'] or '—'}" if row["rank"] is not None
                else "Chưa có số liệu: đơn vị chưa chấm tiêu chí nào, chưa xếp hạng"]
    if not row["is_final"]:
        subtitle.append("SỐ LIỆU TẠM TÍNH — chưa thẩm định xong, chưa phê duyệt")
    figures = 8
    sheet = _Sheet(wb, "Phiếu điểm", [8, 50, 12, 12, 12, 14], _Sheet.header_rows(subtitle) + figures + 2)
    sheet.header_block(f"UBND {district}", f"{place}, ngày … tháng … năm {card.year}",
                       f"PHIẾU ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {card.year} — {row['unit_name'].upper()}", subtitle)
    for label, value in (("Điểm tự đánh giá", row["self_points"]), ("Điểm thẩm định", row["appraised_points"]),
                         ("Điểm khảo sát, điều tra", row["survey_points"]), ("Điểm thưởng", row["bonus"]),
                         ("Điểm trừ", row["penalty"]), ("Tổng điểm", row["total_points"]),
                         ("Điểm tối đa áp dụng", row["applicable_max"]), ("Chỉ số CCHC (%)", row["index"])):
        sheet.append([None, sheet.cell(label, "b", LEFT, True), sheet.cell(_points(value), box=True, fmt=POINTS)])
    sheet.append([])
    sheet.table_header(["Mã", "Lĩnh vực", "Điểm", "Tối đa", "Chỉ số (%)", "Bình quân huyện (%)"])
    for f in card.fields:
        sheet.append([sheet.cell(f["code"], align=CENTRE, box=True), sheet.cell(f["title"], align=LEFT, box=True),
                      sheet.cell(_points(f["points"]), box=True, fmt=POINTS), sheet.cell(_points(f["max"]), box=True, fmt=POINTS),
                      sheet.cell(_points(f["sub_index"]), box=True, fmt=POINTS),
                      sheet.cell(_points(f["average"]), box=True, fmt=POINTS)])
    sheet.append([])
    sheet.append([None, sheet.cell("Các tiêu chí mất điểm nhiều nhất", "b")])
    for x in card.shortcomings:
        sheet.append([sheet.cell(x["code"], align=CENTRE, box=True), sheet.cell(x["title"], align=LEFT, box=True),
                      sheet.cell(_points(x["points"]), box=True, fmt=POINTS), sheet.cell(_points(x["max"]), box=True, fmt=POINTS),
                      sheet.cell(f"mất {_points(x['lost'])}", box=True)])
    return _finish(wb)
