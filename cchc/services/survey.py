"""Surveys: citizens' answers (web and paper), abuse flags and exclusions, quotas, aggregation and
export, QR codes, and the officials' survey with one-time codes.

Public calls (the citizen's form, the official's code) take no user: they never trust what they
are given and check the period, the survey window and the unit themselves. Staff calls check the
permission table and write their audit row in the same transaction as the change. A citizen's
own answer is not audited separately: the response row is itself the append-only record (when,
which channel, which hashed client), and an audit row per answer would double the writes on the
busiest path. Web answers that arrive together are written in one transaction (group commit);
each caller returns only once its own answer is committed."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field

from cchc.core import survey as rules
from cchc.core.permissions import User, require
from cchc.core.text import fmt_date, fmt_datetime
from cchc.core.workflow import survey_open
from cchc.db.storage import Storage, Tx
from cchc.files import qr as survey_qr
from cchc.files import survey_workbook as survey_excel
from cchc.services.common import ServiceError, clock_now, now, today

SALT_KEY = "survey_salt"
BASE_URL_KEY = "survey_base_url"
SYSTEM = "he-thong"          # the actor of automatic exclusions (honeypot)


# ------------------------------------------------------------------ reading the period


def _period(storage: Storage, year: int) -> dict:
    row = storage.one("period_get", year=year)
    if row is None:
        raise ServiceError(f"Chưa có kỳ đánh giá năm {year}.")
    return row


def window_text(p: dict) -> str:
    return f"{fmt_date(p['survey_opens'])} đến {fmt_date(p['survey_closes'])}"


def is_open(storage: Storage, year: int) -> bool:
    return survey_open(_period(storage, year), today(storage))


def public_unit(storage: Storage, year: int, code) -> dict | None:
    """The unit a survey link names, if the text is a unit code of the period; None otherwise."""
    if not rules.is_unit_code(code):
        return None
    return next((u for u in storage.all("units_in_year", year=year) if u["code"] == code), None)


def _unit_in(tx_or_storage, year: int, unit_code: str) -> dict:
    read = tx_or_storage.run if isinstance(tx_or_storage, Tx) else tx_or_storage.all
    unit = next((u for u in read("units_in_year", year=year) if u["code"] == unit_code), None)
    if unit is None:
        raise ServiceError(f"Không có đơn vị mã «{str(unit_code)[:20]}» trong kỳ {year}.")
    return unit


def _salt(storage: Storage) -> str:
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
    return dict(questions=codes, elements=[q.question(c).element for c in codes], ratings=[a.ratings[c] for c in codes])


class _Recent:
    """The web answers of the last day, in memory, for the abuse counts. One process owns the
    database, so memory sees every answer; it is rebuilt from the database on first use. Counted
    and updated inside the write transaction (under the write lock), so parallel answers are
    counted exactly. Counting in memory instead of in SQL halves the cost of an answer
    (bench/survey_throughput.py)."""

    KEEP = dt.timedelta(days=1)

    def __init__(self, storage: Storage, at: dt.datetime):
        self.by_client: dict[str, list[dt.datetime]] = {}
        self.by_answers: dict[tuple[str, str], dt.datetime] = {}
        self.added = 0
        for r in storage.all("survey_recent_keys", since=at - self.KEEP):
            self.add(r["submitted_at"], r["client_key"], r["browser_key"], r["answers_key"])

    def add(self, at: dt.datetime, client: str | None, browser: str | None, answers: str | None) -> None:
        if client:
            self.by_client.setdefault(client, []).append(at)
        if browser and answers:
            key = (browser, answers)
            self.by_answers[key] = max(at, self.by_answers.get(key, at))
        self.added += 1
        if self.added % 2000 == 0:           # forget what no window looks at any more
            old = at - self.KEEP
            self.by_client = {k: [t for t in v if t >= old] for k, v in self.by_client.items() if v and max(v) >= old}
            self.by_answers = {k: t for k, t in self.by_answers.items() if t >= old}

    def flags(self, at: dt.datetime, client: str | None, browser: str | None, answers: str, honeypot: bool,
              limits: rules.Limits) -> list[str]:
        flags = ["honeypot"] if honeypot else []
        if client and sum(1 for t in self.by_client.get(client, ()) if at - limits.rate_window <= t <= at) >= limits.rate_max:
            flags.append("rate")
        last = self.by_answers.get((browser, answers)) if browser else None
        if last is not None and at - limits.duplicate_window <= last <= at:
            flags.append("duplicate")
        return flags


_MEMO_LOCK = threading.Lock()
_WINDOW_TTL = 10.0                 # seconds: a changed window or unit list is seen this soon


def _window(storage: Storage, year: int, unit_code: str) -> dict | None:
    """The period's survey window and whether the unit is one of its units, read at most every
    few seconds (the public form asks on every answer)."""
    with _MEMO_LOCK:
        cache = storage.memo("survey_windows", dict)
    key = (year, unit_code)
    hit = cache.get(key)
    if hit is None or hit[0] < time.monotonic():
        if len(cache) > 10_000:
            cache.clear()
        hit = (time.monotonic() + _WINDOW_TTL, storage.one("survey_window_and_unit", year=year, code=unit_code))
        cache[key] = hit
    return hit[1]


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
    found = _window(storage, year, unit_code)
    day = today(storage)
    if found is None:
        raise ServiceError(f"Chưa có kỳ đánh giá năm {year}.")
    if not survey_open(found, day):
        raise ServiceError(f"Đợt khảo sát năm {year} mở từ {window_text(found)}; hiện không nhận phiếu.")
    if not found["unit_ok"]:
        raise ServiceError(f"Không có đơn vị mã «{unit_code}» trong kỳ {year}.")
    salt = _salt(storage)
    trap = bool(honeypot and honeypot.strip())
    at = dt.datetime.combine(day, now().time())
    client_key, browser_key = rules.client_hash(client, salt), rules.client_hash(browser, salt)
    answers_key = rules.fingerprint(clean)
    row = dict(year=year, unit_code=unit_code, channel="web", submitted_at=at, questionnaire=_questionnaire_id(q),
               profile=json.dumps(clean.profile, ensure_ascii=False, sort_keys=True), overall=clean.overall,
               suggestion=clean.suggestion, client_key=client_key, browser_key=browser_key, answers_key=answers_key,
               excluded=trap, exclude_reason=rules.FLAGS["honeypot"] if trap else "",
               excluded_by=SYSTEM if trap else None, entered_by=None)
    pending = _Pending(row, _rating_columns(q, clean), trap, limits)
    with _MEMO_LOCK:          # one group committer per database, even when the first answers race
        committer = storage.memo("survey_batcher", lambda: _GroupCommit(storage, at))
    return committer.submit(pending)


@dataclass
class _Pending:
    row: dict
    cols: dict
    trap: bool
    limits: rules.Limits
    done: bool = False
    receipt: Receipt | None = None
    error: BaseException | None = None


class _GroupCommit:
    """Answers that arrive while another transaction is being written wait, then go together in
    the next transaction: one commit for many phones (group commit). Each caller returns only
    once its own answer is committed, so an acknowledged answer is a stored answer."""

    def __init__(self, storage: Storage, at: dt.datetime):
        self.storage = storage
        self.recent = _Recent(storage, at)
        self.queue_lock = threading.Lock()
        self.flush_lock = threading.Lock()
        self.queue: list[_Pending] = []

    def submit(self, p: _Pending) -> Receipt:
        with self.queue_lock:
            self.queue.append(p)
        with self.flush_lock:
            if not p.done:
                with self.queue_lock:
                    batch, self.queue = self.queue, []
                self._flush(batch)
        if p.error is not None:
            raise p.error
        return p.receipt

    def _flush(self, batch: list[_Pending]) -> None:
        try:
            ids, flags = self._write(batch)
        except Exception as exc:
            # Nothing of the batch was stored: the counters must not remember it (an honest retry
            # would be flagged as a duplicate), so they are rebuilt from the database. Then each
            # answer is tried on its own, so that one bad answer does not fail the others.
            self.recent = _Recent(self.storage, clock_now(self.storage))
            if len(batch) == 1:
                batch[0].error, batch[0].done = exc, True
                return
            for p in batch:
                self._flush([p])
            return
        except BaseException as exc:  # interrupted: every waiting caller learns its answer was not stored
            self.recent = _Recent(self.storage, clock_now(self.storage))
            for p in batch:
                p.error, p.done = exc, True
            return
        for p, rid, f in zip(batch, ids, flags):
            p.receipt, p.done = Receipt(rid, tuple(f)), True

    def _write(self, batch: list[_Pending]) -> tuple[list[int], list[list[str]]]:
        # Flags in arrival order, counting the earlier answers of the same batch.
        flags = []
        for p in batch:
            r = p.row
            flags.append(self.recent.flags(r["submitted_at"], r["client_key"], r["browser_key"], r["answers_key"],
                                           p.trap, p.limits))
            self.recent.add(r["submitted_at"], r["client_key"], r["browser_key"], r["answers_key"])

        def work(tx: Tx) -> list[int]:
            ids = [x["id"] for x in tx.run("survey_next_ids", n=len(batch))]
            rows = [p.row for p in batch]
            tx.run("survey_web_insert_many", ids=ids, years=[r["year"] for r in rows],
                   unit_codes=[r["unit_code"] for r in rows], submitted_at=[r["submitted_at"] for r in rows],
                   questionnaires=[r["questionnaire"] for r in rows], profiles=[r["profile"] for r in rows],
                   overalls=[r["overall"] for r in rows], suggestions=[r["suggestion"] for r in rows],
                   client_keys=[r["client_key"] for r in rows], browser_keys=[r["browser_key"] for r in rows],
                   answers_keys=[r["answers_key"] for r in rows], flags=[",".join(f) for f in flags],
                   excluded=[r["excluded"] for r in rows], exclude_reasons=[r["exclude_reason"] for r in rows],
                   excluded_by=[r["excluded_by"] for r in rows])
            tx.run("survey_answers_insert_rows",
                   response_ids=[i for i, p in zip(ids, batch) for _ in p.cols["questions"]],
                   questions=[c for p in batch for c in p.cols["questions"]],
                   elements=[e for p in batch for e in p.cols["elements"]],
                   ratings=[v for p in batch for v in p.cols["ratings"]])
            return ids

        return self.storage.write(work), flags


def submit_paper(storage: Storage, actor: User, year: int, unit_code: str, answers: rules.Answers,
                 filled_on: dt.date | None = None, q: rules.Questionnaire | None = None) -> int:
    """A paper questionnaire keyed in by staff (channel «paper»); the date on the form, if given,
    must fall in the survey window. Audited."""
    require(actor, "survey.enter", unit_code)
    q = q or rules.citizen_questionnaire()
    p = _period(storage, year)
    try:
        clean = rules.check_answers(q, answers, require_all=False)
    except rules.AnswerError as exc:
        raise ServiceError(str(exc)) from None
    if filled_on and p["survey_opens"] and p["survey_closes"] and not p["survey_opens"] <= filled_on <= p["survey_closes"]:
        raise ServiceError(f"Ngày trên phiếu {fmt_date(filled_on)} nằm ngoài thời gian khảo sát ({window_text(p)}).")
    at = clock_now(storage)
    stamp = dt.datetime.combine(filled_on, dt.time(12)) if filled_on else at

    def work(tx: Tx) -> int:
        _unit_in(tx, year, unit_code)
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
    p = _period(storage, year)
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
        _unit_in(tx, year, unit_code)
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
    """Per element: the mean of its questions' shares (DOMAIN.md §6)."""
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


