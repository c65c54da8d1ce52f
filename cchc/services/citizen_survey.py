"""The citizens' satisfaction survey: answers from the public page and from paper (keyed in or
imported), abuse flags and their review (a flagged answer counts only once staff accept it),
the per-client limit, desk tablets (kiosks), one answer per dossier (codes), quotas and progress,
aggregation and export, QR codes.

Public calls (the citizen's form) take no user: they never trust what they are given and check
the period, the survey window and the unit themselves. Staff calls check the permission table
and write their audit row in the same transaction as the change. A citizen's own answer is not
audited separately: the response row is itself the append-only record (when, which channel,
which hashed client), and an audit row per answer would double the writes on the busiest path.
Web answers that arrive together are written in one transaction (_GroupWriter); their abuse
flags are counted by SQL over the stored answers inside it, under the write lock, so two answers
arriving together cannot miss each other and nothing is counted in memory; the per-client limit
and the dossier codes are checked against the stored rows in the same transaction."""

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
from cchc.files import dossier_codes
from cchc.files import qr as survey_qr
from cchc.files import survey_workbook as survey_excel
from cchc.services.common import ServiceError, clock_now, today

SALT_KEY = "survey_salt"
BASE_URL_KEY = "survey_base_url"
SYSTEM = "he-thong"          # the actor of automatic exclusions (honeypot)
NEEDS_CODE = ("Đợt khảo sát này cần mã hồ sơ in trên phiếu hẹn (hoặc mã phiếu khảo sát được phát cùng mã QR): "
              "mỗi hồ sơ trả lời một lần. Mời bạn nhập mã.")


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
               q: rules.Questionnaire | None = None, limits: rules.Limits = rules.LIMITS,
               kiosk: str | None = None, dossier_code: str | None = None) -> Receipt:
    """A citizen's questionnaire from the public page. Suspect answers are stored and flagged:
    a honeypot answer is stored excluded; many answers from one client address in a short time,
    or the same answers again from one browser, are stored pending and count only once staff
    accept them (rules.Limits). Beyond the per-client limit the answer is refused with a polite
    wait. `kiosk`: the token of a registered desk tablet of this unit (no volume rules).
    `dossier_code`: asked for when the period wants one answer per dossier; a code answers once."""
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
    desk = kiosk_for(storage, kiosk, unit_code)
    row = {"year": year, "unit_code": unit_code, "at": at, "questionnaire": _questionnaire_id(q),
           "profile": json.dumps(clean.profile, ensure_ascii=False, sort_keys=True), "overall": clean.overall,
           "suggestion": clean.suggestion, "client_key": rules.client_hash(client, salt),
           "browser_key": rules.client_hash(browser, salt), "answers_key": rules.fingerprint(clean),
           "honeypot": trap, "exclude_reason": rules.FLAGS["honeypot"] if trap else "",
           "excluded_by": SYSTEM if trap else None, "rate_since": at - limits.rate_window,
           "rate_max": limits.rate_max, "duplicate_since": at - limits.duplicate_window,
           "kiosk_id": desk["id"] if desk else None,
           "dossier_code": rules.normalise_dossier_code(dossier_code) if dossier_code else None}
    check = {"refuse_since": at - limits.refuse_window, "refuse_max": limits.refuse_max,
             "refuse_window": limits.refuse_window, "code_given": bool(dossier_code and str(dossier_code).strip()),
             "code_shown": str(dossier_code or "").strip()[:40]}
    # Two first answers racing may each make a writer: harmless, as storage.write serialises
    # them and the flags are counted in the database.
    writer = storage.memo("survey_web_writer", lambda: _GroupWriter(storage))
    return writer.submit(row, {**_rating_columns(q, clean), "check": check})


