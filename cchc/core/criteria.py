"""The criteria set (bộ tiêu chí) as data: parsing, validation, export. No framework, no database.

A set is a flat list of nodes whose codes give the tree: "1" is a field (lĩnh vực), "1.2" a
criterion (tiêu chí), "1.2.3" a sub-criterion (tiêu chí thành phần). A node with no children is a
leaf and is what gets scored. Leaves inherit office, step, "không áp dụng" and source from the
nearest ancestor that sets them, then from the set's defaults.

Every problem found is reported, one Vietnamese line each naming the code, and nothing is
returned unless there are none: a set is loaded whole or not at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

import yaml

from cchc.core import numbers, yaml_text
from cchc.core.text import fmt_points, nfc

SOURCES = {
    "self_assessed": "Tự đánh giá, thẩm định",
    "citizen_survey": "Khảo sát sự hài lòng của người dân, tổ chức",
    "official_survey": "Điều tra xã hội học cán bộ, công chức",
    "bonus": "Điểm thưởng",
    "penalty": "Điểm trừ",
}
#: Sources whose points make up the 100; bonus and penalty sit outside it.
IN_TOTAL = ("self_assessed", "citizen_survey", "official_survey")
APPLIES_TO = {"all": "Tất cả đơn vị", "xa": "Xã", "thi_tran": "Thị trấn", "phuong": "Phường"}

CODE_RE = re.compile(r"^[1-9][0-9]*(\.[1-9][0-9]*)*$")
MAX_DEPTH = 4
SET_KEYS = {"code", "name", "year", "version", "is_template", "source_decision", "applies_to", "total",
            "bonus_cap", "penalty_cap"}
DEFAULT_KEYS = {"step", "na_allowed", "source", "office"}
NODE_KEYS = {"code", "title", "max", "guidance", "evidence", "office", "step", "na_allowed", "source"}
INHERITED = ("office", "step", "na_allowed", "source")
BUILTIN_DEFAULTS = {"step": Decimal("0.25"), "na_allowed": False, "source": "self_assessed", "office": None}
#: The most points anything in a set may carry (total, a criterion, a step, a cap): a set is out
#: of 100 plus a few bonus points; checked before any sum or division.
MAX_POINTS = Decimal(1000)


class CriteriaError(ValueError):
    """A criteria set that cannot be loaded; `errors` lists every problem, one line each."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Criterion:
    code: str
    title: str
    max_points: Decimal
    parent_code: str | None
    depth: int
    position: int
    is_leaf: bool
    guidance: str = ""
    evidence: str = ""
    office_code: str | None = None
    step: Decimal = Decimal("0.25")
    na_allowed: bool = False
    source: str = "self_assessed"


@dataclass(frozen=True)
class CriteriaSet:
    code: str
    name: str
    year: int
    version: int
    is_template: bool
    source_decision: str
    applies_to: str
    total: Decimal
    nodes: tuple[Criterion, ...] = field(default=())
    bonus_cap: Decimal | None = None     # most bonus points a unit can get (None: the bonus leaves' sum)
    penalty_cap: Decimal | None = None   # most points a unit can lose to penalties

    def node(self, code: str) -> Criterion:
        return next(n for n in self.nodes if n.code == code)

    def fields(self) -> list[Criterion]:
        return [n for n in self.nodes if n.depth == 1]

    def children(self, code: str) -> list[Criterion]:
        return [n for n in self.nodes if n.parent_code == code]

    def leaves(self, under: str | None = None) -> list[Criterion]:
        prefix = None if under is None else under + "."
        return [n for n in self.nodes if n.is_leaf and (prefix is None or n.code.startswith(prefix))]

    def cap(self, source: str) -> Decimal:
        """The most bonus (or penalty) points that count: the set's cap, else the leaves' sum."""
        full = sum((n.max_points for n in self.leaves() if n.source == source), Decimal(0))
        limit = self.bonus_cap if source == "bonus" else self.penalty_cap if source == "penalty" else None
        return full if limit is None else min(full, limit)

    def points_by_source(self) -> dict[str, Decimal]:
        totals = {s: Decimal(0) for s in SOURCES}
        for leaf in self.leaves():
            totals[leaf.source] += leaf.max_points
        return totals


# ---------------------------------------------------------------- parsing helpers


def _points(raw: Any, label: str, what: str, errors: list[str]) -> Decimal | None:
    """A positive number of points from YAML or a cell, at most MAX_POINTS with at most two
    decimals (cchc.core.numbers: the rule the scores follow too); None, with the problem added
    to `errors`, otherwise."""
    try:
        value = numbers.decimal(raw, decimal_comma=False)
    except numbers.NumberError as exc:
        errors.append(_number_error(label, what, raw, exc))
        return None
    if value is None:
        errors.append(_number_error(label, what, raw))
    elif value <= 0:
        errors.append(f"{label}: {what} phải lớn hơn 0.")
    elif value > MAX_POINTS:
        errors.append(f"{label}: {what} {fmt_points(value)} quá lớn; tối đa {fmt_points(MAX_POINTS)} điểm.")
    else:
        return value
    return None


