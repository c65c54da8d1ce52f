"""The citizens' satisfaction survey: answers from the public page and from paper (keyed in or
imported), abuse flags and exclusions, quotas and progress, aggregation and export, QR codes.

Public calls (the citizen's form) take no user: they never trust what they are given and check
the period, the survey window and the unit themselves. Staff calls check the permission table
and write their audit row in the same transaction as the change. A citizen's own answer is not
audited separately: the response row is itself the append-only record (when, which channel,
which hashed client), and an audit row per answer would double the writes on the busiest path.
Web answers that arrive together are written in one transaction (_GroupWriter); their abuse
flags are counted by SQL over the stored answers inside it, under the write lock, so two answers
arriving together cannot miss each other and nothing is counted in memory."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

from cchc.core import survey as rules
from cchc.core.permissions import User, require
from cchc.core.text import fmt_date, fmt_datetime
from cchc.core.workflow import survey_open
from cchc.db.storage import Storage, Tx
from cchc.files import qr as survey_qr
from cchc.files import survey_workbook as survey_excel
from cchc.services.common import ServiceError, clock_now, today

SALT_KEY = "survey_salt"
BASE_URL_KEY = "survey_base_url"
SYSTEM = "he-thong"          # the actor of automatic exclusions (honeypot)


# ------------------------------------------------------------------ the period and its units


def period_row(storage: Storage, year: int) -> dict:
    row = storage.one("period_get", year=year)
    if row is None:
        raise ServiceError(f"Chưa có kỳ đánh giá năm {year}.")
    return row


def window_text(p: dict) -> str:
    return f"{fmt_date(p['survey_opens'])} đến {fmt_date(p['survey_closes'])}"


def is_open(storage: Storage, year: int) -> bool:
    return survey_open(period_row(storage, year), today(storage))


def public_unit(storage: Storage, year: int, code) -> dict | None:
    """The unit a survey link names, if the text is a unit code of the period; None otherwise."""
    if not rules.is_unit_code(code):
        return None
    return next((u for u in storage.all("units_in_year", year=year) if u["code"] == code), None)


def unit_in_period(tx_or_storage: Tx | Storage, year: int, unit_code: str) -> dict:
    """The unit row of a code of the period, or a refusal that names the code."""
    read = tx_or_storage.run if isinstance(tx_or_storage, Tx) else tx_or_storage.all
    unit = next((u for u in read("units_in_year", year=year) if u["code"] == unit_code), None)
    if unit is None:
        raise ServiceError(f"Không có đơn vị mã «{str(unit_code)[:20]}» trong kỳ {year}.")
    return unit


def _salt(storage: Storage) -> str:
    """The salt of the client hashes: written once, never changed, so it is kept in memory."""
    def read() -> str:
        salt = storage.scalar("setting_get", key=SALT_KEY)
        if salt is None:
            candidate = secrets.token_hex(16)

            def work(tx: Tx) -> str:
                row = tx.one("setting_get", key=SALT_KEY)
                if row:
                    return row["value"]
                tx.run("setting_put", key=SALT_KEY, value=candidate)
                return candidate

            salt = storage.write(work)
        return salt
    return storage.memo(SALT_KEY, read)


# ------------------------------------------------------------------ citizens' answers


@dataclass(frozen=True)
class Receipt:
    response_id: int
    flags: tuple[str, ...]


def _questionnaire_id(q: rules.Questionnaire) -> str:
    return f"{q.code}/{q.version}"


def _rating_columns(q: rules.Questionnaire, a: rules.Answers) -> dict:
    codes = [c for c in (x.code for x in q.questions()) if c in a.ratings]
    return {"questions": codes, "elements": [q.question(c).element for c in codes],
            "ratings": [a.ratings[c] for c in codes]}


def _refusal(window: dict | None, row: dict) -> ServiceError | None:
    """Why an answer cannot be taken (no such period, the survey window is closed, not a unit of
    the period), or None."""
    year, unit_code = row["year"], row["unit_code"]
    if window is None:
        return ServiceError(f"Chưa có kỳ đánh giá năm {year}.")
    if not survey_open(window, row["at"].date()):
        return ServiceError(f"Đợt khảo sát năm {year} mở từ {window_text(window)}; hiện không nhận phiếu.")
    if unit_code not in window["units"]:
        return ServiceError(f"Không có đơn vị mã «{unit_code}» trong kỳ {year}.")
    return None


def submit_web(storage: Storage, year: int, unit_code, answers: rules.Answers, honeypot: str = "",
               client: str | None = None, browser: str | None = None,
               q: rules.Questionnaire | None = None, limits: rules.Limits = rules.LIMITS) -> Receipt:
    """A citizen's questionnaire from the public page. Suspect answers are stored and flagged,
    never refused: a honeypot answer is stored already excluded (an administrator may count it
    back); many answers from one client address in a short time, or the same answers again from
    one browser, are flagged and count until an administrator excludes them (rules.Limits)."""
    q = q or rules.citizen_questionnaire()
    if not rules.is_unit_code(unit_code):
        raise ServiceError("Mã đơn vị không hợp lệ.")
    try:
        clean = rules.check_answers(q, answers, require_all=True)
    except rules.AnswerError as exc:
        raise ServiceError(str(exc)) from None
    salt = _salt(storage)
    trap = bool(honeypot and honeypot.strip())
    at = clock_now(storage)
    row = {"year": year, "unit_code": unit_code, "at": at, "questionnaire": _questionnaire_id(q),
           "profile": json.dumps(clean.profile, ensure_ascii=False, sort_keys=True), "overall": clean.overall,
           "suggestion": clean.suggestion, "client_key": rules.client_hash(client, salt),
           "browser_key": rules.client_hash(browser, salt), "answers_key": rules.fingerprint(clean),
           "honeypot": trap, "exclude_reason": rules.FLAGS["honeypot"] if trap else "",
           "excluded_by": SYSTEM if trap else None, "rate_since": at - limits.rate_window,
           "rate_max": limits.rate_max, "duplicate_since": at - limits.duplicate_window}
    # Two first answers racing may each make a writer: harmless, as storage.write serialises
    # them and the flags are counted in the database.
    writer = storage.memo("survey_web_writer", lambda: _GroupWriter(storage))
    return writer.submit(row, _rating_columns(q, clean))


def _store_web(tx: Tx, batch: list[tuple[dict, dict]]) -> list[Receipt | ServiceError]:
    """Web answers (row, ratings) in arrival order: each stored, or refused when its period or
    unit says no (checked here, in the transaction, once for all of them)."""
    rows = [row for row, _ in batch]
    windows = {w["year"]: w for w in tx.run("survey_windows", years=sorted({r["year"] for r in rows}),
                                             codes=sorted({r["unit_code"] for r in rows}))}
    refusals = [_refusal(windows.get(row["year"]), row) for row in rows]
    taken = [item for item, refusal in zip(batch, refusals) if refusal is None]
    receipts = iter(_insert_web(tx, taken) if taken else [])
    return [refusal or next(receipts) for refusal in refusals]


def _insert_web(tx: Tx, batch: list[tuple[dict, dict]]) -> list[Receipt]:
    """Web answers (row, ratings) in arrival order, in a few statements however many they are."""
    rows = [row for row, _ in batch]
    ids = [r["id"] for r in tx.run("survey_next_ids", n=len(rows))]
    columns = {key: [r[key] for r in rows] for key in rows[0]}
    since = min(columns["rate_since"] + columns["duplicate_since"])
    flags = {r["id"]: r["flags"] for r in tx.run("survey_web_insert_many", ids=ids, since=since, **columns)}
    tx.run("survey_answers_insert_rows", response_ids=[i for i, (_, c) in zip(ids, batch) for _ in c["questions"]],
           questions=[q for _, c in batch for q in c["questions"]],
           elements=[e for _, c in batch for e in c["elements"]],
           ratings=[v for _, c in batch for v in c["ratings"]])
    return [Receipt(i, tuple(f for f in flags[i].split(",") if f)) for i in ids]


class _GroupWriter:
    """Web answers that arrive while another transaction is being written wait, then go together
    in the next one: one commit for many phones. The caller that finds no writer at work writes
    until nothing waits; the others wait for their own answer only. Without grouping, 16 phones
    at once get about 0.2-0.45x the throughput of bare inserts on two cores; with it, above 0.5x
    (bench/survey_throughput.py). It only groups: each answer's flags are counted by SQL over the
    stored rows and the earlier ones of its group, in the write transaction, so two writers (even
    two processes) count alike. Each caller returns only once its own answer is committed."""

    def __init__(self, storage: Storage):
        self.storage = storage
        self.lock = threading.Lock()            # guards the queue and the writing flag
        self.queue: list[tuple[dict, dict, Future]] = []
        self.writing = False

    def submit(self, row: dict, ratings: dict) -> Receipt:
        done: Future = Future()
        with self.lock:
            self.queue.append((row, ratings, done))
            lead, self.writing = not self.writing, True
        if lead:
            self._write_all()
        return done.result()

    def _write_all(self) -> None:
        batch: list = []
        try:
            while True:
                with self.lock:
                    batch, self.queue = self.queue, []
                    if not batch:
                        self.writing = False
                        return
                self._write(batch)
        except BaseException as exc:           # interrupted: no caller waits for ever
            with self.lock:
                batch, self.queue, self.writing = batch + self.queue, [], False
            for _, _, done in batch:
                if not done.done():
                    done.set_exception(exc)
            raise

    def _write(self, batch: list[tuple[dict, dict, Future]]) -> None:
        try:
            outcomes = self.storage.write(lambda tx: _store_web(tx, [(row, ratings) for row, ratings, _ in batch]))
        except Exception as exc:
            if len(batch) == 1:
                batch[0][2].set_exception(exc)
            else:                               # nothing was stored: each alone, so one bad answer fails alone
                for item in batch:
                    self._write([item])
            return
        for (_, _, done), outcome in zip(batch, outcomes):
            if isinstance(outcome, ServiceError):
                done.set_exception(outcome)
            else:
                done.set_result(outcome)


def submit_paper(storage: Storage, actor: User, year: int, unit_code: str, answers: rules.Answers,
                 filled_on: dt.date | None = None, q: rules.Questionnaire | None = None) -> int:
    """A paper questionnaire keyed in by staff (channel «paper»); the date on the form, if given,
    must fall in the survey window. Audited."""
    require(actor, "survey.enter", unit_code)
    q = q or rules.citizen_questionnaire()
    p = period_row(storage, year)
    try:
        clean = rules.check_answers(q, answers, require_all=False)
    except rules.AnswerError as exc:
        raise ServiceError(str(exc)) from None
    if filled_on and p["survey_opens"] and p["survey_closes"] and not p["survey_opens"] <= filled_on <= p["survey_closes"]:
        raise ServiceError(f"Ngày trên phiếu {fmt_date(filled_on)} nằm ngoài thời gian khảo sát ({window_text(p)}).")
    at = clock_now(storage)
    stamp = dt.datetime.combine(filled_on, dt.time(12)) if filled_on else at

    def work(tx: Tx) -> int:
        unit_in_period(tx, year, unit_code)
        rid = _insert_paper(tx, actor, year, unit_code, q, clean, stamp)
        tx.audit(actor.username, "survey.paper", "survey_response", str(rid),
                 new={"unit": unit_code, "year": year, "ratings": len(clean.ratings), "filled_on": filled_on})
        return rid

    return storage.write(work)


def _insert_paper(tx: Tx, actor: User, year: int, unit_code: str, q: rules.Questionnaire, a: rules.Answers,
                  stamp: dt.datetime) -> int:
    rid = tx.one("survey_submit_insert", year=year, unit_code=unit_code, channel="paper", submitted_at=stamp,
                 questionnaire=_questionnaire_id(q), profile=json.dumps(a.profile, ensure_ascii=False, sort_keys=True),
                 overall=a.overall, suggestion=a.suggestion, client_key=None, browser_key=None,
                 answers_key=rules.fingerprint(a), flags="", excluded=False, exclude_reason="", excluded_by=None,
                 entered_by=actor.username)["id"]
    tx.run("survey_answers_insert", response_id=rid, **_rating_columns(q, a))
    return rid


def paper_template(storage: Storage, actor: User, year: int | None = None,
                   q: rules.Questionnaire | None = None) -> bytes:
    """The .xlsx to key paper forms into (the units of the period in its list sheet)."""
    require(actor, "survey.enter", actor.unit_code if actor.role == "commune" else None)
    units = storage.all("units_in_year", year=year) if year is not None else []
    if actor.role == "commune":
        units = [u for u in units if u["code"] == actor.unit_code]
    return survey_excel.build_template(q or rules.citizen_questionnaire(), units)


def import_paper(storage: Storage, actor: User, year: int, data: bytes, q: rules.Questionnaire | None = None,
                 again: bool = False) -> int:
    """Every paper form of a filled template, all or nothing; returns how many were stored. The
    same file a second time is refused unless `again` (a double click must not store every form twice)."""
    q = q or rules.citizen_questionnaire()
    p = period_row(storage, year)
    if actor.role == "commune":
        require(actor, "survey.enter", actor.unit_code)
        units = {u["code"]: u["name"] for u in storage.all("units_in_year", year=year) if u["code"] == actor.unit_code}
    else:
        require(actor, "survey.enter")
        units = {u["code"]: u["name"] for u in storage.all("units_in_year", year=year)}
    forms = survey_excel.parse_paper_forms(data, q, units, (p["survey_opens"], p["survey_closes"]))
    at = clock_now(storage)
    digest = hashlib.sha256(data).hexdigest()

    def work(tx: Tx) -> int:
        earlier = tx.one("survey_import_with_hash", digest=f'%"{digest}"%')
        if earlier and not again:
            raise ServiceError(f"Tệp này đã được nhập lúc {fmt_datetime(earlier['logged_at'])} bởi {earlier['actor']}: "
                               "nhập lại sẽ lưu mọi phiếu hai lần. Nếu thật sự là phiếu khác, hãy xác nhận nhập lại.")
        rids, questions, elements, ratings = [], [], [], []
        for f in forms:
            stamp = dt.datetime.combine(f.filled_on, dt.time(12)) if f.filled_on else at
            rid = tx.one("survey_submit_insert", year=year, unit_code=f.unit_code, channel="paper", submitted_at=stamp,
                         questionnaire=_questionnaire_id(q),
                         profile=json.dumps(f.answers.profile, ensure_ascii=False, sort_keys=True),
                         overall=f.answers.overall, suggestion=f.answers.suggestion, client_key=None, browser_key=None,
                         answers_key=rules.fingerprint(f.answers), flags="", excluded=False, exclude_reason="",
                         excluded_by=None, entered_by=actor.username)["id"]
            cols = _rating_columns(q, f.answers)
            rids += [rid] * len(cols["questions"])
            questions += cols["questions"]
            elements += cols["elements"]
            ratings += cols["ratings"]
        tx.run("survey_answers_insert_rows", response_ids=rids, questions=questions, elements=elements, ratings=ratings)
        per_unit: dict[str, int] = {}
        for f in forms:
            per_unit[f.unit_code] = per_unit.get(f.unit_code, 0) + 1
        tx.audit(actor.username, "survey.import", "period", str(year),
                 new={"forms": len(forms), "units": per_unit, "sha256": digest, "again": again})
        return len(forms)

    return storage.write(work)


# ------------------------------------------------------------------ review of suspect answers


def flagged(storage: Storage, actor: User, year: int, limit: int = 500) -> list[dict]:
    require(actor, "survey.manage")
    rows = storage.all("survey_flagged", year=year, limit=limit)
    for r in rows:
        r["flag_text"] = rules.flag_labels(r["flags"])
    return rows


def set_excluded(storage: Storage, actor: User, response_id: int, excluded: bool, reason: str) -> None:
    """Leave a response out of the results (or count it again), with a reason; audited."""
    require(actor, "survey.manage")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Cần ghi lý do " + ("loại phiếu." if excluded else "tính lại phiếu."))

    def work(tx: Tx) -> None:
        row = tx.one("survey_response_get", id=response_id)
        if row is None:
            raise ServiceError(f"Không có phiếu số {response_id}.")
        if row["excluded"] == excluded:
            raise ServiceError(f"Phiếu số {response_id} " + ("đã bị loại rồi." if excluded else "đang được tính rồi."))
        tx.run("survey_set_excluded", id=response_id, excluded=excluded, reason=reason if excluded else "",
               by=actor.username if excluded else None)
        tx.audit(actor.username, "survey.exclude" if excluded else "survey.include", "survey_response", str(response_id),
                 old={"excluded": row["excluded"], "reason": row["exclude_reason"]},
                 new={"excluded": excluded, "flags": row["flags"]}, reason=reason)

    storage.write(work)


# ------------------------------------------------------------------ quotas and progress


def set_quota(storage: Storage, actor: User, year: int, unit_code: str, target: int | None = None,
              dossiers: int | None = None, margin: float = 0.05) -> int:
    """A commune's target for a period: given, or computed n = N/(1+N·e²) from its dossiers N."""
    require(actor, "survey.manage")
    if target is None and dossiers is None:
        raise ServiceError("Cần chỉ tiêu phiếu hoặc số hồ sơ đã giải quyết.")
    if dossiers is not None:
        if dossiers < 0:
            raise ServiceError("Số hồ sơ không được âm.")
        target = rules.sample_size(dossiers, margin) if target is None else target
    if target < 0 or target > 100_000:
        raise ServiceError("Chỉ tiêu phiếu phải từ 0 đến 100.000.")

    def work(tx: Tx) -> int:
        unit_in_period(tx, year, unit_code)
        old = tx.one("survey_quota_get", year=year, unit_code=unit_code)
        tx.run("survey_quota_put", year=year, unit_code=unit_code, target=target, dossiers=dossiers)
        tx.audit(actor.username, "survey.quota", "survey_quota", f"{year}/{unit_code}",
                 old={"target": old["target"], "dossiers": old["dossiers"]} if old else None,
                 new={"target": target, "dossiers": dossiers, "margin": margin if dossiers is not None else None})
        return target

    return storage.write(work)


