"""Urging the communes that lag (đôn đốc): Phòng Nội vụ sees who is late or at risk with the
self-assessment and sends a notice in one action, recorded and audited in one transaction; the
e-mails go after the commit (a failure is written on the notice and never undoes it)."""

from __future__ import annotations

from dataclasses import dataclass

from cchc.config import ConfigError
from cchc.core import urging as rules
from cchc.core.permissions import User, require
from cchc.core.text import fmt_datetime
from cchc.core.workflow import HANDED_IN
from cchc.db.storage import Storage, Tx
from cchc.services import mail
from cchc.services.common import ServiceError, clock_now, today
from cchc.services.reference import period


def issuer() -> str:
    """«UBND huyện Hương Sơn», from the district this installation serves (data/district.yaml)."""
    from cchc.services.seed import district_config

    name = district_config()["district"]["name"]
    kind, _, rest = name.partition(" ")
    return f"UBND {kind.lower()} {rest}" if rest else f"UBND {name}"


def laggards(db: Storage, user: User, year: int, units: list[dict] | None = None,
             notices: list[dict] | None = None) -> list[dict]:
    """The units that have not handed in, latest first: late, then at risk, then the others, each
    with its deadline, what is left ("còn 2 ngày", "đã quá hạn 1 ngày") and when it was last urged.
    `units` (unit_progress rows) and `notices` (notices()) may be given when the page has them."""
    require(user, "urging.view")
    p = period(db, year)
    day = today(db)
    deadline = p.get("self_assessment_deadline")
    if units is None:
        units = db.all("unit_progress", year=year, province=None, district=None)
    if notices is None:
        notices = db.all("urging_list", year=year)
    last: dict[str, dict] = {}
    count: dict[str, int] = {}
    for n in notices:                        # newest first
        last.setdefault(n["unit_code"], n)
        count[n["unit_code"]] = count.get(n["unit_code"], 0) + 1
    out = []
    for u in units:
        kind = rules.lag(u["state"], deadline, u.get("reopened_until"), day)
        if kind is None:
            continue
        due = rules.due_date(deadline, u.get("reopened_until"))
        n = last.get(u["unit_code"])
        out.append({"unit_code": u["unit_code"], "unit_name": u["unit_name"], "state": u["state"], "lag": kind,
                    "deadline": due, "when": rules.when_text(due, day), "days_left": (due - day).days,
                    "leaves_done": u.get("leaves_done"), "leaves_total": u.get("leaves_total"),
                    "last_urged_at": n["sent_at"] if n else None, "last_urged_by": n["sender_name"] if n else None,
                    "last_email": n["email_status"] if n else None, "last_email_error": n["email_error"] if n else None,
                    "times": count.get(u["unit_code"], 0)})
    order = {rules.LATE: 0, rules.AT_RISK: 1, rules.PENDING: 2}
    return sorted(out, key=lambda r: (order[r["lag"]], r["unit_name"]))


def notices(db: Storage, user: User, year: int) -> list[dict]:
    """Every notice of the year, newest first (who was urged, when, by whom, the e-mail's fate)."""
    require(user, "urging.view")
    return db.all("urging_list", year=year)


def latest_for_unit(db: Storage, user: User, year: int, unit_code: str) -> dict | None:
    """The latest notice to a unit that has not handed in yet, with its current deadline and what
    is left; None when there is none or the unit has handed in."""
    require(user, "urging.view", unit_code)
    n = db.one("urging_latest", year=year, unit_code=unit_code)
    if n is None:
        return None
    row = db.one("urging_states", year=year, codes=[unit_code])
    if row is None or row["state"] in HANDED_IN:
        return None
    p = period(db, year)
    day = today(db)
    due = rules.due_date(p["self_assessment_deadline"], row["reopened_until"])
    return {**n, "deadline": due, "today": day, "when": rules.when_text(due, day), "late": day > due}


def mail_server_problem() -> str | None:
    """Why no e-mail will go (no server configured, or a setting it cannot use); None: it will."""
    try:
        return None if mail.server() else "Chưa cấu hình máy chủ thư (CCHC_SMTP_HOST): thông báo chỉ hiện trong ứng dụng."
    except ConfigError as exc:
        return f"Cấu hình máy chủ thư chưa dùng được: {exc} Thông báo chỉ hiện trong ứng dụng."


@dataclass(frozen=True)
class Sent:
    """One notice just sent: the unit, the notice's id, what became of its e-mail."""
    id: int
    unit_code: str
    unit_name: str
    email_to: str | None
    email_status: str
    email_error: str | None


