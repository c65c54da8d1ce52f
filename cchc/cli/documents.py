"""`python -m cchc docs KIND --period YEAR --out FILE.docx [--unit CODE] [--pdf]`: the state documents
(.docx per Nghị định 30/2020/NĐ-CP), with a PDF beside it (or instead, for --out FILE.pdf) where
LibreOffice is installed."""

from __future__ import annotations

import argparse
from pathlib import Path

from cchc import config
from cchc.cli.common import CliError, open_storage
from cchc.core.permissions import CLI_USER
from cchc.services import documents


def cmd_docs(args, settings: config.Settings) -> None:
    out = Path(args.out)
    as_pdf = out.suffix.lower() == ".pdf"
    if out.suffix.lower() not in (".docx", ".pdf"):
        raise CliError(f"Tệp ra {out} phải có đuôi .docx (hoặc .pdf).")
    if out.exists() and not args.force:
        raise CliError(f"Tệp {out} đã có; thêm --force để ghi đè.")
    if (as_pdf or args.pdf) and not documents.pdf_available():
        raise CliError("Máy này chưa cài LibreOffice nên chưa tạo được PDF (cài gói Debian "
                       "libreoffice-writer-nogui; xem docs/operations.md, mục «Văn bản»).")
    storage = open_storage(settings)
    _, data = documents.build(storage, CLI_USER, args.kind, args.period, args.unit)
    kind = documents.KINDS[args.kind]
    if as_pdf:
        out.write_bytes(documents.to_pdf(data))
        print(f"Đã ghi {out}: {kind.name}, kỳ {args.period} (PDF).")
        return
    out.write_bytes(data)
    print(f"Đã ghi {out}: {kind.name}, kỳ {args.period}.")
    if args.pdf:
        pdf = out.with_suffix(".pdf")
        pdf.write_bytes(documents.to_pdf(data))
        print(f"Đã ghi {pdf} (PDF để in, công bố).")


def register(sub, add) -> None:
    kinds = "\n".join(f"  {k.code:<22} {k.name}{' (cần --unit)' if k.needs_unit else ''}"
                      for k in documents.KINDS.values())
    sp = add(sub, "docs", cmd_docs, "Soạn văn bản (.docx theo Nghị định 30/2020/NĐ-CP) từ dữ liệu của một kỳ.")
    # keep the kinds one a line (and the parser's Vietnamese usage line)
    sp.formatter_class = type("KindsFormatter", (argparse.RawDescriptionHelpFormatter, sp.formatter_class), {})
    sp.description = ("Soạn văn bản (.docx theo Nghị định 30/2020/NĐ-CP) từ dữ liệu của một kỳ;\nlời văn lấy từ "
                      "mẫu data/documents/KIND.yaml.\n\nCác loại văn bản (KIND):\n" + kinds)
    sp.add_argument("kind", metavar="KIND", choices=list(documents.KINDS), help="loại văn bản: " + ", ".join(documents.KINDS))
    sp.add_argument("--period", type=int, required=True, metavar="YEAR")
    sp.add_argument("--out", required=True, metavar="FILE.docx", help="tệp ra (.docx; .pdf để chỉ ghi bản PDF)")
    sp.add_argument("--unit", metavar="CODE", help="mã đơn vị (báo cáo tự đánh giá, thông báo thẩm định)")
    sp.add_argument("--pdf", action="store_true", help="ghi thêm bản PDF bên cạnh (cần LibreOffice)")
    sp.add_argument("--force", action="store_true", help="ghi đè nếu tệp đã có")
