"""The audit log in Vietnamese: every action, kind of object and detail the code writes has a
label (found in the source with `ast`, as tests/test_docs.py finds the actions), values read as
people write them, the screen shows the labels while the export keeps the codes, and the log's
timestamps follow the demo's clock."""

from __future__ import annotations

import ast
import datetime as dt
import io
import json
import re

from openpyxl import load_workbook

from cchc.core import audit_labels as labels
from cchc.core.permissions import CLI_USER, User
from cchc.services import audit, periods, units, users
from cchc.services.common import clock_now, today

from .test_docs import ROOT, audit_actions

ADMIN = User("admin", "Quản trị", "admin")


def _trees() -> dict[str, ast.Module]:
    return {str(p.relative_to(ROOT)): ast.parse(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "cchc").rglob("*.py"))}


def _audit_calls(trees: dict[str, ast.Module]):
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("audit", "audit_many") and len(node.args) >= 2):
                yield path, tree, node


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[position] if len(call.args) > position else None


def test_every_action_the_code_writes_has_a_label() -> None:
    patterns = audit_actions()
    missing = [text for text, pattern in patterns.items() if not any(re.fullmatch(pattern, a) for a in labels.ACTIONS)]
    assert not missing, f"actions without a Vietnamese label in cchc/core/audit_labels.py: {missing}"
    stale = [a for a in labels.ACTIONS if not any(re.fullmatch(p, a) for p in patterns.values())]
    assert not stale, f"labels for actions the code no longer writes: {stale}"
    assert {a.split(".")[0] for a in labels.ACTIONS} <= set(labels.GROUPS)


def test_every_kind_of_object_the_code_audits_has_a_label() -> None:
    entities = set()
    for path, _, call in _audit_calls(_trees()):
        arg = _argument(call, 2, "entity")
        assert isinstance(arg, ast.Constant), f"{path}:{call.lineno}: the audited object's kind should be a literal"
        entities.add(arg.value)
    assert entities and entities <= set(labels.ENTITIES), sorted(entities - set(labels.ENTITIES))


# The details of a change: the keys of the dicts handed to tx.audit as old/new (or built by the
# functions and the local names they come from), followed through dict literals, dict(...),
# comprehensions over literal tuples, local assignments and the functions called.


