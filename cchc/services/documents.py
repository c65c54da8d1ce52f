"""The state documents of a period, as .docx laid out by Nghị định 30/2020/NĐ-CP (docs/domain.md
§8): the commune's self-assessment report, the council's appraisal notice to a commune, the draft
decision approving the index and the letter urging the communes that have not submitted. Each
kind checks its permission, refuses while the document makes no sense yet (saying what is
missing), fills its template (`data/documents/KIND.yaml`) with figures read from the existing
services (nothing of the index is computed here), and is audited (`document.generate`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from cchc import config
from cchc.core import appraisal as appraisal_rules
from cchc.core import assessment as assessment_rules
from cchc.core import documents as nd30
from cchc.core.documents import Table
from cchc.core.permissions import User, require
from cchc.core.text import fmt_date, fmt_points
from cchc.core.workflow import HANDED_IN, STATES
from cchc.db.storage import Storage, Tx
from cchc.files import documents as docx_files
from cchc.services import appraisal, approval, assessment, progress, results, seed
from cchc.services.common import ServiceError, today
from cchc.services.reference import period, unit_in_year

TEMPLATES = config.DATA_DIR / "documents"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"
NO_DATA = "—"


@dataclass(frozen=True)
class Kind:
    code: str           # the template's file name and the CLI's KIND
    name: str           # Vietnamese, for buttons and --help
    needs_unit: bool    # about one commune (--unit CODE)
    action: str         # the permission (cchc.core.permissions.ACTIONS)
    short: str          # in a sentence or on a button: «Soạn báo cáo tự đánh giá»


KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("bao-cao-tu-danh-gia", "Báo cáo tự đánh giá của UBND cấp xã (kèm bảng điểm)", True, "documents.self_assessment",
         "báo cáo tự đánh giá"),
    Kind("thong-bao-tham-dinh", "Thông báo kết quả thẩm định gửi một xã", True, "documents.appraisal_notice",
         "thông báo kết quả thẩm định"),
    Kind("quyet-dinh-phe-duyet", "Dự thảo Quyết định phê duyệt kết quả Chỉ số CCHC (kèm bảng kết quả)", False,
         "documents.decision", "dự thảo quyết định phê duyệt"),
    Kind("cong-van-don-doc", "Công văn đôn đốc các xã chưa nộp báo cáo tự đánh giá", False, "documents.urging",
         "công văn đôn đốc"),
)}


def kind_of(code: str) -> Kind:
    kind = KINDS.get(code)
    if kind is None:
        raise ServiceError(f"Không có loại văn bản «{code}». Các loại: {', '.join(KINDS)}.")
    return kind


def file_name(kind: str, year: int, unit_code: str | None = None, ext: str = "docx") -> str:
    return f"{kind}-{year}{'-' + unit_code if unit_code else ''}.{ext}"


def pdf_available() -> bool:
    """LibreOffice is installed: a PDF of each document can be made."""
    return docx_files.office() is not None


def to_pdf(data: bytes) -> bytes:
    """The PDF of a generated .docx (LibreOffice); a refusal in Vietnamese where it is not installed
    or the conversion fails."""
    try:
        pdf = docx_files.to_pdf(data)
    except docx_files.DocumentError as exc:
        raise ServiceError(str(exc)) from None
    if pdf is None:
        raise ServiceError("Máy chủ chưa cài LibreOffice nên chưa tạo được bản PDF; hãy tải bản .docx "
                           "(cách cài: docs/operations.md, mục «Văn bản»).")
    return pdf


# ------------------------------------------------------------------ the shared data


def _pts(value) -> str:
    return NO_DATA if value is None else fmt_points(Decimal(str(value)).quantize(Decimal("0.01")))


def _district() -> dict:
    d = seed.district_config()["district"]
    return {"district_name": d["name"], "district_upper": d["name"].upper(), "district_place": nd30.place_of(d["name"]),
            "district_title": nd30.in_sentence(d["name"]), "province_name": d["province_name"],
            "province_title": nd30.in_sentence(d["province_name"])}


def _council_decision(storage: Storage, year: int) -> str:
    row = storage.one("council_get", year=year)
    if row is None:
        return ""
    return (f"Quyết định số {row['decision_number']} ngày {fmt_date(row['decision_date'])} của "
            f"{row['signer'] or 'Chủ tịch UBND huyện'}")


def _common(storage: Storage, year: int) -> dict:
    p = period(storage, year)
    name = p["name"] or f"Xác định Chỉ số cải cách hành chính năm {year}"
    return {"year": year, "period_name": name, "plan_reference": p["plan_reference"] or f"Kế hoạch năm {year}",
            "council_decision": _council_decision(storage, year), "today": fmt_date(today(storage)),
            **_district()}


def _unit_values(u: dict) -> dict:
    return {"unit_code": u["code"], "unit_name": u["name"], "unit_upper": u["name"].upper(),
            "unit_place": nd30.place_of(u["name"]), "unit_title": nd30.in_sentence(u["name"]), "unit_kind": u["kind"]}


# ------------------------------------------------------------------ each kind


def _self_assessment(storage: Storage, actor: User, year: int, unit_code: str) -> tuple[dict, dict, dict]:
    form = assessment.open_form(storage, actor, year, unit_code)
    totals = form.totals()
    if not totals.scored:
        raise ServiceError(f"{form.unit['name']} chưa chấm tiêu chí nào: chưa lập được báo cáo tự đánh giá. "
                           "Hãy chấm điểm ở trang Tự đánh giá trước.")
    cs = form.criteria
    own = assessment_rules.scored_leaves(cs)
    fields_rows = []
    for f in cs.fields():
        under = [n for n in own if n.code.startswith(f.code + ".")]
        if not under:
            continue
        t = assessment_rules.totals(under, form.scores)
        fields_rows.append([f.code, f.title, fmt_points(t.applicable_max), fmt_points(t.points) if t.scored else NO_DATA])
    scores_rows, bold = [], set()
    for node in cs.nodes:
        if node.source != assessment_rules.SCORED_SOURCE:
            continue
        if node.is_leaf:
            s = form.scores.get(node.code)
            got = "KAD" if s and s.not_applicable else (fmt_points(s.points) if s and s.points is not None else NO_DATA)
            refs = [f"{d['doc_number']} ngày {fmt_date(d['issued_on'])}: {d['summary']}" if d.get("issued_on")
                    else f"{d['doc_number']}: {d['summary']}" for d in form.docs.get(node.code, [])]
            refs += [f"Tệp: {f['file_name']}" for f in form.files.get(node.code, [])]
            notes = "; ".join(t for t in ((s.explanation if s else ""), (s.note if s else "")) if t)
        else:
            under = [n for n in own if n.code.startswith(node.code + ".")]
            t = assessment_rules.totals(under, form.scores)
            got, refs, notes = fmt_points(t.points) if t.scored else NO_DATA, [], ""
            if node.depth == 1:
                bold.add(len(scores_rows))
        scores_rows.append([node.code, node.title, fmt_points(node.max_points), got, "\n".join(refs), notes])
    values = {**_common(storage, year), **_unit_values(form.unit), "scored": totals.scored, "leaves": totals.leaves,
              "self_points": fmt_points(totals.points), "applicable_max": fmt_points(totals.applicable_max),
              "self_ratio": fmt_points(totals.index) if totals.index is not None else "",
              "criteria_name": cs.name, "criteria_is_template": cs.is_template,
              "difficulties": form.difficulties.strip(), "recommendations": form.recommendations.strip(),
              "draft": form.state in ("not_started", "draft"), "state": STATES[form.state]}
    body = {"fields": Table(["Mã", "Lĩnh vực", "Điểm tối đa", "Điểm tự chấm"], fields_rows, [12, 105, 22, 26], "clcc")}
    annex = {"scores": Table(["Mã", "Tiêu chí, tiêu chí thành phần", "Điểm tối đa", "Điểm tự chấm",
                              "Tài liệu kiểm chứng", "Giải trình, ghi chú"], scores_rows,
                             [16, 82, 18, 18, 70, 43], "clccll", frozenset(bold))}
    return values, body, annex


def _appraisal_notice(storage: Storage, actor: User, year: int, unit_code: str) -> tuple[dict, dict, dict]:
    sheet = appraisal.open_sheet(storage, actor, year, unit_code)
    if sheet.state not in appraisal_rules.FINAL_STATES:
        raise ServiceError(f"{sheet.unit['name']} chưa hoàn tất thẩm định ({STATES[sheet.state].lower()}): chưa lập "
                           "được thông báo kết quả thẩm định. Thông báo lập được khi Chủ tịch Hội đồng đã hoàn tất "
                           "thẩm định đơn vị.")
    changed_rows, all_rows = [], []
    self_total = appraised_total = Decimal(0)
    for f in sheet.fields:
        for leaf in sheet.leaves(f.code):
            s = sheet.scores.get(leaf.code)
            a = sheet.appraisal(leaf.code)
            commune_na = sheet.commune_na(leaf.code)
            mine = None if s is None or commune_na else s.points
            final = a.points
            reason = a.r2_reason or a.r1_reason
            self_text = "KAD" if commune_na else _pts(mine)
            final_text = ("KAD" if (commune_na and final is None) else _pts(final))
            diff = ""
            if final is not None and mine is not None and final != mine:
                diff = ("+" if final > mine else "") + fmt_points(final - mine)
            elif final is not None and commune_na:
                diff = "+" + fmt_points(final)
            if leaf.source == assessment_rules.SCORED_SOURCE:     # bonus and penalty are not self-assessed
                self_total += mine or 0
                appraised_total += final or 0
            else:
                self_text = NO_DATA
            row = [leaf.code, leaf.title, fmt_points(leaf.max_points), self_text, final_text, diff, reason]
            all_rows.append(row)
            if diff or (commune_na and final is not None) or (leaf.source != assessment_rules.SCORED_SOURCE and final):
                changed_rows.append(row)
    res = results.results(storage, actor, year, with_fields=False)
    mine_row = next((r for r in res.rows if r["unit_code"] == unit_code), None)
    values = {**_common(storage, year), **_unit_values(sheet.unit),
              "self_points": fmt_points(self_total), "appraised_points": fmt_points(appraised_total),
              "changed": len(changed_rows), "explained": any(sheet.appraisal(n.code).answer for n in sheet.flagged()),
              "index": _pts(mine_row["index"]) if mine_row and mine_row["index"] is not None else "",
              "rank": mine_row["rank"] if mine_row else None, "ranked": len(res.ranked),
              "klass": (mine_row["class"] or "") if mine_row else "", "provisional": res.provisional}
    headers = ["Mã", "Tiêu chí, tiêu chí thành phần", "Điểm tối đa", "Điểm tự chấm", "Điểm thẩm định", "Chênh lệch",
               "Lý do điều chỉnh"]
    body = {"changes": Table(headers, changed_rows, [15, 48, 14, 14, 16, 16, 42], "clccccl")}
    annex = {"all_leaves": Table(headers, all_rows, [16, 95, 18, 18, 20, 20, 60], "clccccl")}
    return values, body, annex


def _decision(storage: Storage, actor: User, year: int, unit_code: str | None) -> tuple[dict, dict, dict]:
    st = approval.status(storage, actor, year)
    if not st.units:
        raise ServiceError(f"Kỳ {year} chưa có đơn vị nào: chưa lập được dự thảo quyết định.")
    if st.not_final:
        names = ", ".join(u["unit_name"] for u in st.not_final[:8])
        more = f" và {len(st.not_final) - 8} đơn vị khác" if len(st.not_final) > 8 else ""
        raise ServiceError(f"Chưa lập được dự thảo quyết định phê duyệt: còn {len(st.not_final)} đơn vị chưa hoàn tất "
                           f"thẩm định: {names}{more}.")
    frozen = results.approved(storage, actor, year)
    res = frozen[0] if frozen else results.results(storage, actor, year)
    rows = sorted(res.rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["unit_name"]))
    result_rows = []
    for i, r in enumerate(rows, 1):
        result_rows.append([str(i), r["unit_name"], _pts(r.get("self_points")), _pts(r.get("appraised_points")),
                            _pts(r.get("survey_points")), _pts(r.get("total_points")), _pts(r.get("applicable_max")),
                            _pts(r["index"]), str(r["rank"]) if r["rank"] is not None else NO_DATA,
                            r["class"] or NO_DATA])
    field_rows = []
    for i, r in enumerate(rows, 1):
        mine = res.by_field.get(r["unit_code"], {})
        field_rows.append([str(i), r["unit_name"]] + [_pts((mine.get(code) or {}).get("sub_index")) for code, _ in res.fields])
    avg = res.field_average
    field_rows.append(["", "Bình quân"] + [_pts((avg.get(code) or {}).get("sub_index")) for code, _ in res.fields])
    counts = {c: sum(1 for r in rows if r["class"] == c) for c in results.CLASSES}
    classes = "; ".join(f"{c}: {n} đơn vị" for c, n in counts.items())
    values = {**_common(storage, year), "units": len(rows), "classes": classes,
              "unranked": ", ".join(r["unit_name"] for r in rows if r["index"] is None)}
    field_width = (247 - 13 - 52) / max(len(res.fields), 1)
    legend = "Ghi chú: " + "; ".join(f"LV{code}: {title}" for code, title in res.fields) + "."
    annex = {
        "results": Table(["STT", "Đơn vị", "Điểm tự đánh giá", "Điểm thẩm định", "Điểm điều tra, khảo sát", "Tổng điểm",
                          "Điểm tối đa áp dụng", "Chỉ số CCHC (%)", "Xếp hạng", "Xếp loại"],
                         result_rows, [13, 52, 22, 22, 24, 20, 22, 24, 18, 22], "clcccccccc"),
        "sub_indices": Table(["STT", "Đơn vị"] + [f"LV{code}" for code, _ in res.fields], field_rows,
                             [13, 52] + [field_width] * len(res.fields), "cl" + "c" * len(res.fields),
                             frozenset({len(field_rows) - 1}), legend),
    }
    return values, {}, annex


def _urging(storage: Storage, actor: User, year: int, unit_code: str | None) -> tuple[dict, dict, dict]:
    camp = progress.campaign(storage, actor, year)
    lagging = [u for u in camp["units"] if u["state"] not in HANDED_IN]
    if not lagging:
        raise ServiceError(f"Mọi đơn vị đã nộp báo cáo tự đánh giá kỳ {year}: không có đơn vị nào cần đôn đốc.")
    deadline = camp["period"]["self_assessment_deadline"]
    days = (deadline - camp["today"]).days
    when = (f"hạn nộp còn {days} ngày" if days > 0 else "hôm nay là ngày cuối cùng của hạn nộp" if days == 0
            else f"đã quá hạn {-days} ngày")
    rows = [[str(i), u["unit_name"], STATES[u["state"]],
             f"{u['leaves_done']}/{u['leaves_total']}" if u["leaves_total"] else NO_DATA]
            for i, u in enumerate(lagging, 1)]
    values = {**_common(storage, year), "count": len(lagging), "total": camp["total"], "deadline": fmt_date(deadline),
              "days_left": days, "when": when, "unit_names": ", ".join(u["unit_name"] for u in lagging)}
    body = {"not_submitted": Table(["STT", "Đơn vị", "Tình trạng", "Tiêu chí đã chấm"], rows, [14, 70, 48, 33], "clcc")}
    return values, body, {}


GATHER = {"bao-cao-tu-danh-gia": _self_assessment, "thong-bao-tham-dinh": _appraisal_notice,
          "quyet-dinh-phe-duyet": _decision, "cong-van-don-doc": _urging}


def template(kind: str, templates: Path = TEMPLATES) -> nd30.Template:
    try:
        return nd30.load_template(templates / f"{kind_of(kind).code}.yaml")
    except nd30.TemplateError as exc:
        raise ServiceError(str(exc)) from None


def document(storage: Storage, actor: User, kind: str, year: int, unit_code: str | None = None,
             templates: Path = TEMPLATES) -> nd30.Document:
    """The document of a kind, filled (before it becomes a .docx): checks the permission, the unit
    and whether the document makes sense yet."""
    k = kind_of(kind)
    unit_code = (unit_code or "").strip() or None
    if k.needs_unit and unit_code is None:
        raise ServiceError(f"«{k.name}» là văn bản của một đơn vị: cần mã đơn vị (--unit CODE).")
    if not k.needs_unit:
        unit_code = None
    require(actor, k.action, unit_code)
    period(storage, year)
    if unit_code is not None:
        unit_in_year(storage, year, unit_code)
    t = template(k.code, templates)
    values, body_tables, annex_tables = GATHER[k.code](storage, actor, year, unit_code)
    try:
        return nd30.render(t, values, body_tables, annex_tables, today(storage))
    except nd30.TemplateError as exc:
        raise ServiceError(str(exc)) from None


def build(storage: Storage, actor: User, kind: str, year: int, unit_code: str | None = None,
          templates: Path = TEMPLATES) -> tuple[str, bytes]:
    """(file name, .docx bytes) of a document; audited as `document.generate`."""
    d = document(storage, actor, kind, year, unit_code, templates)
    data = docx_files.build(d)
    unit_code = unit_code if KINDS[kind].needs_unit else None
    new = {"name": KINDS[kind].name, "year": year, "unit": unit_code, "bytes": len(data),
           "sha256": hashlib.sha256(data).hexdigest()}

    def work(tx: Tx) -> None:
        tx.audit(actor.username, "document.generate", "document", f"{year}/{kind}" + (f"/{unit_code}" if unit_code else ""),
                 new=new)

    storage.write(work)
    return file_name(kind, year, unit_code), data
