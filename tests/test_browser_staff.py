"""Staff journeys in Chromium at 1366×900: the audit log in Vietnamese on the demo's day (the
export keeps the codes), only the open tab of the administration page runs and the address
keeps it, each commune's survey QR code previewed and downloaded on the survey page, and a clerk
keying paper forms one after another without the mouse."""

from __future__ import annotations

import re
import urllib.parse
import zipfile

import pytest

from .test_browser import browser, log_in, server, settle, wait_for  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]   # one worker, one after another

STAFF = {"width": 1366, "height": 900}
DEMO_DAY = "09/11/2022"


def cells(page) -> list[str]:
    """The text of every cell of the page's tables (st.dataframe draws on a canvas; its cells are
    also in an accessible grid)."""
    return page.locator("[data-testid=stDataFrame] [role=gridcell]").all_text_contents()


def focused(page) -> str:
    """What the cursor is in: the field's accessible name."""
    return page.evaluate("(() => { const a = document.activeElement;"
                         " return a ? (a.getAttribute('aria-label') || a.innerText || a.tagName) : '' })()")


def address(tab: str, **more: str) -> str:
    return "?" + urllib.parse.urlencode({"muc": tab, **more})


# ------------------------------------------------------------------ the audit log, the tabs


def test_admin_reads_the_audit_log_in_vietnamese_on_the_demo_day(server, browser, tmp_path):  # noqa: F811
    from openpyxl import load_workbook

    page = browser.new_page(viewport=STAFF)
    log_in(page, server + "/quan-tri", "admin")
    page.get_by_role("heading", name="Quản trị").wait_for()
    settle(page)
    page.get_by_text("Hạn nộp:").first.wait_for()                              # the first tab is drawn…
    assert page.get_by_role("button", name="Xuất Excel (.xlsx)").count() == 0    # …and only that one
    assert page.get_by_role("button", name="Tạo bản sao lưu").count() == 0
    page.get_by_role("tab", name="Nhật ký").click()
    page.get_by_role("button", name="Xuất Excel (.xlsx)").wait_for()
    assert page.get_by_text("Hạn nộp:").count() == 0
    assert "muc=" in page.url
    assert wait_for(lambda: "Đăng nhập" in cells(page))
    shown = cells(page)
    login_row = shown.index("Đăng nhập")
    assert shown[login_row - 2].endswith(DEMO_DAY)                    # stamped on the demo's day, not the calendar's
    assert shown[login_row + 1] == "Tài khoản admin" and shown[login_row + 3].startswith("Địa chỉ máy: ")
    for code in ("login", "app_user", "client:", "False", "True", "demo.seed", "council.decision"):
        assert not any(code in c for c in shown), (code, shown)
    page.screenshot(path=str(tmp_path / "nhat-ky.png"), full_page=True)
    # The filter names the actions in Vietnamese too; typing part of a name finds it.
    page.get_by_label("Hành động").click()
    page.keyboard.type("Đăng nhập")
    page.get_by_role("option", name="Đăng nhập", exact=True).wait_for()
    page.keyboard.press("Enter")
    settle(page)
    assert wait_for(lambda: set(cells(page)[2::6]) == {"Đăng nhập"})
    # The export keeps the codes, with the Vietnamese names beside them.
    with page.expect_download() as download:
        page.get_by_role("button", name="Xuất Excel (.xlsx)").click()
    saved = tmp_path / "nhat-ky.xlsx"
    download.value.save_as(saved)
    ws = load_workbook(saved).active
    header = [c.value for c in ws[1]]
    row = {h: ws.cell(2, i).value for i, h in enumerate(header, 1)}
    assert (row["Hành động"], row["Đối tượng"], row["Tên hành động"], row["Tên đối tượng"]) == \
        ("login", "app_user", "Đăng nhập", "Tài khoản")
    assert row["Giá trị mới"].startswith("client: client:") and row["Thời điểm"].strftime("%d/%m/%Y") == DEMO_DAY
    # The address keeps the open tab: a reload opens the log again.
    page.reload()
    page.get_by_role("button", name="Xuất Excel (.xlsx)").wait_for()
    page.close()