# ------------------------------------------------------------------ the officials' survey


@dataclass(frozen=True)
class CodeInfo:
    code: str
    year: int
    group: rules.Group
    unit_code: str
    unit_name: str
    questions: tuple[rules.OfficialQuestion, ...]


def issue_codes(storage: Storage, actor: User, year: int, group_code: str, unit_codes: list[str], per_unit: int,
                oq: rules.OfficialQuestionnaire | None = None) -> list[str]:
    """`per_unit` new one-time codes for a respondent group, for each of the given units. Audited."""
    require(actor, "survey.manage")
    oq = oq or rules.official_questionnaire()
    if oq.group(group_code) is None:
        raise ServiceError(f"Không có nhóm người trả lời mã «{group_code}».")
    if not unit_codes:
        raise ServiceError("Chọn ít nhất một đơn vị.")
    if not 1 <= per_unit <= 200:
        raise ServiceError("Số mã mỗi đơn vị phải từ 1 đến 200.")
    _period(storage, year)
    at = clock_now(storage)

    def work(tx: Tx) -> list[str]:
        for code in unit_codes:
            _unit_in(tx, year, code)
        units = [u for u in unit_codes for _ in range(per_unit)]
        codes = [rules.new_official_code() for _ in units]
        while len(set(codes)) < len(codes) or tx.one("official_code_exists", codes=codes)["n"]:
            codes = [rules.new_official_code() for _ in units]        # 50 random bits: practically never
        tx.run("official_code_insert_many", codes=codes, year=year, group_code=group_code, unit_codes=units,
               questionnaire=f"{oq.code}/{oq.version}", at=at, by=actor.username)
        tx.audit(actor.username, "survey.codes", "period", str(year),
                 new={"group": group_code, "units": unit_codes, "per_unit": per_unit, "codes": len(codes)})
        return codes

    return storage.write(work)


