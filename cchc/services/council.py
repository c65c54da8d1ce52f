"""The appraisal council of a period: the decision that forms it, its members (and which roles
they hold), and which office appraises which field. Every change is admin's (council.manage) and
writes its audit row in its transaction; the appraisal rounds (cchc.services.appraisal) ask here
whether an account is a current member."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cchc.core import appraisal as rules
from cchc.core.criteria import CriteriaSet, Criterion
from cchc.core.permissions import ROLES, User, require
from cchc.db.storage import Storage, Tx
from cchc.services.common import ServiceError, clock_now
from cchc.services.reference import office_codes, offices, period, period_criteria


def council_formed(storage: Storage, year: int) -> tuple[bool, dt.date | None, bool]:
    """(formed, decision date or None, on time): formed once the decision is recorded and the
    council has a chair; on time when the decision is dated on or before the council deadline."""
    row = storage.one("council_get", year=year)
    p = storage.one("period_get", year=year)
    if row is None or p is None:
        return False, None, False
    has_chair = any(m["member_role"] == "chair" for m in storage.all("council_members", year=year))
    on_time = row["decision_date"] <= p["council_deadline"]
    return has_chair, row["decision_date"], has_chair and on_time


@dataclass
class Council:
    year: int
    decision: dict | None
    members: list[dict]
    fields: list[Criterion]                    # the fields the council appraises
    assignment: dict[str, str | None]          # field code -> office code
    defaults: dict[str, str | None]            # field code -> office named by the criteria set
    offices: dict[str, str]                    # office code -> name
    formed: tuple[bool, dt.date | None, bool]


def field_offices(storage: Storage, year: int, cs: CriteriaSet) -> dict[str, str | None]:
    mapping = rules.default_offices(cs)
    for r in storage.all("field_assignments", year=year):
        if r["field_code"] in mapping:
            mapping[r["field_code"]] = r["office_code"]
    return mapping


def council(storage: Storage, actor: User, year: int) -> Council:
    require(actor, "council.view")
    period(storage, year)
    cs = period_criteria(storage, None, year)
    fields = rules.appraised_fields(cs) if cs else []
    return Council(year, storage.one("council_get", year=year), storage.all("council_members", year=year), fields,
                   field_offices(storage, year, cs) if cs else {}, rules.default_offices(cs) if cs else {},
                   {o["code"]: o["name"] for o in offices(storage)}, council_formed(storage, year))


def save_decision(storage: Storage, actor: User, year: int, decision_number: str, decision_date: dt.date | None,
                  signer: str) -> None:
    require(actor, "council.manage")
    period(storage, year)
    number, signer = decision_number.strip(), signer.strip()
    missing = [what for what, v in (("số quyết định", number), ("ngày quyết định", decision_date),
                                    ("người ký", signer)) if not v]
    if missing:
        raise ServiceError("Quyết định thành lập Hội đồng còn thiếu: " + ", ".join(missing) + ".")
    new = {"decision_number": number, "decision_date": decision_date, "signer": signer}

    def work(tx: Tx) -> None:
        old = tx.one("council_get", year=year)
        old_v = {k: old[k] for k in new} if old else None
        if old_v == new:
            return
        tx.run("council_put", year=year, **new, at=clock_now(storage), by=actor.username)
        tx.audit(actor.username, "council.decision", "council", str(year), old=old_v, new=new)

    storage.write(work)


def add_member(storage: Storage, actor: User, year: int, full_name: str, title: str, office_code: str | None,
               member_role: str, username: str | None = None) -> int:
    require(actor, "council.manage")
    period(storage, year)
    name, title = full_name.strip(), title.strip()
    if not name or not title:
        raise ServiceError("Thành viên Hội đồng cần có họ tên và chức vụ.")
    if member_role not in rules.MEMBER_ROLES:
        raise ServiceError(f"Vai trò trong Hội đồng «{member_role}» không hợp lệ; chọn một trong: "
                           + ", ".join(rules.MEMBER_ROLES.values()) + ".")
    if office_code and office_code not in office_codes(storage):
        raise ServiceError(f"Không có cơ quan mã «{office_code}».")
    if username:
        u = storage.one("user_get", username=username)
        if u is None:
            raise ServiceError(f"Không có tài khoản «{username}».")
        if member_role in rules.ACTING_ROLES and u["role"] != "council":
            raise ServiceError(f"Tài khoản «{username}» có vai trò «{ROLES.get(u['role'], u['role'])}», không phải "
                               f"«{ROLES['council']}»: {rules.MEMBER_ROLES[member_role]} dùng tài khoản này sẽ không "
                               "kết thúc được vòng 1 hay hoàn tất thẩm định. Hãy chọn một tài khoản có vai trò "
                               f"«{ROLES['council']}», hoặc để trống tài khoản (Phòng Nội vụ thao tác thay).")
    row = {"full_name": name, "title": title, "office_code": office_code or None, "member_role": member_role,
           "username": username or None}

    def work(tx: Tx) -> int:
        if member_role == "chair" and any(m["member_role"] == "chair" for m in tx.run("council_members", year=year)):
            raise ServiceError("Hội đồng đã có Chủ tịch; hãy bỏ người cũ trước khi thêm người mới.")
        mid = tx.one("council_member_insert", year=year, **row)["id"]
        tx.audit(actor.username, "council.member_add", "council", f"{year}/{mid}", new=row)
        return mid

    return storage.write(work)


def remove_member(storage: Storage, actor: User, member_id: int) -> None:
    require(actor, "council.manage")
    row = storage.one("council_member_get", id=member_id)
    if row is None:
        raise ServiceError("Không tìm thấy thành viên này.")

    def work(tx: Tx) -> None:
        tx.run("council_member_remove", id=member_id)
        tx.audit(actor.username, "council.member_remove", "council", f"{row['period_year']}/{member_id}",
                 old={k: row[k] for k in ("full_name", "title", "office_code", "member_role", "username")})

    storage.write(work)


def assign_field(storage: Storage, actor: User, year: int, field_code: str, office_code: str) -> None:
    require(actor, "council.manage")
    cs = period_criteria(storage, None, year)
    if cs is None or field_code not in rules.default_offices(cs):
        raise ServiceError(f"Lĩnh vực «{field_code}» không có tiêu chí do Hội đồng thẩm định.")
    if office_code not in office_codes(storage):
        raise ServiceError(f"Không có cơ quan mã «{office_code}».")

    def work(tx: Tx) -> None:
        old = field_offices(storage, year, cs)[field_code]
        if old == office_code:
            return
        tx.run("field_assignment_put", year=year, field_code=field_code, office_code=office_code)
        tx.audit(actor.username, "council.assign", "field", f"{year}/{field_code}", old=old, new=office_code)

    storage.write(work)


# ------------------------------------------------------------------ membership


def member_roles(storage_or_tx, year: int, user: User) -> frozenset[str]:
    """The roles the account holds in the period's council (empty: not, or no longer, a member)."""
    run = storage_or_tx.run if isinstance(storage_or_tx, Tx) else storage_or_tx.all
    return frozenset(r["member_role"] for r in run("council_member_roles", year=year, username=user.username))


