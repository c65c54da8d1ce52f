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


# ------------------------------------------------------------------ structure, beyond the first bytes
#
# The first bytes only say what a file claims to be («%PDF-» then an executable passes them). Each
# kind is opened the way a reader would: a PDF must parse (pypdf: pure Python, no native code, the
# maintained successor of PyPDF2), an Office file must be a whole zip of bounded size, an image
# must decode (Pillow, which Streamlit already installs). Old .doc/.xls files keep the signature
# check only: no small library reads them, and they are rare now.

#: An Office file (docx, xlsx) is at most this big unpacked, with at most this many members:
#: a 10 MB document of text and pictures unpacks to a few times that.
MAX_UNPACKED = 100 * 1024 * 1024
MAX_MEMBERS = 2000
#: An image may have at most this many pixels (a 50-megapixel photo), checked before decoding.
MAX_PIXELS = 50_000_000


def _pdf_problem(data: bytes) -> str | None:
    from pypdf import PdfReader  # imported here: only an upload needs it
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)   # repairs what viewers repair
        if reader.is_encrypted or len(reader.pages) > 0:      # encrypted: the structure parsed
            return None
    except Exception:              # whatever pypdf raises, the file is not a usable PDF
        pass
    return "không đọc được như một tệp PDF (tệp hỏng, không có trang nào, hoặc chỉ mang đuôi PDF)"


def _office_problem(data: bytes, kind: str) -> str | None:
    """A whole zip: the parts a Word or Excel file needs, bounded size and members (declared
    sizes first, then every member read in full against its CRC, which also caps what is read
    at the declared size)."""
    damaged = f"bị hỏng, không mở được như một tệp {KINDS[kind][0]}"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNPACKED:
                return (f"giải nén ra quá lớn (hơn {MAX_UNPACKED // 1024 // 1024} MB hoặc hơn {MAX_MEMBERS} "
                        "thành phần); hãy giảm dung lượng ảnh trong tệp")
            main = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
            if not {"[Content_Types].xml", main} <= {i.filename for i in infos} or zf.testzip() is not None:
                return damaged
    except Exception:              # damaged, encrypted, unsupported compression
        return damaged
    return None


def _image_problem(data: bytes, kind: str) -> str | None:
    from PIL import Image
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.format == kind.upper() and im.width * im.height > MAX_PIXELS:
                return f"là ảnh quá lớn ({im.width} × {im.height} điểm ảnh, tối đa {MAX_PIXELS // 1_000_000} triệu)"
            if im.format == kind.upper():
                im.load()          # decodes every pixel: a truncated or forged image fails here
                return None
    except Exception:              # Pillow's errors for a bad image are of many types
        pass
    return f"không giải mã được như một ảnh {KINDS[kind][0]} (tệp hỏng hoặc chỉ mang đuôi ảnh)"


def structure_problem(data: bytes, kind: str) -> str | None:
    """Why the file does not open as the kind it claims to be (None: it does)."""
    if kind == "pdf":
        return _pdf_problem(data)
    if kind in ("docx", "xlsx"):
        return _office_problem(data, kind)
    if kind in ("png", "jpeg"):
        return _image_problem(data, kind)
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
    if problem := structure_problem(data, kind):
        raise EvidenceError(f"Tệp «{shown}» {problem}; hãy mở thử trên máy, lưu lại rồi tải lên.")
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
