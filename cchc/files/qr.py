"""QR codes for the survey links: one PNG per commune, and one printable A4 sheet (HTML with
every commune's name, code, link and QR code; print it from any browser). Pure.

segno writes QR codes as PNG and SVG in pure Python (no Pillow), with error correction chosen
per use; it is small, maintained and has no dependencies."""

from __future__ import annotations

import html
import io
import re
import urllib.parse
import zipfile

import segno

URL_RE = re.compile(r"^https?://[A-Za-z0-9.\-]+(:\d{1,5})?(/[A-Za-z0-9._~\-/]*)?$")


class BaseUrlError(ValueError):
    pass


def check_base_url(url: str) -> str:
    """The public address of the app, as people will type or scan it: http(s)://host[:port][/path]."""
    url = (url or "").strip().rstrip("/")
    if not URL_RE.fullmatch(url):
        raise BaseUrlError(f"Địa chỉ «{url[:80]}» không hợp lệ: cần dạng https://ten-mien[/duong-dan], "
                           "ví dụ https://cchc.huongson.gov.vn.")
    return url


def survey_url(base_url: str, unit_code: str) -> str:
    return f"{check_base_url(base_url)}/khao-sat?{urllib.parse.urlencode({'dv': unit_code})}"


def png(url: str, scale: int = 10) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def _svg(url: str) -> str:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", xmldecl=False, svgns=True, scale=1, border=2,
                                    omitsize=True, nl=False)
    return out.getvalue().decode()


def a4_sheet(units: list[dict], base_url: str, year: int, district: str) -> str:
    """An HTML page laid out for A4 paper: three cards per row, each with the QR code, the
    commune's name and code, and the link written out for those who cannot scan."""
    cards = []
    for u in units:
        url = survey_url(base_url, u["code"])
        cards.append(f'<div class="card"><div class="qr">{_svg(url)}</div><div class="name">{html.escape(u["name"])}</div>'
                     f'<div class="code">Mã đơn vị: {html.escape(u["code"])}</div><div class="url">{html.escape(url)}</div></div>')
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<title>Mã QR khảo sát sự hài lòng năm {year}</title>
<style>
@page {{ size: A4 portrait; margin: 10mm; }}
body {{ font-family: "Times New Roman", serif; margin: 0; }}
h1 {{ font-size: 14pt; text-align: center; margin: 0 0 2mm; }}
p.note {{ font-size: 10pt; text-align: center; margin: 0 0 4mm; }}
.grid {{ display: grid; grid-template-columns: repeat(3, 1fr); gap: 3mm; }}
.card {{ border: 0.3mm dashed #888; padding: 2mm; text-align: center; break-inside: avoid; page-break-inside: avoid; }}
.qr svg {{ width: 34mm; height: 34mm; }}
.name {{ font-weight: bold; font-size: 11pt; }}
.code {{ font-size: 9pt; }}
.url {{ font-size: 7.5pt; word-break: break-all; }}
</style></head><body>
<h1>KHẢO SÁT SỰ HÀI LÒNG CỦA NGƯỜI DÂN, TỔ CHỨC NĂM {year} — {html.escape(district.upper())}</h1>
<p class="note">Quét mã QR bằng điện thoại để trả lời phiếu khảo sát (khoảng 3 phút, không cần đăng nhập). Cắt theo đường nét đứt.</p>
<div class="grid">
{''.join(cards)}
</div></body></html>
"""


def files(units: list[dict], base_url: str, year: int, district: str) -> dict[str, bytes]:
    """File name -> content: qr-<code>.png for each commune and the A4 sheet."""
    out = {f"qr-{u['code']}.png": png(survey_url(base_url, u["code"])) for u in units}
    out[f"qr-khao-sat-{year}-a4.html"] = a4_sheet(units, base_url, year, district).encode("utf-8")
    return out


def zipped(content: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in content.items():
            zf.writestr(name, data)
    return buffer.getvalue()
