"""The state documents in Debian's Chromium at a staff screen (1366×900): a commune officer makes
the self-assessment report on /tu-danh-gia, downloads the .docx and (where LibreOffice is
installed) the PDF, and opens both; a leader asking for the draft decision too early reads why."""

from __future__ import annotations

import io

import pytest
from docx import Document as read_docx
from pypdf import PdfReader

from cchc.files import documents as docx_files

from .test_browser import CHROMIUM, app_env, browser, log_in, running_app, settle, wait_for  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

STAFF_SCREEN = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A fresh server whose first start creates the demo (Sơn Hồng has submitted)."""
    assert CHROMIUM, "CCHC_REQUIRE_BROWSER=1 nhưng không tìm thấy Chromium (/usr/bin/chromium)."
    work = tmp_path_factory.mktemp("server_documents")
    env = app_env(work, today=None)
    with running_app(work, env) as url:
        yield url


def test_commune_officer_makes_downloads_and_opens_the_self_assessment_report(server, browser, tmp_path):  # noqa: F811
    page = browser.new_page(viewport=STAFF_SCREEN, accept_downloads=True)
    log_in(page, server + "/tu-danh-gia", "sonhong")
    page.get_by_role("heading", name="Tự đánh giá — Xã Sơn Hồng").wait_for()
    settle(page)
    make = page.get_by_role("button", name="Soạn báo cáo tự đánh giá (.docx)")
    make.wait_for()
    settle(page)
    make.click()
    download_button = page.get_by_role("button", name="Tải văn bản (.docx)")
    download_button.wait_for()
    settle(page)
    page.screenshot(path=str(tmp_path / "tu-danh-gia-van-ban.png"))
    with page.expect_download() as download:
        download_button.click()
    assert download.value.suggested_filename == "bao-cao-tu-danh-gia-2022-18139.docx"
    saved = tmp_path / "bao-cao.docx"
    download.value.save_as(saved)
    doc = read_docx(saved)
    header = doc.tables[0]
    assert [p.text for p in header.cell(0, 0).paragraphs if p.text] == ["ỦY BAN NHÂN DÂN", "XÃ SƠN HỒNG"]
    assert [p.text for p in header.cell(0, 1).paragraphs if p.text] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                                                       "Độc lập - Tự do - Hạnh phúc"]
    assert any(p.text == "BÁO CÁO" for p in doc.paragraphs)
    assert page.get_by_text("Soạn lúc").count() == 1
    if docx_files.office() is None:
        assert page.get_by_text("Máy chủ chưa cài LibreOffice").count() == 1
        return
    page.get_by_role("button", name="Tạo bản PDF").click()
    pdf_button = page.get_by_role("button", name="Tải bản PDF")
    pdf_button.wait_for(timeout=120_000)
    settle(page)
    with page.expect_download() as download:
        pdf_button.click()
    assert download.value.suggested_filename == "bao-cao-tu-danh-gia-2022-18139.pdf"
    pdf = tmp_path / "bao-cao.pdf"
    download.value.save_as(pdf)
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    assert len(reader.pages) >= 3 and "Sơn Hồng" in reader.pages[0].extract_text()
    page.screenshot(path=str(tmp_path / "tu-danh-gia-pdf.png"))
    page.close()


def test_a_leader_asking_for_the_decision_too_early_reads_why(server, browser, tmp_path):  # noqa: F811
    page = browser.new_page(viewport=STAFF_SCREEN)
    log_in(page, server + "/phe-duyet", "lanhdao")
    page.get_by_role("heading", name="Phê duyệt và công bố kết quả").wait_for()
    settle(page)
    make = page.get_by_role("button", name="Soạn dự thảo quyết định phê duyệt (.docx)")
    make.click()
    refusal = page.get_by_text("Chưa lập được dự thảo quyết định phê duyệt: còn 25 đơn vị chưa hoàn tất thẩm định")
    assert wait_for(lambda: refusal.count() == 1)
    settle(page)
    page.screenshot(path=str(tmp_path / "phe-duyet-tu-choi.png"))
    assert page.get_by_role("button", name="Tải văn bản (.docx)").count() == 0
    page.close()