def _functions(trees: dict[str, ast.Module]) -> dict[str, list[ast.FunctionDef]]:
    found: dict[str, list[ast.FunctionDef]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.setdefault(node.name, []).append(node)
    return found


def _enclosing(tree: ast.Module, target: ast.AST) -> list[ast.FunctionDef]:
    """Every function the node is in, the outer ones too (a `work(tx)` reads its caller's names)."""
    return [node for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(n is target for n in ast.walk(node))]


def _assigned(node: ast.AST, name: str) -> bool:
    """`name = …` or `name[…] = …`."""
    return isinstance(node, ast.Assign) and any(
        (isinstance(t, ast.Name) and t.id == name)
        or (isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == name) for t in node.targets)


GENERIC = {"one", "run", "all", "get", "items", "scalar", "write", "strip", "lower", "isoformat", "sorted", "len"}


def _keys(expr, scopes, functions, depth=0, seen=None) -> set[str]:
    seen = set() if seen is None else seen
    if expr is None or depth > 6 or id(expr) in seen:
        return set()
    seen.add(id(expr))
    again = lambda e, s=scopes: _keys(e, s, functions, depth + 1, seen)  # noqa: E731
    keys: set[str] = set()
    if isinstance(expr, ast.Dict):
        for k, v in zip(expr.keys, expr.values):
            if isinstance(k, ast.Constant) and isinstance(k.value, str):
                keys.add(k.value)
            keys |= again(v)
    elif isinstance(expr, ast.DictComp):
        for gen in expr.generators:
            if isinstance(gen.iter, (ast.Tuple, ast.List)):
                keys |= {e.value for e in gen.iter.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
            keys |= again(gen.iter)
        keys |= again(expr.value)
    elif isinstance(expr, ast.Call):
        name = expr.func.id if isinstance(expr.func, ast.Name) else getattr(expr.func, "attr", None)
        if name == "dict":
            keys |= {kw.arg for kw in expr.keywords if kw.arg}
            for kw in expr.keywords:
                keys |= again(kw.value)
        elif name == "replace":
            keys |= again(expr.args[0]) if expr.args else set()
        elif name and name not in GENERIC:
            for f in functions.get(name, []):
                for ret in (n for n in ast.walk(f) if isinstance(n, ast.Return)):
                    keys |= _keys(ret.value, [f], functions, depth + 1, seen)
        if isinstance(expr.func, ast.Attribute):
            keys |= again(expr.func.value)
        for a in expr.args:
            keys |= again(a)
    elif isinstance(expr, ast.Name):
        for scope in scopes:
            for node in ast.walk(scope):
                if _assigned(node, expr.id):
                    keys |= again(node.value)
    elif isinstance(expr, (ast.IfExp, ast.BoolOp, ast.List, ast.Tuple, ast.ListComp, ast.Starred)):
        for child in ast.iter_child_nodes(expr):
            if isinstance(child, ast.expr):
                keys |= again(child)
    return keys


def _detail_keys() -> set[str]:
    trees = _trees()
    functions = _functions(trees)
    keys: set[str] = set()
    for _, tree, call in _audit_calls(trees):
        scopes = _enclosing(tree, call)
        if call.func.attr == "audit":
            parts = [_argument(call, 4, "old"), _argument(call, 5, "new")]
        else:
            parts = [_argument(call, 3, "changes")]
        for part in parts:
            keys |= _keys(part, scopes, functions)
    return keys


def test_every_detail_the_code_audits_has_a_label() -> None:
    keys = _detail_keys()
    # Built from tables the static reading does not follow: a period's editable settings.
    keys |= set(periods.EDITABLE) | {"year", "criteria_set_id"}
    keys -= {"password_hash"}                          # left out of user.create's row before it is audited
    assert {"r1_points", "flagged", "client", "must_change_password", "valid_to", "needs_code"} <= keys  # the reading works
    missing = sorted(keys - set(labels.FIELDS))
    assert not missing, f"details without a Vietnamese label in cchc/core/audit_labels.py: {missing}"


def test_values_read_as_people_write_them() -> None:
    v = labels.value_text
    assert v("flagged", False) == "Không" and v("active", True) == "Có"
    assert v("valid_to", None) == "—"
    assert v("decision_date", "2022-11-07") == "07/11/2022"
    assert v("submitted_at", "2022-11-09 14:30:00") == "14:30 09/11/2022"
    assert v("r1_points", "0.50") == "0,5" and v("margin", 0.05) == "0,05" and v("year", 2022) == "2022"
    assert v("leaves_added", ["1.5", "2.1"]) == "1.5, 2.1"               # criterion codes are not numbers
    assert v("state", "appraisal_r1") == "Đang thẩm định vòng 1" and v("role", "commune") == "Cán bộ UBND cấp xã"
    assert v("flags", "rate,duplicate") == "Nhiều phiếu từ một địa chỉ mạng; Trùng lặp"
    assert v("kind", "Xã") == "Xã" and v("kind", "all") == "Tất cả đơn vị"
    text = labels.detail_text(json.dumps({"r1_points": "0.5", "flagged": False, "question": None}))
    assert text == "Điểm vòng 1: 0,5; Cần giải trình: Không; Nội dung cần giải trình: —"
    assert labels.detail_text(json.dumps({"filter": {"state": "pending", "flag": "rate"}})) == \
        "Bộ lọc: (Trạng thái: Chờ xem xét, Dấu hiệu: Nhiều phiếu từ một địa chỉ mạng)"
    assert labels.detail_text(json.dumps([["01/KH-UBND", "2022-01-05", "Kế hoạch"]])) == "01/KH-UBND · 05/01/2022 · Kế hoạch"
    assert labels.detail_text("https://cchc.example.vn") == "https://cchc.example.vn"
    assert labels.detail_text(None) == ""


def test_a_change_reads_as_what_changed_old_to_new() -> None:
    def change(old, new):
        return labels.change_text(None if old is None else json.dumps(old), None if new is None else json.dumps(new))
    appraised = {"r1_points": None, "r1_reason": "", "flagged": False, "r2_points": None}
    assert change(appraised, appraised | {"r1_points": "0.5", "r1_reason": "Chậm"}) == \
        "Điểm vòng 1: — → 0,5; Lý do vòng 1: — → Chậm"
    assert change(None, {"client": "client:10.0.0.1"}) == "Địa chỉ máy: 10.0.0.1"
    assert change({"file_name": "a.pdf"}, None) == "Tệp: a.pdf → —"
    assert change({"target": 200}, {"target": 200, "dossiers": 400}) == "Số hồ sơ: 400"
    assert change({"state": "draft"}, {"state": "draft"}) == "Trạng thái: Đang tự đánh giá"
    assert change({"valid_to": None, "file": "a.pdf"}, {}) == "Tệp: a.pdf → —"
    assert change("NV", "TP") == "NV → TP"
    assert change(None, None) == ""


def test_the_screen_shows_labels_and_the_export_keeps_the_codes(storage) -> None:
    users.add_user(storage, CLI_USER, "hd-tuphap", "Nguyễn Thị Pháp", "council", "Mat-khau-2022!", office_code="TP")
    users.set_active(storage, CLI_USER, "hd-tuphap", False, "Nghỉ hưu")
    rows = audit.entries(storage, ADMIN, action="user")
    shown = audit.rows_for_display(rows)
    assert [r["Hành động"] for r in shown] == ["Khóa tài khoản", "Tạo tài khoản"]
    assert {r["Đối tượng"] for r in shown} == {"Tài khoản hd-tuphap"}
    assert shown[0]["Thay đổi (cũ → mới)"] == "Đang hoạt động: Có → Không" and shown[0]["Lý do"] == "Nghỉ hưu"
    assert "Vai trò: Thành viên Hội đồng thẩm định" in shown[1]["Thay đổi (cũ → mới)"]
    assert "Phải đổi mật khẩu: Không" in shown[1]["Thay đổi (cũ → mới)"]
    every = " ".join(str(v) for r in shown for v in r.values())
    for code in ("user.", "app_user", "False", "True", "must_change_password"):
        assert code not in every
    ws = load_workbook(io.BytesIO(audit.to_xlsx(rows))).active
    header = [c.value for c in ws[1]]
    assert header == list(audit.EXPORT_COLUMNS)
    first = {h: ws.cell(2, i).value for i, h in enumerate(header, 1)}
    assert first["Hành động"] == "user.disable" and first["Đối tượng"] == "app_user"      # the codes, as written
    assert first["Giá trị mới"] == "active: False"
    assert first["Tên hành động"] == "Khóa tài khoản" and first["Tên đối tượng"] == "Tài khoản"
    assert ws.cell(2, 1).number_format == "dd/mm/yyyy hh:mm:ss"


def test_the_action_filter_names_groups_and_actions() -> None:
    actions = ["appraisal.round1", "appraisal.state", "init", "login", "login.failed"]
    choices = audit.action_filter(actions)
    assert choices == ["appraisal", "init", "login", "appraisal.round1", "appraisal.state", "login.failed"]
    named = [audit.action_choice_label(c, actions) for c in choices]
    assert named == ["Thẩm định (mọi hành động)", "Khởi tạo cơ sở dữ liệu", "Đăng nhập (mọi hành động)",
                     "Thẩm định vòng 1", "Chuyển bước thẩm định", "Đăng nhập sai mật khẩu"]


# ------------------------------------------------------------------ the demo's clock


def test_audit_rows_follow_the_demo_clock_with_the_real_time_of_day(storage, monkeypatch) -> None:
    monkeypatch.setenv("CCHC_TODAY", "2022-11-09")
    units.add_unit(storage, ADMIN, "18999", "Xã Sơn Mới", "Xã", 2023)
    row = audit.entries(storage, ADMIN, action="unit.add")[0]
    assert row["logged_at"].date() == dt.date(2022, 11, 9) == today(storage)
    assert abs((clock_now(storage) - row["logged_at"]).total_seconds()) < 60        # the same clock, the real time
    assert audit.entries(storage, ADMIN, date_from=dt.date(2022, 11, 9), date_to=dt.date(2022, 11, 9))


def test_a_demo_database_stamps_its_log_with_its_own_day(demo_file, tmp_path, monkeypatch) -> None:
    import shutil

    from cchc.db.storage import Storage
    monkeypatch.delenv("CCHC_TODAY", raising=False)
    db = Storage(shutil.copy(demo_file, tmp_path / "demo.duckdb"))
    try:
        demo_day = today(db)
        assert demo_day == dt.date(2022, 11, 9)
        users.log_in(db, "admin", "Demo@2022", "client:test")
        row = audit.entries(db, ADMIN, action="login")[0]
        assert row["logged_at"].date() == demo_day
        seeded = audit.entries(db, ADMIN, action="demo.seed")[0]
        assert seeded["logged_at"].date() == demo_day
    finally:
        db.close()


def test_without_a_demo_or_a_set_day_the_log_keeps_the_calendar(storage, monkeypatch) -> None:
    monkeypatch.delenv("CCHC_TODAY", raising=False)
    units.add_unit(storage, ADMIN, "18999", "Xã Sơn Mới", "Xã", 2023)
    row = audit.entries(storage, ADMIN, action="unit.add")[0]
    from cchc.core.clock import wall_now
    assert abs((wall_now() - row["logged_at"]).total_seconds()) < 60


def test_every_survey_flag_has_a_short_name() -> None:
    from cchc.core.survey import FLAGS
    assert set(labels.FLAG_NAMES) == set(FLAGS)
