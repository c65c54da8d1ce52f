"""Backups: one .zip holding a consistent copy of the database file, the evidence files and a
manifest that says it is a CCHC backup and which engine made it. On PostgreSQL the database
member is a pg_dump (custom format, `cchc.pgdump`) instead of the DuckDB file, and a restore runs
pg_restore --clean in one transaction; a backup restores only into the engine that made it (to
move a DuckDB installation to PostgreSQL: `python -m cchc db copy`). Restore refuses anything else, never trusts the
archive's member names as paths, nor its sizes: the database member may unpack to at most
CCHC_RESTORE_MAX_MB (default 2048) and an evidence member to the evidence limit (10 MB), checked
on the sizes the zip declares and again on the bytes actually written, and the whole must fit
on the disk."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import duckdb

from cchc import __version__
from cchc.core.clock import wall_now
from cchc.core.permissions import User, require
from cchc.config import DatabaseUrl
from cchc.db.storage import Storage, StorageError
from cchc.files.evidence import MAX_BYTES as EVIDENCE_MAX_BYTES
from cchc.services.common import now

MANIFEST = "cchc-backup.json"
DB_MEMBER = "cchc.duckdb"
PG_MEMBER = "cchc.pgdump"
DB_MEMBERS = {"duckdb": DB_MEMBER, "postgresql": PG_MEMBER}
FILES_PREFIX = "files/"
APP_ID = "cchc"
SAFE_FILE_RE = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{64}$|^[0-9a-f]{64}$")
MB = 1024 * 1024
DEFAULT_RESTORE_MAX_MB = 2048
CHUNK = MB


class BackupError(ValueError):
    """Not a usable backup, or the restore cannot proceed; the message says why."""


def restore_max_bytes() -> int:
    """The most a backup's database member may unpack to (CCHC_RESTORE_MAX_MB, in MB), read at
    each restore so that an operator can raise it for one run."""
    raw = os.environ.get("CCHC_RESTORE_MAX_MB", "").strip()
    if not raw:
        return DEFAULT_RESTORE_MAX_MB * MB
    if not raw.isdigit() or int(raw) < 1:
        raise BackupError(f"CCHC_RESTORE_MAX_MB phải là số MB nguyên dương (đang là «{raw}»).")
    return int(raw) * MB


def _member_limit(name: str) -> int:
    return restore_max_bytes() if name in (DB_MEMBER, PG_MEMBER) else EVIDENCE_MAX_BYTES


def _too_big(name: str, limit: int) -> BackupError:
    db = name in (DB_MEMBER, PG_MEMBER)
    what = "Cơ sở dữ liệu" if db else f"Tệp minh chứng «{name}»"
    hint = " (đặt CCHC_RESTORE_MAX_MB để nâng giới hạn nếu bản sao lưu đúng là lớn như vậy)" if db else ""
    return BackupError(f"{what} trong bản sao lưu giải nén ra lớn hơn {limit // MB} MB{hint}: từ chối khôi phục, "
                       "dữ liệu hiện tại được giữ nguyên.")


def _evidence_files(files_dir: Path) -> list[Path]:
    """The evidence files (named by content hash); anything else in the folder is not ours."""
    if not files_dir.is_dir():
        return []
    return sorted(p for p in files_dir.rglob("*")
                  if p.is_file() and SAFE_FILE_RE.match(p.relative_to(files_dir).as_posix()))


def create_backup(storage: Storage, files_dir: Path, out: Path | BinaryIO, actor: User) -> dict:
    """Write the backup; writes are held off while the database file is copied."""
    require(actor, "backup.create")
    files = _evidence_files(files_dir)
    manifest = {"app": APP_ID, "format": 1, "app_version": __version__,
                "created_at": now().isoformat(), "created_by": actor.username,
                "schema": [r["version"] for r in storage.all("schema_versions")],
                "files": len(files)}
    engine = {"engine": storage.engine}            # in the file's manifest, not in the audit row's details
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, json.dumps(manifest | engine, ensure_ascii=False, indent=2))
        if storage.engine == "postgresql":         # a consistent snapshot while the app runs
            with tempfile.TemporaryDirectory() as tmp:
                dump = Path(tmp) / PG_MEMBER
                try:
                    storage.dump(dump)
                except StorageError as exc:
                    raise BackupError(f"Không sao lưu được cơ sở dữ liệu PostgreSQL: {exc}") from None
                zf.write(dump, PG_MEMBER)
        else:
            with storage.frozen():
                zf.write(storage.path, DB_MEMBER)
        for path in files:
            zf.write(path, FILES_PREFIX + path.relative_to(files_dir).as_posix())
    storage.write(lambda tx: tx.audit(actor.username, "backup.create", "database", "backup", new=manifest))
    return manifest | engine


def read_manifest(source: Path | BinaryIO) -> dict:
    """The manifest of a CCHC backup; BackupError for anything that is not one."""
    try:
        with zipfile.ZipFile(source) as zf:
            names = set(zf.namelist())
            db_members = names & {DB_MEMBER, PG_MEMBER}
            if MANIFEST not in names or len(db_members) != 1:
                raise BackupError("Tệp này không phải bản sao lưu của ứng dụng CCHC (thiếu tệp mô tả hoặc cơ sở dữ liệu).")
            try:
                manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise BackupError("Tệp mô tả của bản sao lưu bị hỏng.") from None
            for name in names - {MANIFEST} - db_members:
                if not (name.startswith(FILES_PREFIX) and SAFE_FILE_RE.match(name[len(FILES_PREFIX):])):
                    raise BackupError(f"Bản sao lưu chứa tệp lạ '{name}': từ chối khôi phục.")
            for info in zf.infolist():              # the sizes the zip declares; the copy counts too
                if info.filename != MANIFEST and info.file_size > _member_limit(info.filename):
                    raise _too_big(info.filename, _member_limit(info.filename))
            if zf.getinfo(MANIFEST).file_size > MB:
                raise BackupError("Tệp mô tả của bản sao lưu bị hỏng.")
    except zipfile.BadZipFile:
        raise BackupError("Tệp này không phải bản sao lưu của ứng dụng CCHC (không phải tệp .zip hợp lệ).") from None
    except OSError as exc:
        raise BackupError(f"Không đọc được tệp sao lưu: {exc.strerror or exc}.") from None
    if not isinstance(manifest, dict) or manifest.get("app") != APP_ID:
        raise BackupError("Tệp này không phải bản sao lưu của ứng dụng CCHC.")
    manifest.setdefault("engine", "postgresql" if db_members == {PG_MEMBER} else "duckdb")
    if DB_MEMBERS.get(manifest["engine"]) not in db_members:
        raise BackupError("Tệp mô tả của bản sao lưu không khớp với cơ sở dữ liệu trong đó.")
    return manifest


def _engine_of(db_path: Path | DatabaseUrl) -> str:
    return "postgresql" if isinstance(db_path, DatabaseUrl) else "duckdb"


def _wrong_engine(manifest: dict, db_path: Path | DatabaseUrl) -> BackupError | None:
    made, here = manifest["engine"], _engine_of(db_path)
    if made == here:
        return None
    names = {"duckdb": "DuckDB", "postgresql": "PostgreSQL"}
    return BackupError(f"Bản sao lưu này là của cơ sở dữ liệu {names[made]}, còn ứng dụng đang dùng {names[here]}: "
                       "khôi phục vào đúng loại cơ sở dữ liệu đã tạo ra nó (chuyển từ DuckDB sang PostgreSQL: "
                       "python -m cchc db copy); dữ liệu hiện tại được giữ nguyên.")


def restore_backup(source: Path | BinaryIO, db_path: Path, files_dir: Path, actor: User) -> dict:
    """Replace the database and evidence files with a backup's. Run with the app stopped.
    The replaced database and files are kept beside the new ones, named with the time."""
    require(actor, "backup.restore")
    manifest = read_manifest(source)
    if wrong := _wrong_engine(manifest, db_path):
        raise wrong
    if isinstance(db_path, DatabaseUrl):
        return _restore_postgres(source, db_path, files_dir, actor, manifest)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    stamp = wall_now().strftime("%Y%m%d-%H%M%S")
    with tempfile.TemporaryDirectory(dir=db_path.parent) as tmp:
        tmp_db, tmp_files = _unpack(source, DB_MEMBER, Path(tmp), db_path.parent)
        _check_database(tmp_db)
        if db_path.exists():
            _check_not_in_use(db_path)
        _swap_in(tmp_db, db_path, tmp_files, files_dir, stamp)
    restored = Storage(db_path)
    try:
        restored.migrate()
        restored.write(lambda tx: tx.audit(actor.username, "backup.restore", "database", "backup",
                                           new={"created_at": manifest.get("created_at")}))
    finally:
        restored.close()
    return manifest


def _restore_postgres(source: Path | BinaryIO, db: DatabaseUrl, files_dir: Path, actor: User, manifest: dict) -> dict:
    """pg_restore the dump in one transaction (the instances may keep running: they read the
    restored data at their next query), then swap the evidence files as for DuckDB."""
    files_dir.parent.mkdir(parents=True, exist_ok=True)
    stamp = wall_now().strftime("%Y%m%d-%H%M%S")
    with tempfile.TemporaryDirectory(dir=files_dir.parent) as tmp:
        tmp_dump, tmp_files = _unpack(source, PG_MEMBER, Path(tmp), files_dir.parent)
        restored = Storage(db)
        try:
            try:
                restored.restore_dump(tmp_dump)
            except StorageError as exc:
                raise BackupError(f"Không khôi phục được cơ sở dữ liệu PostgreSQL (dữ liệu hiện tại được giữ nguyên): "
                                  f"{exc}") from None
            _swap_files(tmp_files, files_dir, stamp)
            restored.migrate()
            restored.write(lambda tx: tx.audit(actor.username, "backup.restore", "database", "backup",
                                               new={"created_at": manifest.get("created_at")}))
        finally:
            restored.close()
    return manifest


def _swap_files(new_files: Path, files_dir: Path, stamp: str) -> None:
    """The evidence folder of a backup in place of the current one (kept aside, named with the time)."""
    if files_dir.exists():
        shutil.move(str(files_dir), files_dir.with_name(f"{files_dir.name}.truoc-khoi-phuc-{stamp}"))
    if new_files.exists():
        shutil.move(str(new_files), files_dir)


def _unpack(source: Path | BinaryIO, member: str, tmp: Path, room_in: Path) -> tuple[Path, Path]:
    """The backup's database member and its evidence files, extracted into `tmp` (the room for
    them checked on the disk of `room_in` first): (the database file, the evidence folder)."""
    db_file, files = tmp / member, tmp / "files"
    if hasattr(source, "seek"):
        source.seek(0)
    with zipfile.ZipFile(source) as zf:
        _check_room(zf, room_in)
        _extract(zf, member, db_file)
        for name in zf.namelist():
            if name.startswith(FILES_PREFIX):
                target = files / PurePosixPath(name[len(FILES_PREFIX):])
                target.parent.mkdir(parents=True, exist_ok=True)
                _extract(zf, name, target)
    return db_file, files


def _check_room(zf: zipfile.ZipFile, folder: Path) -> None:
    """The backup unpacked must fit on the disk (the replaced data is only renamed: it needs no
    more room), checked before the running database is closed."""
    needed = sum(i.file_size for i in zf.infolist())
    free = shutil.disk_usage(folder).free
    if needed > free:
        raise BackupError(f"Không đủ chỗ trên đĩa: bản sao lưu cần {needed / MB:.0f} MB, còn trống "
                          f"{free / MB:.0f} MB; dữ liệu hiện tại được giữ nguyên.")


def _extract(zf: zipfile.ZipFile, name: str, target: Path) -> None:
    """Copy one member, counting the bytes: past its limit the copy stops and BackupError is
    raised (the staging folder, and so the partial file, is then removed by the caller)."""
    limit = _member_limit(name)
    written = 0
    try:
        with zf.open(name) as src, open(target, "wb") as dst:
            while chunk := src.read(CHUNK):
                written += len(chunk)
                if written > limit:
                    raise _too_big(name, limit)
                dst.write(chunk)
    except (zipfile.BadZipFile, EOFError, zlib.error):     # a CRC or a stream that does not add up
        raise BackupError(f"Bản sao lưu bị hỏng ở tệp «{name}»: từ chối khôi phục, dữ liệu hiện tại được "
                          "giữ nguyên.") from None
    except OSError as exc:                                  # the disk filled up after all
        raise BackupError(f"Không ghi được tệp tạm khi khôi phục ({exc.strerror or exc}); dữ liệu hiện tại "
                          "được giữ nguyên.") from None


def _swap_in(new_db: Path, db_path: Path, new_files: Path, files_dir: Path, stamp: str) -> None:
    """Put the staged database and files in place, keeping the old ones aside. If any step
    fails, the steps already done are undone: nothing is left half-restored."""
    aside_db = db_path.with_name(f"{db_path.name}.truoc-khoi-phuc-{stamp}")
    aside_files = files_dir.with_name(f"{files_dir.name}.truoc-khoi-phuc-{stamp}")
    wal = db_path.with_name(db_path.name + ".wal")
    undo: list = []
    try:
        if db_path.exists():
            os.replace(db_path, aside_db)
            undo.append(lambda: os.replace(aside_db, db_path))
        if wal.exists():
            aside_wal = aside_db.with_name(aside_db.name + ".wal")
            os.replace(wal, aside_wal)
            undo.append(lambda: os.replace(aside_wal, wal))
        shutil.move(str(new_db), db_path)
        undo.append(lambda: db_path.unlink())
        if files_dir.exists():
            shutil.move(str(files_dir), aside_files)
            undo.append(lambda: shutil.move(str(aside_files), files_dir))
        undo.append(lambda: shutil.rmtree(files_dir, ignore_errors=True))   # a partial copy
        if new_files.exists():
            shutil.move(str(new_files), files_dir)
    except OSError as exc:
        for step in reversed(undo):
            step()
        raise BackupError(f"Không thay được dữ liệu ({exc.strerror or exc}); dữ liệu hiện tại được giữ nguyên.") from None


def _check_database(path: Path) -> None:
    try:
        con = duckdb.connect(str(path))
        try:
            tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        finally:
            con.close()
    except duckdb.Error:
        raise BackupError("Cơ sở dữ liệu trong bản sao lưu bị hỏng, không mở được.") from None
    if not {"schema_migrations", "app_user", "audit_log"} <= tables:
        raise BackupError("Cơ sở dữ liệu trong bản sao lưu không phải của ứng dụng CCHC.")


def _check_not_in_use(path: Path) -> None:
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException:
        raise BackupError("Cơ sở dữ liệu đang được ứng dụng dùng: hãy dừng ứng dụng rồi khôi phục lại.") from None


def restore_in_place(storage: Storage, source: Path | BinaryIO, files_dir: Path, actor: User) -> dict:
    """Restore while the app runs: check the backup first (a bad file changes nothing and leaves
    the database open), then close this process's connection and swap. The caller must open
    the database anew afterwards (`storage` is closed)."""
    require(actor, "backup.restore")
    manifest = read_manifest(source)
    if wrong := _wrong_engine(manifest, storage.path):     # before the running database is closed
        raise wrong
    if storage.engine == "postgresql":        # pg_restore replaces the data in place; the pool closes after
        try:
            return restore_backup(source, storage.path, files_dir, actor)
        finally:
            storage.close()
    with zipfile.ZipFile(source) as zf:
        _check_room(zf, storage.path.parent)
    with storage.frozen():
        storage.close()
    if hasattr(source, "seek"):
        source.seek(0)
    return restore_backup(source, storage.path, files_dir, actor)
