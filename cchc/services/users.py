"""Accounts and logins. Passwords are bcrypt hashes; the login widget gets a credentials dict."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from dataclasses import dataclass

import bcrypt
import jwt

from cchc import config
from cchc.core.clock import from_timestamp, wall_now
from cchc.core.permissions import ROLES, User, require
from cchc.core.text import ascii_slug
from cchc.core.urging import normalise_email
from cchc.db.storage import Storage, Tx
from cchc.services.common import ServiceError, clock_now

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_BYTES = 72
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")


# ------------------------------------------------------------------ passwords


def hash_password(password: str, rounds: int | None = None) -> str:
    rounds = rounds or config.from_env().bcrypt_rounds
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def check_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))
    except ValueError:
        return False


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise ServiceError(f"Mật khẩu quá dài: tối đa {MAX_PASSWORD_BYTES} byte (bcrypt không dùng phần thừa).")
    if password.strip() != password:
        raise ServiceError("Mật khẩu không được bắt đầu hoặc kết thúc bằng dấu cách.")


# ------------------------------------------------------------------ reading users


def _as_user(row: dict) -> User:
    return User(username=row["username"], full_name=row["full_name"], role=row["role"],
                unit_code=row["unit_code"], office_code=row["office_code"],
                must_change_password=row["must_change_password"])


def active_user(storage: Storage, username: str | None) -> User | None:
    """The account behind a logged-in session, or None if it is unknown or disabled."""
    if not username:
        return None
    row = storage.one("user_get", username=username)
    return _as_user(row) if row and row["active"] else None


def list_users(storage: Storage, actor: User) -> list[dict]:
    require(actor, "user.view")
    return storage.all("user_list")


# ------------------------------------------------------------------ logins


#: The one answer to every refused login: wrong password, unknown name, disabled account or too
#: many tries all read the same, so the answer never tells whether an account exists.
LOGIN_REFUSED = ("Tên đăng nhập hoặc mật khẩu không đúng, hoặc đã thử sai nhiều lần: hãy chờ một lát "
                 "rồi thử lại, hoặc liên hệ Phòng Nội vụ.")


@dataclass(frozen=True)
class Throttle:
    """Growing delays instead of a lock: after `free` failures in a row, the next try must wait
    2^(failures - free) seconds after the last failure, at most `cap` seconds."""
    free: int
    cap: float

    def wait(self, failures: int) -> float:
        return 0.0 if failures < self.free else min(2.0 ** (failures - self.free), self.cap)


#: Per account name: a mistyping officer waits seconds, never minutes; an outsider can delay an
#: account by at most a minute per counted failure, and each of those failures counts against the
#: outsider's own address too.
ACCOUNT_THROTTLE = Throttle(free=3, cap=60)
#: Per client address: one address guessing (one account or many) slows down to one try per
#: 15 minutes. More free tries than per account: an office may log in from one address.
CLIENT_THROTTLE = Throttle(free=10, cap=15 * 60)
#: Failures older than this no longer count.
FORGET_AFTER = dt.timedelta(hours=1)
MAX_USERNAME_KEY = 64


def login_credentials(storage: Storage) -> dict:
    """Credentials for streamlit-authenticator, active accounts only. It only reads the re-login
    cookie with them; passwords are checked by log_in(), never by the widget."""
    users = {}
    for row in storage.all("user_login_candidates"):
        users[row["username"]] = {"name": row["full_name"], "password": row["password_hash"],
                                  "roles": [row["role"]]}
    return {"usernames": users}


def _reserve_try(storage: Storage, account: str, client: str, at: dt.datetime) -> bool:
    """Count this try as a failure before the password is checked, or refuse it if the account
    name or the client must still wait. Read and count under the write lock, so that parallel
    tries see each other: of 12 at once, only the free ones reach bcrypt."""
    forget_before = at - FORGET_AFTER

    def work(tx: Tx) -> bool:
        for row in tx.run("login_throttle_get", account=account, client=client):
            if row["last_failure"] < forget_before:
                continue
            throttle = ACCOUNT_THROTTLE if row["key"] == account else CLIENT_THROTTLE
            if at < row["last_failure"] + dt.timedelta(seconds=throttle.wait(row["failures"])):
                return False
        for key in (account, client):
            tx.run("login_throttle_count", key=key, at=at, forget_before=forget_before)
        return True

    return storage.write(work)


def log_in(storage: Storage, username: str, password: str, client: str,
           at: dt.datetime | None = None) -> User | None:
    """Check a login; the user, or None (shown as LOGIN_REFUSED whatever the reason). `client` is
    the address the try comes from; `at` the wall-clock moment (tests set it)."""
    at = at or wall_now()
    name = username.strip().lower()[:MAX_USERNAME_KEY]
    account, client = f"account:{name}", f"client:{client[:MAX_USERNAME_KEY]}"
    if not _reserve_try(storage, account, client, at):
        return None
    row = storage.one("user_get", username=name)
    usable = row is not None and row["active"]
    # An unknown or disabled name still costs one bcrypt check, so the time does not tell either.
    right = check_password(password, row["password_hash"] if usable else _dummy_hash()) and usable

    def work(tx: Tx) -> None:
        tx.run("login_throttle_forget", forget_before=at - FORGET_AFTER)
        if right:
            tx.run("login_throttle_clear", key=account)
            tx.run("login_throttle_uncount", key=client)
            tx.run("user_login_ok", username=name, at=tx.now())
            tx.audit(name, "login", "app_user", name, new={"client": client})
        elif row is not None:
            tx.audit(name, "login.failed", "app_user", name, new={"client": client})

    storage.write(work)
    return _as_user(row) if right else None


_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password(secrets.token_urlsafe(16)))
    return _DUMMY_HASH[0]


def _revoke_sessions(tx: Tx, username: str) -> None:
    # Full precision: a new login in the same second must still count as after the logout.
    tx.run("user_revoke_sessions", username=username, at=wall_now())


def record_logout(storage: Storage, username: str) -> None:
    """Log out everywhere: re-login cookies issued until now stop working."""

    def work(tx: Tx) -> None:
        _revoke_sessions(tx, username)
        tx.audit(username, "logout", "app_user", username)

    storage.write(work)


def cookie_accepted(storage: Storage, username: str | None, issued_at: dt.datetime) -> bool:
    """Whether a re-login cookie issued at `issued_at` may still log `username` in."""
    row = storage.one("user_get", username=username) if username else None
    if row is None or not row["active"]:
        return False
    return row["sessions_valid_after"] is None or issued_at > row["sessions_valid_after"]


#: What streamlit-authenticator 0.4.2 issues (models/cookie_model.py): an HS256 JWT whose payload
#: is exactly {"username", "exp_date"}, exp_date = issue time + the cookie's days, as a timestamp.
COOKIE_DAYS = 7.0
COOKIE_HEADER = {"alg": "HS256", "typ": "JWT"}
COOKIE_FIELDS = {"username", "exp_date"}
COOKIE_SKEW_SECONDS = 60


def cookie_username(storage: Storage, token: str, key: str, at: float | None = None) -> str | None:
    """The account a re-login cookie may log in, or None for anything the app would not have
    issued: another algorithm, other fields, a later expiry than it gives, an expired or revoked
    cookie, an unknown or disabled account. Never raises on a malformed cookie."""
    at = time.time() if at is None else at
    try:
        header = jwt.get_unverified_header(token)
        data = jwt.decode(token, key, algorithms=["HS256"])
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    if header != COOKIE_HEADER or not isinstance(data, dict) or set(data) != COOKIE_FIELDS:
        return None
    username, expires = data["username"], data["exp_date"]
    if not isinstance(username, str) or isinstance(expires, bool) or not isinstance(expires, (int, float)):
        return None
    lifetime = COOKIE_DAYS * 86400
    if not at < expires <= at + lifetime + COOKIE_SKEW_SECONDS:
        return None
    return username if cookie_accepted(storage, username, from_timestamp(expires - lifetime)) else None


# ------------------------------------------------------------------ managing accounts


def _check_new_user(storage: Storage, username: str, role: str, unit_code: str | None,
                    office_code: str | None) -> None:
    if not USERNAME_RE.match(username):
        raise ServiceError(f"Tên đăng nhập '{username}' không hợp lệ: 3–32 ký tự, chữ thường không dấu, số, '.', '_' hoặc '-'.")
    _check_role_links(storage, role, unit_code, office_code)
    if storage.one("user_get", username=username):
        raise ServiceError(f"Tên đăng nhập '{username}' đã có.")


def _check_role_links(storage: Storage, role: str, unit_code: str | None, office_code: str | None) -> None:
    """A commune officer has a unit, a council member an office, nobody else either."""
    if role not in ROLES:
        raise ServiceError(f"Vai trò '{role}' không hợp lệ; chọn một trong: {', '.join(ROLES)}.")
    if role == "commune":
        if not unit_code:
            raise ServiceError("Tài khoản cấp xã cần mã đơn vị (--unit).")
        if storage.one("unit_get", code=unit_code) is None:
            raise ServiceError(f"Không có đơn vị mã '{unit_code}'.")
    elif unit_code:
        raise ServiceError("Chỉ tài khoản cấp xã (commune) mới gắn với đơn vị.")
    if role == "council":
        if not office_code:
            raise ServiceError("Thành viên hội đồng cần mã cơ quan (--office).")
        if office_code not in {o["code"] for o in storage.all("office_list")}:
            raise ServiceError(f"Không có cơ quan mã '{office_code}'.")
    elif office_code:
        raise ServiceError("Chỉ thành viên hội đồng (council) mới gắn với cơ quan.")


def add_user(storage: Storage, actor: User, username: str, full_name: str, role: str,
             password: str, unit_code: str | None = None, office_code: str | None = None,
             must_change_password: bool = False, password_hash: str | None = None,
             is_demo: bool = False, email: str | None = None) -> None:
    """Create an account. Only the seed makes demo accounts (listed on a demo's login page);
    every account added later is a real one, in a demo database too. `email`: optional, where
    urging notices go (cchc.core.urging.normalise_email)."""
    require(actor, "user.manage")
    username = username.strip().lower()
    _check_new_user(storage, username, role, unit_code, office_code)
    email = _email(email)
    if password_hash is None:
        check_password_rules(password)
        password_hash = hash_password(password)
    row = dict(username=username, full_name=full_name.strip() or username, role=role,
               unit_code=unit_code, office_code=office_code, password_hash=password_hash,
               must_change_password=must_change_password, is_demo=is_demo, created_at=clock_now(storage))

    def work(tx: Tx) -> None:
        tx.run("user_insert", **row)
        if email:
            tx.run("user_set_email", username=username, email=email)
        tx.audit(actor.username, "user.create", "app_user", username,
                 new={k: v for k, v in row.items() if k != "password_hash"} | ({"email": email} if email else {}))

    storage.write(work)


def _email(text: str | None) -> str | None:
    try:
        return normalise_email(text)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None


def set_password(storage: Storage, actor: User, username: str, password: str,
                 must_change: bool = False) -> None:
    """An administrator sets a password, or a user changes their own."""
    if actor.username != username:
        require(actor, "user.manage")
    check_password_rules(password)
    if storage.one("user_get", username=username) is None:
        raise ServiceError(f"Không có tài khoản '{username}'.")
    password_hash = hash_password(password)

    def work(tx: Tx) -> None:
        tx.run("user_set_password", username=username, password_hash=password_hash,
               must_change_password=must_change)
        tx.run("login_throttle_clear", key=f"account:{username}")     # a new password: no waiting
        _revoke_sessions(tx, username)
        tx.audit(actor.username, "user.password", "app_user", username)

    storage.write(work)


def set_active(storage: Storage, actor: User, username: str, active: bool, reason: str = "") -> None:
    """Disable or re-enable an account. Accounts are never deleted; the last admin stays."""
    require(actor, "user.manage")

    def work(tx: Tx) -> None:
        row = tx.one("user_get", username=username)
        if row is None:
            raise ServiceError(f"Không có tài khoản '{username}'.")
        if row["active"] == active:
            return
        if not active and row["role"] == "admin" and tx.one("user_count_active_admins")["n"] <= 1:
            raise ServiceError("Không thể khóa tài khoản quản trị cuối cùng đang hoạt động.")
        tx.run("user_set_active", username=username, active=active)
        if not active:
            _revoke_sessions(tx, username)
        tx.audit(actor.username, "user.enable" if active else "user.disable", "app_user", username,
                 old={"active": row["active"]}, new={"active": active}, reason=reason)

    storage.write(work)


def demo_accounts(storage: Storage) -> list[dict]:
    """The demo's active accounts, for the login page of a demo (public by design)."""
    return [r for r in storage.all("user_list") if r["is_demo"] and r["active"]]


def change_own_password(storage: Storage, actor: User, current: str, new: str, again: str) -> None:
    row = storage.one("user_get", username=actor.username)
    if row is None or not check_password(current, row["password_hash"]):
        raise ServiceError("Mật khẩu hiện tại không đúng.")
    if new != again:
        raise ServiceError("Hai lần nhập mật khẩu mới không khớp.")
    if new == current:
        raise ServiceError("Mật khẩu mới phải khác mật khẩu hiện tại.")
    set_password(storage, actor, actor.username, new)


# ------------------------------------------------------------------ administration


PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"   # no 0/O, 1/l/I


def initial_password() -> str:
    """A random first password that reads unambiguously on paper."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(10))


def update_user(storage: Storage, actor: User, username: str, full_name: str, role: str,
                unit_code: str | None = None, office_code: str | None = None, email: str | None = None) -> None:
    """Change a person's name, role, unit, office or e-mail (None: keep the e-mail, "": remove
    it); the last active admin keeps the admin role."""
    require(actor, "user.manage")
    _check_role_links(storage, role, unit_code or None, office_code or None)
    if not full_name.strip():
        raise ServiceError("Cần ghi họ tên.")
    keep_email = email is None
    email = None if keep_email else _email(email)

    def work(tx: Tx) -> None:
        row = tx.one("user_get", username=username)
        if row is None:
            raise ServiceError(f"Không có tài khoản '{username}'.")
        if row["role"] == "admin" and role != "admin" and row["active"] and tx.one("user_count_active_admins")["n"] <= 1:
            raise ServiceError("Không thể đổi vai trò của tài khoản quản trị cuối cùng đang hoạt động.")
        old = {k: row[k] for k in ("full_name", "role", "unit_code", "office_code")}
        new = {"full_name": full_name.strip(), "role": role, "unit_code": unit_code or None, "office_code": office_code or None}
        if not keep_email and (row.get("email") or None) != email:
            old["email"], new["email"] = row.get("email"), email
        if old == new:
            return
        if "email" in new:
            tx.run("user_set_email", username=username, email=email)
        tx.run("user_update", username=username, **{k: v for k, v in new.items() if k != "email"})
        if old["role"] != role or old["unit_code"] != new["unit_code"]:
            _revoke_sessions(tx, username)          # what the person may see has changed: log in again
        tx.audit(actor.username, "user.update", "app_user", username, old=old, new=new)

    storage.write(work)


def reset_password(storage: Storage, actor: User, username: str) -> str:
    """Give an account a new random password that must be changed at the next login."""
    require(actor, "user.manage")
    password = initial_password()
    set_password(storage, actor, username, password, must_change=True)
    return password


def create_commune_accounts(storage: Storage, actor: User, year: int) -> list[dict]:
    """One account for every unit of the year that has no active commune account, each with a
    random first password to change at the first login. All created, or none."""
    require(actor, "user.manage")
    covered = {r["unit_code"] for r in storage.all("commune_accounts")}
    taken = {r["username"] for r in storage.all("user_list")}
    todo = []
    for unit in storage.all("units_in_year", year=year):
        if unit["code"] in covered:
            continue
        base = ascii_slug(unit["name"]) or f"xa{unit['code']}"
        name = base if base not in taken else f"{base}{unit['code']}"
        taken.add(name)
        todo.append({"unit_code": unit["code"], "unit_name": unit["name"], "username": name,
                     "password": initial_password()})
    hashes = [hash_password(t["password"]) for t in todo]      # slow on purpose: before the lock
    at = clock_now(storage)

    def work(tx: Tx) -> None:
        for t, h in zip(todo, hashes):
            row = dict(username=t["username"], full_name=f"Cán bộ {t['unit_name']}", role="commune",
                       unit_code=t["unit_code"], office_code=None, password_hash=h,
                       must_change_password=True, is_demo=False, created_at=at)
            tx.run("user_insert", **row)
            tx.audit(actor.username, "user.create", "app_user", t["username"],
                     new={k: v for k, v in row.items() if k != "password_hash"})

    storage.write(work)
    return todo
