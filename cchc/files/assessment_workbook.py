"""Excel for the self-assessment: the workbook a commune fills in (and its import), and the
report in the form officials use. Pure: bytes in, bytes or plain values out.

Every import error names the sheet, the row and the column, in Vietnamese; the caller applies
nothing unless there are none."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cchc.core import assessment as rules
from cchc.core.criteria import CriteriaSet
from cchc.core.text import fmt_date, fmt_points
from cchc.files.workbook import (
    FORMULA,
    Refusals,
    WorkbookError,
    at,
    day,
    header_errors,
    hidden_meta,
    is_formula,
    merged_errors,
    nfc,
    open_workbook,
    write,
)

SHEET = "Tự đánh giá"
META_SHEET = "_cchc"
EXTRA_ROWS = 200        # rows beyond the criteria that a workbook may carry (notes under the table)
HEADER_ROW = 6
FIRST_ROW = HEADER_ROW + 1
COLUMNS = [  # (key, header, width)
    ("code", "Mã", 9),
    ("title", "Nội dung", 48),
    ("guidance", "Cách chấm điểm", 40),
    ("max", "Điểm tối đa", 10),
    ("points", "Điểm tự chấm", 11),
    ("na", "Không áp dụng (x)", 11),
    ("docs", "Tài liệu kiểm chứng (mỗi dòng: số, ký hiệu | ngày dd/mm/yyyy | trích yếu)", 45),
    ("explanation", "Giải trình", 30),
    ("note", "Ghi chú", 24),
    ("files", "Số tệp đã tải lên", 10),
]
COL = {key: i + 1 for i, (key, _, _) in enumerate(COLUMNS)}
SHORT = {key: header.split(" (")[0] for key, header, _ in COLUMNS}     # a column as messages name it
EDITABLE = ("points", "na", "docs", "explanation", "note")
FONT = "Times New Roman"
YELLOW = PatternFill("solid", fgColor="FFF8DC")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


REFUSALS = Refusals(
    not_a_workbook="Tệp không phải sổ tính Excel (.xlsx) hợp lệ. Hãy dùng biểu mẫu tải từ ứng dụng, "
                   "lưu dưới dạng Excel Workbook (.xlsx).",
    too_big="Tệp lớn {mb} MB, vượt giới hạn {limit} MB của biểu mẫu tự đánh giá.",
    too_unpacked="Nội dung sổ tính quá lớn ({mb} MB khi giải nén); biểu mẫu tự đánh giá chỉ cần vài trăm KB.")


@dataclass
class Parsed:
    """What a filled workbook says, leaf by leaf (only the leaves the commune scores)."""
    scores: dict[str, rules.LeafScore] = field(default_factory=dict)
    docs: dict[str, list[dict]] = field(default_factory=dict)


def _doc_line(d: dict) -> str:
    return f"{d['doc_number']} | {fmt_date(d['issued_on']) if d['issued_on'] else ''} | {d['summary']}"


# ------------------------------------------------------------------ the workbook to fill in


def build_template(cs: CriteriaSet, unit: dict, year: int, scores: dict[str, rules.LeafScore],
                   docs: dict[str, list[dict]], file_counts: dict[str, int]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = f"BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year}"
    ws["A2"] = f"Đơn vị: {unit['name']} (mã {unit['code']})"
    ws["A3"] = f"Bộ tiêu chí: {cs.name} — phiên bản {cs.version}" + (" (BỘ TIÊU CHÍ MẪU)" if cs.is_template else "")
    ws["A4"] = ("Chỉ nhập vào các ô nền vàng. Điểm là số (dấu phẩy hoặc dấu chấm thập phân đều được), trong khoảng "
                "0 đến điểm tối đa, theo bước điểm của tiêu chí. Không áp dụng: gõ x.")
    ws["A1"].font = Font(name=FONT, bold=True, size=13)
    for ref in ("A2", "A3", "A4"):
        ws[ref].font = Font(name=FONT, italic=ref == "A4", size=11)
    for key, header, width in COLUMNS:
        cell = ws.cell(HEADER_ROW, COL[key], header)
        cell.font = Font(name=FONT, bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = BOX
        ws.column_dimensions[get_column_letter(COL[key])].width = width
    row = FIRST_ROW
    for node in cs.nodes:
        _template_row(ws, row, node, scores.get(node.code), docs.get(node.code, []), file_counts.get(node.code, 0))
        row += 1
    ws.freeze_panes = ws.cell(FIRST_ROW, COL["points"])
    ws.protection.sheet = True            # structure locked; the yellow cells stay editable
    ws.protection.formatCells = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    meta = wb.create_sheet(META_SHEET)
    for i, (k, v) in enumerate([("app", "cchc"), ("kind", "self_assessment"), ("year", year),
                                ("unit_code", unit["code"]), ("set_code", cs.code), ("set_version", cs.version)], 1):
        meta.cell(i, 1, k)
        meta.cell(i, 2, str(v))
    meta.sheet_state = "veryHidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _lines(text, width: int) -> int:
    if not text:
        return 1
    return sum(max(1, -(-len(part) // max(1, int(width * 1.1)))) for part in str(text).splitlines())


def _template_row(ws, row: int, node, score, docs: list[dict], files: int) -> None:
    own = node.is_leaf and node.source == rules.SCORED_SOURCE
    values = {"code": node.code, "title": node.title, "guidance": node.guidance if node.is_leaf else "",
              "max": float(node.max_points)}
    if own:
        values.update(points=None if score is None or score.points is None else float(score.points),
                      na="x" if score and score.not_applicable else None,
                      docs="\n".join(_doc_line(d) for d in docs) or None,
                      explanation=(score.explanation if score else "") or None,
                      note=(score.note if score else "") or None, files=files)
    elif node.is_leaf:
        values["note"] = "Không tự chấm (điểm từ khảo sát, điều tra hoặc hội đồng)"
    for key, value in values.items():
        cell = ws.cell(row, COL[key])
        write(cell, value)
        cell.font = Font(name=FONT, bold=node.depth == 1, italic=not own and node.is_leaf)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.border = BOX
        if key == "code":
            cell.number_format = "@"
    for key in ("code", "title", "guidance", "max", "points", "na", "docs", "explanation", "note", "files"):
        ws.cell(row, COL[key]).border = BOX
    # Spreadsheet programs do not grow rows for wrapped text written by a library: size them.
    lines = max(_lines(values.get(k), dict((c, w) for c, _, w in COLUMNS)[k]) for k in ("title", "guidance", "docs", "note"))
    ws.row_dimensions[row].height = 15 * max(1, lines)
    if own:
        for key in EDITABLE:
            cell = ws.cell(row, COL[key])
            cell.protection = Protection(locked=False)
            cell.fill = YELLOW
        ref = ws.cell(row, COL["points"]).coordinate
        rule = f"AND(ISNUMBER({ref}),{ref}>=0,{ref}<={float(node.max_points)},ROUND({ref}/{float(node.step)},6)=INT(ROUND({ref}/{float(node.step)},6)))"
        dv = DataValidation(type="custom", formula1=rule, allow_blank=True, showErrorMessage=True,
                            errorTitle="Điểm không hợp lệ",
                            error=f"Điểm từ 0 đến {fmt_points(node.max_points)}, theo bước {fmt_points(node.step)}.")
        dv.add(ws.cell(row, COL["points"]))
        ws.add_data_validation(dv)
        if node.na_allowed:
            na = DataValidation(type="list", formula1='"x"', allow_blank=True, showErrorMessage=True,
                                errorTitle="Không áp dụng", error="Gõ x nếu tiêu chí không áp dụng, để trống nếu có áp dụng.")
            na.add(ws.cell(row, COL["na"]))
            ws.add_data_validation(na)


# ------------------------------------------------------------------ reading a filled workbook


def read_meta(data: bytes) -> dict[str, str]:
    """The hidden identification of a workbook made by this app; WorkbookError otherwise."""
    return _meta(open_workbook(data, REFUSALS))


def _meta(wb) -> dict[str, str]:
    meta = hidden_meta(wb, META_SHEET)
    if meta is None:
        raise WorkbookError([f"Sổ tính không có trang ẩn «{META_SHEET}»: không phải biểu mẫu tải từ ứng dụng. "
                             "Hãy tải biểu mẫu Excel của đơn vị rồi điền vào đó."])
    if meta.get("app") != "cchc" or meta.get("kind") != "self_assessment" or \
            not {"year", "unit_code", "set_code", "set_version"} <= set(meta) or not str(meta["year"]).isdigit():
        raise WorkbookError([f"Trang ẩn «{META_SHEET}» bị sửa hoặc thiếu: đây không phải biểu mẫu tự đánh giá của "
                             "ứng dụng. Hãy tải biểu mẫu mới."])
    return meta


def parse_workbook(data: bytes, cs: CriteriaSet, unit_code: str, year: int) -> Parsed:
    """Read every leaf the commune scores; raise WorkbookError listing every problem."""
    wb = open_workbook(data, REFUSALS)
    meta = _meta(wb)
    errors: list[str] = []
    if meta.get("unit_code") != unit_code:
        errors.append(f"Sổ tính này (trang ẩn «{META_SHEET}») là của đơn vị mã {meta.get('unit_code')}, không phải đơn vị {unit_code}.")
    if meta.get("year") != str(year):
        errors.append(f"Sổ tính này (trang ẩn «{META_SHEET}») là của kỳ {meta.get('year')}, không phải kỳ {year}.")
    if (meta.get("set_code"), meta.get("set_version")) != (cs.code, str(cs.version)):
        errors.append(f"Sổ tính làm theo bộ tiêu chí {meta.get('set_code')} phiên bản {meta.get('set_version')}; "
                      f"kỳ {year} đang dùng {cs.code} phiên bản {cs.version}. Hãy tải biểu mẫu mới.")
    if errors:
        raise WorkbookError(errors)
    if SHEET not in wb.sheetnames:
        raise WorkbookError([f"Thiếu trang «{SHEET}»."])
    ws = wb[SHEET]
    where = at(SHEET)
    errors += header_errors(ws, SHEET, HEADER_ROW, [header for _, header, _ in COLUMNS])
    errors += merged_errors(ws, SHEET, FIRST_ROW, "hãy bỏ gộp ô trong bảng điểm")
    if errors:
        raise WorkbookError(errors)
    if ws.max_row > FIRST_ROW + len(cs.nodes) + EXTRA_ROWS:
        raise WorkbookError([f"{where}: có {ws.max_row} hàng, nhiều hơn hẳn số tiêu chí ({len(cs.nodes)}); "
                             "hãy xóa các hàng thừa ở cuối trang."])
    parsed = Parsed()
    wanted = {leaf.code: leaf for leaf in rules.scored_leaves(cs)}
    known = {n.code for n in cs.nodes}
    seen: dict[str, int] = {}
    for row in range(FIRST_ROW, ws.max_row + 1):
        code = ws.cell(row, COL["code"]).value
        if code is None:
            continue
        code = str(code).strip()
        if code not in wanted:
            if code not in known:
                errors.append(f"{at(SHEET, row, COL['code'], 'Mã')}: mã «{code}» không có trong bộ tiêu chí.")
            continue
        if code in seen:
            errors.append(f"{at(SHEET, row, COL['code'], 'Mã')}: tiêu chí {code} đã có ở hàng {seen[code]}.")
            continue
        seen[code] = row
        _parse_row(ws, row, wanted[code], parsed, errors)
    for code in wanted:
        if code not in seen:
            errors.append(f"{where}: thiếu hàng của tiêu chí {code}.")
    if errors:
        raise WorkbookError(errors)
    return parsed


def _parse_row(ws, row: int, leaf, parsed: Parsed, errors: list[str]) -> None:
    def where_is(key: str) -> str:
        return at(SHEET, row, COL[key], SHORT[key])

    cells = {key: ws.cell(row, COL[key]) for key in EDITABLE}
    for key, cell in cells.items():
        if is_formula(cell):
            errors.append(f"{where_is(key)}: {FORMULA}")
            return
    raw_points = cells["points"].value
    try:
        points = rules.parse_points(nfc(raw_points))
    except ValueError as exc:
        errors.append(f"{where_is('points')}: «{raw_points}» {exc}.")
        return
    na_raw = nfc(cells["na"].value)
    na_text = str(na_raw).strip().lower() if na_raw is not None else ""
    if na_text not in ("", "x", "có"):
        errors.append(f"{where_is('na')}: «{na_raw}» không hợp lệ; gõ x nếu không áp dụng, để trống nếu có áp dụng.")
        return
    if na_text and points is not None:
        errors.append(f"{where_is('na')}: vừa có điểm vừa đánh dấu không áp dụng; hãy bỏ một trong hai.")
        return
    text = {k: (nfc(cells[k].value) or "") for k in ("explanation", "note")}
    for k, v in text.items():
        if not isinstance(v, str):
            text[k] = str(v)
    try:
        score = rules.check_leaf_score(leaf, rules.LeafScore(points, na_text != "", text["note"].strip(),
                                                              text["explanation"].strip()))
    except rules.ScoreError as exc:
        errors.append(f"{where_is('points' if na_text == '' else 'na')}: {exc}")
        return
    docs = _parse_docs(cells["docs"].value, where_is("docs"), errors)
    if docs is None:
        return
    parsed.scores[leaf.code] = score
    parsed.docs[leaf.code] = docs


def _parse_docs(value, where: str, errors: list[str]) -> list[dict] | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    if not isinstance(value, str):
        errors.append(f"{where}: cần ghi dạng «số, ký hiệu | ngày | trích yếu».")
        return None
    docs = []
    for n, line in enumerate(nfc(value).splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3 or not parts[0] or not parts[2]:
            errors.append(f"{where}, dòng {n}: «{line.strip()}» cần dạng «số, ký hiệu | ngày dd/mm/yyyy | trích yếu».")
            return None
        issued = None
        if parts[1]:
            try:
                issued = day(parts[1])
            except ValueError:
                errors.append(f"{where}, dòng {n}: ngày «{parts[1]}» không đúng dạng dd/mm/yyyy.")
                return None
        docs.append({"doc_number": parts[0], "issued_on": issued, "summary": parts[2]})
    return docs


# ------------------------------------------------------------------ the report


def build_report(cs: CriteriaSet, unit: dict, year: int, scores: dict[str, rules.LeafScore],
                 docs: dict[str, list[dict]], files: dict[str, list[dict]], difficulties: str,
                 recommendations: str, submitted_at: dt.datetime | None, draft: bool = False) -> bytes:
    """The submitted self-assessment as officials lay it out: header block, title, score table,
    explanations, difficulties and recommendations, signature."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo tự đánh giá"
    widths = [8, 52, 10, 10, 46, 34]
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    bold = Font(name=FONT, bold=True, size=12)
    normal = Font(name=FONT, size=12)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def put(ref_range: str, value, font=normal, align=centre):
        first = ref_range.split(":")[0]
        if ":" in ref_range:
            ws.merge_cells(ref_range)
        write(ws[first], value)
        ws[first].font = font
        ws[first].alignment = align

    name = unit["name"]
    put("A1:B1", f"UBND {name.upper()}", bold)
    put("C1:F1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)
    put("C2:F2", "Độc lập - Tự do - Hạnh phúc", Font(name=FONT, bold=True, size=12, underline="single"))
    day = submitted_at.date() if submitted_at else None
    place = name.split(" ", 1)[1] if name.startswith(("Xã ", "Phường ")) else name.replace("Thị trấn ", "")
    dated = f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}" if day else f"{place}, ngày … tháng … năm {year}"
    put("C3:F3", dated, Font(name=FONT, italic=True, size=12))
    put("A5:F5", f"BÁO CÁO TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year}", Font(name=FONT, bold=True, size=14))
    put("A6:F6", f"Theo {cs.name} (phiên bản {cs.version})" + (" — bộ tiêu chí mẫu" if cs.is_template else "")
        + (" — BẢN NHÁP, CHƯA NỘP" if draft else ""),
        Font(name=FONT, italic=True, size=12))
    put("A8:F8", "I. BẢNG ĐIỂM TỰ ĐÁNH GIÁ", bold, Alignment(horizontal="left"))
    headers = ["STT", "Nội dung", "Điểm tối đa", "Điểm tự chấm", "Tài liệu kiểm chứng", "Giải trình, ghi chú"]
    for i, h in enumerate(headers, 1):
        c = ws.cell(9, i, h)
        c.font, c.alignment, c.border = bold, centre, BOX
    row = 10
    own_leaves = rules.scored_leaves(cs)
    for node in cs.nodes:
        if node.source != rules.SCORED_SOURCE:
            continue
        under = [leaf for leaf in own_leaves if leaf.code == node.code or leaf.code.startswith(node.code + ".")]
        if node.is_leaf:
            s = scores.get(node.code)
            got = "KAD" if s and s.not_applicable else (float(s.points) if s and s.points is not None else None)
            refs = [_doc_line(d) for d in docs.get(node.code, [])] + [f"Tệp: {f['file_name']}" for f in files.get(node.code, [])]
            notes = "; ".join(t for t in ((s.explanation if s else ""), (s.note if s else "")) if t)
        else:
            t = rules.totals(under, scores)
            got, refs, notes = float(t.points), [], ""
        values = [node.code, node.title, float(node.max_points), got, "\n".join(refs), notes]
        for i, v in enumerate(values, 1):
            c = ws.cell(row, i)
            write(c, v)
            c.font = Font(name=FONT, size=12, bold=node.depth == 1)
            c.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center" if i in (1, 3, 4) else "left")
            c.border = BOX
        row += 1
    t = rules.totals(own_leaves, scores)
    for i, v in enumerate(["", "TỔNG ĐIỂM TỰ ĐÁNH GIÁ", float(t.applicable_max), float(t.points), "", ""], 1):
        c = ws.cell(row, i, v)
        c.font, c.border = bold, BOX
        c.alignment = Alignment(horizontal="center" if i in (3, 4) else "left")
    row += 1
    ws.cell(row, 2, "KAD: không áp dụng; điểm tối đa của tổng đã trừ các tiêu chí không áp dụng.").font = Font(name=FONT, italic=True, size=11)
    row += 2
    explained = [(n, scores[n.code]) for n in own_leaves if n.code in scores and scores[n.code].explanation]
    sections = [
        ("II. GIẢI TRÌNH", [f"- Tiêu chí {n.code} ({n.title}): {s.explanation}" for n, s in explained] or ["Không có."]),
        ("III. KHÓ KHĂN, VƯỚNG MẮC", (difficulties or "Không có.").splitlines()),
        ("IV. KIẾN NGHỊ, ĐỀ XUẤT", (recommendations or "Không có.").splitlines()),
    ]
    for heading, lines in sections:
        put(f"A{row}:F{row}", heading, bold, Alignment(horizontal="left"))
        row += 1
        for line in lines:
            put(f"A{row}:F{row}", line, normal, Alignment(horizontal="left", wrap_text=True, vertical="top"))
            ws.row_dimensions[row].height = max(16, 16 * (len(line) // 140 + 1))
            row += 1
        row += 1
    put(f"D{row}:F{row}", "TM. ỦY BAN NHÂN DÂN", bold)
    put(f"D{row + 1}:F{row + 1}", "CHỦ TỊCH", bold)
    put(f"D{row + 2}:F{row + 2}", "(Ký, ghi rõ họ tên, đóng dấu)", Font(name=FONT, italic=True, size=12))
    ws.freeze_panes = "A10"
    ws.print_title_rows = "9:9"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()



def build_account_sheet(rows: list[dict], district: str, app_address: str = "") -> bytes:
    """The first passwords of new commune accounts, to print and hand over (A4 portrait)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Tài khoản cấp xã"
    bold, normal = Font(name=FONT, bold=True, size=13), Font(name=FONT, size=13)
    write(ws["A1"], f"DANH SÁCH TÀI KHOẢN CẤP XÃ — {district.upper()}")
    ws["A1"].font = Font(name=FONT, bold=True, size=14)
    write(ws["A2"], "Mỗi người đổi mật khẩu ngay ở lần đăng nhập đầu tiên. Giữ kín mật khẩu; cắt rời từng dòng khi giao."
         + (f" Địa chỉ: {app_address}" if app_address else ""))
    ws["A2"].font = Font(name=FONT, italic=True, size=12)
    for i, (h, w) in enumerate((("STT", 6), ("Đơn vị", 30), ("Tên đăng nhập", 20), ("Mật khẩu ban đầu", 20)), 1):
        c = ws.cell(4, i, h)
        c.font, c.border, c.alignment = bold, BOX, Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = w
    for n, r in enumerate(rows, 1):
        for i, v in enumerate((n, r["unit_name"], r["username"], r["password"]), 1):
            c = ws.cell(4 + n, i)
            write(c, v)
            c.font, c.border = normal, BOX
            ws.row_dimensions[4 + n].height = 24
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.print_title_rows = "4:4"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
