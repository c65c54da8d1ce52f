"""Settings from the environment. Secrets never live in the repository: the cookie key comes from
CCHC_COOKIE_KEY or `.streamlit/secrets.toml` (read by cchc.web), or else is generated at the
first start and kept beside the database (cookie_key_file)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
MIN_COOKIE_KEY_LENGTH = 32
#: SHA-256 of the key earlier versions shipped in their examples: public, so refused if an install
#: still has it in its settings (the key itself is kept nowhere).
_PUBLISHED_KEY_HASHES = {"e10c3992b1a3f5226678242ac9b09ed08df85de03bad532d2a4400060ebc2fa1"}


class ConfigError(ValueError):
    """A setting has a value the app cannot use; the message names it."""


@dataclass(frozen=True)
class DatabaseUrl:
    """CCHC_DB when it names a PostgreSQL database (postgresql://user:password@host/name) instead of
    a DuckDB file. Stands where a file's Path stands (Settings.db_path): it "exists" (the server
    says otherwise when it is opened), prints without its password, and has no folder of its own."""
    url: str

    def exists(self) -> bool:
        return True

    def __str__(self) -> str:
        return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", self.url)


def database_location(value: str | None) -> Path | DatabaseUrl:
    """CCHC_DB: a postgresql:// address, or a DuckDB file (relative paths as given); the default file."""
    if value and value.startswith(("postgresql://", "postgres://")):
        return DatabaseUrl(value)
    return Path(value or DATA_DIR / "cchc.duckdb")


@dataclass(frozen=True)
class Settings:
    db_path: Path | DatabaseUrl  # CCHC_DB: a DuckDB file, or a PostgreSQL address (DatabaseUrl)
    files_dir: Path
    today: dt.date | None        # CCHC_TODAY: the clock, for demos and tests
    bcrypt_rounds: int
    cookie_key: str | None       # None: not set in the environment


def from_env(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    today = env.get("CCHC_TODAY") or None
    if today:
        try:
            today = dt.date.fromisoformat(today)
        except ValueError:
            raise ConfigError(f"CCHC_TODAY='{today}' không phải ngày dạng YYYY-MM-DD.") from None
    rounds = env.get("CCHC_BCRYPT_ROUNDS", "12")
    if not rounds.isdigit() or not 4 <= int(rounds) <= 16:
        raise ConfigError(f"CCHC_BCRYPT_ROUNDS='{rounds}' phải là số từ 4 đến 16.")
    return Settings(
        db_path=database_location(env.get("CCHC_DB")),
        files_dir=Path(env.get("CCHC_FILES") or DATA_DIR / "files"),
        today=today,
        bcrypt_rounds=int(rounds),
        cookie_key=check_cookie_key(env.get("CCHC_COOKIE_KEY") or None, "CCHC_COOKIE_KEY"),
    )


@dataclass(frozen=True)
class Smtp:
    """The mail server urging notices go out through (CCHC_SMTP_HOST, CCHC_SMTP_PORT, …); None from smtp_from_env when
    CCHC_SMTP_HOST is not set: then no e-mail is sent, and the send panel says so."""
    host: str
    port: int
    user: str | None
    password: str | None
    sender: str
    starttls: bool
    timeout: float = 5.0


def smtp_from_env(environ: dict[str, str] | None = None) -> Smtp | None:
    env = os.environ if environ is None else environ
    host = (env.get("CCHC_SMTP_HOST") or "").strip()
    if not host:
        return None
    flag = (env.get("CCHC_SMTP_STARTTLS") or "1").strip().lower()
    if flag not in ("1", "0", "true", "false", "yes", "no"):
        raise ConfigError(f"CCHC_SMTP_STARTTLS='{flag}' phải là 1 (bật) hoặc 0 (tắt).")
    starttls = flag in ("1", "true", "yes")
    port = (env.get("CCHC_SMTP_PORT") or ("587" if starttls else "25")).strip()
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"CCHC_SMTP_PORT='{port}' phải là số cổng từ 1 đến 65535.")
    user = env.get("CCHC_SMTP_USER") or None
    sender = (env.get("CCHC_SMTP_FROM") or "").strip() or (user if user and "@" in user else "")
    if not sender:
        raise ConfigError("Đã đặt CCHC_SMTP_HOST nhưng chưa có CCHC_SMTP_FROM: địa chỉ gửi thư, ví dụ "
                          "noivu@huongson.hatinh.gov.vn.")
    return Smtp(host=host, port=int(port), user=user, password=env.get("CCHC_SMTP_PASSWORD") or None,
                sender=sender, starttls=starttls)


def check_cookie_key(key: str | None, where: str) -> str | None:
    """An operator's key, refused if short or published (anyone could sign a login with it)."""
    if key is None:
        return None
    if len(key) < MIN_COOKIE_KEY_LENGTH or hashlib.sha256(key.encode()).hexdigest() in _PUBLISHED_KEY_HASHES:
        raise ConfigError(f"Khóa bí mật trong {where} không dùng được: cần một chuỗi ngẫu nhiên riêng, ít nhất "
                          f"{MIN_COOKIE_KEY_LENGTH} ký tự (không dùng khóa mẫu). Tạo bằng: "
                          "python -c \"import secrets; print(secrets.token_urlsafe(48))\"")
    return key


def cookie_key_file(settings: Settings) -> Path:
    """Beside the database, so that each database (and each test's) has its own key. On PostgreSQL
    (no file), in the evidence folder, which the instances of one installation share."""
    if isinstance(settings.db_path, DatabaseUrl):
        return settings.files_dir / ".cookie_key"
    return settings.db_path.parent / ".cookie_key"


def generated_cookie_key(path: Path) -> str:
    """The key made at the first start: 48 random bytes in a file only the app's user may read.
    Written to a temporary file and linked into place, so that two first starts at once agree."""
    try:
        if not path.exists():
            _create_key_file(path)
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)                  # copied or restored with looser rights
        key = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError as exc:
        raise ConfigError(f"Không tạo hoặc đọc được tệp khóa bí mật {path}: {exc.strerror}. Hãy cho ứng dụng "
                          "quyền ghi thư mục này, hoặc đặt CCHC_COOKIE_KEY.") from exc
    if len(key) < MIN_COOKIE_KEY_LENGTH:
        raise ConfigError(f"Tệp khóa bí mật {path} bị hỏng (quá ngắn): xóa tệp để ứng dụng tạo khóa mới.")
    return key


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(48))
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass                                       # another start was first: use its key
    finally:
        tmp.unlink()