def _store_web(tx: Tx, batch: list[tuple[dict, dict]]) -> list[Receipt | ServiceError]:
    """Web answers (row, ratings) in arrival order: each stored, or refused when its period or
    unit says no, its dossier code does not answer, or its client is over the limit (checked
    here, in the transaction, from the stored answers, once for all of them)."""
    rows = [row for row, _ in batch]
    windows = {w["year"]: w for w in tx.run("survey_windows", years=sorted({r["year"] for r in rows}),
                                             codes=sorted({r["unit_code"] for r in rows}))}
    refusals = [_refusal(windows.get(row["year"]), row) for row in rows]
    _code_refusals(tx, batch, windows, refusals)
    _limit_refusals(tx, batch, refusals)
    taken = [item for item, refusal in zip(batch, refusals) if refusal is None]
    receipts = iter(_insert_web(tx, taken) if taken else [])
    return [refusal or next(receipts) for refusal in refusals]


def _code_refusals(tx: Tx, batch: list[tuple[dict, dict]], windows: dict, refusals: list) -> None:
    """Where the period wants one answer per dossier: a known code of the unit, not used before
    (nor earlier in this batch). Unique in survey_code_use as well, should two writers race."""
    asked = [i for i, (row, _) in enumerate(batch) if refusals[i] is None and windows[row["year"]]["survey_needs_code"]]
    for i, (row, _) in enumerate(batch):
        if i not in asked:
            row["dossier_code"] = None          # not asked (or refused already): nothing to keep
    if not asked:
        return
    known = {}
    for year in {batch[i][0]["year"] for i in asked}:
        codes = [batch[i][0]["dossier_code"] for i in asked if batch[i][0]["year"] == year and batch[i][0]["dossier_code"]]
        known.update({(year, r["code"]): r for r in tx.run("survey_codes_known", year=year, codes=codes)})
    taken: set = set()
    for i in asked:
        row, extra = batch[i]
        code, shown = row["dossier_code"], extra["check"]["code_shown"]
        found = known.get((row["year"], code)) if code else None
        if not extra["check"]["code_given"]:
            refusals[i] = ServiceError(NEEDS_CODE)
        elif found is None or found["unit_code"] != row["unit_code"]:
            refusals[i] = ServiceError(f"Không tìm thấy mã hồ sơ «{code or rules.clean_text(shown, 40)}» của đơn vị này. "
                                       "Mời bạn kiểm tra lại mã in trên phiếu hẹn (hoặc phiếu khảo sát được phát).")
        elif found["used"] or (row["year"], code) in taken:
            refusals[i] = ServiceError(f"Mã hồ sơ «{code}» đã được dùng để trả lời khảo sát. Mỗi hồ sơ chỉ trả lời "
                                       "một lần; cảm ơn bạn đã góp ý.")
        else:
            taken.add((row["year"], code))


def _limit_refusals(tx: Tx, batch: list[tuple[dict, dict]], refusals: list) -> None:
    """Beyond refuse_max answers from one client address or one browser within refuse_window
    (the stored ones and the earlier ones of this batch), refuse with the minutes to wait."""
    counted = [i for i, (row, _) in enumerate(batch) if refusals[i] is None and row["kiosk_id"] is None]
    if not counted:
        return
    since = min(batch[i][1]["check"]["refuse_since"] for i in counted)
    seen: dict[tuple[str, str], list] = {}
    for r in tx.run("survey_recent_of_clients", since=since,
                    client_keys=[batch[i][0]["client_key"] for i in counted if batch[i][0]["client_key"]],
                    browser_keys=[batch[i][0]["browser_key"] for i in counted if batch[i][0]["browser_key"]]):
        seen[(r["kind"], r["key"])] = [r["n"], r["oldest"]]
    for i in counted:
        row, check = batch[i][0], batch[i][1]["check"]
        keys = [(kind, row[f"{kind}_key"]) for kind in ("client", "browser") if row[f"{kind}_key"]]
        over = [seen[k] for k in keys if k in seen and seen[k][0] >= check["refuse_max"]]
        if over:
            wait = max(rules.wait_minutes(oldest, row["at"], check["refuse_window"]) for _, oldest in over)
            refusals[i] = ServiceError(f"Bạn vừa gửi nhiều phiếu trong thời gian ngắn. Để kết quả khảo sát khách quan, "
                                       f"vui lòng thử lại sau {wait} phút. Cảm ơn bạn!")
            continue
        for k in keys:
            entry = seen.setdefault(k, [0, row["at"]])
            entry[0] += 1


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
    used = [(r["year"], r["dossier_code"], i) for r, i in zip(rows, ids) if r["dossier_code"]]
    for year in {u[0] for u in used}:
        tx.run("survey_code_use_insert_many", year=year, codes=[c for y, c, _ in used if y == year],
               response_ids=[i for y, _, i in used if y == year])
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
    """Leave a response out of the results (or count it: accept it), with a reason; audited."""
    require(actor, "survey.manage")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Cần ghi lý do " + ("loại phiếu." if excluded else "tính lại phiếu."))

    def work(tx: Tx) -> None:
        row = tx.one("survey_response_get", id=response_id)
        if row is None:
            raise ServiceError(f"Không có phiếu số {response_id}.")
        if row["excluded"] == excluded and row["review"] != "pending":
            raise ServiceError(f"Phiếu số {response_id} " + ("đã bị loại rồi." if excluded else "đang được tính rồi."))
        tx.run("survey_set_review", id=response_id, excluded=excluded, reason=reason if excluded else "",
               by=actor.username if excluded else None, actor=actor.username, at=clock_now(storage),
               review_reason=reason)
        tx.audit(actor.username, "survey.exclude" if excluded else "survey.include", "survey_response", str(response_id),
                 old={"excluded": row["excluded"], "reason": row["exclude_reason"], "review": row["review"]},
                 new={"excluded": excluded, "flags": row["flags"]}, reason=reason)

    storage.write(work)