def send(db: Storage, user: User, year: int, unit_codes: list[str] | None = None,
         message: str | None = None) -> list[Sent]:
    """Urge the chosen units (default: every late or at-risk one) with one notice each: the notices
    and their audit rows in one transaction, then the e-mails. A unit that has already handed in is
    refused, naming it; nothing is written then."""
    require(user, "urging.send")
    try:
        text = rules.clean_message(message)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    p = period(db, year)
    deadline = p.get("self_assessment_deadline")
    if deadline is None:
        raise ServiceError(f"Kỳ {year} chưa có hạn nộp báo cáo tự đánh giá: không có gì để đôn đốc.")
    lagging = {r["unit_code"]: r for r in laggards(db, user, year)}
    if unit_codes is None:
        unit_codes = [c for c, r in lagging.items() if r["lag"] in (rules.LATE, rules.AT_RISK)]
        if not unit_codes:
            raise ServiceError("Không có đơn vị nào quá hạn hoặc sắp hết hạn nộp báo cáo tự đánh giá để đôn đốc.")
    unit_codes = list(dict.fromkeys(unit_codes))
    if not unit_codes:
        raise ServiceError("Chọn ít nhất một đơn vị để đôn đốc.")
    try:
        smtp = mail.server()
    except ConfigError:
        smtp = None                      # shown on the panel (mail_server_problem); the notice still goes
    day = today(db)
    at = clock_now(db)
    sender = user.full_name or user.username

    def work(tx: Tx) -> list[dict]:
        states = {r["unit_code"]: r for r in tx.run("urging_states", year=year, codes=unit_codes)}
        done = [states[c] for c in unit_codes if c in states and states[c]["state"] in HANDED_IN]
        if done:
            raise ServiceError("Không đôn đốc đơn vị đã nộp báo cáo tự đánh giá: " + "; ".join(
                f"{r['unit_name']} (nộp lúc {fmt_datetime(r['submitted_at'])})" if r["submitted_at"] else r["unit_name"]
                for r in done) + ".")
        unknown = [c for c in unit_codes if c not in lagging]
        if unknown:
            raise ServiceError(f"Không có đơn vị mã {', '.join(unknown)} trong kỳ {year}.")
        addresses: dict[str, str] = {}
        for r in tx.run("urging_addresses", codes=unit_codes):
            addresses[r["unit_code"]] = ", ".join(filter(None, [addresses.get(r["unit_code"]), r["email"]]))
        made = []
        for code in unit_codes:
            u = lagging[code]
            words = text or rules.default_message(u["unit_name"], u["deadline"], day)
            to = addresses.get(code)
            status = "queued" if to and smtp else ("no_address" if not to else "no_server")
            nid = tx.one("urging_insert", year=year, unit_code=code, sent_at=at, sent_by=user.username,
                         lag=u["lag"], deadline=u["deadline"], message=words, email_to=to, email_status=status)["id"]
            tx.audit(user.username, "urging.send", "urging_notice", f"{year}/{code}",
                     new={"year": year, "unit_code": code, "lag": u["lag"], "deadline": u["deadline"],
                          "message": words, "email_to": to})
            made.append({"id": nid, "unit_code": code, "unit_name": u["unit_name"], "deadline": u["deadline"],
                         "message": words, "email_to": to, "status": status})
        return made

    made = db.write(work)
    out = []
    for m in made:
        status, error = m["status"], None
        if status == "queued":
            try:
                mail.send(smtp, m["email_to"], rules.email_subject(m["unit_name"], year, m["deadline"]),
                          rules.email_body(m["unit_name"], year, m["deadline"], day, m["message"], sender, issuer()))
                status = "sent"
            except mail.MailError as exc:
                status, error = "failed", str(exc)
            db.write(lambda tx, m=m, status=status, error=error: tx.run(
                "urging_email_result", id=m["id"], status=status, at=clock_now(db), error=error))
        out.append(Sent(m["id"], m["unit_code"], m["unit_name"], m["email_to"], status, error))
    return out


def outcome_text(sent: list[Sent]) -> tuple[str, str]:
    """What one send did, in one message for staff: ("ok" | "warning", text)."""
    names = ": " + ", ".join(s.unit_name for s in sent) if len(sent) <= 5 else ""
    mailed = [s for s in sent if s.email_status == "sent"]
    failed = [s for s in sent if s.email_status == "failed"]
    no_address = [s for s in sent if s.email_status == "no_address"]
    parts = [f"Đã gửi thông báo đôn đốc tới {len(sent)} đơn vị{names}."]
    if mailed:
        parts.append(f"Đã gửi e-mail tới {len(mailed)} đơn vị"
                     + (": " + ", ".join(s.unit_name for s in mailed) if len(mailed) <= 5 else "") + ".")
    if any(s.email_status == "no_server" for s in sent):
        parts.append("Chưa cấu hình máy chủ thư: không gửi e-mail, thông báo hiện trong ứng dụng.")
    if no_address:
        parts.append(f"{len(no_address)} đơn vị chưa có e-mail trong tài khoản (không gửi e-mail"
                     + (": " + ", ".join(s.unit_name for s in no_address) if len(no_address) <= 5 else "")
                     + "); thêm e-mail tại Quản trị › Tài khoản.")
    if failed:
        parts.append("Gửi e-mail lỗi (thông báo vẫn được ghi): "
                     + "; ".join(f"{s.unit_name} — {s.email_error}" for s in failed))
    return ("warning" if failed else "ok"), " ".join(parts)
