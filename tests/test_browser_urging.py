"""Urging in Debian's Chromium at 1366×900: Phòng Nội vụ sends an urging notice from the dashboard
(confirmed in a dialog, the e-mail caught by a local SMTP server the test starts), the leader sees
who was urged and when without a button, the commune's officer sees the notice on the home page
and on /tu-danh-gia with the days left, and after submitting it is gone."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re

import pytest
from aiosmtpd.controller import Controller

from .test_browser import (  # noqa: F401 (fixture)
    app_env,
    CHROMIUM,
    browser,
    free_port,
    log_in,
    running_app,
    settle,
    wait_for,
)
from .test_browser_leader import grid_rows

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]   # one worker, one after another

SIZE = {"width": 1366, "height": 900}
UNIT, OFFICER = "18136", "tayson"          # Thị trấn Tây Sơn: filled in completely here, not yet submitted
ADDRESS = "vanthu@tayson.hatinh.gov.vn"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def prepare(env: dict) -> None:
    """The demo as a first start makes it (09/11/2022, the deadline tomorrow), Tây Sơn filled in
    completely, its officer's account with an e-mail address."""
    from cchc import config
    from cchc.core import assessment as rules
    from cchc.core.permissions import CLI_USER
    from cchc.services import assessment as svc
    from cchc.services import seed, users

    db = seed.open_database(config.from_env(env))
    try:
        leaves = rules.scored_leaves(svc.open_form(db, CLI_USER, 2022, UNIT).criteria)
        doc = {"doc_number": "01/KH-UBND", "issued_on": dt.date(2022, 1, 5), "summary": "Kế hoạch"}
        svc.apply_scores(db, CLI_USER, 2022, UNIT, {n.code: rules.LeafScore(n.max_points) for n in leaves},
                         {n.code: [doc] for n in leaves})
        row = db.one("user_get", username=OFFICER)
        users.update_user(db, CLI_USER, OFFICER, row["full_name"], "commune", UNIT, email=ADDRESS)
        db.checkpoint()
    finally:
        db.close()


@pytest.fixture(scope="module")
def inbox():
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, inbox):
    assert CHROMIUM, "CCHC_REQUIRE_BROWSER=1 nhưng không tìm thấy Chromium (/usr/bin/chromium)."
    work = tmp_path_factory.mktemp("urging_server")
    env = app_env(work, today=None,            # the demo's day, 09/11/2022
                  CCHC_SMTP_HOST="127.0.0.1", CCHC_SMTP_PORT=str(inbox.port), CCHC_SMTP_STARTTLS="0",
                  CCHC_SMTP_FROM="noivu@huongson.hatinh.gov.vn")
    prepare(env)
    with running_app(work, env) as url:
        yield url


def _page(browser, url: str, username: str, path: str):
    page = browser.new_context(viewport=SIZE).new_page()
    log_in(page, url + path, username)
    return page