@dataclass(frozen=True)
class ReviewFilter:
    """Which flagged or reviewed web answers a bulk review is about; None means any."""
    state: str | None = "pending"               # pending, accepted, excluded
    flag: str | None = None                     # one of rules.FLAGS
    client: str | None = None                   # a client address's salted hash (from review_groups)
    unit_code: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def params(self) -> dict:
        return {"state": self.state, "flag": self.flag, "client": self.client, "unit_code": self.unit_code,
                "since": self.since, "until": self.until}

    def described(self) -> dict:
        """The filter as the audit row keeps it (only what was set)."""
        return {k: (v.isoformat(" ") if isinstance(v, dt.datetime) else v) for k, v in self.params().items() if v}


REVIEW_STATES = {"pending": "Chờ xem xét", "accepted": "Đã chấp nhận (được tính)", "excluded": "Đã loại"}


def _check_filter(f: ReviewFilter) -> None:
    if f.state is not None and f.state not in REVIEW_STATES:
        raise ServiceError(f"Trạng thái «{str(f.state)[:20]}» không có.")
    if f.flag is not None and f.flag not in rules.FLAGS:
        raise ServiceError(f"Dấu hiệu «{str(f.flag)[:20]}» không có.")
    if f.since and f.until and f.since >= f.until:
        raise ServiceError("Thời điểm bắt đầu phải trước thời điểm kết thúc.")


def review_groups(storage: Storage, actor: User, year: int, f: ReviewFilter = ReviewFilter()) -> list[dict]:
    """The matching answers grouped by client, flags, unit and state (no row cap: one row a group)."""
    require(actor, "survey.manage")
    _check_filter(f)
    rows = storage.all("survey_review_groups", year=year, **f.params())
    for r in rows:
        r["flag_text"] = rules.flag_labels(r["flags"])
        r["state_text"] = REVIEW_STATES.get(r["review"], r["review"])
        r["client_short"] = (r["client_key"] or "")[:8] or "—"
    return rows


def review_page(storage: Storage, actor: User, year: int, f: ReviewFilter = ReviewFilter(), page: int = 0,
                size: int = 50) -> list[dict]:
    """One page (newest first) of the matching answers."""
    require(actor, "survey.manage")
    _check_filter(f)
    rows = storage.all("survey_review_page", year=year, limit=max(1, min(size, 500)), offset=max(0, page) * size,
                       **f.params())
    for r in rows:
        r["flag_text"] = rules.flag_labels(r["flags"])
        r["state_text"] = REVIEW_STATES.get(r["review"], r["review"])
        r["client_short"] = (r["client_key"] or "")[:8] or "—"
    return rows


