"""A state document (cchc.core.documents.Document) as a .docx laid out by Nghị định 30/2020/NĐ-CP
(python-docx): A4, its margins, Times New Roman; the header block as a borderless two-column table
(issuing body left; national title and motto right, each with its short rule; số, ký hiệu under
the body, place and date under the motto); title and summary; the body; "Nơi nhận" and the
signature block as a borderless two-column table; page numbers centred in the top margin from
page 2; each annex on a new page (landscape where its table is wide). And `to_pdf`: the same
document through LibreOffice, where it is installed."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from cchc.core import documents as nd30
from cchc.core.documents import Document, Table
from cchc.core.text import fmt_points

PDF_TIMEOUT_S = 120
# The elements that follow w:pBdr in w:pPr, and w:tblBorders in w:tblPr (ECMA-376 Part 1, 17.3.1.26
# and 17.4.60): Word refuses a file whose properties are out of that order.
PPR_AFTER_BORDERS = tuple(f"w:{t}" for t in (
    "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
    "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
    "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
    "rPr", "sectPr", "pPrChange"))
TBLPR_AFTER_BORDERS = tuple(f"w:{t}" for t in ("shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption",
                                               "tblDescription", "tblPrChange"))
ARTICLE = re.compile(r"^Điều \d+\. ")


class DocumentError(Exception):
    """A document that could not be converted; the message is Vietnamese."""


# ------------------------------------------------------------------ small pieces


def _font(run, size: int, bold: bool = False, italic: bool = False, underline: bool = False) -> None:
    run.font.name = nd30.FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), nd30.FONT)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    run.font.underline = underline


def _para(container, text: str, size: int, bold=False, italic=False, align=WD_ALIGN_PARAGRAPH.CENTER,
          indent: bool = False, before: float = 0, after: float = 0, keep_next=False):
    p = container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing = 1.0
    fmt.keep_with_next = keep_next
    if indent:
        fmt.first_line_indent = Cm(nd30.FIRST_LINE_INDENT_CM)
    if text:
        _font(p.add_run(text), size, bold, italic)
    return p


def _rule(container, width_cm: float, cell_width_cm: float):
    """A short horizontal rule, centred: the bottom border of an empty paragraph narrowed by its
    indents (ND30: a line under the issuing body, and under the motto as long as the motto)."""
    p = container.add_paragraph()
    fmt = p.paragraph_format
    side = max((cell_width_cm - width_cm) / 2, 0)
    fmt.left_indent = fmt.right_indent = Cm(side)
    fmt.space_before, fmt.space_after = Pt(0), Pt(4)
    fmt.line_spacing = Pt(2)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    ppr.insert_element_before(borders, *PPR_AFTER_BORDERS)     # Word wants the schema's order
    _font(p.add_run(""), 2)
    return p


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    tbl_pr.insert_element_before(borders, *TBLPR_AFTER_BORDERS)


def _widths(table, widths_cm: list[float]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm):
            cell.width = Cm(w)
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_cm):
        col.set(qn("w:w"), str(int(Cm(w).twips)))


def _clear(cell):
    """A new cell holds one empty paragraph: drop it so the cell holds only what is added."""
    for p in list(cell.paragraphs):
        p._p.getparent().remove(p._p)
    return cell


def _page_number_header(section) -> None:
    """The page number, centred in the top margin, not on the first page (ND30 Phụ lục I, I.7)."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    _font(run, nd30.PAGE_NUMBER_PT)
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), tag)
            run._r.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)