def _code_text(raw: Any) -> str | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, str):
        return raw.strip()
    return None


def _label(code: str | None, index: int) -> str:
    return f"Tiêu chí {code}" if code else f"Mục thứ {index} trong danh sách"


def _number_error(label: str, what: str, raw: Any, exc: numbers.NumberError | None = None) -> str:
    if isinstance(raw, str) and "," in raw:
        return f"{label}: {what} '{raw}' dùng dấu phẩy; hãy dùng dấu chấm thập phân (ví dụ 1.5)."
    reason = str(exc) if exc is not None else "không phải là số"
    return f"{label}: {what} '{raw}' {reason}."


# ---------------------------------------------------------------- the loader


def parse_set(data: Any, offices: Iterable[str] | None = None) -> CriteriaSet:
    """Validate a set given as plain data (from YAML or a workbook) and build it, or raise."""
    data = nfc(data)
    errors: list[str] = []
    if not isinstance(data, dict) or "set" not in data or "nodes" not in data:
        raise CriteriaError(["Tệp không đúng cấu trúc: cần hai phần 'set' (thông tin bộ tiêu chí) và 'nodes' (danh sách tiêu chí)."])
    header = _parse_header(data.get("set"), errors)
    defaults = _parse_defaults(data.get("defaults") or {}, errors)
    raw_nodes = data.get("nodes")
    if not isinstance(raw_nodes, list) or not raw_nodes:
        errors.append("Phần 'nodes' phải là danh sách tiêu chí và không được rỗng.")
        raise CriteriaError(errors)
    office_set = set(offices) if offices is not None else None
    nodes = _parse_nodes(raw_nodes, defaults, office_set, errors)
    if header["total"] is not None:
        _check_tree(nodes, header["total"], errors)
    for key, source, label in (("bonus_cap", "bonus", "điểm thưởng"), ("penalty_cap", "penalty", "điểm trừ")):
        if header[key] is not None and not any(n.is_leaf and n.source == source for n in nodes):
            errors.append(f"Phần 'set': có mức {label} tối đa ({key}) nhưng không có tiêu chí nào là {label}.")
    if errors:
        raise CriteriaError(errors)
    return CriteriaSet(nodes=tuple(nodes), **header)