def require_member(tx: Tx, actor: User, year: int, roles: frozenset[str] | None = None,
                   refusal: str = "") -> None:
    """Inside the write: a council account acts only while it is a current member of the period's
    council (and, for `roles`, holds one of them). Admin acts for the council."""
    if actor.role == "admin":
        return
    held = member_roles(tx, year, actor)
    not_member = (f"Tài khoản «{actor.username}» không phải thành viên Hội đồng thẩm định kỳ {year} (hoặc đã được "
                  "bỏ khỏi Hội đồng)")
    if roles is not None and not held & roles:
        raise ServiceError(refusal + (f" {not_member}." if not held else ""))
    if not held:
        raise ServiceError(f"{not_member}: không thẩm định được. Đề nghị Phòng Nội vụ bổ sung vào Hội đồng "
                           "(Quản trị → Hội đồng) nếu bạn được phân công.")


def office_ok(user: User, offices_of: dict[str, str | None], field_code: str) -> bool:
    """The field is assigned to the account's office (admin: every field); membership apart."""
    return user.role == "admin" or (user.role == "council" and user.office_code is not None
                                    and offices_of.get(field_code) == user.office_code)


def may_appraise_field(user: User, offices_of: dict[str, str | None], field_code: str, is_member: bool) -> bool:
    """Admin appraises every field; a council account only the fields assigned to its office, and
    only while it is a current member of the period's council (`is_member`)."""
    return user.role == "admin" or (is_member and office_ok(user, offices_of, field_code))


# ------------------------------------------------------------------ the demo


def demo_council(tx: Tx, year: int) -> None:
    """The demo's council, formed on 07/11 (before the 08/11 deadline): the decision and members,
    the demo's council account (Phòng Nội vụ) among them. No commune is appraised yet (the demo
    stands on the day before the self-assessment deadline)."""
    decision = {"decision_number": "1520/QĐ-UBND", "decision_date": dt.date(year, 11, 7),
                "signer": "Chủ tịch UBND huyện"}
    at = dt.datetime(year, 11, 7, 15, 0)
    tx.run("council_put", year=year, **decision, at=at, by="demo")
    members = [("Phó Chủ tịch UBND huyện", "Phó Chủ tịch UBND huyện", "VP", "chair", None),
               ("Trưởng phòng Nội vụ", "Trưởng phòng Nội vụ", "NV", "standing_vice_chair", None),
               ("Thành viên Hội đồng (Phòng Nội vụ)", "Phó Trưởng phòng Nội vụ", "NV", "member", "hoidong"),
               ("Trưởng phòng Tư pháp", "Trưởng phòng Tư pháp", "TP", "member", None),
               ("Chánh Văn phòng HĐND và UBND huyện", "Chánh Văn phòng", "VP", "member", None),
               ("Trưởng phòng Tài chính – Kế hoạch", "Trưởng phòng Tài chính – Kế hoạch", "TCKH", "member", None),
               ("Trưởng phòng Văn hóa và Thông tin", "Trưởng phòng Văn hóa và Thông tin", "VHTT", "member", None),
               ("Chuyên viên Phòng Nội vụ", "Chuyên viên", "NV", "support", None)]
    for name, title, office, role, username in members:
        tx.run("council_member_insert", year=year, full_name=name, title=title, office_code=office,
               member_role=role, username=username)
    tx.audit("demo", "council.decision", "council", str(year), new=decision)
