"""One appraisal flow in Debian's Chromium at 1366×900: a council member opens a commune from the
queue (its columns named by field), changes one score (typed with a decimal comma) with a reason
and flags another; «Kết thúc vòng 1» says why it cannot be used yet, then asks before it acts;
the commune answers; round 2 sets the flagged score; the chair finalises the commune (asked
first); Phòng Nội vụ compiles; a leader approves and publishes; the public page shows the
commune's rank. The other 24 communes are made final through the services beforehand. The
server's log has no error from drawing the queue (one type per column)."""

from __future__ import annotations

import os
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Error as PlaywrightError

from .test_browser import CHROMIUM, app_env, browser, log_in, running_app, settle, wait_for  # noqa: F401 (fixture)
from .test_browser_leader import into_view

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]   # one worker, one after another

UNIT, OFFICER, MEMBER = "18139", "sonhong", "hoidong"      # Xã Sơn Hồng has submitted in the demo
DAY = "2022-11-12"


def prepare(env: dict) -> dict:
    """The demo database as a first start makes it; every commune but Sơn Hồng final; the demo's
    council member (Phòng Nội vụ) is the council's chair; Sơn Hồng's fields other than field 1
    appraised. Returns Sơn Hồng's self-scores of 1.1.1 and 1.1.2."""
    from cchc import config
    from cchc.core import appraisal as rules
    from cchc.services import appraisal as svc
    from cchc.services import council as council_svc
    from cchc.services import seed
    from cchc.services.reference import unit_criteria

    from .test_appraisal import finalise_all
    from .test_assessment import ADMIN

    saved = os.environ.get("CCHC_TODAY")

    def on_day(iso: str) -> None:
        os.environ["CCHC_TODAY"] = iso

    db = seed.open_database(config.from_env(env))
    try:
        finalise_all(db, on_day, skip={UNIT})
        on_day(DAY)
        for m in council_svc.council(db, ADMIN, 2022).members:          # the demo's chair has no account
            if m["member_role"] == "chair":
                council_svc.remove_member(db, ADMIN, m["id"])
        council_svc.add_member(db, ADMIN, 2022, "Thành viên Hội đồng", "Trưởng phòng Nội vụ", "NV", "chair", MEMBER)
        for f in rules.appraised_fields(unit_criteria(db, 2022, UNIT)):
            if f.code != "1":
                svc.accept_remaining(db, ADMIN, 2022, UNIT, f.code)
        own = {c: Decimal(db.one("score_get", year=2022, unit_code=UNIT, code=c)["self_points"]) for c in ("1.1.1", "1.1.2")}
        db.checkpoint()
    finally:
        db.close()
        if saved is None:
            os.environ.pop("CCHC_TODAY", None)
        else:
            os.environ["CCHC_TODAY"] = saved
    return own


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    assert CHROMIUM, "CCHC_REQUIRE_BROWSER=1 nhưng không tìm thấy Chromium (/usr/bin/chromium)."
    work = tmp_path_factory.mktemp("appraisal_server")
    env = app_env(work, today=DAY)
    own = prepare(env)
    with running_app(work, env) as url:
        yield url, own, work / "streamlit.log"


def as_user(browser, url: str, path: str, username: str | None):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    if username:
        log_in(page, url + path, username)
    else:
        page.goto(url + path)
    settle(page)
    return page


def choose(page, key: str, text: str) -> None:
    """Pick an option of the selectbox with this key by its visible text (a rerun that closes the
    list meanwhile is waited out, then again)."""
    option = page.get_by_role("option", name=re.compile(re.escape(text))).first
    for _ in range(4):
        settle(page)
        page.locator(f".st-key-{key} input").click()
        try:
            option.click(timeout=5_000)
            break
        except PlaywrightError:
            page.keyboard.press("Escape")
    else:
        raise AssertionError(f"no option «{text}» in {key}")
    settle(page)


def leaf(page, code: str):
    return page.locator(f".st-key-tieu_chi_{code.replace('.', '_')}")


def has_text(page, text: str) -> bool:
    return page.get_by_text(text).count() > 0


