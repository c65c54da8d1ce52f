"""The audit log for administrators: filtered reads and an .xlsx export."""

from __future__ import annotations

import datetime as dt
import io
import json

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from cchc.core.permissions import User, require
from cchc.core.text import nfc
from cchc.db.storage import Storage

COLUMNS = ("Thời điểm", "Người thực hiện", "Hành động", "Đối tượng", "Khóa", "Giá trị cũ", "Giá trị mới", "Lý do")


#: How many rows the screen shows at most (the export takes every matching row).
SCREEN_LIMIT = 5000


def _filters(unit: str | None, user: str | None, action: str | None, date_from: dt.date | None,
             date_to: dt.date | None) -> dict:
    return {"unit": (unit or "").strip() or None, "actor": user or None, "action": action or None,
            "date_from": date_from, "date_to": date_to}


def entries(storage: Storage, actor: User, unit: str | None = None, user: str | None = None,
            action: str | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
            limit: int | None = None) -> list[dict]:
    """Audit rows, newest first: by unit code, by the user who acted, by action (or its prefix, as
    "appraisal"), between two days (inclusive); at most `limit` rows (None: every row; the screen
    passes SCREEN_LIMIT)."""
    require(actor, "audit.view")
    return storage.all("audit_search", **_filters(unit, user, action, date_from, date_to), limit=limit)


def count(storage: Storage, actor: User, unit: str | None = None, user: str | None = None,
          action: str | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None) -> int:
    """How many audit rows match the filters (the screen may show fewer)."""
    require(actor, "audit.view")
    return int(storage.scalar("audit_search_count", **_filters(unit, user, action, date_from, date_to)))


def export_xlsx(storage: Storage, actor: User, unit: str | None = None, user: str | None = None,
                action: str | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None) -> bytes:
    """Every matching audit row (no screen limit) as a workbook."""
    return to_xlsx(entries(storage, actor, unit, user, action, date_from, date_to, limit=None))


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


def _cell_text(value: str) -> str:
    """Text as the workbook can hold it: NFC, and the control characters Excel refuses replaced by
    U+FFFD (so the export never fails on a pasted reason)."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", nfc(value))


def to_xlsx(rows: list[dict]) -> bytes:
    """The rows as a workbook, sheet «Nhật ký»: values, never formulas — a text that begins with
    "=" stays that text, stored as a string; text in NFC."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Nhật ký"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, r in enumerate(rows_for_display(rows), start=2):
        for j, c in enumerate(COLUMNS, start=1):
            v = r[c]
            if isinstance(v, str):
                cell = ws.cell(i, j, _cell_text(v))
                cell.data_type = "s"           # never a formula, whatever the text begins with
            else:
                ws.cell(i, j, v)
    ws.column_dimensions["A"].width = 20
    for col in "BCDE":
        ws.column_dimensions[col].width = 18
    for col in "FGH":
        ws.column_dimensions[col].width = 40
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
