"""Excel for the surveys: the paper-form template and its import, the export of answers and
aggregates, and the printable list of one-time codes. Pure: bytes in, bytes or plain values out.

Import errors name the sheet, the row and the column, in Vietnamese; the caller stores nothing
unless there are none (all or nothing)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cchc.core.survey import (
    CHANNELS,
    AnswerError,
    Answers,
    Questionnaire,
    check_answers,
    flag_labels,
)
from cchc.core.text import fmt_date, fmt_datetime
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
    number,
    open_workbook,
    write,
)

SHEET = "Phiếu khảo sát"
LIST_SHEET = "Danh mục"
META_SHEET = "_cchc"
KIND = "survey_paper"
TEXT_ROW, HEADER_ROW, FIRST_ROW = 4, 5, 6
MAX_FORMS = 5000
FONT = "Times New Roman"
REFUSALS = Refusals(
    not_a_workbook="Tệp không phải sổ tính Excel (.xlsx) hợp lệ. Hãy dùng biểu mẫu tải từ ứng dụng, "
                   "lưu dưới dạng Excel Workbook (.xlsx).",
    too_big="Tệp lớn {mb} MB, vượt giới hạn {limit} MB của biểu mẫu phiếu khảo sát; hãy chia thành nhiều tệp.",
    too_unpacked="Nội dung sổ tính quá lớn ({mb} MB khi giải nén) cho một biểu mẫu phiếu khảo sát.")
YELLOW = PatternFill("solid", fgColor="FFF8DC")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


@dataclass(frozen=True)
class Column:
    key: str            # unit | date | profile:<key> | q:<code> | overall | suggestion
    header: str
    text: str           # the question as printed above the header
    width: int


def columns(q: Questionnaire) -> list[Column]:
    cols = [Column("unit", "Mã đơn vị", "Mã đơn vị hành chính của xã, thị trấn (xem trang «Danh mục»)", 11),
            Column("date", "Ngày trên phiếu", "Ngày người dân điền phiếu, dạng dd/mm/yyyy (để trống: ngày nhập)", 13)]
    cols += [Column(f"profile:{p.key}", p.label, "Chọn: " + "; ".join(p.options), 16) for p in q.profile]
    cols += [Column(f"q:{x.code}", f"Câu {x.code}", x.text, 8) for x in q.questions()]
    cols += [Column("overall", "Hài lòng chung", q.overall_label, 10),
             Column("suggestion", "Góp ý", q.suggestion_label, 40)]
    return cols


# ------------------------------------------------------------------ the template


def build_template(q: Questionnaire, units: list[dict]) -> bytes:
    """One row per paper form; ratings 1..5 (1 Rất không hài lòng … 5 Rất hài lòng)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    cols = columns(q)
    write(ws["A1"], f"NHẬP PHIẾU KHẢO SÁT GIẤY — {q.name.upper()}")
    ws["A1"].font = Font(name=FONT, bold=True, size=13)
    write(ws["A2"], "Mỗi hàng một phiếu, từ hàng 6. Mức hài lòng: " + "; ".join(f"{i} = {s}" for i, s in enumerate(q.scale, 1))
         + ". Câu người dân bỏ trống thì để trống ô. Chỉ nhập vào các ô nền vàng.")
    ws["A2"].font = Font(name=FONT, italic=True)
    for i, c in enumerate(cols, 1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = c.width
        top = ws.cell(TEXT_ROW, i)
        write(top, c.text)
        top.font = Font(name=FONT, size=9, italic=True)
        top.alignment = Alignment(wrap_text=True, vertical="top")
        head = ws.cell(HEADER_ROW, i)
        write(head, c.header)
        head.font = Font(name=FONT, bold=True)
        head.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        head.border = BOX
        cells = f"{letter}{FIRST_ROW}:{letter}{FIRST_ROW + MAX_FORMS - 1}"
        if c.key.startswith("q:") or c.key == "overall":
            dv = DataValidation(type="whole", operator="between", formula1="1", formula2="5", allow_blank=True,
                                showErrorMessage=True, errorTitle="Mức hài lòng", error="Nhập số từ 1 đến 5, hoặc để trống.")
            dv.add(cells)
            ws.add_data_validation(dv)
        elif c.key.startswith("profile:"):
            item = next(p for p in q.profile if f"profile:{p.key}" == c.key)
            if len('"' + ",".join(item.options) + '"') <= 255 and not any("," in o for o in item.options):
                dv = DataValidation(type="list", formula1='"' + ",".join(item.options) + '"', allow_blank=True)
                dv.add(cells)
                ws.add_data_validation(dv)
        elif c.key == "unit" and units:
            dv = DataValidation(type="list", formula1=f"'{LIST_SHEET}'!$A$2:$A${len(units) + 1}", allow_blank=True,
                                showErrorMessage=True, errorTitle="Mã đơn vị", error="Chọn mã trong trang «Danh mục».")
            dv.add(cells)
            ws.add_data_validation(dv)
    for r in range(FIRST_ROW, FIRST_ROW + 200):
        for i, c in enumerate(cols, 1):
            cell = ws.cell(r, i)
            cell.fill = YELLOW
            cell.protection = Protection(locked=False)
            if c.key in ("unit", "date"):
                cell.number_format = "@"
    ws.row_dimensions[TEXT_ROW].height = 90
    ws.freeze_panes = ws.cell(FIRST_ROW, 3)
    lst = wb.create_sheet(LIST_SHEET)
    write(lst["A1"], "Mã đơn vị")
    write(lst["B1"], "Tên đơn vị")
    for i, u in enumerate(units, 2):
        write(lst.cell(i, 1), u["code"])
        write(lst.cell(i, 2), u["name"])
    lst.column_dimensions["B"].width = 28
    meta = wb.create_sheet(META_SHEET)
    for i, (k, v) in enumerate([("app", "cchc"), ("kind", KIND), ("questionnaire", q.code),
                                ("version", q.version)], 1):
        meta.cell(i, 1).value = k
        meta.cell(i, 2).value = str(v)
    meta.sheet_state = "veryHidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ the import


@dataclass
class PaperForm:
    row: int
    unit_code: str
    filled_on: dt.date | None
    answers: Answers


def _rating(value) -> int | None:
    """1..5 from a cell (a number, or text with digits); raises ValueError otherwise."""
    value = number(value)
    if value is None:
        return None
    if not 1 <= value <= 5 or value != int(value):       # in that order: int() of inf raises otherwise
        raise ValueError(value)
    return int(value)


def _date(value) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return day(value.strip())
    raise ValueError


def parse_paper_forms(data: bytes, q: Questionnaire, units: dict[str, str],
                      window: tuple[dt.date | None, dt.date | None]) -> list[PaperForm]:
    """Every filled row of the template, checked; WorkbookError lists every problem found."""
    wb = open_workbook(data, REFUSALS)
    meta = hidden_meta(wb, META_SHEET)
    if meta is None:
        raise WorkbookError([f"Sổ tính không có trang ẩn «{META_SHEET}»: không phải biểu mẫu phiếu khảo sát tải từ "
                             "ứng dụng. Hãy tải biểu mẫu (python -m cchc survey template) rồi điền vào đó."])
    if meta.get("app") != "cchc" or meta.get("kind") != KIND:
        raise WorkbookError([f"Trang ẩn «{META_SHEET}» không phải của biểu mẫu phiếu khảo sát: có thể đây là biểu mẫu "
                             "tự đánh giá. Hãy tải đúng biểu mẫu phiếu khảo sát."])
    if (meta.get("questionnaire"), meta.get("version")) != (q.code, str(q.version)):
        raise WorkbookError([f"Biểu mẫu làm theo phiếu {meta.get('questionnaire')} phiên bản {meta.get('version')}; "
                             f"phiếu đang dùng là {q.code} phiên bản {q.version}. Hãy tải biểu mẫu mới."])
    if SHEET not in wb.sheetnames:
        raise WorkbookError([f"Thiếu trang «{SHEET}»."])
    ws = wb[SHEET]
    where = at(SHEET)
    cols = columns(q)
    errors = header_errors(ws, SHEET, HEADER_ROW, [c.header for c in cols])
    errors += merged_errors(ws, SHEET, FIRST_ROW)
    if errors:
        raise WorkbookError(errors)
    if ws.max_row > FIRST_ROW + MAX_FORMS:
        raise WorkbookError([f"{where}: có {ws.max_row - FIRST_ROW + 1} hàng, nhiều hơn {MAX_FORMS} phiếu một lần nhập; "
                             "hãy chia thành nhiều tệp."])
    forms: list[PaperForm] = []
    opens, closes = window
    for row in range(FIRST_ROW, ws.max_row + 1):
        cells = [ws.cell(row, i) for i in range(1, len(cols) + 1)]
        if all(c.value is None or (isinstance(c.value, str) and not c.value.strip()) for c in cells):
            continue
        before = len(errors)

        def where_is(i: int) -> str:
            return at(SHEET, row, i + 1, cols[i].header)

        values = {}
        for i, (c, cell) in enumerate(zip(cols, cells)):
            if is_formula(cell):
                errors.append(f"{where_is(i)}: {FORMULA}")
                continue
            raw = nfc(cell.value)
            if c.key == "unit":
                code = str(raw).strip() if raw is not None else ""
                if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw == int(raw):
                    code = str(int(raw)).zfill(5)     # a code typed as a number lost its leading zeros
                if not code:
                    errors.append(f"{where_is(i)}: thiếu mã đơn vị.")
                elif code not in units:
                    errors.append(f"{where_is(i)}: mã «{code[:20]}» không phải đơn vị của kỳ này (xem trang «{LIST_SHEET}»).")
                values["unit"] = code
            elif c.key == "date":
                try:
                    filled = _date(raw)
                except (ValueError, TypeError):
                    errors.append(f"{where_is(i)}: «{raw}» không phải ngày dạng dd/mm/yyyy.")
                    continue
                if filled and opens and closes and not opens <= filled <= closes:
                    errors.append(f"{where_is(i)}: ngày {fmt_date(filled)} nằm ngoài thời gian khảo sát "
                                  f"({fmt_date(opens)} – {fmt_date(closes)}).")
                values["date"] = filled
            elif c.key.startswith("q:") or c.key == "overall":
                try:
                    values[c.key] = _rating(raw)
                except (ValueError, TypeError):
                    errors.append(f"{where_is(i)}: «{raw}» không hợp lệ; nhập số nguyên từ 1 (Rất không hài lòng) "
                                  "đến 5 (Rất hài lòng), hoặc để trống.")
            elif c.key.startswith("profile:"):
                key = c.key.split(":", 1)[1]
                text = str(raw).strip() if raw is not None else ""
                item = next(p for p in q.profile if p.key == key)
                match = next((o for o in item.options if o.casefold() == text.casefold()), None)
                if text and match is None:
                    errors.append(f"{where_is(i)}: «{text[:40]}» không phải một lựa chọn; chọn một trong: {'; '.join(item.options)}.")
                values[c.key] = match
            else:
                values["suggestion"] = "" if raw is None else str(raw)
        if len(errors) > before:
            continue
        answers = Answers(ratings={k[2:]: v for k, v in values.items() if k.startswith("q:") and v is not None},
                          profile={k.split(":", 1)[1]: v for k, v in values.items() if k.startswith("profile:") and v},
                          overall=values.get("overall"), suggestion=values.get("suggestion", ""))
        try:
            answers = check_answers(q, answers, require_all=False)
        except AnswerError as exc:
            errors.append(f"{where}, hàng {row}: {exc}")
            continue
        forms.append(PaperForm(row, values["unit"], values.get("date"), answers))
    if not forms and not errors:
        errors.append(f"{where}: chưa có phiếu nào (các phiếu nhập từ hàng {FIRST_ROW}).")
    if errors:
        raise WorkbookError(errors)
    return forms


# ------------------------------------------------------------------ the export


def _sheet(wb, title: str, headers: list[str], rows: list[list], widths: list[int] | None = None):
    ws = wb.create_sheet(title)
    for i, h in enumerate(headers, 1):
        c = ws.cell(1, i)
        write(c, h)
        c.font = Font(name=FONT, bold=True)
        c.border = BOX
        c.alignment = Alignment(wrap_text=True, horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = (widths[i - 1] if widths and i <= len(widths) else 14)
    for r, row in enumerate(rows, 2):
        for i, v in enumerate(row, 1):
            write(ws.cell(r, i), v)
    ws.freeze_panes = "A2"
    return ws


def pct(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 2)


def build_export(q: Questionnaire, year: int, responses: list[dict], answers: dict[int, dict[str, int]],
                 agg) -> bytes:
    """Raw answers (one row per form, flags and exclusions shown) and the aggregates."""
    wb = Workbook()
    wb.remove(wb.active)
    qs = q.questions()
    headers = ["Số phiếu", "Mã đơn vị", "Đơn vị", "Kênh", "Lúc", *[p.label for p in q.profile],
               *[f"Câu {x.code}" for x in qs], "Hài lòng chung", "Góp ý", "Dấu hiệu bất thường", "Loại khỏi kết quả", "Lý do loại"]
    import json

    rows = []
    for r in responses:
        prof = json.loads(r["profile"] or "{}")
        got = answers.get(r["id"], {})
        legacy = [got.get(f"yt{x.element}") for x in qs]
        rows.append([r["id"], r["unit_code"], r["unit_name"], CHANNELS.get(r["channel"], r["channel"]),
                     fmt_datetime(r["submitted_at"]), *[prof.get(p.key) for p in q.profile],
                     *[got.get(x.code, legacy[i]) for i, x in enumerate(qs)], r["overall"], r["suggestion"] or None,
                     flag_labels(r["flags"]) or None, "Có" if r["excluded"] else None, r["exclude_reason"] or None])
    _sheet(wb, "Phiếu", headers, rows, [8, 9, 22, 14, 16])
    texts = {x.code: x.text for x in qs}
    _sheet(wb, "Theo câu hỏi", ["Mã đơn vị", "Đơn vị", "Yếu tố", "Câu", "Nội dung", "Số trả lời", "Hài lòng", "Tỷ lệ (%)"],
           [[r["unit_code"], r["unit_name"], r["element"], r["question"], texts.get(r["question"], "(phiếu cũ, theo yếu tố)"),
             r["answers"], r["satisfied"], pct(r["share"])] for r in agg.questions], [9, 22, 7, 7, 50, 10, 10, 10])
    titles = {e.number: e.title for e in q.elements}
    _sheet(wb, "Theo yếu tố", ["Mã đơn vị", "Đơn vị", "Yếu tố", "Tên yếu tố", "Số trả lời", "Hài lòng", "Tỷ lệ (%)"],
           [[r["unit_code"], r["unit_name"], r["element"], titles.get(r["element"]), r["answers"], r["satisfied"], pct(r["share"])]
            for r in agg.elements], [9, 22, 7, 40, 10, 10, 10])
    _sheet(wb, "Theo đơn vị", ["Mã đơn vị", "Đơn vị", "Phiếu được tính", "Tỷ lệ hài lòng (%)"],
           [[r["unit_code"], r["unit_name"], r["responses"], pct(r["share"])] for r in agg.units], [9, 22, 12, 14])
    _sheet(wb, "Toàn huyện", ["Yếu tố / câu", "Nội dung", "Số trả lời", "Hài lòng", "Tỷ lệ (%)"],
           [[f"Câu {r['question']}", texts.get(r["question"], "(phiếu cũ, theo yếu tố)"), r["answers"], r["satisfied"], pct(r["share"])]
            for r in agg.district_questions]
           + [[f"Yếu tố {e}", titles.get(e), None, None, pct(s)] for e, s in sorted(agg.district_elements.items())]
           + [["Chung", f"Tỷ lệ hài lòng toàn huyện năm {year}", None, None, pct(agg.district_share)]], [12, 50, 10, 10, 10])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def build_codes_sheet(rows: list[dict], groups: dict[str, str], base_url: str, year: int) -> bytes:
    """One-time codes to print and hand out (A4 portrait), one line each to cut apart."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Mã phiếu điều tra"
    write(ws["A1"], f"MÃ PHIẾU ĐIỀU TRA XÃ HỘI HỌC VỀ CẢI CÁCH HÀNH CHÍNH CẤP XÃ NĂM {year}")
    ws["A1"].font = Font(name=FONT, bold=True, size=13)
    write(ws["A2"], "Mỗi mã dùng được một lần. Mở đường dẫn (hoặc vào trang Điều tra xã hội học và gõ mã), trả lời rồi gửi.")
    ws["A2"].font = Font(name=FONT, italic=True)
    headers = [("STT", 5), ("Đánh giá đơn vị", 22), ("Nhóm người trả lời", 30), ("Mã phiếu", 14), ("Đường dẫn", 52)]
    for i, (h, w) in enumerate(headers, 1):
        c = ws.cell(4, i)
        write(c, h)
        c.font, c.border = Font(name=FONT, bold=True), BOX
        ws.column_dimensions[get_column_letter(i)].width = w
    base = base_url.rstrip("/")
    for n, r in enumerate(rows, 1):
        for i, v in enumerate((n, r["unit_name"], groups.get(r["group_code"], r["group_code"]), r["code"],
                               f"{base}/dieu-tra?ma={r['code']}" if base else f"/dieu-tra?ma={r['code']}"), 1):
            c = ws.cell(4 + n, i)
            write(c, v)
            c.font, c.border = Font(name=FONT, size=12, bold=i == 4), BOX
        ws.row_dimensions[4 + n].height = 26
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "4:4"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
