"""Evidence files (tài liệu kiểm chứng): type checked by content, stored by content hash. Pure
apart from reading a zip's member list from memory; the storing is done by the service."""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path, PurePosixPath, PureWindowsPath

MAX_BYTES = 10 * 1024 * 1024
#: kind -> (label, extensions allowed, MIME type for download)
KINDS = {
    "pdf": ("PDF", (".pdf",), "application/pdf"),
    "docx": ("Word", (".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "doc": ("Word 97–2003", (".doc",), "application/msword"),
    "xlsx": ("Excel", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "xls": ("Excel 97–2003", (".xls",), "application/vnd.ms-excel"),
    "jpeg": ("JPEG", (".jpg", ".jpeg"), "image/jpeg"),
    "png": ("PNG", (".png",), "image/png"),
}
ALLOWED_EXTENSIONS = sorted({e.lstrip(".") for _, exts, _ in KINDS.values() for e in exts})
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SHA_RE = re.compile(r"^[0-9a-f]{64}$")


class EvidenceError(ValueError):
    """A file that is refused; the message is Vietnamese and says why."""


def sniff(data: bytes) -> str | None:
    """The kind of file by its first bytes (and, for Office files, what the package holds)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except Exception:           # a damaged archive of any kind is simply not a valid file
            return None
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
        return None
    if data.startswith(OLE2):
        return "ole2"          # .doc or .xls: the extension decides between the two
    return None


def display_name(name: str) -> str:
    """The user's file name made safe to show: no folders, no control characters, NFC, short.
    It is only ever displayed; files are stored by hash."""
    name = unicodedata.normalize("NFC", name or "")
    name = PureWindowsPath(PurePosixPath(name).name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:120] or "tep-dinh-kem"


def check_upload(file_name: str, data: bytes) -> tuple[str, str]:
    """(kind, display name) of an acceptable upload, or EvidenceError."""
    shown = display_name(file_name)
    if len(data) > MAX_BYTES:
        raise EvidenceError(f"Tệp «{shown}» lớn {len(data) / 1024 / 1024:.1f} MB, vượt giới hạn 10 MB.".replace(".", ",", 1))
    if not data:
        raise EvidenceError(f"Tệp «{shown}» rỗng.")
    ext = Path(shown).suffix.lower()
    allowed = {e for _, exts, _ in KINDS.values() for e in exts}
    if ext not in allowed:
        raise EvidenceError(f"Tệp «{shown}»: chỉ nhận PDF, Word, Excel, JPEG, PNG ({', '.join(ALLOWED_EXTENSIONS)}).")
    kind = sniff(data)
    if kind == "ole2" and ext in (".doc", ".xls"):
        kind = ext.lstrip(".")
    if kind is None or kind == "ole2" or ext not in KINDS[kind][1]:
        raise EvidenceError(f"Tệp «{shown}» có đuôi {ext} nhưng nội dung không phải tệp {ext.lstrip('.').upper()} hợp lệ; "
                            "hãy lưu lại đúng định dạng rồi tải lên.")
    return kind, shown


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_path(files_dir: Path, sha: str) -> Path:
    """Where a file with this hash lives: files_dir/ab/abcdef…; the hash is checked first."""
    if not SHA_RE.match(sha):
        raise EvidenceError("Mã tệp không hợp lệ.")
    return files_dir / sha[:2] / sha


def store(files_dir: Path, data: bytes) -> str:
    """Write an evidence file under its content hash (once: the same content is stored once) and
    return the hash. Written to a temporary name and renamed, so a stored file is always whole."""
    sha = content_hash(data)
    target = stored_path(files_dir, sha)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    return sha
