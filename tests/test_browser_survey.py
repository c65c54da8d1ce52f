"""The citizens' survey in Debian's Chromium on a phone-sized screen (390×844): the whole
questionnaire answered by tapping, the page never wider than the screen, the thank-you screen."""

from __future__ import annotations

import re

import pytest

from .test_browser import browser, log_in, server, settle  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]   # one worker, one after another


def no_sideways_scroll(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: scrollWidth {width[0]} > innerWidth {width[1]}"


def phone(browser):  # noqa: F811
    return browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                               device_scale_factor=2)


def answer_everything(page) -> None:
    """Tap through the whole questionnaire («Hài lòng» everywhere) and send it."""
    page.get_by_role("heading", name="Xã Sơn Hồng").wait_for()
    settle(page)
    no_sideways_scroll(page)
    for step in range(1, 6):
        page.get_by_text(f"Bước {step}/6").wait_for()
        groups = page.locator("[data-testid=stRadio]")
        groups.first.wait_for()                    # the step's form follows its progress bar
        settle(page)
        assert groups.count() >= 2
        for i in range(groups.count()):
            option = groups.nth(i).get_by_text("Hài lòng", exact=True)
            box = option.locator("xpath=ancestor::label[1]").bounding_box()
            assert box and box["height"] >= 40 and box["width"] >= 200, f"a tap target is too small: {box}"
            option.tap()
        no_sideways_scroll(page)
        page.get_by_role("button", name="Tiếp tục").tap()
        page.get_by_text(f"Bước {step + 1}/6").wait_for()
        settle(page)
        no_sideways_scroll(page)
    page.locator("[data-testid=stRadio]").first.get_by_text("Rất hài lòng", exact=True).tap()
    page.get_by_text("Nữ", exact=True).tap()
    page.get_by_label(re.compile("góp ý")).fill("Cán bộ hướng dẫn tận tình")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Gửi phiếu").tap()
    page.get_by_text("Cảm ơn bạn đã dành thời gian trả lời!").wait_for()


def test_a_citizen_answers_the_survey_on_a_phone(server, browser):  # noqa: F811
    context = phone(browser)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server + "/khao-sat?dv=18139")
    answer_everything(page)
    page.get_by_role("button", name="Trả lời phiếu mới").wait_for()        # for the next person at the desk
    settle(page)
    no_sideways_scroll(page)
    context.close()


def token(context) -> str | None:
    return next((c["value"] for c in context.cookies() if c["name"] == "cchc_ks"), None)


def test_one_phone_answering_twice_across_a_reload_is_flagged(server, browser):  # noqa: F811
    """Our own random token is kept in a cookie: the same after a reload and in a new tab, so
    the second identical answer from this phone is flagged and waits for review."""
    context = phone(browser)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server + "/khao-sat?dv=18139")
    answer_everything(page)
    first = token(context)
    assert first and len(first) >= 16
    page.reload()
    answer_everything(page)
    assert token(context) == first                                          # the reload kept it
    tab = context.new_page()
    tab.goto(server + "/khao-sat?dv=18139")
    tab.get_by_role("heading", name="Xã Sơn Hồng").wait_for()
    settle(tab)
    assert token(context) == first                                          # and so does a new tab
    context.close()
    staff = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(staff, server + "/quan-ly-khao-sat", "admin")
    staff.get_by_text("1 phiếu có dấu hiệu bất thường đang chờ Phòng Nội vụ xem xét").wait_for()
    staff.close()


def test_a_commune_officer_imports_paper_forms_from_excel(server, browser, tmp_path):  # noqa: F811
    from openpyxl import load_workbook

    from cchc.core import survey as rules
    from cchc.files import survey_workbook as sx

    from .test_browser import uploader

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, server + "/quan-ly-khao-sat", "sonhong")
    page.get_by_role("heading", name="Khảo sát sự hài lòng năm 2022").wait_for()
    settle(page)
    page.get_by_role("tab", name="Nhập phiếu giấy").click()
    page.get_by_role("button", name="Chuẩn bị biểu mẫu Excel phiếu giấy").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải biểu mẫu Excel phiếu giấy").click()
    blank = tmp_path / "phieu.xlsx"
    download.value.save_as(blank)
    cols = {c.key: i for i, c in enumerate(sx.columns(rules.citizen_questionnaire()), 1)}
    wb = load_workbook(blank)
    ws = wb[sx.SHEET]
    for n in range(3):
        ws.cell(sx.FIRST_ROW + n, cols["unit"]).value = "18139"
        for x in rules.citizen_questionnaire().questions():
            ws.cell(sx.FIRST_ROW + n, cols[f"q:{x.code}"]).value = 4
    ws.cell(sx.FIRST_ROW + 1, cols["q:2.1"]).value = 9                     # the mistake
    bad, good = tmp_path / "loi.xlsx", tmp_path / "dung.xlsx"
    wb.save(bad)
    ws.cell(sx.FIRST_ROW + 1, cols["q:2.1"]).value = 5
    wb.save(good)
    uploader(page, "Tệp phiếu giấy đã điền").set_input_files(str(bad))
    settle(page)
    page.get_by_role("button", name="Nhập các phiếu trong tệp").click()
    page.get_by_text(f"hàng {sx.FIRST_ROW + 1}, cột K (Câu 2.1): «9» không hợp lệ").wait_for()
    uploader(page, "Tệp phiếu giấy đã điền").set_input_files(str(good))
    settle(page)
    page.get_by_role("button", name="Nhập các phiếu trong tệp").click()
    page.get_by_text("Đã nhập 3 phiếu giấy.").wait_for()
    page.close()
