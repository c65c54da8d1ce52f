"""Dossier codes for the one-answer-per-dossier survey: the one-stop system's export read
(.xlsx or .csv, a column for the commune code and one for the dossier code), and the list of
printed one-time codes written as a CSV for Excel. Pure: bytes in, plain values or bytes out.
Errors name the row and the column, in Vietnamese; the caller stores nothing unless there are none."""

from __future__ import annotations

import csv
import io
import unicodedata

from openpyxl.utils import get_column_letter

from cchc.core.survey import normalise_dossier_code
from cchc.files.workbook import MB, Refusals, WorkbookError, open_workbook

MAX_ROWS = 200_000
MAX_BYTES = 20 * MB
UNIT_HEADERS = {"ma xa", "ma don vi", "ma dvhc", "ma_xa", "ma_don_vi", "unit", "unit_code", "don vi"}
CODE_HEADERS = {"ma ho so", "so ho so", "ma_ho_so", "so_ho_so", "ma phieu", "dossier", "dossier_code", "code"}
REFUSALS = Refusals(
    not_a_workbook="Tệp không phải sổ tính Excel (.xlsx) hay tệp .csv hợp lệ.",
    too_big="Tệp lớn {mb} MB, vượt giới hạn {limit} MB của danh sách mã hồ sơ; hãy chia thành nhiều tệp.",
    too_unpacked="Nội dung sổ tính quá lớn ({mb} MB khi giải nén) cho một danh sách mã hồ sơ.",
    max_bytes=MAX_BYTES, max_unpacked=5 * MAX_BYTES)


def _plain(text) -> str:
    """A header without diacritics or case, so «Mã hồ sơ», «MA HO SO» and «ma_ho_so» all match."""
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in text if not unicodedata.combining(c)).strip().lower()


def _rows(data: bytes, name: str) -> list[list]:
    if name.lower().endswith(".csv"):
        if len(data) > MAX_BYTES:
            raise WorkbookError([REFUSALS.too_big.format(mb=f"{len(data) / MB:.0f}", limit=MAX_BYTES // MB)])
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise WorkbookError(["Tệp .csv phải lưu bằng bảng mã UTF-8 (trong Excel: «CSV UTF-8»)."]) from None
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
        return [row for row in csv.reader(io.StringIO(text), dialect)]
    ws = open_workbook(data, REFUSALS).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def parse(data: bytes, name: str, units: dict[str, str]) -> list[tuple[str, str]]:
    """(unit code, dossier code) of every row under the header row, in file order; a
    WorkbookError listing every bad row (row and column named) otherwise. Each code once."""
    rows = _rows(data, name)
    header_at = next((i for i, r in enumerate(rows[:20])
                      if {_plain(c) for c in r} & UNIT_HEADERS and {_plain(c) for c in r} & CODE_HEADERS), None)
    if header_at is None:
        raise WorkbookError(["Không tìm thấy hàng tiêu đề có cột «Mã xã» và cột «Mã hồ sơ» (trong 20 hàng đầu)."])
    header = [_plain(c) for c in rows[header_at]]
    ucol = next(i for i, h in enumerate(header) if h in UNIT_HEADERS)
    ccol = next(i for i, h in enumerate(header) if h in CODE_HEADERS)
    if len(rows) - header_at - 1 > MAX_ROWS:
        raise WorkbookError([f"Tệp có hơn {MAX_ROWS:,} hàng; hãy chia thành nhiều tệp.".replace(",", ".")])
    out, errors, seen = [], [], {}
    for n, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        raw_unit = row[ucol] if ucol < len(row) else None
        raw_code = row[ccol] if ccol < len(row) else None
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        where_u = f"Hàng {n}, cột {get_column_letter(ucol + 1)} (Mã xã)"
        where_c = f"Hàng {n}, cột {get_column_letter(ccol + 1)} (Mã hồ sơ)"
        unit = str(raw_unit).strip() if raw_unit is not None else ""
        unit = unit[:-2] if unit.endswith(".0") else unit          # a number Excel kept as 18139.0
        unit = unit.zfill(5) if unit.isdigit() and len(unit) < 5 else unit
        code = normalise_dossier_code(raw_code)
        bad = []
        if not unit:
            bad.append(f"{where_u}: trống.")
        elif unit not in units:
            bad.append(f"{where_u}: «{unit[:20]}» không phải mã xã, thị trấn của kỳ.")
        if raw_code is None or str(raw_code).strip() == "":
            bad.append(f"{where_c}: trống.")
        elif code is None:
            bad.append(f"{where_c}: «{str(raw_code)[:40]}» không phải mã hồ sơ hợp lệ "
                       "(3–40 chữ cái, chữ số và . / _ -).")
        elif code in seen:
            bad.append(f"{where_c}: «{code}» trùng với hàng {seen[code]}.")
        if bad:
            errors += bad
        else:
            seen[code] = n
            out.append((unit, code))
    if errors:
        raise WorkbookError(errors)
    if not out:
        raise WorkbookError(["Tệp không có mã hồ sơ nào dưới hàng tiêu đề."])
    return out


def build_csv(rows: list[dict], base_url: str) -> bytes:
    """The printed one-time codes (unit code, unit name, code, survey address) for Excel."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Mã xã", "Tên xã", "Mã phiếu khảo sát", "Địa chỉ khảo sát"])
    for r in rows:
        link = f"{base_url.rstrip('/')}/khao-sat?dv={r['unit_code']}&ma={r['code']}" if base_url else ""
        w.writerow([r["unit_code"], r.get("unit_name") or "", r["code"], link])
    return buf.getvalue().encode("utf-8-sig")