def progress(storage: Storage, actor: User, year: int, unit_code: str | None = None) -> list[dict]:
    """Answers that count against each commune's target (a commune officer: their own unit)."""
    require(actor, "survey.view", unit_code)
    rows = storage.all("survey_progress", year=year)
    if unit_code is not None:
        rows = [r for r in rows if r["unit_code"] == unit_code]
    for r in rows:
        r["done_share"] = None if not r["target"] else min(1.0, r["valid"] / r["target"])
    return rows


# ------------------------------------------------------------------ aggregation and export


@dataclass
class Aggregates:
    year: int
    questions: list[dict]                       # unit, element, question: answers, satisfied, share
    elements: list[dict]                        # unit, element: answers, satisfied, share (mean of questions)
    units: list[dict]                           # unit: responses, share (mean of elements)
    district_questions: list[dict]
    district_elements: dict[int, float] = field(default_factory=dict)
    district_share: float | None = None


def element_shares(question_rows: list[dict]) -> dict[int, float]:
    """Per element: the mean of its questions' shares (as survey_element_share computes it)."""
    by: dict[int, list[float]] = {}
    for r in question_rows:
        by.setdefault(r["element"], []).append(r["share"])
    return {e: sum(v) / len(v) for e, v in by.items()}


def overall_share(elements: dict[int, float]) -> float | None:
    return sum(elements.values()) / len(elements) if elements else None