def review(storage: Storage, actor: User, year: int, f: ReviewFilter, accept: bool, reason: str) -> int:
    """Accept (count) or exclude every answer the filter matches, with one reason: one audit row
    with the count and the filter. Returns how many changed."""
    require(actor, "survey.manage")
    _check_filter(f)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Cần ghi lý do " + ("chấp nhận các phiếu." if accept else "loại các phiếu."))
    at = clock_now(storage)

    def work(tx: Tx) -> int:
        changed = tx.run("survey_review_apply", year=year, excluded=not accept, actor=actor.username, at=at,
                         reason=reason, **f.params())
        if changed:
            tx.audit(actor.username, "survey.review", "period", str(year), reason=reason,
                     new={"decision": "accept" if accept else "exclude", "count": len(changed),
                          "filter": f.described()})
        return len(changed)

    return storage.write(work)


def pending_count(storage: Storage, actor: User, year: int, unit_code: str | None = None) -> int:
    """How many answers wait for review (a commune officer: of their own unit)."""
    require(actor, "survey.view", unit_code)
    return sum(r["pending"] for r in storage.all("survey_pending_count", year=year)
               if unit_code is None or r["unit_code"] == unit_code)


# ------------------------------------------------------------------ desk tablets (kiosks)


def _token_hash(token: str) -> str:
    return hashlib.sha256(f"cchc-kiosk|{token}".encode()).hexdigest()


def create_kiosk(storage: Storage, actor: User, year: int, unit_code: str, label: str) -> tuple[str, str]:
    """Register a tablet of a commune's one-stop desk: (kiosk id, one-time link code). Opening
    /khao-sat?dv=<unit>&may=<code> on the tablet keeps the kiosk's token in its browser. Audited."""
    require(actor, "survey.manage")
    label = rules.clean_text(label, 60)
    if not label:
        raise ServiceError("Cần ghi tên máy (ví dụ «Máy tính bảng bộ phận một cửa»).")
    link = secrets.token_urlsafe(16)
    kid = "K-" + secrets.token_hex(3).upper()
    at = clock_now(storage)

    def work(tx: Tx) -> None:
        unit_in_period(tx, year, unit_code)
        tx.run("survey_kiosk_insert", id=kid, unit_code=unit_code, label=label, link_hash=_token_hash(link), at=at,
               by=actor.username)
        tx.audit(actor.username, "survey.kiosk", "survey_kiosk", kid, new={"unit": unit_code, "label": label})

    storage.write(work)
    return kid, link


def activate_kiosk(storage: Storage, unit_code: str, link: str) -> tuple[str, str]:
    """The tablet opens its one-time link: (token to keep in the browser, label). Once only."""
    token = secrets.token_urlsafe(24)
    at = clock_now(storage)

    def work(tx: Tx) -> dict | None:
        row = tx.one("survey_kiosk_activate", link_hash=_token_hash(str(link)[:64]), token_hash=_token_hash(token), at=at)
        if row is not None:
            tx.audit(SYSTEM, "survey.kiosk", "survey_kiosk", row["id"], new={"activated": True, "unit": row["unit_code"]})
        return row

    row = storage.write(work)
    if row is None or row["unit_code"] != unit_code:
        raise ServiceError("Đường dẫn đăng ký máy khảo sát này đã được dùng, đã bị thu hồi hoặc không đúng xã. "
                           "Mời Phòng Nội vụ tạo đường dẫn mới.")
    return token, row["label"]


def kiosk_for(storage: Storage, token: str | None, unit_code: str) -> dict | None:
    """The registered, not revoked, desk tablet of this unit whose token the browser holds."""
    if not token or not isinstance(token, str) or len(token) > 64:
        return None
    row = storage.one("survey_kiosk_by_token", token_hash=_token_hash(token))
    return row if row and row["unit_code"] == unit_code else None


def revoke_kiosk(storage: Storage, actor: User, kiosk_id: str) -> None:
    require(actor, "survey.manage")

    def work(tx: Tx) -> None:
        row = tx.one("survey_kiosk_revoke", id=kiosk_id, at=clock_now(storage))
        if row is None:
            raise ServiceError(f"Không có máy khảo sát {str(kiosk_id)[:12]} đang hoạt động.")
        tx.audit(actor.username, "survey.kiosk", "survey_kiosk", kiosk_id, new={"revoked": True})

    storage.write(work)


