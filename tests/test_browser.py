"""The real app in Debian's Chromium: `streamlit run` on a free port with its own database.

Skipped, with the reason, where Chromium is absent; CI sets CCHC_REQUIRE_BROWSER=1 so that there
a missing browser fails instead of skipping."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import DEMO_PASSWORD, ROOT
from .test_assessment import PDF

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
REQUIRED = os.environ.get("CCHC_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]   # one worker, one after another

if CHROMIUM is None and not REQUIRED:
    pytest.skip("Chromium không có trên máy này (cài gói Debian 'chromium' để chạy kiểm thử trình duyệt).",
                allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


DRAFT_UNIT, DRAFT_USER = "18136", "tayson"      # not started in the demo


def prepare_draft(env: dict) -> None:
    """Create the demo database as the first start would, then fill Thị trấn Tây Sơn's form except
    1.1.1 and 1.1.2 (which the browser scores), with document references for every leaf."""
    import datetime as dt

    from cchc import config
    from cchc.core import assessment as rules
    from cchc.core.permissions import CLI_USER
    from cchc.services import assessment as svc
    from cchc.services import seed

    settings = config.from_env(env)
    db = seed.open_database(settings)
    try:
        leaves = rules.scored_leaves(svc.open_form(db, CLI_USER, 2022, DRAFT_UNIT).criteria)
        changes = {leaf.code: rules.LeafScore(leaf.max_points) for leaf in leaves if leaf.code not in ("1.1.1", "1.1.2")}
        docs = {leaf.code: [{"doc_number": "01/KH-UBND", "issued_on": dt.date(2022, 1, 5), "summary": "Kế hoạch"}]
                for leaf in leaves if leaf.code != "1.1.1"}
        svc.apply_scores(db, CLI_USER, 2022, DRAFT_UNIT, changes, docs)
        db.checkpoint()
    finally:
        db.close()


@contextlib.contextmanager
def running_app(work: Path, env: dict):
    """`streamlit run app.py` with `env` on a free port until the block ends; yields its address."""
    port = free_port()
    log = open(work / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        log.close()
        pytest.fail("streamlit run không khởi động được:\n" + (work / "streamlit.log").read_text())
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


_KEEP = object()


def app_env(work, today=_KEEP, **settings: str) -> dict:
    """The environment of a test's own app server: its database and evidence in `work`, fast
    bcrypt, no operator's cookie key (the app makes its own), the clock: `today` (ISO), None for
    the demo's own day (09/11/2022), or left as the caller's; and any other CCHC_* settings."""
    env = {**os.environ, "CCHC_DB": str(work / "cchc.duckdb"), "CCHC_FILES": str(work / "files"),
           "CCHC_BCRYPT_ROUNDS": "4", **settings}
    env.pop("CCHC_COOKIE_KEY", None)
    if today is None:
        env.pop("CCHC_TODAY", None)
    elif today is not _KEEP:
        env["CCHC_TODAY"] = today
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A fresh server whose first start creates and seeds the demo database."""
    assert CHROMIUM, "CCHC_REQUIRE_BROWSER=1 nhưng không tìm thấy Chromium (/usr/bin/chromium)."
    work = tmp_path_factory.mktemp("server")
    env = app_env(work)
    prepare_draft(env)
    with running_app(work, env) as url:
        yield url


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def settle(page, quiet_ms: int = 600, timeout_s: float = 30) -> None:
    """Wait until the app has stopped running for a moment, so that a click is not taken by a
    rerun that is still in flight (the cookie component reruns the app when it mounts)."""
    deadline = time.time() + timeout_s
    quiet_since = None
    while time.time() < deadline:
        if page.locator("[data-testid='stStatusWidget']").count() == 0:
            quiet_since = quiet_since or time.time()
            if time.time() - quiet_since >= quiet_ms / 1000:
                return
        else:
            quiet_since = None
        time.sleep(0.05)


