"""The criteria set as an Excel workbook, for Phòng Nội vụ to type in the official document
(Appendix III of Decision 2125/QĐ-UBND, next year's set): template, export and import.

Two sheets: «Thông tin» (the set: code, name, year, version, source decision, applies to, total)
and «Tiêu chí» (one row per node). Every problem is reported with its sheet, row and column; the
tree rules themselves are checked by cchc.criteria, whose lines are given the row of the code."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cchc.core.criteria import CriteriaError, CriteriaSet, parse_set, to_data
from cchc.files.workbook import (
    FORMULA,
    DecimalComma,
    Refusals,
    at,
    header_errors,
    is_formula,
    merged_errors,
    nfc,
    number,
    open_workbook,
    write,
)

INFO, NODES = "Thông tin", "Tiêu chí"
REFUSALS = Refusals(not_a_workbook="Tệp không phải sổ tính Excel (.xlsx) hợp lệ.",
                    too_big="Tệp lớn hơn {limit} MB, không phải một bộ tiêu chí.",
                    too_unpacked="Nội dung sổ tính quá lớn khi giải nén.")
#: The largest criteria file taken at all, workbook or YAML (the admin page checks a YAML upload with it).
MAX_BYTES = REFUSALS.max_bytes
FONT = "Times New Roman"
INFO_ROWS = [  # (key, label)
    ("code", "Mã bộ tiêu chí"), ("name", "Tên bộ tiêu chí"), ("year", "Năm áp dụng"), ("version", "Phiên bản"),
    ("source_decision", "Văn bản ban hành"), ("applies_to", "Áp dụng cho"), ("total", "Tổng điểm (không kể thưởng, trừ)"),
    ("is_template", "Là bộ tiêu chí mẫu"),
    ("bonus_cap", "Điểm thưởng tối đa (để trống: tổng các mục thưởng)"),
    ("penalty_cap", "Điểm trừ tối đa (để trống: tổng các mục trừ)"),
]
OPTIONAL_INFO = {"bonus_cap", "penalty_cap"}   # workbooks made before these rows existed still load
COLUMNS = [  # (key, header, width)
    ("code", "Mã", 9), ("title", "Nội dung", 50), ("max", "Điểm tối đa", 10), ("guidance", "Cách chấm điểm", 45),
    ("evidence", "Tài liệu kiểm chứng", 35), ("office", "Cơ quan thẩm định", 12), ("step", "Bước điểm", 9),
    ("na_allowed", "Cho phép không áp dụng", 12), ("source", "Nguồn điểm", 22),
]
SOURCE_LABELS = {"self_assessed": "Tự đánh giá", "citizen_survey": "Khảo sát người dân",
                 "official_survey": "Điều tra xã hội học", "bonus": "Điểm thưởng", "penalty": "Điểm trừ"}
APPLIES_LABELS = {"all": "Tất cả", "xa": "Xã", "thi_tran": "Thị trấn", "phuong": "Phường"}
YES, NO = "Có", "Không"


def build(cs: CriteriaSet | None) -> bytes:
    """A workbook holding `cs` (every attribute on every row), or an empty template."""
    wb = Workbook()
    info = wb.active
    info.title = INFO
    data = to_data(cs) if cs else {"set": {"code": "", "name": "", "year": None, "version": 1, "source_decision": "",
                                           "applies_to": "all", "total": 100, "is_template": False}, "nodes": []}
    info["A1"], info["B1"] = "Mục", "Giá trị"
    for c in (info["A1"], info["B1"]):
        c.font = Font(name=FONT, bold=True)
    for i, (key, label) in enumerate(INFO_ROWS, 2):
        value = data["set"].get(key)
        if key == "applies_to":
            value = APPLIES_LABELS[value]
        elif key == "is_template":
            value = YES if value else NO
        write(info.cell(i, 1), label)
        write(info.cell(i, 2), value)
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 34, 90
    ws = wb.create_sheet(NODES)
    for col, (key, header, width) in enumerate(COLUMNS, 1):
        c = ws.cell(1, col, header)
        c.font, c.alignment = Font(name=FONT, bold=True), Alignment(wrap_text=True, horizontal="center")
        c.fill = PatternFill("solid", fgColor="EEEEEE")
        ws.column_dimensions[get_column_letter(col)].width = width
    for row, node in enumerate(data["nodes"], 2):
        values = dict(node, na_allowed=YES if node.get("na_allowed") else NO,
                      source=SOURCE_LABELS.get(node.get("source"), node.get("source")))
        for col, (key, _, _) in enumerate(COLUMNS, 1):
            cell = ws.cell(row, col)
            write(cell, values.get(key))
            cell.font = Font(name=FONT, bold="." not in str(node["code"]))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if key == "code":
                cell.number_format = "@"
    last = max(ws.max_row, 300)
    yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
    yes_no.add(f"H2:H{last}")
    sources = DataValidation(type="list", formula1='"' + ",".join(SOURCE_LABELS.values()) + '"', allow_blank=True)
    sources.add(f"I2:I{last}")
    ws.add_data_validation(yes_no)
    ws.add_data_validation(sources)
    ws.freeze_panes = "C2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _nfc(v):
    """Cell text as compared here: NFC and without the spaces around it."""
    return nfc(v, strip=True)


def _number(raw, where: str, errors: list[str]):
    """A number cell: numbers pass, text numbers with a dot pass, decimal commas are refused (the
    set's YAML form refuses them too: one rule for both)."""
    try:
        return number(raw, decimal_comma=False)
    except DecimalComma:
        errors.append(f"{where}: «{str(raw).strip()}» dùng dấu phẩy thập phân; hãy nhập số (ví dụ 1.5) hoặc định dạng ô là số.")
    except ValueError as exc:       # not a number, inf, 1e308, 1e-999999999, three decimals
        errors.append(f"{where}: «{str(raw).strip()}» {exc}.")
    return None


def parse(data: bytes, offices) -> CriteriaSet:
    """Read a filled workbook into a validated set, or raise CriteriaError listing every problem."""
    wb = open_workbook(data, REFUSALS, CriteriaError)
    errors: list[str] = []
    for name in (INFO, NODES):
        if name not in wb.sheetnames:
            errors.append(f"Thiếu trang «{name}».")
    if errors:
        raise CriteriaError(errors)
    header = _read_info(wb[INFO], errors)
    nodes, rows = _read_nodes(wb[NODES], errors)
    if errors:
        raise CriteriaError(errors)
    try:
        return parse_set({"set": header, "nodes": nodes}, offices)
    except CriteriaError as exc:
        raise CriteriaError([_with_row(e, rows) for e in exc.errors]) from None


def _read_info(ws, errors: list[str]) -> dict:
    by_label = {_nfc(r[0].value): (r[1].value, r[0].row) for r in ws.iter_rows(min_row=2, max_col=2) if r[0].value}
    header: dict = {}
    for key, label in INFO_ROWS:
        if label not in by_label:
            if key in OPTIONAL_INFO:
                continue
            errors.append(f"Trang «{INFO}»: thiếu dòng «{label}» ở cột A.")
            continue
        raw, row = by_label[label]
        where = at(INFO, row, 2, label)
        raw = _nfc(raw)
        if key in ("year", "version"):
            value = _number(raw, where, errors)
            header[key] = int(value) if value is not None and value == value.to_integral_value() else raw
        elif key == "total":
            header[key] = _number(raw, where, errors)
        elif key in OPTIONAL_INFO:
            header[key] = None if raw in (None, "") else _number(raw, where, errors)
        elif key == "applies_to":
            found = next((k for k, v in APPLIES_LABELS.items() if v == raw), None)
            if found is None:
                errors.append(f"{where}: «{raw}» không hợp lệ; chọn {', '.join(APPLIES_LABELS.values())}.")
            header[key] = found or "all"
        elif key == "is_template":
            header[key] = raw == YES
        else:
            header[key] = raw or ""
    return header


def _read_nodes(ws, errors: list[str]) -> tuple[list[dict], dict[str, int]]:
    errors += header_errors(ws, NODES, 1, [header for _, header, _ in COLUMNS], show_found=False)
    errors += merged_errors(ws, NODES)
    if errors:
        return [], {}
    if ws.max_row > 2000:
        errors.append(f"Trang «{NODES}»: có {ws.max_row} hàng, quá nhiều cho một bộ tiêu chí.")
        return [], {}
    nodes, rows = [], {}
    for row in range(2, ws.max_row + 1):
        cells = {key: ws.cell(row, col) for col, (key, _, _) in enumerate(COLUMNS, 1)}
        if all(c.value in (None, "") for c in cells.values()):
            continue
        node: dict = {}
        for key, cell in cells.items():
            where = at(NODES, row, cell.column)
            if is_formula(cell):
                errors.append(f"{where}: {FORMULA}")
                continue
            raw = _nfc(cell.value)
            if key == "code":
                if isinstance(raw, float):
                    errors.append(f"{where}: mã «{raw:g}» được nhập dạng số; hãy định dạng cột Mã là Văn bản "
                                  "(Text) hoặc gõ dấu ' trước mã (ví dụ '1.10).")
                    continue
                node["code"] = str(raw) if isinstance(raw, (str, int)) else raw
            elif key in ("max", "step"):
                value = _number(raw, where, errors)
                if value is not None:
                    node[key] = value
            elif key == "na_allowed":
                if raw not in (None, "", YES, NO):
                    errors.append(f"{where}: «{raw}» không hợp lệ; ghi «{YES}» hoặc «{NO}».")
                elif raw:
                    node[key] = raw == YES
            elif key == "source":
                if raw:
                    found = next((k for k, v in SOURCE_LABELS.items() if v == raw), None)
                    if found is None:
                        errors.append(f"{where}: «{raw}» không hợp lệ; chọn {', '.join(SOURCE_LABELS.values())}.")
                    else:
                        node[key] = found
            elif raw not in (None, ""):
                node[key] = raw
        if isinstance(node.get("code"), str):
            rows.setdefault(node["code"], row)
        nodes.append(node)
    return nodes, rows


def _with_row(line: str, rows: dict[str, int]) -> str:
    """«Tiêu chí 1.2: …» becomes «Trang «Tiêu chí», hàng 7 (mã 1.2): …»."""
    m = re.match(r"Tiêu chí ([0-9.]+): (.*)", line)
    if m and m.group(1) in rows:
        return f"Trang «{NODES}», hàng {rows[m.group(1)]} (mã {m.group(1)}): {m.group(2)}"
    m = re.match(r"Mục thứ (\d+) trong danh sách: (.*)", line)
    if m:
        return f"Trang «{NODES}», tiêu chí thứ {m.group(1)}: {m.group(2)}"
    return line.replace("Phần 'set'", f"Trang «{INFO}»")
