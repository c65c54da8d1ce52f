"""A commune's self-assessment: the form, saving as the officer works, evidence, submission,
withdrawal, reopening, and applying an imported workbook. Every change checks role, unit, state
and the clock inside its transaction, and writes its audit row there."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cchc.core import assessment as rules
from cchc.core.criteria import CriteriaSet
from cchc.core.permissions import User, require
from cchc.core.text import fmt_date, fmt_datetime, fmt_points
from cchc.db.storage import Storage, Tx
from cchc.files import assessment_workbook as excel_io
from cchc.files import evidence
from cchc.services.common import ServiceError, clock_now, today
from cchc.services.reference import period, unit_criteria, unit_in_year


@dataclass
class Form:
    year: int
    unit: dict
    period: dict
    criteria: CriteriaSet
    state: str
    submitted_at: dt.datetime | None
    is_late: bool
    deadline: dt.date
    edit_until: dt.date
    reopen_reason: str
    editable: bool
    locked_reason: str
    can_withdraw: bool
    scores: dict[str, rules.LeafScore]
    saved_at: dict[str, dt.datetime]
    files: dict[str, list[dict]] = field(default_factory=dict)
    docs: dict[str, list[dict]] = field(default_factory=dict)
    difficulties: str = ""
    recommendations: str = ""
    last_saved: dt.datetime | None = None
    today: dt.date | None = None              # the app's day when the form was read

    @property
    def late_now(self) -> bool:
        """A submission today would be recorded as late (the form is open through a reopening)."""
        return self.today is not None and rules.is_late(self.deadline, self.today)

    def evidence_counts(self) -> dict[str, int]:
        codes = set(self.files) | set(self.docs)
        return {c: len(self.files.get(c, [])) + len(self.docs.get(c, [])) for c in codes}

    def problems(self) -> list[str]:
        return rules.submission_problems(self.criteria, self.scores, self.evidence_counts())

    def totals(self) -> rules.Totals:
        return rules.totals(rules.scored_leaves(self.criteria), self.scores)


# ------------------------------------------------------------------ reading


def _state(row: dict | None, p: dict, day: dt.date) -> tuple[str, dt.date, bool, str]:
    """(state, last editable day, editable now?, why not) for an assessment row."""
    state = row["state"] if row else "not_started"
    until = rules.edit_deadline(p["self_assessment_deadline"], row["reopened_until"] if row else None)
    if state not in ("not_started", "draft"):
        when = fmt_datetime(row["submitted_at"]) if row and row["submitted_at"] else ""
        hint = " Muốn sửa, hãy rút lại báo cáo (trước hạn)." if day <= until and state == "submitted" else ""
        return state, until, False, f"Báo cáo đã nộp {('lúc ' + when) if when else ''}; biểu mẫu đã khóa.{hint}"
    if day > until:
        return state, until, False, (f"Đã quá hạn nộp tự đánh giá ({fmt_date(until)}): biểu mẫu đã khóa. "
                                     "Liên hệ Phòng Nội vụ nếu cần mở lại.")
    return state, until, True, ""


def open_form(storage: Storage, actor: User, year: int, unit_code: str) -> Form:
    require(actor, "assessment.view", unit_code)
    p = period(storage, year)
    u = unit_in_year(storage, year, unit_code)         # with the name and kind it had that year
    cs = unit_criteria(storage, year, unit_code)
    if cs is None:
        raise ServiceError(f"Kỳ {year} chưa có bộ tiêu chí.")
    row = storage.one("assessment_get", year=year, unit_code=unit_code)
    day = today(storage)
    state, until, editable, why = _state(row, p, day)
    scores, saved = {}, {}
    for r in storage.all("scores_of_unit", year=year, unit_code=unit_code):
        scores[r["criterion_code"]] = _score_of(r)
        saved[r["criterion_code"]] = r["updated_at"]
    files: dict[str, list[dict]] = {}
    for r in storage.all("evidence_files_of_unit", year=year, unit_code=unit_code):
        files.setdefault(r["criterion_code"], []).append(r)
    docs: dict[str, list[dict]] = {}
    for r in storage.all("evidence_docs_of_unit", year=year, unit_code=unit_code):
        docs.setdefault(r["criterion_code"], []).append(r)
    return Form(year=year, unit=u, period=p, criteria=cs, state=state,
                submitted_at=row["submitted_at"] if row else None, is_late=bool(row and row["is_late"]),
                deadline=p["self_assessment_deadline"], edit_until=until,
                reopen_reason=row["reopen_reason"] if row else "", editable=editable, locked_reason=why,
                can_withdraw=state == "submitted" and day <= until,
                scores=scores, saved_at=saved, files=files, docs=docs,
                difficulties=row["difficulties"] if row else "",
                recommendations=row["recommendations"] if row else "",
                last_saved=row["updated_at"] if row else None, today=day)


# ------------------------------------------------------------------ writing


def _editable_in(tx: Tx, storage: Storage, actor: User, year: int, unit_code: str) -> dict:
    """Inside a transaction: the period row if the form may be edited now, else ServiceError."""
    p = tx.one("period_get", year=year)
    if p is None:
        raise ServiceError(f"Chưa có kỳ đánh giá năm {year}.")
    row = tx.one("assessment_get", year=year, unit_code=unit_code)
    _, _, editable, why = _state(row, p, today(storage))
    if not editable:
        raise ServiceError(why)
    if row is None:
        tx.run("assessment_insert", year=year, unit_code=unit_code, state="draft", submitted_at=None,
               is_late=False, updated_at=clock_now(storage))
        tx.audit(actor.username, "assessment.start", "assessment", f"{year}/{unit_code}", new={"state": "draft"})
    return p


def _criteria(storage: Storage, year: int, unit_code: str) -> CriteriaSet:
    """The set the unit is assessed against in the period, or a refusal saying why there is none.
    A set is found only for a unit of the period (unit_set_id has unit_in_year's conditions), so
    the unit's own check runs only to say why none was found."""
    cs = unit_criteria(storage, year, unit_code)
    if cs is None:
        unit_in_year(storage, year, unit_code)         # not a unit of the period: refused with the reason
        raise ServiceError(f"Kỳ {year} chưa có bộ tiêu chí.")
    return cs


def _leaf(cs: CriteriaSet, code: str):
    """A leaf the commune scores itself (evidence and scores attach only to those)."""
    try:
        leaf = cs.node(code)
    except StopIteration:
        raise ServiceError(f"Không có tiêu chí mã {code} trong bộ tiêu chí của kỳ này.") from None
    if not leaf.is_leaf:
        raise ServiceError(f"Tiêu chí {code} có tiêu chí con: hãy chấm ở các tiêu chí con.")
    if leaf.source != rules.SCORED_SOURCE:
        raise ServiceError(f"Tiêu chí {code}: điểm này được tính từ khảo sát hoặc do hội đồng chấm, đơn vị không tự chấm.")
    return leaf


def _check_editable(storage: Storage, year: int, unit_code: str) -> None:
    """Outside a transaction, before work that cannot be rolled back (writing a file)."""
    _, _, editable, why = _state(storage.one("assessment_get", year=year, unit_code=unit_code),
                                 period(storage, year), today(storage))
    if not editable:
        raise ServiceError(why)


def _score_dict(s: rules.LeafScore | None) -> dict | None:
    if s is None:
        return None
    return {"points": None if s.points is None else fmt_points(s.points), "not_applicable": s.not_applicable,
            "note": s.note, "explanation": s.explanation}


def _score_of(row: dict) -> rules.LeafScore:
    points = None if row["self_points"] is None else Decimal(row["self_points"]).normalize()
    return rules.LeafScore(points, row["not_applicable"], row["note"], row["explanation"])


def _saved_scores(tx: Tx, year: int, unit_code: str) -> dict[str, rules.LeafScore]:
    return {r["criterion_code"]: _score_of(r) for r in tx.run("scores_of_unit", year=year, unit_code=unit_code)}


def _write_scores(tx: Tx, actor: User, year: int, unit_code: str, new: dict[str, rules.LeafScore],
                  at: dt.datetime) -> set[str]:
    """Upsert the leaves whose score changed, with an audit row each; return their codes."""
    old = _saved_scores(tx, year, unit_code)
    changed = [c for c, s in new.items() if old.get(c, rules.LeafScore()) != s]
    if changed:
        for query, codes in (("score_update_many", [c for c in changed if c in old]),
                             ("score_insert_many", [c for c in changed if c not in old])):
            if codes:
                scores = [new[c] for c in codes]
                tx.run(query, year=year, unit_code=unit_code, codes=codes, points=[s.points for s in scores],
                       not_applicable=[s.not_applicable for s in scores], notes=[s.note for s in scores],
                       explanations=[s.explanation for s in scores], updated_at=at, updated_by=actor.username)
        tx.audit_many(actor.username, "score.save", "score",
                      [(f"{year}/{unit_code}/{c}", _score_dict(old.get(c)), _score_dict(new[c])) for c in changed])
    return set(changed)


def save_score(storage: Storage, actor: User, year: int, unit_code: str, code: str,
               score: rules.LeafScore) -> dt.datetime:
    """Save one leaf as the officer works; returns when it was saved."""
    require(actor, "assessment.edit", unit_code)
    cs = _criteria(storage, year, unit_code)
    clean = rules.check_leaf_score(_leaf(cs, code), score)
    at = clock_now(storage)

    def work(tx: Tx) -> None:
        _editable_in(tx, storage, actor, year, unit_code)
        if _write_scores(tx, actor, year, unit_code, {code: clean}, at):
            tx.run("assessment_touch", year=year, unit_code=unit_code, updated_at=at)

    storage.write(work)
    return at


FIELDS = ("points", "not_applicable", "note", "explanation")


def save_leaf_field(storage: Storage, actor: User, year: int, unit_code: str, code: str,
                    field: str, value) -> dt.datetime:
    """Change one part of one leaf (the rest as saved now): a stale browser tab cannot put back
    values that were changed elsewhere meanwhile."""
    require(actor, "assessment.edit", unit_code)
    if field not in FIELDS:
        raise ServiceError(f"Không có mục «{field}».")
    leaf = _leaf(_criteria(storage, year, unit_code), code)
    at = clock_now(storage)

    def work(tx: Tx) -> None:
        _editable_in(tx, storage, actor, year, unit_code)
        current = _saved_scores(tx, year, unit_code).get(code, rules.LeafScore())
        parts = {"points": current.points, "not_applicable": current.not_applicable,
                 "note": current.note, "explanation": current.explanation, field: value}
        clean = rules.check_leaf_score(leaf, rules.LeafScore(**parts))
        if _write_scores(tx, actor, year, unit_code, {code: clean}, at):
            tx.run("assessment_touch", year=year, unit_code=unit_code, updated_at=at)

    storage.write(work)
    return at


def save_report(storage: Storage, actor: User, year: int, unit_code: str,
                difficulties: str, recommendations: str) -> dt.datetime:
    require(actor, "assessment.edit", unit_code)
    at = clock_now(storage)

    def work(tx: Tx) -> None:
        _editable_in(tx, storage, actor, year, unit_code)
        row = tx.one("assessment_get", year=year, unit_code=unit_code)
        old = {"difficulties": row["difficulties"], "recommendations": row["recommendations"]}
        new = {"difficulties": difficulties.strip(), "recommendations": recommendations.strip()}
        if old != new:
            tx.run("assessment_set_report", year=year, unit_code=unit_code, updated_at=at, **new)
            tx.audit(actor.username, "report.save", "assessment", f"{year}/{unit_code}", old=old, new=new)

    storage.write(work)
    return at


def apply_scores(storage: Storage, actor: User, year: int, unit_code: str,
                 changes: dict[str, rules.LeafScore], docs: dict[str, list[dict]] | None = None,
                 submit_after: bool = False, cs: CriteriaSet | None = None) -> int:
    """Apply many leaves at once (an imported workbook): all of them or none. Document
    references given for a leaf replace that leaf's references. Returns the leaves changed."""
    require(actor, "assessment.edit", unit_code)
    if submit_after:
        require(actor, "assessment.submit", unit_code)
    cs = cs or _criteria(storage, year, unit_code)
    clean = {code: rules.check_leaf_score(_leaf(cs, code), s) for code, s in changes.items()}
    at = clock_now(storage)

    def work(tx: Tx) -> int:
        _editable_in(tx, storage, actor, year, unit_code)
        changed = _write_scores(tx, actor, year, unit_code, clean, at)
        changed |= _replace_docs(tx, actor, year, unit_code, docs or {}, at)
        if changed:
            tx.run("assessment_touch", year=year, unit_code=unit_code, updated_at=at)
        if submit_after:
            _submit_in(tx, storage, actor, year, unit_code, cs, at)
        return len(changed)

    return storage.write(work)


def _doc_key(d: dict) -> tuple:
    return (d["doc_number"], d["issued_on"], d["summary"])


def _replace_docs(tx: Tx, actor: User, year: int, unit_code: str, docs: dict[str, list[dict]],
                  at: dt.datetime) -> set[str]:
    """Give each leaf in `docs` exactly those document references; return the leaves changed."""
    current: dict[str, list[dict]] = {}
    for r in tx.run("evidence_docs_of_unit", year=year, unit_code=unit_code):
        current.setdefault(r["criterion_code"], []).append(r)
    changed = [c for c, refs in docs.items()
               if sorted(map(_doc_key, current.get(c, [])), key=str) != sorted(map(_doc_key, refs), key=str)]
    if not changed:
        return set()
    tx.run("evidence_doc_remove_many", ids=[r["id"] for c in changed for r in current.get(c, [])])
    new = [(c, d) for c in changed for d in docs[c]]
    tx.run("evidence_doc_insert_many", year=year, unit_code=unit_code, codes=[c for c, _ in new],
           numbers=[d["doc_number"] for _, d in new], dates=[d["issued_on"] for _, d in new],
           summaries=[d["summary"] for _, d in new], at=at, by=actor.username)
    tx.audit_many(actor.username, "evidence.docs", "score",
                  [(f"{year}/{unit_code}/{c}", [_doc_key(r) for r in current.get(c, [])], [_doc_key(d) for d in docs[c]])
                   for c in changed])
    return set(changed)


# ------------------------------------------------------------------ evidence


def add_file(storage: Storage, actor: User, files_dir: Path, year: int, unit_code: str, code: str,
             file_name: str, data: bytes) -> int:
    require(actor, "assessment.edit", unit_code)
    _leaf(_criteria(storage, year, unit_code), code)
    kind, shown = evidence.check_upload(file_name, data)
    _check_editable(storage, year, unit_code)          # before anything reaches the disk
    sha = evidence.store(files_dir, data)
    at = clock_now(storage)

    def work(tx: Tx) -> int:
        _editable_in(tx, storage, actor, year, unit_code)
        fid = tx.one("evidence_file_insert", year=year, unit_code=unit_code, criterion_code=code, sha256=sha,
                     file_name=shown, kind=kind, size_bytes=len(data), at=at, by=actor.username)["id"]
        tx.run("assessment_touch", year=year, unit_code=unit_code, updated_at=at)
        tx.audit(actor.username, "evidence.add_file", "score", f"{year}/{unit_code}/{code}",
                 new={"file": shown, "sha256": sha, "bytes": len(data)})
        return fid

    return storage.write(work)


def check_doc_reference(doc_number: str, summary: str) -> None:
    """A document reference (số/ký hiệu, trích yếu) as evidence: both given, no «|» (it separates
    the parts in the Excel workbook)."""
    if not doc_number.strip() or not summary.strip():
        raise ServiceError("Văn bản kiểm chứng cần có số/ký hiệu và trích yếu.")
    if "|" in doc_number + summary:
        raise ServiceError("Số, ký hiệu và trích yếu không được chứa dấu «|» (dấu này ngăn cách các phần trong Excel).")


def add_doc(storage: Storage, actor: User, year: int, unit_code: str, code: str,
            doc_number: str, issued_on: dt.date | None, summary: str) -> int:
    require(actor, "assessment.edit", unit_code)
    _leaf(_criteria(storage, year, unit_code), code)
    check_doc_reference(doc_number, summary)
    at = clock_now(storage)

    def work(tx: Tx) -> int:
        _editable_in(tx, storage, actor, year, unit_code)
        did = tx.one("evidence_doc_insert", year=year, unit_code=unit_code, criterion_code=code,
                     doc_number=doc_number.strip(), issued_on=issued_on, summary=summary.strip(),
                     at=at, by=actor.username)["id"]
        tx.run("assessment_touch", year=year, unit_code=unit_code, updated_at=at)
        tx.audit(actor.username, "evidence.add_doc", "score", f"{year}/{unit_code}/{code}",
                 new={"number": doc_number, "issued_on": issued_on, "summary": summary})
        return did

    return storage.write(work)


def remove_evidence(storage: Storage, actor: User, kind: str, evidence_id: int) -> None:
    """Take a file ('file') or a document reference ('doc') off a leaf (kept in history)."""
    get, remove = ("evidence_file_get", "evidence_file_remove") if kind == "file" else ("evidence_doc_get", "evidence_doc_remove")
    row = storage.one(get, id=evidence_id)
    if row is None:
        raise ServiceError("Không tìm thấy tài liệu này.")
    require(actor, "assessment.edit", row["unit_code"])

    def work(tx: Tx) -> None:
        _editable_in(tx, storage, actor, row["period_year"], row["unit_code"])
        tx.run(remove, id=evidence_id)
        tx.audit(actor.username, f"evidence.remove_{kind}", "score",
                 f"{row['period_year']}/{row['unit_code']}/{row['criterion_code']}",
                 old={k: row[k] for k in ("file_name", "doc_number", "summary") if k in row})

    storage.write(work)


def read_file(storage: Storage, actor: User, files_dir: Path, file_id: int) -> tuple[str, str, bytes]:
    """(display name, MIME type, content) of an evidence file the actor may see."""
    row = storage.one("evidence_file_get", id=file_id)
    if row is None:
        raise ServiceError("Không tìm thấy tệp này.")
    require(actor, "evidence.read", row["unit_code"])
    path = evidence.stored_path(files_dir, row["sha256"])
    if not path.exists():
        raise ServiceError(f"Tệp «{row['file_name']}» không còn trên máy chủ; hãy khôi phục từ bản sao lưu.")
    return row["file_name"], evidence.KINDS[row["kind"]][2], path.read_bytes()


# ------------------------------------------------------------------ transitions


def _submit_in(tx: Tx, storage: Storage, actor: User, year: int, unit_code: str,
               cs: CriteriaSet, at: dt.datetime) -> None:
    p = _editable_in(tx, storage, actor, year, unit_code)
    form_scores = _saved_scores(tx, year, unit_code)
    counts: dict[str, int] = {}
    for name in ("evidence_files_of_unit", "evidence_docs_of_unit"):
        for r in tx.run(name, year=year, unit_code=unit_code):
            counts[r["criterion_code"]] = counts.get(r["criterion_code"], 0) + 1
    problems = rules.submission_problems(cs, form_scores, counts)
    if problems:
        raise ServiceError(f"Chưa nộp được: còn {len(problems)} mục cần hoàn thiện.\n" + "\n".join(problems))
    late = rules.is_late(p["self_assessment_deadline"], today(storage))
    tx.run("assessment_set_state", year=year, unit_code=unit_code, state="submitted", submitted_at=at,
           is_late=late, updated_at=at)
    tx.audit(actor.username, "assessment.submit", "assessment", f"{year}/{unit_code}",
             old={"state": "draft"}, new={"state": "submitted", "late": late})


def submit(storage: Storage, actor: User, year: int, unit_code: str) -> None:
    require(actor, "assessment.submit", unit_code)
    cs = _criteria(storage, year, unit_code)
    at = clock_now(storage)
    storage.write(lambda tx: _submit_in(tx, storage, actor, year, unit_code, cs, at))


def withdraw(storage: Storage, actor: User, year: int, unit_code: str) -> None:
    """Take a submission back to draft, while the deadline (or a reopening) allows."""
    require(actor, "assessment.submit", unit_code)
    at = clock_now(storage)

    def work(tx: Tx) -> None:
        p = tx.one("period_get", year=year)
        row = tx.one("assessment_get", year=year, unit_code=unit_code)
        if row is None or row["state"] != "submitted":
            raise ServiceError("Chỉ rút lại được báo cáo đã nộp và chưa được thẩm định.")
        until = rules.edit_deadline(p["self_assessment_deadline"], row["reopened_until"])
        if today(storage) > until:
            raise ServiceError(f"Đã quá hạn ({fmt_date(until)}): không rút lại được báo cáo. Liên hệ Phòng Nội vụ.")
        tx.run("assessment_set_state", year=year, unit_code=unit_code, state="draft", submitted_at=None,
               is_late=False, updated_at=at)
        tx.audit(actor.username, "assessment.withdraw", "assessment", f"{year}/{unit_code}",
                 old={"state": "submitted", "submitted_at": row["submitted_at"]}, new={"state": "draft"})

    storage.write(work)


def reopen(storage: Storage, actor: User, year: int, unit_code: str, until: dt.date, reason: str) -> None:
    """Admin reopens a commune's form after the deadline, until a given day, with a reason."""
    require(actor, "assessment.reopen")
    if not reason.strip():
        raise ServiceError("Cần ghi lý do mở lại.")
    if until < today(storage):
        raise ServiceError(f"Ngày mở đến {fmt_date(until)} đã qua.")
    unit_in_year(storage, year, unit_code)
    at = clock_now(storage)

    def work(tx: Tx) -> None:
        row = tx.one("assessment_get", year=year, unit_code=unit_code)
        if row is None:
            tx.run("assessment_insert", year=year, unit_code=unit_code, state="draft", submitted_at=None,
                   is_late=False, updated_at=at)
            row = tx.one("assessment_get", year=year, unit_code=unit_code)
        if row["state"] == "submitted":
            raise ServiceError("Báo cáo đã nộp: không cần mở lại. Nếu đơn vị cần sửa, đơn vị rút lại báo cáo trước hạn.")
        if row["state"] != "draft":
            raise ServiceError("Báo cáo đang được thẩm định: không mở lại được.")
        tx.run("assessment_reopen", year=year, unit_code=unit_code, reopened_until=until,
               reason=reason.strip(), updated_at=at)
        tx.audit(actor.username, "assessment.reopen", "assessment", f"{year}/{unit_code}",
                 old={"state": row["state"], "reopened_until": row["reopened_until"]},
                 new={"state": "draft", "reopened_until": until}, reason=reason.strip())

    storage.write(work)


# ------------------------------------------------------------------ Excel


@dataclass
class Preview:
    """What an uploaded workbook would change, before anything is written."""
    criteria: CriteriaSet
    parsed: excel_io.Parsed
    rows: list[dict]              # one per leaf that changes: code, title, before, after


def _describe(s: rules.LeafScore | None, docs: list[dict]) -> str:
    if s is None:
        return "chưa chấm"
    text = "không áp dụng" if s.not_applicable else ("chưa chấm" if s.points is None else fmt_points(s.points))
    extra = [f"{len(docs)} văn bản" if docs else "", "có giải trình" if s.explanation else "", "có ghi chú" if s.note else ""]
    return ", ".join([text] + [e for e in extra if e])


def workbook_name(year: int, unit_code: str) -> str:
    return f"tu-danh-gia-{year}-{unit_code}.xlsx"


def report_name(year: int, unit_code: str) -> str:
    return f"bao-cao-tu-danh-gia-{year}-{unit_code}.xlsx"


def workbook_of(form: Form) -> bytes:
    """The unit's workbook to fill in, with what is saved so far (from a form already read)."""
    return excel_io.build_template(form.criteria, form.unit, form.year, form.scores, form.docs,
                                   {c: len(f) for c, f in form.files.items()})


def workbook(storage: Storage, actor: User, year: int, unit_code: str) -> tuple[str, bytes]:
    return workbook_name(year, unit_code), workbook_of(open_form(storage, actor, year, unit_code))


def preview_import(storage: Storage, actor: User, year: int, unit_code: str, data: bytes) -> Preview:
    require(actor, "assessment.edit", unit_code)
    form = open_form(storage, actor, year, unit_code)
    parsed = excel_io.parse_workbook(data, form.criteria, unit_code, year)
    rows = []
    for leaf in rules.scored_leaves(form.criteria):
        old, new = form.scores.get(leaf.code), parsed.scores[leaf.code]
        old_docs, new_docs = form.docs.get(leaf.code, []), parsed.docs[leaf.code]
        same_score = old == new or (old is None and new == rules.LeafScore())
        if not same_score or sorted(map(_doc_key, old_docs), key=str) != sorted(map(_doc_key, new_docs), key=str):
            rows.append({"code": leaf.code, "title": leaf.title,
                         "before": _describe(old, old_docs), "after": _describe(new, new_docs)})
    return Preview(form.criteria, parsed, rows)


def import_workbook(storage: Storage, actor: User, year: int, unit_code: str, data: bytes,
                    submit_after: bool = False) -> int:
    """Apply a filled workbook, all or nothing (optionally submitting); returns leaves changed. No
    preview is worked out: the write itself compares with what is saved and changes only that."""
    require(actor, "assessment.edit", unit_code)
    cs = _criteria(storage, year, unit_code)
    parsed = excel_io.parse_workbook(data, cs, unit_code, year)
    return apply_scores(storage, actor, year, unit_code, parsed.scores, parsed.docs, submit_after, cs)


def report_of(form: Form) -> bytes:
    """The self-assessment report as an .xlsx in the officials' layout (from a form already read)."""
    return excel_io.build_report(form.criteria, form.unit, form.year, form.scores, form.docs, form.files,
                                 form.difficulties, form.recommendations, form.submitted_at,
                                 draft=form.state in ("not_started", "draft"))


def report(storage: Storage, actor: User, year: int, unit_code: str) -> tuple[str, bytes]:
    return report_name(year, unit_code), report_of(open_form(storage, actor, year, unit_code))


def file_on_disk(files_dir: Path, row: dict) -> bool:
    return evidence.stored_path(files_dir, row["sha256"]).exists()
