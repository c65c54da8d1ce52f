"""What every workbook reader needs: opening an uploaded file safely, the checks every sheet gets
(formulas, merged cells, the header row), the "Trang …, hàng …, cột …" location of a message,
numbers typed as text, NFC text, and writing a cell that stays text.

Each reader keeps its own messages for the whole-file refusals (a criteria set and a commune's
form say different things about what was expected); everything here is worded the same for all."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from cchc.core import numbers
from cchc.core.numbers import DecimalComma  # noqa: F401 -- re-exported: the readers catch it

MB = 1024 * 1024
FORMULA = "ô chứa công thức; hãy nhập giá trị."


class WorkbookError(ValueError):
    """Every problem found in an uploaded workbook, one Vietnamese line each."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Refusals:
    """What a reader says when a file is refused whole. `too_big` may use {mb} (the file's size)
    and {limit}; `too_unpacked` may use {mb} (its size unpacked)."""
    not_a_workbook: str
    too_big: str
    too_unpacked: str
    max_bytes: int = 5 * MB
    max_unpacked: int = 25 * MB


def open_workbook(data: bytes, refusals: Refusals, error: type[ValueError] = WorkbookError):
    """The openpyxl workbook in `data` (formulas kept, so that they can be refused), after the
    size checks; `error([message])` for a file too big, a zip bomb or anything not a workbook."""
    if len(data) > refusals.max_bytes:
        raise error([refusals.too_big.format(mb=f"{len(data) / MB:.0f}", limit=refusals.max_bytes // MB)])
    try:
        unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except Exception:
        raise error([refusals.not_a_workbook]) from None
    if unpacked > refusals.max_unpacked:          # a small file that unpacks into a huge one
        raise error([refusals.too_unpacked.format(mb=unpacked // MB)])
    try:
        return load_workbook(io.BytesIO(data), data_only=False)
    except Exception:           # damaged XML, missing parts, not a workbook at all
        raise error([refusals.not_a_workbook]) from None


def hidden_meta(wb, sheet: str) -> dict[str, str] | None:
    """The key/value rows of the hidden sheet that identifies a workbook made by the app; None
    when the sheet is absent."""
    if sheet not in wb.sheetnames:
        return None
    return {str(r[0].value): str(r[1].value) for r in wb[sheet].iter_rows(max_col=2) if r[0].value}


# ------------------------------------------------------------------ where, and the sheet checks


def at(sheet: str, row: int | None = None, col: int | None = None, header: str | None = None) -> str:
    """«Trang «X», hàng 7, cột E (Điểm tự chấm)»: where a message points, as far as known."""
    text = f"Trang «{sheet}»"
    if row is not None:
        text += f", hàng {row}"
    if col is not None:
        text += f", cột {get_column_letter(col)}"
    if header:
        text += f" ({header})"
    return text


def is_formula(cell) -> bool:
    return cell.data_type == "f"


def header_errors(ws, sheet: str, row: int, headers: list[str], show_found: bool = True) -> list[str]:
    """One line per column of `row` whose header is not the expected one (column 1 onwards)."""
    errors = []
    for col, header in enumerate(headers, 1):
        found = nfc(ws.cell(row, col).value)
        if str(found or "").strip() != header:
            shown = f" (đang là «{found or ''}»)" if show_found else ""
            errors.append(f"{at(sheet, row, col)}: thiếu cột «{header}»{shown}.")
    return errors


def merged_errors(ws, sheet: str, from_row: int = 1, advice: str = "hãy bỏ gộp ô") -> list[str]:
    """One line per range of merged cells reaching `from_row` or below: a merged cell hides the
    values of all but its first cell."""
    return [f"{at(sheet)}: các ô {m.coord} bị gộp; {advice}."
            for m in ws.merged_cells.ranges if m.max_row >= from_row]


# ------------------------------------------------------------------ values


def nfc(value, strip: bool = False):
    """Text in NFC (decomposed Vietnamese from some keyboards compares unequal otherwise)."""
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value)
    return value.strip() if strip else value


def number(raw, decimal_comma: bool = True) -> Decimal | None:
    """A number cell's value as a Decimal: None when empty; a number, or text such as «1.5»
    («1,5» too when `decimal_comma`, else DecimalComma). NumberError (a ValueError) for anything
    else: TRUE/FALSE, inf, «1e-999999999», more than two decimals (cchc.core.numbers, the rule
    for every number read from outside)."""
    return numbers.decimal(raw, decimal_comma=decimal_comma)


DAY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")     # ASCII digits, as strptime


def day(text: str) -> dt.date:
    """A date typed as dd/mm/yyyy (one-digit day and month too); ValueError otherwise. What
    strptime("%d/%m/%Y") accepts, at a fraction of its cost (a workbook has one per document)."""
    m = DAY.fullmatch(text)
    if m is None:
        raise ValueError(text)
    return dt.date(int(m[3]), int(m[2]), int(m[1]))


def write(cell, value) -> None:
    """Write a value; text is always text, never a formula (a note may start with '=')."""
    cell.value = value
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"