def test_appraisal_from_round_one_to_the_published_rank(server, browser, tmp_path):
    url, own, log = server
    changed = "0,5" if own["1.1.1"] != Decimal("0.5") else "1"     # typed the Vietnamese way

    # the queue: a row per commune, a column per field named by its title; a click on a name opens
    # the commune, and the address keeps it (?dv=)
    page = as_user(browser, url, "/tham-dinh", MEMBER)
    page.get_by_text("Đơn vị thẩm định").wait_for()
    queue = page.locator(".cchc-bang-hang-doi table")
    headers = queue.locator("thead th").all_inner_texts()
    assert "1. Công tác chỉ đạo, điều hành cải cách hành chính" in headers and "10. Điểm thưởng (ngoài 100 điểm)" in headers
    assert not [h for h in headers if h.startswith("LV ")], headers
    page.screenshot(path=str(tmp_path / "tham-dinh-hang-doi.png"))
    queue.get_by_role("link", name="Xã Sơn Hồng").click()
    page.get_by_role("heading", name="Xã Sơn Hồng").wait_for()
    settle(page)
    assert "dv=" in page.url
    # a field of another office: its name, not its code
    choose(page, "td_lv_" + UNIT, "2. Cải cách thể chế")
    page.get_by_text("Lĩnh vực này do Phòng Tư pháp thẩm định; bạn chỉ xem.").wait_for()
    choose(page, "td_lv_" + UNIT, "1. Công tác chỉ đạo")

    # round 1: the council member changes 1.1.1 with a reason, flags 1.1.2
    card = leaf(page, "1.1.1")
    card.get_by_label(re.compile("Điểm thẩm định")).fill(changed)
    card.get_by_label("Lý do (bắt buộc nếu khác điểm tự chấm)").fill("Kế hoạch ban hành chậm")
    card.get_by_role("button", name="Lưu vòng 1").click()
    assert wait_for(lambda: leaf(page, "1.1.1").get_by_text("lý do: Kế hoạch ban hành chậm").count() > 0)
    assert leaf(page, "1.1.1").get_by_text(f"Điểm thẩm định vòng 1: {changed}").count() == 1
    settle(page)
    card = leaf(page, "1.1.2")
    card.get_by_text("Cần giải trình", exact=True).click()
    card.get_by_label("Câu hỏi cho đơn vị (khi cần giải trình)").fill("Đề nghị cung cấp báo cáo quý IV.")
    card.get_by_role("button", name="Lưu vòng 1").click()
    assert wait_for(lambda: leaf(page, "1.1.2").get_by_text("Đề nghị cung cấp báo cáo quý IV.").count() > 0)
    settle(page)
    # «Kết thúc vòng 1» cannot be used yet, and says why, next to it
    close = page.get_by_role("button", name="Kết thúc vòng 1")
    into_view(page, close)
    assert close.is_disabled()
    why = page.get_by_text(re.compile(r"Còn \d+ tiêu chí chưa có điểm thẩm định \(lĩnh vực 1: \d+\)"))
    assert why.count() == 1
    page.screenshot(path=str(tmp_path / "ket-thuc-vong-1-chua-duoc.png"))
    # the rest of field 1 keeps the commune's scores; then the button asks before it acts
    page.get_by_role("button", name=re.compile("Giữ nguyên điểm tự chấm")).click()
    assert wait_for(lambda: page.get_by_role("button", name="Kết thúc vòng 1").is_enabled())
    settle(page)
    page.get_by_role("button", name="Kết thúc vòng 1").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("1 tiêu chí cần giải trình").wait_for()
    assert dialog.get_by_text("đơn vị chuyển sang giải trình").count() == 1
    page.screenshot(path=str(tmp_path / "ket-thuc-vong-1-hoi.png"))
    dialog.get_by_role("button", name="Hủy").click()
    assert wait_for(lambda: page.get_by_role("dialog").count() == 0)
    settle(page)
    assert not has_text(page, "Đang giải trình")                   # nothing happened
    page.get_by_role("button", name="Kết thúc vòng 1").click()
    page.get_by_role("dialog").get_by_role("button", name="Xác nhận kết thúc vòng 1").click()
    assert wait_for(lambda: has_text(page, "Đang giải trình"))
    errors = [line for line in log.read_text(encoding="utf-8").splitlines()
              if re.search(r"arrow|Traceback|Error", line, re.IGNORECASE)]
    assert errors == []                                             # the queue drew without a conversion error

    # the commune answers the flagged leaf and hands its explanation in
    commune = as_user(browser, url, "/tu-danh-gia", OFFICER)
    commune.get_by_text("Giải trình theo yêu cầu của Hội đồng thẩm định").wait_for()
    answer = commune.locator(".st-key-giai_trinh_1_1_2 textarea")
    answer.fill("Báo cáo quý IV số 45/BC-UBND ngày 20/12/2022 đã gửi Phòng Nội vụ.")
    answer.press("Tab")
    assert wait_for(lambda: has_text(commune, "Đã lưu câu trả lời tiêu chí 1.1.2.")
                    or commune.get_by_text("Gửi giải trình", exact=True).count() > 0)
    settle(commune)
    commune.get_by_role("button", name="Gửi giải trình").click()
    assert wait_for(lambda: has_text(commune, "Đã gửi giải trình lúc"))

    # round 2 on the flagged leaf, then the chair finalises the commune
    page.reload()                                                   # the address keeps the commune
    page.get_by_role("heading", name="Xã Sơn Hồng").wait_for()
    settle(page)
    card = leaf(page, "1.1.2")
    card.get_by_label("Lý do (kết luận sau giải trình)").fill("Đã có báo cáo, giữ nguyên điểm")
    card.get_by_role("button", name="Lưu vòng 2").click()
    assert wait_for(lambda: leaf(page, "1.1.2").get_by_text("Điểm vòng 2:").count() > 0)
    settle(page)
    page.get_by_role("button", name="Hoàn tất thẩm định đơn vị").click()
    page.get_by_role("dialog").get_by_text("Từ đây điểm của đơn vị là").wait_for()
    page.get_by_role("dialog").get_by_role("button", name="Xác nhận hoàn tất").click()
    assert wait_for(lambda: has_text(page, "Đã thẩm định xong"))

    # Phòng Nội vụ compiles; the leader approves and publishes
    admin = as_user(browser, url, "/phe-duyet", "admin")
    admin.get_by_text("Đơn vị đã hoàn tất thẩm định").first.wait_for()   # a rerun may show the old copy beside the new
    admin.get_by_role("button", name="Tổng hợp, trình lãnh đạo phê duyệt").click()
    assert wait_for(lambda: has_text(admin, "Đã tổng hợp, trình lãnh đạo lúc"))
    leader = as_user(browser, url, "/phe-duyet", "lanhdao")
    leader.get_by_text("Đơn vị đã hoàn tất thẩm định").first.wait_for()
    leader.get_by_label("Số quyết định phê duyệt").fill("3456/QĐ-UBND")
    leader.get_by_role("spinbutton", name=re.compile(r"^(day|ngày), Ngày quyết định$")).click()   # the page translates it
    leader.keyboard.type("24112022")
    leader.get_by_role("button", name="Phê duyệt kết quả").click()
    assert wait_for(lambda: has_text(leader, "Các lần phê duyệt"))
    settle(leader)
    leader.get_by_role("button", name=re.compile("Công bố kết quả phê duyệt lần 1")).click()
    assert wait_for(lambda: leader.get_by_role("button", name=re.compile("Công bố kết quả")).count() == 0)

    # anyone sees the published ranking and the commune's rank
    public = as_user(browser, url, "/ket-qua", None)
    public.get_by_text("3456/QĐ-UBND", exact=False).last.wait_for()       # the first: the print-only header
    choose(public, "kq_don_vi", "Xã Sơn Hồng")
    assert wait_for(lambda: public.get_by_text(re.compile(r"Xã Sơn Hồng — hạng \d+/25")).count() > 0)