def into_view(page, locator) -> None:
    """Scroll to `locator`; a rerun that redraws it meanwhile (the login cookie's component reruns
    the page once it has stored the cookie) is waited out, then again."""
    from playwright.sync_api import Error as PlaywrightError

    for _ in range(5):
        try:
            locator.scroll_into_view_if_needed(timeout=5_000)
            return
        except PlaywrightError:
            settle(page)
    locator.scroll_into_view_if_needed()


def login_cookie(context):
    return next((c for c in context.cookies() if c["name"] == "cchc_dang_nhap"), None)


def wait_for(condition, timeout_s: float = 30):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def uploader(page, label: str):
    """The file input of the uploader whose label starts with `label`."""
    return page.locator("[data-testid=stFileUploader]").filter(has_text=label).locator("input[type=file]")


def log_in(page, url: str, username: str) -> None:
    """Open `url` (the login form answers there), wait for the app to settle, log in."""
    page.set_default_timeout(30_000)
    page.goto(url)
    page.get_by_label("Tên đăng nhập").wait_for()
    settle(page)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_commune_officer_logs_in_stays_logged_in_and_logs_out(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})   # sidebar open
    page = context.new_page()
    log_in(page, server + "/tu-danh-gia", "sonhong")   # a deep link, the first request to a fresh server
    page.get_by_role("heading", name="Tự đánh giá — Xã Sơn Hồng").wait_for()
    assert page.url.endswith("/tu-danh-gia")
    # The re-login cookie is set by the page; once it is there, a reload keeps the login.
    assert wait_for(lambda: login_cookie(context) is not None), "no re-login cookie was set"
    old_cookie = login_cookie(context)
    page.reload()
    page.get_by_role("heading", name="Tự đánh giá — Xã Sơn Hồng").wait_for()
    settle(page)
    # Log out (the button is in the sidebar), then reload: still logged out.
    page.get_by_role("button", name="Đăng xuất").click()
    # While the logout reruns the page, the old page's form may linger a moment beside the new one.
    page.get_by_label("Tên đăng nhập").first.wait_for()
    wait_for(lambda: login_cookie(context) is None, timeout_s=5)
    page.reload()
    page.get_by_label("Tên đăng nhập").first.wait_for()
    settle(page)
    assert page.get_by_label("Tên đăng nhập").count() == 1
    assert page.get_by_role("heading", name="Tự đánh giá — Xã Sơn Hồng").count() == 0
    # A copy of the old cookie (left behind on a shared computer) no longer logs anyone in.
    context.add_cookies([old_cookie])
    page.reload()
    page.get_by_label("Tên đăng nhập").first.wait_for()
    settle(page)
    assert page.get_by_label("Tên đăng nhập").count() == 1
    assert page.get_by_role("heading", name="Tự đánh giá — Xã Sơn Hồng").count() == 0
    context.close()


def test_a_deep_link_to_an_admin_page_shows_nothing_without_login(server, browser):
    page = browser.new_page()
    page.set_default_timeout(30_000)
    page.goto(server + "/quan-tri")
    page.get_by_label("Tên đăng nhập").wait_for()
    assert page.get_by_text("Sao lưu").count() == 0
    assert page.get_by_text("Page not found").count() == 0