def _page(section, landscape: bool = False) -> None:
    w, h = Mm(nd30.PAGE_MM[0]), Mm(nd30.PAGE_MM[1])
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (h, w) if landscape else (w, h)
    section.top_margin, section.bottom_margin = Mm(nd30.MARGIN_TOP_MM), Mm(nd30.MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(nd30.MARGIN_LEFT_MM), Mm(nd30.MARGIN_RIGHT_MM)
    section.header_distance = Mm(10)


def _text_width_cm(section) -> float:
    return (section.page_width - section.left_margin - section.right_margin) / 360000


# ------------------------------------------------------------------ the parts of a document


def _header_block(doc, d: Document, width_cm: float) -> None:
    left_w = round(width_cm * 0.4, 2)
    right_w = round(width_cm - left_w, 2)
    t = doc.add_table(rows=2, cols=2)
    _no_borders(t)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = _clear(t.cell(0, 0)), _clear(t.cell(0, 1))
    for line in d.parent_body:
        _para(left, line.upper(), nd30.SIZES["parent_body"])
    for line in d.issuing_body:
        _para(left, line.upper(), nd30.SIZES["issuing_body"], bold=True)
    _rule(left, left_w * 0.35, left_w)
    _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", nd30.SIZES["national_title"], bold=True)
    _para(right, "Độc lập - Tự do - Hạnh phúc", nd30.SIZES["motto"], bold=True)
    _rule(right, 6.0, right_w)
    left, right = _clear(t.cell(1, 0)), _clear(t.cell(1, 1))
    _para(left, d.number, nd30.SIZES["number"])
    if not d.type_name and d.summary:         # a công văn: the summary under the number, after «V/v»
        _para(left, d.summary, nd30.SIZES["summary_letter"])
    _para(right, d.place_date, nd30.SIZES["place_date"], italic=True)
    _widths(t, [left_w, right_w])


def _title(doc, d: Document, width_cm: float) -> None:
    if not d.type_name:
        return
    _para(doc, d.type_name.upper(), nd30.SIZES["type_name"], bold=True, before=12)
    _para(doc, d.summary, nd30.SIZES["summary"], bold=True)
    _rule(doc, min(5.0, width_cm / 3), width_cm)


def _greeting(doc, d: Document) -> None:
    for i, line in enumerate(d.greeting):
        p = _para(doc, "", nd30.SIZES["greeting"], before=12 if i == 0 else 0, after=6)
        label, _, rest = line.partition(":")
        if rest:
            _font(p.add_run(label + ": "), nd30.SIZES["greeting"])
            _font(p.add_run(rest.strip()), nd30.SIZES["greeting"])
        else:
            _font(p.add_run(line), nd30.SIZES["greeting"])


def _body(doc, d: Document) -> None:
    size = nd30.SIZES["body"]
    for b in d.body:
        if b.style == "table":
            _table(doc, b.table, font=nd30.SIZES["table"])
            continue
        if b.style == "center":
            p = _para(doc, b.text, size, bold=True, before=6, after=6)
            continue
        article = ARTICLE.match(b.text) if b.style == "text" else None
        p = _para(doc, b.text[article.end():] if article else b.text, size, bold=b.style == "heading",
                  italic=b.style == "italic", align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True,
                  after=nd30.PARAGRAPH_SPACE_PT)
        if article:           # «Điều 1.» in bold (ND30 Phụ lục I, II.6: điều in thường, đậm)
            head = p.add_run(article.group(0))
            _font(head, size, bold=True)
            p._p.remove(head._r)
            p.runs[0]._r.addprevious(head._r)
        p.paragraph_format.line_spacing = nd30.LINE_SPACING
    if d.body and d.body[-1].style != "table":      # the last paragraph goes over with the signature
        p.paragraph_format.keep_with_next = True


def _table(doc, table: Table, font: int) -> None:
    t = doc.add_table(rows=1 + len(table.rows), cols=len(table.headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    aligns = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER, "r": WD_ALIGN_PARAGRAPH.RIGHT}
    align = (table.align or "").ljust(len(table.headers), "c")
    for j, h in enumerate(table.headers):
        cell = _clear(t.cell(0, j))
        _para(cell, h, font, bold=True)
    # the header row repeats on every page of a long table
    tr_pr = t.rows[0]._tr.get_or_add_trPr()
    head = OxmlElement("w:tblHeader")
    head.set(qn("w:val"), "true")
    tr_pr.append(head)
    for i, row in enumerate(table.rows, 1):
        bold = (i - 1) in table.bold_rows
        for j, value in enumerate(row):
            cell = _clear(t.cell(i, j))
            lines = str(value).split("\n") if value else [""]
            for line in lines:
                _para(cell, line, font, bold=bold, align=aligns.get(align[j], WD_ALIGN_PARAGRAPH.CENTER))
    _widths(t, [w / 10 for w in table.widths_mm])
    if table.legend:
        _para(doc, table.legend, font, italic=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=4)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _signature(doc, d: Document, width_cm: float) -> None:
    left_w = round(width_cm * 0.5, 2)
    t = doc.add_table(rows=1, cols=2)
    _no_borders(t)
    no_split = OxmlElement("w:cantSplit")          # the signature block stays on one page
    t.rows[0]._tr.get_or_add_trPr().append(no_split)
    left, right = _clear(t.cell(0, 0)), _clear(t.cell(0, 1))
    p = _para(left, "", nd30.SIZES["recipients_label"], align=WD_ALIGN_PARAGRAPH.LEFT, before=6)
    _font(p.add_run("Nơi nhận:"), nd30.SIZES["recipients_label"], bold=True, italic=True)
    for line in d.recipients:
        _para(left, f"- {line}", nd30.SIZES["recipients"], align=WD_ALIGN_PARAGRAPH.LEFT)
    size = nd30.SIZES["signer"]
    _para(right, d.signer.authority.upper(), size, bold=True, before=6) if d.signer.authority else None
    _para(right, d.signer.title.upper(), size, bold=True, before=0 if d.signer.authority else 6)
    for _ in range(nd30.SIGNATURE_SPACE_LINES):
        _para(right, "", size)
    _para(right, d.signer.name, size, bold=True)
    _widths(t, [left_w, round(width_cm - left_w, 2)])


def _annex(doc, annex) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(section, annex.landscape)
    section.different_first_page_header_footer = False     # numbers go on every annex page
    _para(doc, annex.title, nd30.SIZES["annex"], bold=True)
    _para(doc, annex.subtitle, nd30.SIZES["annex"], bold=True)
    if annex.note:
        _para(doc, annex.note, nd30.SIZES["annex"], italic=True)
    _rule(doc, 4.0, _text_width_cm(section))
    _table(doc, annex.table, font=nd30.SIZES["table"] if not annex.landscape else 11)


def build(d: Document) -> bytes:
    """The .docx of a document."""
    doc = new_docx()
    normal = doc.styles["Normal"]
    normal.font.name = nd30.FONT
    normal.font.size = Pt(nd30.SIZES["body"])
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), nd30.FONT)
    normal.paragraph_format.space_after = Pt(0)
    doc.core_properties.title = f"{d.type_name or 'Công văn'} {d.summary}".strip()
    doc.core_properties.author = " ".join(d.issuing_body)
    doc.core_properties.language = "vi-VN"
    section = doc.sections[0]
    _page(section)
    _page_number_header(section)
    width = _text_width_cm(section)
    _header_block(doc, d, width)
    _title(doc, d, width)
    _greeting(doc, d)
    _body(doc, d)
    _signature(doc, d, width)
    for annex in d.annexes:
        _annex(doc, annex)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ PDF through LibreOffice