def official_codes(storage: Storage, actor: User, year: int, codes: list[str] | None = None) -> list[dict]:
    require(actor, "survey.manage")
    return storage.all("official_codes_of_period", year=year, codes=codes)


def codes_sheet(storage: Storage, actor: User, year: int, codes: list[str] | None = None,
                oq: rules.OfficialQuestionnaire | None = None) -> bytes:
    """The unused codes (or the given ones) as an A4 sheet to print and cut apart."""
    oq = oq or rules.official_questionnaire()
    rows = [r for r in official_codes(storage, actor, year, codes) if r["used_at"] is None and not r["voided"]]
    return survey_excel.build_codes_sheet(rows, {g.code: g.name for g in oq.groups}, base_url(storage), year)


def official_progress(storage: Storage, actor: User, year: int) -> list[dict]:
    require(actor, "survey.view")
    return storage.all("official_progress", year=year)


def official_points(storage: Storage, actor: User, year: int) -> list[dict]:
    require(actor, "survey.view")
    return storage.all("official_points_of_period", year=year)


_REFUSED = "Mã phiếu không đúng, hoặc đã được sử dụng. Mời bạn kiểm tra lại mã in trên giấy mời."


def open_code(storage: Storage, raw_code, oq: rules.OfficialQuestionnaire | None = None) -> CodeInfo:
    """The questionnaire a code opens; the same message for an unknown and a used code (a
    guesser learns nothing)."""
    oq = oq or rules.official_questionnaire()
    code = rules.normalise_official_code(raw_code)
    row = storage.one("official_code_get", code=code) if code else None
    if row is None or row["used_at"] is not None or row["voided"]:
        raise ServiceError(_REFUSED)
    group = oq.group(row["group_code"])
    if group is None:
        raise ServiceError("Nhóm người trả lời của mã này không còn trong phiếu điều tra; liên hệ Phòng Nội vụ.")
    return CodeInfo(row["code"], row["period_year"], group, row["unit_code"], row["unit_name"] or row["unit_code"],
                    tuple(oq.for_group(group.code)))


def submit_official(storage: Storage, raw_code, answers: dict[str, str],
                    oq: rules.OfficialQuestionnaire | None = None) -> None:
    """Store an official's answers; the code is spent in the same transaction, so a second use
    (another tab, a copied link) is refused."""
    oq = oq or rules.official_questionnaire()
    info = open_code(storage, raw_code, oq)
    try:
        clean = rules.check_official_answers(oq, info.group.code, answers)
    except rules.AnswerError as exc:
        raise ServiceError(str(exc)) from None
    qs = {q.code: q for q in info.questions}
    at = clock_now(storage)

    def work(tx: Tx) -> None:
        if not tx.run("official_code_use", code=info.code, at=at):
            raise ServiceError(_REFUSED)
        codes = list(clean)
        tx.run("official_answers_insert", code=info.code, questions=codes, criteria=[qs[c].criterion for c in codes],
               choices=[clean[c] for c in codes], weights=[float(oq.weights[clean[c]]) for c in codes])

    storage.write(work)