def kiosks(storage: Storage, actor: User) -> list[dict]:
    require(actor, "survey.manage")
    return storage.all("survey_kiosks")


# ------------------------------------------------------------------ one answer per dossier


def needs_code(storage: Storage, year: int) -> bool:
    return bool(period_row(storage, year)["survey_needs_code"])


def set_needs_code(storage: Storage, actor: User, year: int, on: bool) -> None:
    """The period setting: the survey asks for a dossier code, each code answers once. Audited."""
    require(actor, "survey.manage")
    old = needs_code(storage, year)

    def work(tx: Tx) -> None:
        tx.run("period_set_survey_needs_code", year=year, on=bool(on))
        tx.audit(actor.username, "survey.code_setting", "period", str(year), old={"needs_code": old},
                 new={"needs_code": bool(on)})

    storage.write(work)


def _add_codes(storage: Storage, actor: User, year: int, pairs: list[tuple[str, str]], source: str,
               detail: dict) -> tuple[int, int]:
    """Store (unit, code) pairs the period does not know yet: (added, already known). Audited."""
    at = clock_now(storage)

    def work(tx: Tx) -> tuple[int, int]:
        known = {r["code"] for r in tx.run("survey_codes_existing", year=year, codes=[c for _, c in pairs])}
        new = [(u, c) for u, c in pairs if c not in known]
        if new:
            tx.run("survey_code_insert_many", year=year, codes=[c for _, c in new], unit_codes=[u for u, _ in new],
                   source=source, at=at, by=actor.username)
        tx.audit(actor.username, "survey.codes", "period", str(year),
                 new={"source": source, "added": len(new), "already": len(pairs) - len(new), **detail})
        return len(new), len(pairs) - len(new)

    return storage.write(work)


def generate_codes(storage: Storage, actor: User, year: int, unit_codes: list[str], per_unit: int) -> list[dict]:
    """One-time codes to print with the QR (per_unit for each unit): the new rows."""
    require(actor, "survey.manage")
    if not 1 <= per_unit <= 5000:
        raise ServiceError("Số mã mỗi xã phải từ 1 đến 5.000.")
    names = {u["code"]: u["name"] for u in storage.all("units_in_year", year=year)}
    bad = [u for u in unit_codes if u not in names]
    if bad or not unit_codes:
        raise ServiceError(f"Không có đơn vị mã «{(bad or [''])[0][:20]}» trong kỳ {year}.")
    pairs = [(u, rules.new_official_code()) for u in unit_codes for _ in range(per_unit)]
    _add_codes(storage, actor, year, pairs, "printed", {"per_unit": per_unit, "units": len(unit_codes)})
    return [{"unit_code": u, "unit_name": names[u], "code": c} for u, c in pairs]


def import_codes(storage: Storage, actor: User, year: int, data: bytes, name: str) -> tuple[int, int]:
    """The one-stop system's export (.xlsx/.csv: commune code, dossier code): (added, already
    known). All or nothing: a WorkbookError lists every bad row."""
    require(actor, "survey.manage")
    units = {u["code"]: u["name"] for u in storage.all("units_in_year", year=year)}
    pairs = dossier_codes.parse(data, name, units)
    return _add_codes(storage, actor, year, pairs, "dossier",
                      {"file": rules.clean_text(name, 80), "sha256": hashlib.sha256(data).hexdigest()})


def codes_csv(storage: Storage, actor: User, year: int, rows: list[dict] | None = None) -> bytes:
    """The printed codes (given, or every unused one of the period) as a CSV for Excel."""
    require(actor, "survey.manage")
    if rows is None:
        rows = [r for r in storage.all("survey_codes_of_period", year=year, codes=None)
                if r["source"] == "printed" and not r["used"]]
    return dossier_codes.build_csv(rows, base_url(storage))


def code_progress(storage: Storage, actor: User, year: int) -> list[dict]:
    require(actor, "survey.manage")
    return storage.all("survey_code_progress", year=year)


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