def office() -> str | None:
    """LibreOffice's command (soffice or libreoffice) where installed, else None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: bytes, timeout_s: float = PDF_TIMEOUT_S) -> bytes | None:
    """The PDF of a .docx, converted by LibreOffice headless in a temporary folder (its own
    profile, so that two conversions at once do not share one); None where LibreOffice is not
    installed. A failure or a conversion longer than `timeout_s` is a DocumentError."""
    command = office()
    if command is None:
        return None
    with tempfile.TemporaryDirectory(prefix="cchc-pdf-") as tmp:
        work = Path(tmp)
        source = work / "van-ban.docx"
        source.write_bytes(docx)
        profile = (work / "profile").as_uri()
        args = [command, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                "--convert-to", "pdf", "--outdir", str(work), str(source)]
        try:    # its own process group: a conversion that overruns is ended with every child it started
            proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=work,
                                    start_new_session=True)
        except OSError as exc:
            raise DocumentError(f"Không chạy được LibreOffice ({command}): {exc.strerror or exc}.") from None
        try:
            stdout, stderr = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise DocumentError(f"LibreOffice không chuyển xong văn bản sang PDF trong {fmt_points(timeout_s)} giây; "
                                "hãy thử lại, hoặc tải bản .docx rồi in từ Word.") from None
        pdf = work / "van-ban.pdf"
        if proc.returncode != 0 or not pdf.exists():
            detail = (stderr or stdout or b"").decode("utf-8", "replace").strip().splitlines()
            raise DocumentError("LibreOffice không chuyển được văn bản sang PDF"
                                + (f" ({detail[-1][:200]})" if detail else "") + ".")
        return pdf.read_bytes()