def test_commune_officer_scores_uploads_reloads_and_submits(server, browser, tmp_path):
    """The whole journey once (the details are in test_browser_officer.py): tap two scores, one of
    them a half point, upload a PDF, reload, submit after confirming."""
    pdf = tmp_path / "ke-hoach-cchc-2022.pdf"
    pdf.write_bytes(PDF)     # a real one-page PDF: evidence is parsed, not only sniffed
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    log_in(page, server + "/tu-danh-gia", DRAFT_USER)
    page.get_by_role("heading", name="Tự đánh giá — Thị trấn Tây Sơn").wait_for()
    leaf = lambda code: page.locator(f".st-key-tieu_chi_{code.replace('.', '_')}")   # noqa: E731
    leaf("1.1.2").get_by_role("radio").first.wait_for()
    for code, value in (("1.1.1", "1"), ("1.1.2", "0,5")):
        settle(page)                        # not while a rerun that would replace the field is in flight
        choice = leaf(code).get_by_role("radio", name=value, exact=True)
        choice.click()
        assert wait_for(lambda: choice.get_attribute("aria-checked") == "true"
                        and leaf(code).get_by_text(re.compile(r"^Đã lưu lúc \d\d:\d\d \d\d/")).count() == 1), \
            f"{code} was not saved"
        settle(page)
    leaf("1.1.1").get_by_text("Tài liệu kiểm chứng (0), giải trình, ghi chú").click()
    uploader(leaf("1.1.1"), "Tải tệp lên").set_input_files(str(pdf))
    page.get_by_text("Tài liệu kiểm chứng (1), giải trình, ghi chú").first.wait_for()
    settle(page)
    # Reload: the draft is still there (saved as the officer worked).
    page.reload()
    page.get_by_role("heading", name="Tự đánh giá — Thị trấn Tây Sơn").wait_for()
    leaf("1.1.2").get_by_role("radio").first.wait_for()
    settle(page)
    assert leaf("1.1.1").get_by_role("radio", name="1", exact=True).get_attribute("aria-checked") == "true"
    assert leaf("1.1.2").get_by_role("radio", name="0,5", exact=True).get_attribute("aria-checked") == "true"
    leaf("1.1.1").get_by_text("Tài liệu kiểm chứng (1), giải trình, ghi chú").click()
    page.get_by_text("ke-hoach-cchc-2022.pdf").first.wait_for()
    # Submit after confirming, then the form is locked.
    page.get_by_role("button", name="Nộp báo cáo tự đánh giá").click()
    page.get_by_role("dialog").get_by_role("button", name="Nộp báo cáo", exact=True).click()
    page.get_by_text("biểu mẫu đã khóa").first.wait_for()
    # The button is drawn at the end of the same run as the notice above: wait for it, don't count.
    page.get_by_role("button", name="Rút lại báo cáo để sửa").wait_for()
    settle(page)
    assert leaf("1.1.1").get_by_role("radio", name="1", exact=True).is_disabled()
    assert page.get_by_role("button", name="Rút lại báo cáo để sửa").count() == 1
    context.close()


