"""The audit log for administrators: filtered reads, rows as the screen shows them (Vietnamese
names for the codes, cchc.core.audit_labels) and an .xlsx export that keeps the codes."""

from __future__ import annotations

import datetime as dt
import io
import json

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from cchc.core import audit_labels as labels
from cchc.core.permissions import User, require
from cchc.core.text import nfc
from cchc.db.storage import Storage

COLUMNS = ("Thời điểm", "Người thực hiện", "Hành động", "Đối tượng", "Mã đối tượng", "Giá trị cũ", "Giá trị mới", "Lý do")
#: The export: these columns holding the codes, then the Vietnamese names of action and object.
EXPORT_COLUMNS = COLUMNS + ("Tên hành động", "Tên đối tượng")
#: The screen: the object's name with its key, and the change as one line (what changed, old → new).
SCREEN_COLUMNS = ("Thời điểm", "Người thực hiện", "Hành động", "Đối tượng", "Lý do", "Thay đổi (cũ → mới)")


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
    """(users who appear in the log, actions that appear in it), for the filters; the screen
    names an action with `action_choice_label`."""
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


def action_filter(actions: list[str]) -> list[str]:
    """The filter's choices: each group of actions (as "appraisal": every appraisal action),
    then the actions a group does not stand for alone."""
    groups = sorted({a.split(".")[0] for a in actions})
    return groups + [a for a in actions if a not in groups]


def action_choice_label(choice: str, actions: list[str]) -> str:
    """A filter choice in Vietnamese: a group with more than its own action reads «Thẩm định
    (mọi hành động)», an action its own name."""
    if "." not in choice and any(a.startswith(choice + ".") for a in actions):
        return labels.group_label(choice)
    return labels.action_label(choice)


def rows_for_display(rows: list[dict]) -> list[dict]:
    """The rows as the screen shows them: Vietnamese names for actions, objects and details,
    only what changed (old → new), Có/Không, dates dd/mm/yyyy, decimal commas."""
    c = SCREEN_COLUMNS
    return [{c[0]: r["logged_at"], c[1]: r["actor"], c[2]: labels.action_label(r["action"]),
             c[3]: f"{labels.entity_label(r['entity'])} {r['entity_key']}".strip(),
             c[4]: r["reason"], c[5]: labels.change_text(r["old_value"], r["new_value"])} for r in rows]


def rows_for_export(rows: list[dict]) -> list[dict]:
    """The rows as the export keeps them: the codes (action, object, detail names) as written,
    then the Vietnamese names of the action and the object."""
    return [{COLUMNS[0]: r["logged_at"], COLUMNS[1]: r["actor"], COLUMNS[2]: r["action"], COLUMNS[3]: r["entity"],
             COLUMNS[4]: r["entity_key"], COLUMNS[5]: _readable(r["old_value"]), COLUMNS[6]: _readable(r["new_value"]),
             COLUMNS[7]: r["reason"], EXPORT_COLUMNS[8]: labels.action_label(r["action"]),
             EXPORT_COLUMNS[9]: labels.entity_label(r["entity"])} for r in rows]


def _cell_text(value: str) -> str:
    """Text as the workbook can hold it: NFC, and the control characters Excel refuses replaced by
    U+FFFD (so the export never fails on a pasted reason)."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", nfc(value))


def to_xlsx(rows: list[dict]) -> bytes:
    """The rows as a workbook, sheet «Nhật ký»: values, never formulas — a text that begins with
    "=" stays that text, stored as a string; text in NFC. The codes are kept (rows_for_export)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Nhật ký"
    ws.append(list(EXPORT_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, r in enumerate(rows_for_export(rows), start=2):
        for j, c in enumerate(EXPORT_COLUMNS, start=1):
            v = r[c]
            if isinstance(v, str):
                cell = ws.cell(i, j, _cell_text(v))
                cell.data_type = "s"           # never a formula, whatever the text begins with
            elif isinstance(v, dt.datetime):
                ws.cell(i, j, v).number_format = "dd/mm/yyyy hh:mm:ss"
            else:
                ws.cell(i, j, v)
    ws.column_dimensions["A"].width = 20
    for col in "BCDE":
        ws.column_dimensions[col].width = 18
    for col in "FGH":
        ws.column_dimensions[col].width = 40
    for col in "IJ":
        ws.column_dimensions[col].width = 28
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
