"""What the command modules share (cchc.cli.main and the groups it wires in, which import this
and not main: no import circle): the one-line error and opening an installed database."""

from __future__ import annotations

from cchc import config
from cchc.db.storage import Storage
from cchc.services import seed


class CliError(Exception):
    """A failure to report in one line."""


def open_storage(settings: config.Settings) -> Storage:
    """The installed database (its schema brought up to date), or a CliError saying to run init."""
    if not settings.db_path.exists():
        raise CliError(f"Chưa có cơ sở dữ liệu {settings.db_path}: hãy chạy 'python -m cchc init' trước.")
    storage = Storage(settings.db_path)
    storage.migrate()
    if not seed.is_initialized(storage):
        raise CliError(f"Cơ sở dữ liệu {settings.db_path} chưa được khởi tạo: hãy chạy 'python -m cchc init'.")
    return storage