def test_staff_urge_from_the_dashboard_and_the_commune_sees_it_until_it_submits(server, browser, inbox, tmp_path):
    shots = tmp_path                          # the screenshots to look at
    page = _page(browser, server, "admin", "/bang-dieu-khien")
    section = page.locator(".st-key-don_doc")
    section.get_by_role("heading", name=re.compile(r"^Đôn đốc: \d+ đơn vị quá hạn hoặc sắp hết hạn")).wait_for()
    settle(page)
    listed = page.locator(".st-key-chua_nop table")        # the units not handed in, each with when it was urged
    rows = grid_rows(listed)
    tay = next(r for r in rows if r[0] == "Thị trấn Tây Sơn")
    assert tay[5] == "chưa", tay
    assert "Quá hạn: 0, sắp hết hạn (còn 3 ngày trở xuống): 17; đã được đôn đốc: 0/17." in section.inner_text()
    section.get_by_role("button", name="Gửi thông báo đôn đốc").scroll_into_view_if_needed()
    section.get_by_role("button", name="Gửi thông báo đôn đốc").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Mỗi đơn vị được chọn nhận").wait_for()
    settle(page)                              # the dialog draws its fields one after another
    assert "gửi e-mail tới địa chỉ trong tài khoản" in dialog.inner_text()
    assert "Thị trấn Tây Sơn (sắp hết hạn, còn 1 ngày)" in dialog.inner_text()       # chosen by default
    dialog.get_by_label("Nội dung (để trống: dùng nội dung mặc định)").fill(
        "Đề nghị các đơn vị hoàn thiện và nộp báo cáo tự đánh giá trước 17 giờ ngày 10/11/2022.")
    page.screenshot(path=str(shots / "don-doc-hoi.png"))
    dialog.get_by_role("button", name="Gửi thông báo", exact=True).click()
    done = section.get_by_text(re.compile(r"^Đã gửi thông báo đôn đốc tới \d+ đơn vị"))
    done.wait_for()
    settle(page)
    assert "Đã gửi e-mail tới 1 đơn vị" in done.inner_text()
    box = done.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= SIZE["height"], box          # shown where the user is
    rows = grid_rows(listed)
    tay = next(r for r in rows if r[0] == "Thị trấn Tây Sơn")
    assert re.fullmatch(r"\d\d:\d\d 09/11/2022", tay[5]) and tay[6] == "Đã gửi e-mail", tay
    page.screenshot(path=str(shots / "don-doc-da-gui.png"))
    assert wait_for(lambda: len(inbox.messages) == 1)
    msg = inbox.messages[0]
    assert msg["To"] == ADDRESS and "Thị trấn Tây Sơn (hạn 10/11/2022)" in msg["Subject"]
    assert "trước 17 giờ ngày 10/11/2022" in msg.get_content()
    page.context.close()

    leader = _page(browser, server, "lanhdao", "/bang-dieu-khien")
    section = leader.locator(".st-key-don_doc")
    section.get_by_role("heading", name=re.compile(r"^Đôn đốc:")).wait_for()
    settle(leader)
    rows = grid_rows(leader.locator(".st-key-chua_nop table"))
    assert re.fullmatch(r"\d\d:\d\d 09/11/2022", next(r for r in rows if r[0] == "Thị trấn Tây Sơn")[5])
    assert section.get_by_role("button", name="Gửi thông báo đôn đốc").count() == 0       # read-only
    leader.context.close()

    officer = _page(browser, server, OFFICER, "/trang-chu")
    notice = officer.locator(".st-key-thong_bao_don_doc")
    notice.get_by_text("Thông báo đôn đốc").wait_for()
    settle(officer)
    text = notice.inner_text()
    assert "Quản trị" in text or "Phòng Nội vụ" in text
    assert "trước 17 giờ ngày 10/11/2022" in text and "Hạn nộp: 10/11/2022 — còn 1 ngày." in text
    assert re.search(r"lúc \d\d:\d\d 09/11/2022", text)
    officer.screenshot(path=str(shots / "don-doc-trang-chu.png"))

    officer.goto(server + "/tu-danh-gia")
    officer.get_by_role("heading", name=re.compile("^Tự đánh giá — ")).wait_for()
    notice.get_by_text("Thông báo đôn đốc").wait_for()
    settle(officer)
    assert "Hạn nộp: 10/11/2022 — còn 1 ngày." in notice.inner_text()
    officer.screenshot(path=str(shots / "don-doc-tu-danh-gia.png"))
    submit = officer.get_by_role("button", name="Nộp báo cáo tự đánh giá")
    submit.scroll_into_view_if_needed()
    submit.click()
    officer.get_by_role("dialog").get_by_role("button", name="Nộp báo cáo", exact=True).click()
    officer.locator(".st-key-nop_bao_cao").get_by_text(re.compile(r"^Đã nộp báo cáo tự đánh giá lúc")).wait_for()
    settle(officer)
    assert officer.locator(".st-key-thong_bao_don_doc").count() == 0          # gone once handed in
    officer.goto(server + "/trang-chu")
    officer.get_by_role("heading", name=re.compile("^Xin chào")).wait_for()
    settle(officer)
    assert officer.locator(".st-key-thong_bao_don_doc").count() == 0
    assert officer.get_by_text("Thông báo đôn đốc").count() == 0
    officer.screenshot(path=str(shots / "don-doc-da-nop.png"))
    officer.context.close()