def aggregates(storage: Storage, actor: User, year: int, unit_code: str | None = None) -> Aggregates:
    """Satisfaction per question, element, commune and district. The unit figures come from the
    same view the index reads (survey_element_share), so the two cannot disagree."""
    require(actor, "survey.view", unit_code)
    names = {u["code"]: u["name"] for u in storage.all("units_in_year", year=year)}
    progress_rows = {r["unit_code"]: r for r in storage.all("survey_progress", year=year)}

    def mine(rows):
        return [r for r in rows if unit_code is None or r["unit_code"] == unit_code]

    questions = mine(storage.all("survey_question_shares", year=year))
    elements = mine(storage.all("survey_element_shares_of_period", year=year))
    for r in questions + elements:
        r["unit_name"] = names.get(r["unit_code"], r["unit_code"])
    units = []
    for code in sorted({r["unit_code"] for r in elements}, key=lambda c: names.get(c, c)):
        shares = {r["element"]: r["share"] for r in elements if r["unit_code"] == code}
        units.append({"unit_code": code, "unit_name": names.get(code, code),
                      "responses": progress_rows.get(code, {}).get("valid", 0), "share": overall_share(shares)})
    district_q = storage.all("survey_district_question_shares", year=year) if unit_code is None else []
    d_elements = element_shares(district_q)
    return Aggregates(year, questions, elements, units, district_q, d_elements, overall_share(d_elements))