def _parse_header(raw: Any, errors: list[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        errors.append("Phần 'set' phải có các mục code, name, year, total.")
        raw = {}
    for key in sorted(set(raw) - SET_KEYS):
        errors.append(f"Phần 'set': khóa không hợp lệ '{key}'.")
    header = {
        "code": str(raw.get("code") or "").strip(),
        "name": str(raw.get("name") or "").strip(),
        "year": raw.get("year"),
        "version": raw.get("version", 1),
        "is_template": raw.get("is_template", False),
        "source_decision": str(raw.get("source_decision") or "").strip(),
        "applies_to": raw.get("applies_to", "all"),
        "total": _points(raw.get("total"), "Phần 'set'", "tổng điểm (total)", errors),
        "bonus_cap": None,
        "penalty_cap": None,
    }
    for key, label in (("bonus_cap", "mức điểm thưởng tối đa"), ("penalty_cap", "mức điểm trừ tối đa")):
        if raw.get(key) is not None and raw.get(key) != "":
            header[key] = _points(raw[key], "Phần 'set'", f"{label} ({key})", errors)
    if not header["code"]:
        errors.append("Phần 'set': thiếu mã bộ tiêu chí (code).")
    if not header["name"]:
        errors.append("Phần 'set': thiếu tên bộ tiêu chí (name).")
    if not isinstance(header["year"], int) or isinstance(header["year"], bool) or not 2000 <= header["year"] <= 2100:
        errors.append(f"Phần 'set': năm (year) '{raw.get('year')}' không hợp lệ.")
    if not isinstance(header["version"], int) or isinstance(header["version"], bool) or header["version"] < 1:
        errors.append(f"Phần 'set': phiên bản (version) '{raw.get('version')}' phải là số nguyên dương.")
    if not isinstance(header["is_template"], bool):
        errors.append("Phần 'set': is_template phải là true hoặc false.")
    if header["applies_to"] not in APPLIES_TO:
        errors.append(f"Phần 'set': applies_to '{header['applies_to']}' không hợp lệ; chọn một trong {', '.join(APPLIES_TO)}.")
    return header


def _parse_defaults(raw: Any, errors: list[str]) -> dict[str, Any]:
    defaults = dict(BUILTIN_DEFAULTS)
    if not isinstance(raw, dict):
        errors.append("Phần 'defaults' phải là các cặp khóa: giá trị.")
        return defaults
    for key in sorted(set(raw) - DEFAULT_KEYS):
        errors.append(f"Phần 'defaults': khóa không hợp lệ '{key}'.")
    _read_inherited(raw, defaults, "Phần 'defaults'", errors)
    return defaults


def _read_inherited(raw: dict, into: dict, label: str, errors: list[str]) -> None:
    """Read the inheritable attributes present in `raw` into `into`, checking each."""
    if "step" in raw:
        step = _points(raw["step"], label, "bước điểm (step)", errors)
        if step is not None:
            into["step"] = step
    if "na_allowed" in raw:
        if isinstance(raw["na_allowed"], bool):
            into["na_allowed"] = raw["na_allowed"]
        else:
            errors.append(f"{label}: na_allowed (cho phép 'không áp dụng') phải là true hoặc false.")
    if "source" in raw:
        if raw["source"] in SOURCES:
            into["source"] = raw["source"]
        else:
            errors.append(f"{label}: nguồn điểm (source) '{raw['source']}' không hợp lệ; chọn một trong {', '.join(SOURCES)}.")
    if "office" in raw:
        into["office"] = str(raw["office"]).strip() if raw["office"] is not None else None


def _parse_nodes(raw_nodes: list, defaults: dict, offices: set[str] | None, errors: list[str]) -> list[Criterion]:
    seen: dict[str, dict] = {}   # code -> resolved attributes, in order of appearance
    drafts: list[dict] = []
    for index, raw in enumerate(raw_nodes, start=1):
        if not isinstance(raw, dict):
            errors.append(f"Mục thứ {index} trong danh sách: không phải là một tiêu chí (cần code, title, max).")
            continue
        code = _code_text(raw.get("code"))
        label = _label(code, index)
        if code is None or code == "":
            kind = "mã số thập phân, hãy đặt mã trong ngoặc kép (ví dụ \"1.10\")" if isinstance(raw.get("code"), float) else "thiếu mã (code)"
            errors.append(f"{label}: {kind}.")
            continue
        if not CODE_RE.match(code):
            errors.append(f"{label}: mã không hợp lệ; mã có dạng 1, 1.1, 1.1.1 (số bắt đầu từ 1, ngăn cách bằng dấu chấm).")
            continue
        if code in seen:
            errors.append(f"{label}: mã bị trùng.")
            continue
        for key in sorted(set(raw) - NODE_KEYS):
            errors.append(f"{label}: khóa không hợp lệ '{key}'.")
        parent = code.rsplit(".", 1)[0] if "." in code else None
        depth = code.count(".") + 1
        if depth > MAX_DEPTH:
            errors.append(f"{label}: cây tiêu chí sâu quá {MAX_DEPTH} cấp.")
        inherited = dict(seen[parent]["inherited"]) if parent in seen else dict(defaults)
        if parent is not None and parent not in seen:
            errors.append(f"{label}: không có tiêu chí cha {parent} đứng trước nó.")
        _read_inherited(raw, inherited, label, errors)
        title = str(raw.get("title") or "").strip()
        if not title:
            errors.append(f"{label}: thiếu nội dung (title).")
        max_points = _points(raw.get("max"), label, "điểm tối đa (max)", errors)
        draft = {"code": code, "parent": parent, "depth": depth, "title": title, "max": max_points,
                 "guidance": str(raw.get("guidance") or "").strip(),
                 "evidence": str(raw.get("evidence") or "").strip(), "inherited": inherited}
        seen[code] = draft
        drafts.append(draft)
    _check_order(drafts, errors)
    parents = {d["parent"] for d in drafts}
    nodes = []
    for position, d in enumerate(drafts, start=1):
        is_leaf = d["code"] not in parents
        inh = d["inherited"]
        label = f"Tiêu chí {d['code']}"
        if is_leaf:
            if not d["guidance"]:
                errors.append(f"{label}: thiếu cách chấm điểm (guidance).")
            if not d["evidence"]:
                errors.append(f"{label}: thiếu tài liệu kiểm chứng cần có (evidence).")
            if not inh["office"]:
                errors.append(f"{label}: thiếu cơ quan thẩm định (office).")
            elif offices is not None and inh["office"] not in offices:
                errors.append(f"{label}: cơ quan thẩm định '{inh['office']}' không có trong danh mục cơ quan.")
            if d["max"] is not None and d["max"] % inh["step"] != 0:
                errors.append(f"{label}: điểm tối đa {fmt_points(d['max'])} không chia hết cho bước điểm {fmt_points(inh['step'])}.")
        nodes.append(Criterion(
            code=d["code"], title=d["title"], max_points=d["max"] if d["max"] is not None else Decimal(0),
            parent_code=d["parent"], depth=d["depth"], position=position, is_leaf=is_leaf,
            guidance=d["guidance"], evidence=d["evidence"], office_code=inh["office"],
            step=inh["step"], na_allowed=inh["na_allowed"], source=inh["source"]))
    return nodes


def _check_order(drafts: list[dict], errors: list[str]) -> None:
    """Siblings are numbered 1, 2, 3 … in the order they are listed."""
    last_child: dict[str | None, int] = {}
    for d in drafts:
        number = int(d["code"].rsplit(".", 1)[-1])
        expected = last_child.get(d["parent"], 0) + 1
        if number != expected:
            where = f"sau {d['parent']}.{expected - 1}" if d["parent"] and expected > 1 else (
                f"sau {expected - 1}" if expected > 1 else "ở vị trí đầu")
            want = f"{d['parent']}.{expected}" if d["parent"] else str(expected)
            errors.append(f"Tiêu chí {d['code']}: sai thứ tự; {where} phải là {want}.")
        last_child[d["parent"]] = max(number, last_child.get(d["parent"], 0))


def _check_tree(nodes: list[Criterion], total: Decimal, errors: list[str]) -> None:
    by_parent: dict[str | None, list[Criterion]] = {}
    for n in nodes:
        by_parent.setdefault(n.parent_code, []).append(n)
    unreadable = {n.code for n in nodes if n.max_points <= 0}   # already reported as errors
    for n in nodes:
        kids = by_parent.get(n.code)
        if kids and n.code not in unreadable and not unreadable & {k.code for k in kids}:
            kids_sum = sum((k.max_points for k in kids), Decimal(0))
            if kids_sum != n.max_points:
                errors.append(f"Tiêu chí {n.code}: điểm tối đa {fmt_points(n.max_points)} khác tổng điểm các tiêu chí con {fmt_points(kids_sum)}.")
    counted = Decimal(0)
    for f in by_parent.get(None, []):
        sources = {leaf.source for leaf in nodes if leaf.is_leaf and (leaf.code == f.code or leaf.code.startswith(f.code + "."))}
        extra = sources - set(IN_TOTAL)
        if extra and sources != extra or len(extra) > 1:
            errors.append(f"Tiêu chí {f.code}: một lĩnh vực không được trộn điểm thưởng, điểm trừ với điểm thường.")
        elif not extra:
            counted += f.max_points
    if counted != total and not unreadable:
        errors.append(f"Bộ tiêu chí: tổng điểm các lĩnh vực là {fmt_points(counted)}, khác tổng điểm khai báo {fmt_points(total)}.")


# ---------------------------------------------------------------- YAML in and out


def load_yaml_text(text: str, offices: Iterable[str] | None = None) -> CriteriaSet:
    try:
        data = yaml_text.load(text)
    except yaml_text.YamlError as exc:
        raise CriteriaError([f"Tệp YAML {exc}."]) from None
    return parse_set(data, offices)


def load_yaml_file(path: str | Path, offices: Iterable[str] | None = None) -> CriteriaSet:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CriteriaError([f"Không tìm thấy tệp {path}."]) from None
    except UnicodeDecodeError:
        raise CriteriaError([f"Tệp {path} không phải văn bản UTF-8."]) from None
    except OSError as exc:
        raise CriteriaError([f"Không đọc được tệp {path}: {exc.strerror or exc}."]) from None
    return load_yaml_text(text, offices)


def _plain_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def to_data(cs: CriteriaSet) -> dict[str, Any]:
    """The set as plain data, every attribute written out on every node (no inheritance)."""
    nodes = []
    for n in cs.nodes:
        item: dict[str, Any] = {"code": n.code, "title": n.title, "max": _plain_number(n.max_points)}
        if n.is_leaf:
            item.update(guidance=n.guidance, evidence=n.evidence)
        item.update(office=n.office_code, step=_plain_number(n.step), na_allowed=n.na_allowed, source=n.source)
        nodes.append(item)
    return {
        "set": {"code": cs.code, "name": cs.name, "year": cs.year, "version": cs.version,
                "is_template": cs.is_template, "source_decision": cs.source_decision,
                "applies_to": cs.applies_to, "total": _plain_number(cs.total),
                **{k: _plain_number(v) for k, v in (("bonus_cap", cs.bonus_cap), ("penalty_cap", cs.penalty_cap))
                   if v is not None}},
        "nodes": nodes,
    }


def to_yaml(cs: CriteriaSet) -> str:
    return yaml.safe_dump(to_data(cs), allow_unicode=True, sort_keys=False, width=120)