def test_leader_sees_the_dashboard_and_drills_down_to_a_scorecard(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    log_in(page, server + "/bang-dieu-khien?nam=2022", "lanhdao")
    page.get_by_role("heading", name="Bảng điều khiển — năm 2022").wait_for()
    settle(page)
    charts = page.locator("[data-testid=stVegaLiteChart]")
    assert wait_for(lambda: charts.count() >= 2), charts.count()      # the timeline, the ranking (the open tab)
    for i in range(charts.count()):                      # every chart has drawn its marks
        into_view(page, charts.nth(i))
        assert wait_for(lambda: charts.nth(i).locator("canvas, svg").count() > 0), f"chart {i} not drawn"
    assert page.locator("[data-testid=stException]").count() == 0
    shot = tmp_path / "bang-dieu-khien.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 60_000                  # a drawn page, not a blank one
    assert page.get_by_text("Số liệu tạm tính").count() > 0
    link = page.get_by_role("link", name=re.compile("^Xem phiếu điểm của "))
    unit = link.inner_text().strip().split("\n")[-1].replace("Xem phiếu điểm của ", "").strip()   # after the icon
    link.click()
    page.get_by_role("heading", name="Phiếu điểm Chỉ số CCHC").wait_for()
    page.get_by_role("heading", name=f"{unit} — năm 2022").wait_for()
    assert "/phieu-diem" in page.url and "dv=" in page.url
    page.close()


def test_admin_loads_a_criteria_workbook_fixes_an_error_and_activates_it(server, browser, tmp_path):
    import io as _io

    from openpyxl import load_workbook

    from cchc.core.criteria import load_yaml_file
    from cchc.files import criteria_workbook as criteria_excel

    wb = load_workbook(_io.BytesIO(criteria_excel.build(load_yaml_file(ROOT / "data/criteria/2022-cap-xa-mau.yaml"))))
    wb[criteria_excel.INFO].cell(2, 2, "HT-XA-2023")                    # a new set for next year
    wb[criteria_excel.INFO].cell(3, 2, "Bộ tiêu chí năm 2023 (thử)")
    wb[criteria_excel.INFO].cell(4, 2, 2023)
    wb[criteria_excel.INFO].cell(9, 2, "Không")                         # not a template any more
    nodes = wb[criteria_excel.NODES]
    row = next(r for r in range(2, nodes.max_row + 1) if nodes.cell(r, 1).value == "1.1.1")
    nodes.cell(row, 3, "0,5")                                            # the error: a decimal comma
    bad, good = tmp_path / "bo-tieu-chi-loi.xlsx", tmp_path / "bo-tieu-chi.xlsx"
    wb.save(bad)
    nodes.cell(row, 3, 1)
    wb.save(good)
    page = browser.new_page(viewport={"width": 1366, "height": 900})   # staff screen
    log_in(page, server + "/quan-tri", "admin")
    page.get_by_role("heading", name="Quản trị").wait_for()
    settle(page)
    page.get_by_role("tab", name="Kỳ đánh giá").click()
    page.get_by_role("button", name="Tạo kỳ năm 2023 từ kỳ năm 2022").click()     # a period nobody has submitted in
    settle(page)
    page.get_by_role("tab", name="Bộ tiêu chí").click()
    uploader(page, "Tệp bộ tiêu chí").set_input_files(str(bad))
    page.get_by_text("«0,5» dùng dấu phẩy thập phân").wait_for()
    uploader(page, "Tệp bộ tiêu chí").set_input_files(str(good))
    page.get_by_role("button", name="Nạp và gắn vào kỳ 2023").click()
    page.get_by_text("Bộ tiêu chí: Bộ tiêu chí năm 2023 (thử) —").first.wait_for()    # the banner of the set in use
    page.close()


def test_admin_backs_up_then_restores_from_the_page(server, browser, tmp_path):
    """Last in this module: it replaces the server's database with a backup taken moments before."""
    page = browser.new_page(viewport={"width": 1366, "height": 900})   # staff screen
    log_in(page, server + "/quan-tri", "admin")
    page.get_by_role("heading", name="Quản trị").wait_for()
    settle(page)
    page.get_by_role("tab", name="Sao lưu").click()
    page.get_by_role("button", name="Tạo bản sao lưu").click()
    settle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải bản sao lưu").click()
    saved = tmp_path / "sao-luu.zip"
    download.value.save_as(saved)
    page.get_by_role("tab", name="Kỳ đánh giá").click()
    create = page.get_by_role("button", name=re.compile(r"^Tạo kỳ năm \d{4} từ kỳ năm \d{4}$"))
    label = create.inner_text()
    create.click()                                            # a change made after the backup
    page.get_by_role("button", name=label).wait_for(state="detached")   # the period now exists
    page.get_by_role("tab", name="Sao lưu").click()
    uploader(page, "Tệp sao lưu").set_input_files(str(saved))
    settle(page)
    page.get_by_text("Tôi đồng ý thay toàn bộ dữ liệu hiện tại bằng bản sao lưu tạo ngày").click()
    settle(page)
    page.get_by_role("button", name="Khôi phục", exact=True).click()
    page.get_by_text("Đã khôi phục bản sao lưu tạo ngày").wait_for()
    page.reload()
    page.get_by_role("heading", name="Quản trị").wait_for()
    settle(page)
    page.get_by_role("tab", name="Kỳ đánh giá").click()
    page.get_by_role("button", name=label).wait_for()          # the change is gone
    page.close()
