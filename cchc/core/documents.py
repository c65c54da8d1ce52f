"""State documents as Nghị định 30/2020/NĐ-CP lays them out (docs/domain.md §8): the layout rules
as constants with their source, the lines every document has (số, ký hiệu; place and date), and
the wording of a document kind read from its template (`data/documents/*.yaml`) and filled with
the data in a sandboxed Jinja2 environment. Pure: the .docx itself is built by
cchc.files.documents, the data gathered by cchc.services.documents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from cchc.core import yaml_text
from cchc.core.text import nfc

# ------------------------------------------------------------------ the rules of Phụ lục I, ND30
# Phụ lục I "Thể thức, kỹ thuật trình bày văn bản hành chính", Nghị định 30/2020/NĐ-CP (05/3/2020):
# Phần I, mục I (quy định chung) and mục II (các thành phần thể thức chính). Where the decree gives
# a range, the value chosen is named first and the range kept beside it.

PAGE_MM = (210, 297)                 # I.1: khổ A4 (210 mm × 297 mm)
MARGIN_TOP_MM = 20                   # I.3: cách mép trên và mép dưới 20–25 mm
MARGIN_BOTTOM_MM = 20
MARGIN_LEFT_MM = 30                  # I.3: cách mép trái 30–35 mm
MARGIN_RIGHT_MM = 15                 # I.3: cách mép phải 15–20 mm
MARGIN_RANGES_MM = {"top": (20, 25), "bottom": (20, 25), "left": (30, 35), "right": (15, 20)}
FONT = "Times New Roman"             # I.4: phông chữ tiếng Việt Times New Roman, Unicode TCVN 6909:2001, màu đen
PAGE_NUMBER_PT = 13                  # I.7: số trang 13–14, đứng, canh giữa trong lề trên, không hiện ở trang đầu
# II.1–II.9: (size in points, bold, italic, capitals)
SIZES = {
    "parent_body": 12,               # II.2: tên cơ quan chủ quản: in hoa, 12–13, đứng
    "issuing_body": 12,              # II.2: tên cơ quan ban hành: in hoa, 12–13, đứng, đậm
    "national_title": 12,            # II.1a: quốc hiệu: in hoa, 12–13, đứng, đậm
    "motto": 14,                     # II.1b: tiêu ngữ: in thường, 13–14, đứng, đậm
    "number": 13,                    # II.3: "Số", ký hiệu: 13, đứng
    "place_date": 14,                # II.4: địa danh, thời gian: in thường, 13–14, nghiêng
    "type_name": 14,                 # II.5a: tên loại: in hoa, 13–14, đứng, đậm
    "summary": 14,                   # II.5a: trích yếu: in thường, 13–14, đứng, đậm
    "summary_letter": 12,            # II.5b: trích yếu công văn (sau "V/v"): in thường, 12–13, đứng
    "body": 14,                      # II.6: nội dung: in thường, canh đều, 13–14, lùi đầu dòng 1–1,27 cm
    "signer": 14,                    # II.7: quyền hạn (TM., KT.), chức vụ: in hoa 13–14 đậm; họ tên: 13–14 đậm
    "recipients_label": 12,          # II.9: "Kính gửi" 14; "Nơi nhận:" in thường, 12, nghiêng, đậm
    "recipients": 11,                # II.9: danh sách nơi nhận: in thường, 11, đứng
    "annex": 14,                     # III.1: "Phụ lục" và tên phụ lục: 14, đứng, đậm
    "table": 12,                     # tables in an annex (the decree leaves their size open)
    "greeting": 14,                  # II.9a: "Kính gửi:" 14, đứng
}
FIRST_LINE_INDENT_CM = 1.27          # II.6: lùi đầu dòng 1 cm đến 1,27 cm
PARAGRAPH_SPACE_PT = 6               # II.6: khoảng cách giữa các đoạn tối thiểu 6 pt
LINE_SPACING = 1.15                  # II.6: từ dòng đơn đến 1,5 dòng
SIGNATURE_SPACE_LINES = 4            # room for the signature and the seal between the capacity and the name


def place_date(place: str, day: dt.date | None) -> str:
    """«Hương Sơn, ngày 09 tháng 11 năm 2022» (ND30 Phụ lục I, II.4: a day under 10 and the months
    1 and 2 take a leading 0); without a day, the blanks the clerk fills at signing."""
    if day is None:
        return f"{place}, ngày      tháng      năm      "
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def number_line(symbol: str) -> str:
    """«Số:      /BC-UBND»: the number is left blank for the clerk (văn thư) to give at issuing
    (ND30 Phụ lục I, II.3)."""
    return f"Số:      /{symbol}"


def place_of(name: str) -> str:
    """The place name a document is dated from: 'Huyện Hương Sơn' → 'Hương Sơn', 'Xã Sơn Hồng' →
    'Sơn Hồng', 'Thị trấn Phố Châu' → 'Phố Châu'."""
    for prefix in ("Thị trấn ", "Thị xã ", "Thành phố ", "Huyện ", "Quận ", "Xã ", "Phường ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def in_sentence(name: str) -> str:
    """A unit's name inside a sentence, as Vietnamese documents write it: the kind in lower case,
    the proper name as it is ('Xã Sơn Hồng' → 'xã Sơn Hồng', 'Huyện Hương Sơn' → 'huyện Hương Sơn')."""
    place = place_of(name)
    kind = name[: len(name) - len(place)]
    return kind.lower() + place if kind else name


# ------------------------------------------------------------------ what a document holds


@dataclass
class Table:
    """A table of a document: headers, rows of text, each column's width (mm) and alignment
    ('l', 'c', 'r'); `bold_rows` are the rows shown in bold (totals, fields)."""
    headers: list[str]
    rows: list[list[str]]
    widths_mm: list[float]
    align: str = ""
    bold_rows: frozenset[int] = frozenset()
    legend: str = ""        # a line under the table (what short headers stand for)


@dataclass
class Block:
    """One piece of the body: a paragraph (style 'text', 'italic', 'heading', 'center'), or a table."""
    style: str
    text: str = ""
    table: Table | None = None


@dataclass
class Annex:
    title: str
    subtitle: str
    note: str
    table: Table
    landscape: bool = False


@dataclass
class Signer:
    authority: str          # «TM. ỦY BAN NHÂN DÂN», «KT. CHỦ TỊCH» or empty
    title: str              # «CHỦ TỊCH», «PHÓ CHỦ TỊCH», «TRƯỞNG PHÒNG»
    name: str               # empty: the clerk writes it


@dataclass
class Document:
    kind: str
    parent_body: list[str]
    issuing_body: list[str]
    symbol: str
    place_date: str
    type_name: str          # «BÁO CÁO», «THÔNG BÁO», «QUYẾT ĐỊNH»; empty for a công văn
    summary: str            # trích yếu (a công văn's goes under its number, after «V/v»)
    greeting: list[str]     # «Kính gửi: …» lines (công văn, thông báo)
    body: list[Block]
    recipients: list[str]
    signer: Signer
    annexes: list[Annex] = field(default_factory=list)

    @property
    def number(self) -> str:
        return number_line(self.symbol)


# ------------------------------------------------------------------ templates (the wording)


class TemplateError(ValueError):
    """A template that cannot be read or filled; the message is Vietnamese and names the file and
    the placeholder."""


BLOCK_STYLES = ("text", "italic", "heading", "center")
REQUIRED_KEYS = ("kind", "name", "issuing_body", "symbol", "place", "summary", "body", "recipients", "signer")
_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)


@dataclass
class Template:
    path: Path
    data: dict

    @property
    def kind(self) -> str:
        return self.data["kind"]

    @property
    def name(self) -> str:
        return self.data["name"]


def load_template(path: Path) -> Template:
    """Read and check one template file: its keys and every text's Jinja2 syntax."""
    where = path.name
    try:
        data = nfc(yaml_text.load(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise TemplateError(f"Không đọc được mẫu văn bản {where}: {exc.strerror or exc}.") from None
    except yaml_text.YamlError as exc:
        raise TemplateError(f"Mẫu văn bản {where} không đọc được: {exc}.") from None
    if not isinstance(data, dict):
        raise TemplateError(f"Mẫu văn bản {where} phải là một bảng khóa: giá trị.")
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise TemplateError(f"Mẫu văn bản {where} thiếu: {', '.join(missing)}.")
    if not isinstance(data["body"], list) or not all(isinstance(b, (str, dict)) for b in data["body"]):
        raise TemplateError(f"Mẫu văn bản {where}: «body» phải là danh sách các đoạn.")
    for i, b in enumerate(data["body"], 1):
        if isinstance(b, dict) and (len(b) != 1 or next(iter(b)) not in BLOCK_STYLES + ("table",)):
            raise TemplateError(f"Mẫu văn bản {where}, đoạn {i} của «body»: chỉ dùng một trong "
                                f"{', '.join(BLOCK_STYLES + ('table',))}.")
    for key in ("recipients", "issuing_body", "parent_body", "greeting"):
        items = data.get(key) or []
        if not isinstance(items, (list, str)) or (isinstance(items, list)
                                                   and not all(isinstance(x, str) for x in items)):
            raise TemplateError(f"Mẫu văn bản {where}, mục «{key}»: mỗi dòng phải là một chuỗi (đặt dòng có dấu "
                                "hai chấm trong ngoặc kép, ví dụ \"Lưu: VT.\").")
    for key, text in _texts(data):
        try:
            _ENV.parse(text)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"Mẫu văn bản {where}, mục «{key}»: viết sai chỗ điền dữ liệu ({exc.message}).") from None
    return Template(path, data)


def _texts(data: Any, key: str = ""):
    """(where, text) of every text in the template."""
    if isinstance(data, str):
        yield key, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _texts(v, f"{key}.{k}" if key else str(k))
    elif isinstance(data, list):
        for i, v in enumerate(data, 1):
            yield from _texts(v, f"{key}[{i}]")


def fill(template: Template, key: str, text: str, values: dict) -> str:
    """One text of a template with the data: a placeholder the data does not have, or a
    forbidden operation, is one Vietnamese message naming the file, the item and the placeholder."""
    where = f"Mẫu văn bản {template.path.name}, mục «{key}»"
    try:
        return nfc(_ENV.from_string(text).render(values)).strip()
    except jinja2.UndefinedError as exc:
        name = str(exc.message).split("'")[1] if "'" in str(exc.message) else str(exc.message)
        raise TemplateError(f"{where}: chỗ điền «{{{{ {name} }}}}» không có trong dữ liệu. Các chỗ điền dùng được: "
                            f"{', '.join(sorted(k for k in values if not k.startswith('_')))}.") from None
    except jinja2.exceptions.SecurityError:
        raise TemplateError(f"{where}: mẫu dùng một phép không được phép.") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{where}: không điền được dữ liệu ({exc}).") from None


def _lines(template: Template, key: str, value: Any, values: dict) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(items, 1):
        text = fill(template, f"{key}[{i}]" if isinstance(value, list) else key, str(item), values)
        out.extend(line.strip() for line in text.split("\n") if line.strip())
    return out


def render(template: Template, values: dict, tables: dict[str, Table], annex_tables: dict[str, Table] | None = None,
           day: dt.date | None = None) -> Document:
    """The document of a template with the data: every text filled, the tables put where the
    template names them (`table: NAME` in the body, `table: NAME` of an annex)."""
    t = template.data
    annex_tables = annex_tables if annex_tables is not None else tables

    def text(key: str) -> str:
        return fill(template, key, str(t.get(key) or ""), values)

    body: list[Block] = []
    for i, item in enumerate(t["body"], 1):
        style, raw = ("text", item) if isinstance(item, str) else next(iter(item.items()))
        if style == "table":
            if raw not in tables:
                raise TemplateError(f"Mẫu văn bản {template.path.name}, đoạn {i} của «body»: không có bảng «{raw}» "
                                    f"(dùng được: {', '.join(sorted(tables)) or 'không có bảng nào'}).")
            if tables[raw].rows:
                body.append(Block("table", table=tables[raw]))
            continue
        for line in _lines(template, f"body[{i}]", raw, values):
            body.append(Block(style, line))
    annexes = []
    for i, a in enumerate(t.get("annexes") or [], 1):
        name = a.get("table")
        if name not in annex_tables:
            raise TemplateError(f"Mẫu văn bản {template.path.name}, phụ lục {i}: không có bảng «{name}» "
                                f"(dùng được: {', '.join(sorted(annex_tables)) or 'không có bảng nào'}).")
        annexes.append(Annex(fill(template, f"annexes[{i}].title", str(a.get("title") or ""), values),
                             fill(template, f"annexes[{i}].subtitle", str(a.get("subtitle") or ""), values),
                             fill(template, f"annexes[{i}].note", str(a.get("note") or ""), values),
                             annex_tables[name], bool(a.get("landscape"))))
    signer = t["signer"] if isinstance(t["signer"], dict) else {}
    return Document(
        kind=t["kind"],
        parent_body=_lines(template, "parent_body", t.get("parent_body") or [], values),
        issuing_body=_lines(template, "issuing_body", t["issuing_body"], values),
        symbol=text("symbol"),
        place_date=place_date(text("place"), day),
        type_name=text("type_name"),
        summary=text("summary"),
        greeting=_lines(template, "greeting", t.get("greeting") or [], values),
        body=body,
        recipients=_lines(template, "recipients", t["recipients"], values),
        signer=Signer(fill(template, "signer.authority", str(signer.get("authority") or ""), values),
                      fill(template, "signer.title", str(signer.get("title") or ""), values),
                      fill(template, "signer.name", str(signer.get("name") or ""), values)),
        annexes=annexes)
