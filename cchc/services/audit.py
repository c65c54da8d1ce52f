"""The audit log for administrators: filtered reads and an .xlsx export."""

from __future__ import annotations

import datetime as dt
import io
import json

from openpyxl import Workbook
from openpyxl.styles import Font

from ..permissions import User, require
from ..storage import Storage
from ..text import nfc

COLUMNS = ("Thời điểm", "Người thực hiện", "Hành động", "Đối tượng", "Khóa", "Giá trị cũ", "Giá trị mới", "Lý do")


def entries(storage: Storage, actor: User, unit: str | None = None, user: str | None = None,
            action: str | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
            limit: int = 5000) -> list[dict]:
    """Audit rows, newest first: by unit code, by the user who acted, by action (or its prefix, as
    "appraisal"), between two days (inclusive)."""
    require(actor, "audit.view")
    return storage.all("audit_search", unit=(unit or "").strip() or None, actor=user or None,
                       action=action or None, date_from=date_from, date_to=date_to, limit=limit)


def choices(storage: Storage, actor: User) -> tuple[list[str], list[str]]:
    """(users who appear in the log, actions that appear in it), for the filters."""
    require(actor, "audit.view")
    return ([r["actor"] for r in storage.all("audit_actors")], [r["action"] for r in storage.all("audit_actions")])


def _readable(value: str | None) -> str:
    if value is None:
        return ""
    try:
        data = json.loads(value)
    except ValueError:
        return value
    if isinstance(data, dict):
        return "; ".join(f"{k}: {'' if v is None else v}" for k, v in data.items())
    return str(data)


def rows_for_display(rows: list[dict]) -> list[dict]:
    return [{COLUMNS[0]: r["logged_at"], COLUMNS[1]: r["actor"], COLUMNS[2]: r["action"], COLUMNS[3]: r["entity"],
             COLUMNS[4]: r["entity_key"], COLUMNS[5]: _readable(r["old_value"]), COLUMNS[6]: _readable(r["new_value"]),
             COLUMNS[7]: r["reason"]} for r in rows]


def to_xlsx(rows: list[dict]) -> bytes:
    """The rows as a workbook: values, not formulas; text in NFC."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Nhat ky"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows_for_display(rows):
        values = []
        for c in COLUMNS:
            v = r[c]
            if isinstance(v, str):
                v = nfc(v)
                if v.startswith(("=", "+", "-", "@")):
                    v = "'" + v              # never a formula
            values.append(v)
        ws.append(values)
    ws.column_dimensions["A"].width = 20
    for col in "BCDE":
        ws.column_dimensions[col].width = 18
    for col in "FGH":
        ws.column_dimensions[col].width = 40
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
