"""Print-ready pages in Debian's Chromium: the scorecard (/phieu-diem) and the published results
(/ket-qua) print on A4 with the header block (issuing body, national motto, title, date) and
without the sidebar, buttons and widgets; on screen the header block is hidden. Checked on the
print rendering (a screenshot under print media, looked at) and on the PDF Chromium makes of it
(pages counted, text read with pypdf)."""

from __future__ import annotations

import io
import os
import re

import pytest
from pypdf import PdfReader

from .test_browser import CHROMIUM, app_env, browser, log_in, running_app, settle, wait_for  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]   # one worker, one after another

SIZE = {"width": 1366, "height": 900}
A4_POINTS = (595, 842)


def prepare(env: dict) -> None:
    """The demo, then every unit appraised and final, the results approved and published."""
    import datetime as dt

    from cchc import config
    from cchc.services import approval, seed

    from .test_appraisal import finalise_all
    from .test_assessment import ADMIN, LEADER

    db = seed.open_database(config.from_env(env))
    before = os.environ.get("CCHC_TODAY")
    try:
        finalise_all(db, lambda iso: os.environ.__setitem__("CCHC_TODAY", iso))
        approval.compile_results(db, ADMIN, 2022)
        approval.approve(db, LEADER, 2022, "99/QĐ-UBND", dt.date(2022, 11, 24))
        approval.publish(db, LEADER, 2022)
        db.checkpoint()
    finally:
        os.environ.pop("CCHC_TODAY", None)
        if before:
            os.environ["CCHC_TODAY"] = before
        db.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    assert CHROMIUM, "CCHC_REQUIRE_BROWSER=1 nhưng không tìm thấy Chromium (/usr/bin/chromium)."
    work = tmp_path_factory.mktemp("print_server")
    env = app_env(work, today="2022-11-26")
    prepare(env)
    with running_app(work, env) as url:
        yield url


def _pdf(page, path) -> tuple[int, str, list]:
    data = page.pdf(prefer_css_page_size=True, print_background=True)
    path.write_bytes(data)
    reader = PdfReader(io.BytesIO(data))
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages]
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages), sizes


def _charts_drawn(page) -> None:
    assert wait_for(lambda: page.locator("[data-testid=stVegaLiteChart] canvas, "
                                         "[data-testid=stVegaLiteChart] svg").count() > 0)
    settle(page)


def _header_only_in_print(page) -> None:
    header = page.locator(".st-key-in_tieu_de")
    assert header.count() == 1 and not header.is_visible()            # on screen: hidden
    page.emulate_media(media="print")
    assert header.is_visible()
    assert not page.locator("[data-testid=stSidebar]").is_visible()
    assert page.locator("[data-testid=stButton], [data-testid=stDownloadButton], [data-testid=stSelectbox]").evaluate_all(
        "els => els.every(e => getComputedStyle(e).display === 'none')")


def test_the_scorecard_prints_on_a4_with_its_header(server, browser, tmp_path):
    page = browser.new_context(viewport=SIZE).new_page()
    log_in(page, server + "/phieu-diem?dv=18139&nam=2022", "lanhdao")
    page.get_by_role("heading", name="Xã Sơn Hồng — năm 2022").wait_for()
    _charts_drawn(page)
    _header_only_in_print(page)
    page.screenshot(path=str(tmp_path / "in-phieu-diem.png"), full_page=True)
    pages, text, sizes = _pdf(page, tmp_path / "in-phieu-diem.pdf")
    assert 1 <= pages <= 4 and set(sizes) == {A4_POINTS}, (pages, sizes)
    flat = re.sub(r"\s+", " ", text)
    for words in ("UBND HUYỆN HƯƠNG SƠN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                  "PHIẾU ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2022", "Hương Sơn, ngày 26 tháng 11 năm 2022",
                  "Mất điểm nhiều nhất"):
        assert words in flat, (words, flat[:600])
    for screen_only in ("Đăng xuất", "Tải phiếu điểm chi tiết", "Bảng điều khiển"):
        assert screen_only not in flat, screen_only
    page.context.close()


def test_the_published_results_print_on_a4_every_unit_once(server, browser, tmp_path):
    page = browser.new_context(viewport=SIZE).new_page()
    page.goto(server + "/ket-qua")
    page.get_by_role("heading", name="Kết quả Chỉ số cải cách hành chính cấp xã").wait_for()
    page.locator("[data-testid=stMarkdown]").filter(has_text="Phê duyệt tại Quyết định số 99/QĐ-UBND").first.wait_for()
    settle(page)
    _header_only_in_print(page)
    page.screenshot(path=str(tmp_path / "in-ket-qua.png"), full_page=True)
    pages, text, sizes = _pdf(page, tmp_path / "in-ket-qua.pdf")
    assert 1 <= pages <= 4 and set(sizes) == {A4_POINTS}, (pages, sizes)
    flat = re.sub(r"\s+", " ", text)
    for words in ("UBND HUYỆN HƯƠNG SƠN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                  "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CẤP XÃ NĂM 2022", "Quyết định số 99/QĐ-UBND ngày 24/11/2022"):
        assert words in flat, (words, flat[:600])
    for unit in ("Xã Sơn Hồng", "Thị trấn Phố Châu", "Xã Tân Mỹ Hà", "Xã Sơn Kim 2"):
        assert flat.count(unit) >= 1, unit                              # the table's rows are all there
    assert "Tra cứu một xã, thị trấn" not in flat and "Chọn đơn vị" not in flat
    page.context.close()
