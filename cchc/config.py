"""Settings from the environment. Secrets never live in the repository: the cookie key comes from
CCHC_COOKIE_KEY or `.streamlit/secrets.toml` (read by cchc.web)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
#: The key shipped in the examples. The demo may run on it; a real install refuses to.
EXAMPLE_COOKIE_KEY = "khoa-mau-cua-ban-demo-hay-thay-bang-khoa-bi-mat"


class ConfigError(ValueError):
    """A setting has a value the app cannot use; the message names it."""


@dataclass(frozen=True)
class Settings:
    db_path: Path
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
        db_path=Path(env.get("CCHC_DB") or DATA_DIR / "cchc.duckdb"),
        files_dir=Path(env.get("CCHC_FILES") or DATA_DIR / "files"),
        today=today,
        bcrypt_rounds=int(rounds),
        cookie_key=env.get("CCHC_COOKIE_KEY") or None,
    )