# ------------------------------------------------------------------ QR codes on the survey page


def test_admin_previews_and_downloads_a_communes_survey_qr_code(server, browser, tmp_path):  # noqa: F811
    from cchc.files import qr

    page = browser.new_page(viewport=STAFF)
    log_in(page, server + "/quan-ly-khao-sat", "admin")
    page.get_by_role("heading", name="Khảo sát sự hài lòng năm 2022").wait_for()
    settle(page)
    page.get_by_role("tab", name="Mã QR").click()
    field = page.get_by_label("Địa chỉ công khai", exact=True)
    field.wait_for()
    assert field.input_value() == server                        # suggested: the address the app is open at
    field.fill("https://cchc.huongson.gov.vn")
    page.get_by_role("button", name="Lưu địa chỉ").click()
    page.get_by_text("Đã lưu địa chỉ công khai.").wait_for()
    page.get_by_label("Xem mã QR của").click()
    page.keyboard.type("Sơn Hồng")
    page.keyboard.press("Enter")
    link = "https://cchc.huongson.gov.vn/khao-sat?dv=18139"
    page.get_by_text("Mã QR khảo sát — Xã Sơn Hồng").wait_for()
    page.locator("code").filter(has_text=link).wait_for()
    preview = page.locator("[data-testid=stImage] img").first
    assert wait_for(lambda: preview.evaluate("img => img.complete && img.naturalWidth") >= 200)
    settle(page)
    page.screenshot(path=str(tmp_path / "ma-qr.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải ảnh mã QR (.png)").click()
    assert download.value.suggested_filename == "qr-18139.png"
    png = (tmp_path / "qr.png")
    download.value.save_as(png)
    assert png.read_bytes() == qr.png(link, scale=8)             # the code of that commune's link, as previewed
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải mã QR của mọi xã (.zip: ảnh PNG từng xã và trang A4 để in)").click()
    archive = tmp_path / "qr.zip"
    download.value.save_as(archive)
    names = zipfile.ZipFile(archive).namelist()
    assert len([n for n in names if n.endswith(".png")]) == 25 and "qr-khao-sat-2022-a4.html" in names
    links = cells(page)
    assert link in links and "https://cchc.huongson.gov.vn/khao-sat?dv=18133" in links
    # The same under Quản trị → Khảo sát → Mã QR.
    page.goto(server + "/quan-tri" + address("Khảo sát", ks="Mã QR"))
    page.get_by_label("Xem mã QR của").wait_for()
    page.close()

    # A commune officer sees their own commune's code, nothing to choose.
    officer = browser.new_page(viewport=STAFF)
    log_in(officer, server + "/quan-ly-khao-sat", "sonhong")
    officer.get_by_role("heading", name="Khảo sát sự hài lòng năm 2022").wait_for()
    settle(officer)
    officer.get_by_role("tab", name="Mã QR").click()
    officer.get_by_text("Mã QR khảo sát — Xã Sơn Hồng").wait_for()
    officer.locator("code").filter(has_text=link).wait_for()
    assert officer.get_by_label("Xem mã QR của").count() == 0
    assert officer.get_by_label("Địa chỉ công khai", exact=True).count() == 0
    officer.get_by_role("button", name="Tải ảnh mã QR (.png)").wait_for()
    officer.close()


# ------------------------------------------------------------------ paper forms by keyboard


def test_a_clerk_keys_two_paper_forms_in_a_row_without_the_mouse(server, browser, tmp_path):  # noqa: F811
    from openpyxl import load_workbook

    page = browser.new_page(viewport=STAFF)
    log_in(page, server + "/quan-ly-khao-sat" + address("Nhập phiếu giấy"), "sonhong")
    page.get_by_role("button", name="Lưu và nhập phiếu tiếp").wait_for()
    settle(page)
    keys = page.keyboard
    # Form 1. The cursor starts in the date; Enter moves on, as Tab does; Enter in the last field saves.
    assert wait_for(lambda: focused(page).endswith("Ngày trên phiếu"))           # its first part, the day
    keys.type("05112022")
    keys.press("Enter")
    assert focused(page).startswith("1. Tiếp cận dịch vụ")
    for digits in ("45", "555", "4 4 4", "45", "55", "4"):           # element 1 one digit short
        keys.type(digits)
        keys.press("Enter")
    page.get_by_text("Yếu tố 1: cần đúng 3 chữ số").wait_for()
    assert wait_for(lambda: focused(page).startswith("1. Tiếp cận dịch vụ"))   # the cursor is where the mistake is
    keys.type("454")                                                  # replaces what was there
    for _ in range(5):
        keys.press("Tab")
    assert focused(page).startswith("Hài lòng chung")
    keys.press("Enter")
    saved = page.get_by_text(re.compile(r"^Đã lưu phiếu giấy số \d+\."))
    saved.wait_for()
    first = int(re.search(r"số (\d+)", saved.inner_text()).group(1))
    # Form 2: a fresh form, the cursor in element 1, the date and the unit kept.
    assert wait_for(lambda: focused(page).startswith("1. Tiếp cận dịch vụ"))
    date = page.locator(".st-key-ks_phieu_giay [data-testid=stDateInput] [role=spinbutton]")
    assert date.all_text_contents() == ["05", "11", "2022"]
    assert page.get_by_label("1. Tiếp cận dịch vụ", exact=False).input_value() == ""
    for digits in ("333", "345", "543", "12", "05"):                  # 0: a question left blank
        keys.type(digits)
        keys.press("Enter")
    keys.type("3")
    keys.press("Tab")                                                 # on to the respondent, not saving yet
    assert focused(page).startswith("Ông/bà trả lời với tư cách")
    keys.type("Cá")
    keys.press("Enter")                                               # an open list: Enter picks, then moves on
    assert wait_for(lambda: focused(page) == "Giới tính", timeout_s=5)
    keys.type("Nữ")
    keys.press("Enter")
    assert wait_for(lambda: focused(page) == "Tuổi", timeout_s=5)
    for _ in range(3):                                                # nothing to pick: Tuổi → Nghề → Lĩnh vực → Góp ý
        keys.press("Enter")
    assert focused(page) == "Góp ý (nếu có)"
    keys.type("Cần thêm ghế ngồi chờ")
    keys.press("Tab")
    keys.press("Enter")                                               # the save button
    page.get_by_text(f"Đã lưu phiếu giấy số {first + 1}.").wait_for()
    assert wait_for(lambda: focused(page).startswith("1. Tiếp cận dịch vụ"))
    assert date.all_text_contents() == ["05", "11", "2022"]
    settle(page)
    page.screenshot(path=str(tmp_path / "phieu-giay.png"), full_page=True)
    # What was stored: the survey's own export.
    page.get_by_role("tab", name="Tiến độ và kết quả").click()
    page.get_by_role("button", name="Chuẩn bị tệp Excel (phiếu và tổng hợp)").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải tệp Excel").click()
    book = tmp_path / "khao-sat.xlsx"
    download.value.save_as(book)
    ws = load_workbook(book)["Phiếu"]
    header = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    one, two = rows[first], rows[first + 1]
    assert one["Kênh"] == two["Kênh"] == "Phiếu giấy" and one["Mã đơn vị"] == two["Mã đơn vị"] == "18139"
    assert one["Lúc"] == two["Lúc"] == "12:00 05/11/2022"
    assert [one[f"Câu {c}"] for c in ("1.1", "1.2", "1.3", "2.1", "3.3", "5.2")] == [4, 5, 4, 5, 4, 5]
    assert one["Hài lòng chung"] == 4
    assert [two[f"Câu {c}"] for c in ("1.1", "2.3", "3.1", "4.1", "4.2", "5.1")] == [3, 5, 5, 1, 2, None]
    assert two["Hài lòng chung"] == 3 and two["Giới tính"] == "Nữ" and two["Góp ý"] == "Cần thêm ghế ngồi chờ"
    assert two["Ông/bà trả lời với tư cách"] == "Cá nhân"
    page.close()
