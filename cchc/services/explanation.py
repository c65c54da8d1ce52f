"""The explanation round: the commune answers the questions of the council on the leaves it
flagged in round 1, adds documents or files, and hands its answers in, which opens round 2. Open
only in the explanation state and until the explanation deadline (cchc.core.appraisal)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from cchc.core import appraisal as rules
from cchc.core.assessment import LeafScore
from cchc.core.criteria import Criterion
from cchc.core.permissions import User, require
from cchc.db.storage import Storage, Tx
from cchc.files import evidence
from cchc.services.appraisal import (
    load_sheet,
    mark_unit,
    put_leaf,
    set_state,
    state_of,
    stored_leaf,
)
from cchc.services.assessment import check_doc_reference
from cchc.services.common import ServiceError, clock_now, today


@dataclass
class Explanation:
    year: int
    unit: dict
    state: str
    deadline: dt.date
    open: bool
    closed_reason: str
    items: list[tuple[Criterion, LeafScore, rules.LeafAppraisal]]
    files: dict[str, list[dict]]
    docs: dict[str, list[dict]]
    explained_at: dt.datetime | None


def explanation(storage: Storage, actor: User, year: int, unit_code: str) -> Explanation:
    """What the council asked the commune to explain: only the flagged leaves, with questions."""
    require(actor, "explanation.view", unit_code)
    sheet = load_sheet(storage, year, unit_code)
    why = rules.explanation_refusal(sheet.state, sheet.period, sheet.today) or ""
    shown = sheet.state not in rules.ROUND1_STATES | {"not_started", "draft"}    # once round 1 is over
    items = [(n, sheet.scores.get(n.code, LeafScore()), sheet.appraisal(n.code)) for n in sheet.flagged()] if shown else []
    unit_row = sheet.progress_row or {}
    return Explanation(year, sheet.unit, sheet.state, sheet.explanation_deadline, not why, why, items,
                       sheet.files, sheet.docs, unit_row.get("explained_at"))


def _explainable(tx: Tx, storage: Storage, year: int, unit_code: str, code: str | None) -> None:
    state = state_of(tx, year, unit_code)
    if why := rules.explanation_refusal(state, tx.one("period_get", year=year), today(storage)):
        raise ServiceError(why)
    if code is not None:
        row = tx.one("appraisal_leaf_get", year=year, unit_code=unit_code, code=code)
        if row is None or not row["flagged"]:
            raise ServiceError(f"Tiêu chí {code} không được Hội đồng yêu cầu giải trình.")


def save_answer(storage: Storage, actor: User, year: int, unit_code: str, code: str, answer: str) -> dt.datetime:
    require(actor, "explanation.answer", unit_code)
    answer = answer.strip()
    at = clock_now(storage)

    def work(tx: Tx) -> None:
        _explainable(tx, storage, year, unit_code, code)
        old = stored_leaf(tx, year, unit_code, code)
        if old.answer == answer:
            return
        new = replace(old, answer=answer, answered_at=at if answer else None, version=old.version + 1,
                      updated_at=at, updated_by=actor.username)
        put_leaf(tx, actor, year, unit_code, code, old, new, at, "explanation.answer")

    storage.write(work)
    return at


def add_explanation_doc(storage: Storage, actor: User, year: int, unit_code: str, code: str, doc_number: str,
                        issued_on: dt.date | None, summary: str) -> int:
    require(actor, "explanation.answer", unit_code)
    check_doc_reference(doc_number, summary)
    at = clock_now(storage)

    def work(tx: Tx) -> int:
        _explainable(tx, storage, year, unit_code, code)
        did = tx.one("evidence_doc_insert", year=year, unit_code=unit_code, criterion_code=code,
                     doc_number=doc_number.strip(), issued_on=issued_on, summary=summary.strip(),
                     at=at, by=actor.username)["id"]
        tx.audit(actor.username, "explanation.add_doc", "score", f"{year}/{unit_code}/{code}",
                 new={"number": doc_number.strip(), "issued_on": issued_on, "summary": summary.strip()})
        return did

    return storage.write(work)


def add_explanation_file(storage: Storage, actor: User, files_dir: Path, year: int, unit_code: str, code: str,
                         file_name: str, data: bytes) -> int:
    require(actor, "explanation.answer", unit_code)
    kind, shown = evidence.check_upload(file_name, data)
    storage.write(lambda tx: _explainable(tx, storage, year, unit_code, code))   # before the disk
    sha = evidence.store(files_dir, data)
    at = clock_now(storage)

    def work(tx: Tx) -> int:
        _explainable(tx, storage, year, unit_code, code)
        fid = tx.one("evidence_file_insert", year=year, unit_code=unit_code, criterion_code=code, sha256=sha,
                     file_name=shown, kind=kind, size_bytes=len(data), at=at, by=actor.username)["id"]
        tx.audit(actor.username, "explanation.add_file", "score", f"{year}/{unit_code}/{code}",
                 new={"file": shown, "sha256": sha, "bytes": len(data)})
        return fid

    return storage.write(work)


def submit_explanation(storage: Storage, actor: User, year: int, unit_code: str) -> None:
    """The commune hands in its answers (every flagged leaf answered); round 2 opens."""
    require(actor, "explanation.answer", unit_code)
    at = clock_now(storage)

    def work(tx: Tx) -> None:
        _explainable(tx, storage, year, unit_code, None)
        flagged = [r for r in tx.run("appraisal_leaves_of_unit", year=year, unit_code=unit_code) if r["flagged"]]
        missing = [r["criterion_code"] for r in flagged if not r["answer"].strip()]
        if missing:
            raise ServiceError("Chưa gửi được: còn tiêu chí chưa trả lời: " + ", ".join(missing) + ".")
        set_state(tx, actor, year, unit_code, "explanation", "appraisal_r2", at)
        mark_unit(tx, year, unit_code, explained_at=at, explained_by=actor.username)

    storage.write(work)