def export(storage: Storage, actor: User, year: int, unit_code: str | None = None,
           q: rules.Questionnaire | None = None) -> tuple[str, bytes]:
    """The raw answers and the aggregates as one .xlsx."""
    agg = aggregates(storage, actor, year, unit_code)
    responses = storage.all("survey_responses_of_period", year=year, unit_code=unit_code)
    answers: dict[int, dict[str, int]] = {}
    for a in storage.all("survey_answers_of_period", year=year, unit_code=unit_code):
        answers.setdefault(a["response_id"], {})[a["question"]] = a["value"]
    data = survey_excel.build_export(q or rules.citizen_questionnaire(), year, responses, answers, agg)
    return f"khao-sat-{year}{'-' + unit_code if unit_code else ''}.xlsx", data


# ------------------------------------------------------------------ QR codes


def base_url(storage: Storage) -> str:
    return storage.scalar("setting_get", key=BASE_URL_KEY) or ""


def set_base_url(storage: Storage, actor: User, url: str) -> str:
    require(actor, "survey.manage")
    try:
        clean = survey_qr.check_base_url(url)
    except survey_qr.BaseUrlError as exc:
        raise ServiceError(str(exc)) from None
    old = base_url(storage)

    def work(tx: Tx) -> None:
        tx.run("setting_put", key=BASE_URL_KEY, value=clean)
        tx.audit(actor.username, "survey.base_url", "app_setting", BASE_URL_KEY, old=old or None, new=clean)

    storage.write(work)
    return clean


def qr_files(storage: Storage, actor: User, year: int, url: str, district: str) -> dict[str, bytes]:
    """A PNG per commune of the period and the A4 sheet, for the public address `url`."""
    require(actor, "survey.manage")
    try:
        survey_qr.check_base_url(url)
    except survey_qr.BaseUrlError as exc:
        raise ServiceError(str(exc)) from None
    units = storage.all("units_in_year", year=year)
    if not units:
        raise ServiceError(f"Kỳ {year} chưa có đơn vị nào.")
    return survey_qr.files(units, url, year, district)
