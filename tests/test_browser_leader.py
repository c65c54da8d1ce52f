"""The leader's journeys in Debian's Chromium at 1366×900, on the demo as a first start makes it:
09/11/2022, a day before the self-assessment deadline, 8 communes handed in, 9 drafting, 8 not
started. Who has not handed in comes first, by name, then the ranking (the other views are tabs,
drawn when opened); no data is no data (not a red 0, not a «Yếu»
bar, not in the averages); a click on a row, a bar or a cell opens that commune's scorecard; the
timeline names every milestone without overlap; numbers read with a decimal comma; approval says
why it cannot be used yet. Each test looks at the page as drawn (charts are SVG: their text is in
the page) and leaves a screenshot beside its temporary files."""

from __future__ import annotations

import re

import pytest

from .test_browser import (CHROMIUM, app_env, browser, into_view, log_in, login_cookie, running_app,  # noqa: F401
                           settle, wait_for)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]   # one worker, one after another

SCREEN = {"width": 1366, "height": 900}
NOT_STARTED = ["Thị trấn Tây Sơn", "Xã Sơn Tây", "Xã Sơn Trung", "Xã Sơn Bình", "Xã Sơn Kim 1", "Xã Sơn Kim 2",
               "Xã Sơn Phú", "Xã Sơn Trường"]
MILESTONES = ["Khảo sát sự hài lòng", "Thành lập Hội đồng thẩm định", "Cấp xã nộp báo cáo tự đánh giá",
              "Thẩm định, xác định chỉ số, trình phê duyệt", "Công bố kết quả"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    assert CHROMIUM, "CCHC_REQUIRE_BROWSER=1 nhưng không tìm thấy Chromium (/usr/bin/chromium)."
    work = tmp_path_factory.mktemp("leader_server")
    env = app_env(work, today=None)                   # the demo's own day: 09/11/2022
    with running_app(work, env) as url:
        yield url


def logged_in(browser, url: str, path: str, heading: str):
    """A leader's page at 1366×900, once the login has settled: the re-login cookie is set (its
    component reruns the page when it mounts) and the app has stopped running."""
    page = browser.new_page(viewport=SCREEN)
    log_in(page, url + path, "lanhdao")
    page.get_by_role("heading", name=heading).wait_for()
    assert wait_for(lambda: login_cookie(page.context) is not None)
    settle(page, 1000)
    return page


def dashboard(browser, url: str):
    page = logged_in(browser, url, "/bang-dieu-khien?nam=2022", "Bảng điều khiển — năm 2022")
    assert wait_for(lambda: page.locator("[data-testid=stVegaLiteChart] svg").count() >= 2)   # timeline, ranking
    return page


def open_tab(page, name: str) -> None:
    """Open one of the dashboard's tabs (only the open one is drawn): the run it starts is waited out."""
    tab = page.get_by_role("tab", name=name, exact=True)
    into_view(page, tab)
    settle(page)                                                    # a click while a run is drawing is not a user's
    tab.click()
    assert wait_for(lambda: tab.get_attribute("aria-selected") == "true")
    settle(page)
    assert ("xem=" in page.url) == (name != "Xếp hạng")            # kept in the address (the first: none)


def chart(page, alt: str):
    """The chart whose Vietnamese text alternative is `alt`, scrolled into view, once drawn."""
    c = page.locator(f"[data-testid=stVegaLiteChart][aria-label='{alt}']")
    into_view(page, c)
    assert wait_for(lambda: c.locator("svg .role-mark").count() > 0), alt
    return c


def texts(locator) -> list[str]:
    return locator.evaluate_all("els => els.map(e => e.textContent)")


def boxes(locator) -> list[dict]:
    return locator.evaluate_all("els => els.map(e => { const r = e.getBoundingClientRect();"
                                " return {t: e.textContent, x: r.x, y: r.y, w: r.width, h: r.height}; })")


def grid_rows(grid) -> list[list[str]]:
    """The rows of a dataframe as its accessible table gives them (every row: height='content';
    numbers as stored, «50.25», while the grid draws «50,25»; no figure: empty). A dataframe out of
    sight may not be drawn yet: it is scrolled into view first."""
    into_view(grid.page, grid)
    assert wait_for(lambda: grid.locator("tbody tr").count() > 0)
    return grid.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.querySelectorAll('td')].map(td => td.textContent))")


def click_row(page, grid, text: str) -> None:
    """Click the first cell of the row holding `text` (the grid is drawn on a canvas: by position);
    in a plain table, the unit's link."""
    link = grid.get_by_role("link", name=text, exact=True)
    if link.count():
        into_view(page, link)
        link.click()
        return
    rows = grid_rows(grid)
    i = next(i for i, r in enumerate(rows) if text in r)
    into_view(page, grid)
    box = grid.bounding_box()
    row_height = box["height"] / (len(rows) + 1)                   # the header row, then one per unit
    page.mouse.click(box["x"] + 120, box["y"] + row_height * (i + 1.5))


def status_table(page):
    """The dashboard's table of every unit (its tab «Tình hình các đơn vị»)."""
    open_tab(page, "Tình hình các đơn vị")
    caption = page.get_by_text("Bấm vào tên một đơn vị để mở phiếu điểm. «—»")
    return caption.locator("xpath=following::table[1]")


def scorecard_of(page, unit: str) -> None:
    page.get_by_role("heading", name=f"{unit} — năm 2022").wait_for()
    assert "/phieu-diem" in page.url and "dv=" in page.url
    settle(page)


def test_a_day_before_the_deadline_the_communes_not_handed_in_come_first_by_name(server, browser, tmp_path):
    page = dashboard(browser, server)
    section = page.locator(".st-key-chua_nop")
    section.get_by_role("heading", name="Chưa nộp báo cáo tự đánh giá: 17/25 đơn vị").wait_for()
    assert section.get_by_text("sắp hết hạn: còn 1 ngày (hạn 10/11/2022)").count() == 1
    page.screenshot(path=str(tmp_path / "chua-nop.png"))
    top = section.bounding_box()["y"]
    assert top < SCREEN["height"] - 300, top                       # on the first screen, under the figures
    assert top < page.locator("[data-testid=stVegaLiteChart][aria-label='Các mốc của kỳ đánh giá']").bounding_box()["y"]
    grid = section.locator("table")
    rows = grid_rows(grid)
    names = [r[0] for r in rows]
    assert len(rows) == 17 and set(NOT_STARTED) <= set(names) and "Xã Sơn Lễ" not in names   # Sơn Lễ has handed in
    assert rows[0][1] == "Đang tự đánh giá" and rows[-1][1] == "Chưa bắt đầu"        # closest to done first
    box = section.locator(".cchc-bang")                            # the whole list, no scrolling inside it
    assert box.evaluate("e => e.scrollHeight <= e.clientHeight + 1")
    done = next(r[2] for r in rows if r[0] == "Xã Sơn Hàm")       # «43/52» tiêu chí đã chấm
    click_row(page, grid, "Xã Sơn Hàm")
    scorecard_of(page, "Xã Sơn Hàm")
    assert "dv=18214" in page.url
    assert page.get_by_text(f"đang tự đánh giá, mới chấm {done} tiêu chí").count() == 1    # the same count
    page.screenshot(path=str(tmp_path / "phieu-diem-son-ham.png"))
    page.close()


def test_no_data_is_shown_as_no_data_not_as_the_worst_result(server, browser, tmp_path):
    page = dashboard(browser, server)
    status = status_table(page)
    rows = {r[1]: r for r in grid_rows(status)}
    assert rows["Thị trấn Tây Sơn"][0] == "—" and rows["Thị trấn Tây Sơn"][-2] == "—"   # no rank, no index
    assert rows["Xã Sơn Lễ"][0] == "1"
    open_tab(page, "Xếp hạng")
    ranking = chart(page, "Xếp hạng các đơn vị có số liệu theo chỉ số")
    labels = texts(ranking.locator(".role-axis-label text"))
    ranked = [t for t in labels if re.match(r"^\d+\. ", t)]
    assert len(ranked) == 17 and ranked[0] == "1. Xã Sơn Lễ"
    assert not [t for t in ranked if t.split(". ", 1)[1] in NOT_STARTED]           # no «Yếu» bar for no data
    assert ranking.locator(".thanh_marks path").count() == 17
    page.screenshot(path=str(tmp_path / "xep-hang.png"))
    note = page.get_by_text("Chưa có số liệu, không xếp hạng (8 đơn vị):")
    assert note.count() == 1
    open_tab(page, "Theo lĩnh vực")
    heatmap = chart(page, "Chỉ số thành phần của từng đơn vị theo lĩnh vực")
    units = [t for t in texts(heatmap.locator(".role-axis-label text")) if not t.isdigit()]
    fields = [t for t in texts(heatmap.locator(".role-axis-label text")) if t.isdigit()]
    cells = texts(heatmap.locator(".nhan_marks text"))             # in the order of the units, then the fields
    assert len(cells) == len(units) * len(fields) == 25 * 9
    for name in NOT_STARTED:
        row = cells[units.index(name) * 9:(units.index(name) + 1) * 9]
        assert row[:8] == ["—"] * 8, (name, row)                   # grey «—», not a red 0
    grey = heatmap.locator(".khong_so_lieu_marks path").count()
    assert grey == cells.count("—") and grey >= 8 * 8
    page.screenshot(path=str(tmp_path / "linh-vuc.png"))
    # the scorecard of a commune that has not started: no figures, and the district average leaves it out
    page.goto(server + "/phieu-diem?dv=18136&nam=2022")
    scorecard_of(page, "Thị trấn Tây Sơn")
    page.get_by_text("Chưa có số liệu.").wait_for()
    metrics = texts(page.locator("[data-testid=stMetricValue]"))
    assert metrics == ["—", "—", "—", "—"], metrics
    table = grid_rows(page.locator(".cchc-bang table").first)
    field_1 = next(r for r in table if r[0].startswith("1. "))
    assert field_1[1] == field_1[3] == "—" and field_1[4] == "69,59"               # not 47,32 (the 0s counted)
    page.screenshot(path=str(tmp_path / "phieu-diem-tay-son.png"))
    page.close()


def test_numbers_read_with_a_decimal_comma_in_charts_tables_and_tooltips(server, browser):
    page = dashboard(browser, server)
    drawn = []
    charts = page.locator("[data-testid=stVegaLiteChart]")
    for tab in (None, "Tình hình các đơn vị", "Theo lĩnh vực", "Mức độ hài lòng"):   # every chart the demo has
        if tab:
            open_tab(page, tab)
        assert charts.count() == 2                                 # the timeline, and the open tab's chart
        for i in range(charts.count()):
            into_view(page, charts.nth(i))
            assert wait_for(lambda: charts.nth(i).locator("svg text").count() > 0)
            drawn += texts(charts.nth(i).locator("svg text"))
    open_tab(page, "Xếp hạng")
    assert [t for t in drawn if re.search(r"\d\.\d", t)] == []
    assert "73,44" in drawn and "74,6" in drawn                    # Sơn Lễ's index on its bar; a satisfaction share
    ranking = chart(page, "Xếp hạng các đơn vị có số liệu theo chỉ số")
    ranking.locator(".thanh_marks path").first.hover()
    tooltip = page.locator("#vg-tooltip-element")
    assert wait_for(lambda: "73,44" in tooltip.inner_text())
    page.goto(server + "/phieu-diem?dv=18148&nam=2022")
    scorecard_of(page, "Xã Sơn Lễ")
    assert texts(page.locator("[data-testid=stMetricValue]"))[0] == "73,44%"
    page.close()


def test_a_click_on_a_bar_a_cell_or_a_row_opens_that_communes_scorecard(server, browser, tmp_path):
    page = dashboard(browser, server)
    chart(page, "Xếp hạng các đơn vị có số liệu theo chỉ số").locator(".thanh_marks path").first.click()
    scorecard_of(page, "Xã Sơn Lễ")
    assert "dv=18148" in page.url and "nam=2022" in page.url
    page.get_by_role("link", name="Bảng điều khiển").click()
    page.get_by_role("heading", name="Bảng điều khiển — năm 2022").wait_for()
    settle(page)
    open_tab(page, "Theo lĩnh vực")
    heatmap = chart(page, "Chỉ số thành phần của từng đơn vị theo lĩnh vực")
    units = [t for t in texts(heatmap.locator(".role-axis-label text")) if not t.isdigit()]
    heatmap.locator(".o_bam_marks path").nth(units.index("Thị trấn Tây Sơn") * 9).click()   # a grey cell too
    scorecard_of(page, "Thị trấn Tây Sơn")
    page.get_by_text("Chưa có số liệu.").wait_for()
    page.get_by_role("link", name="Bảng điều khiển").click()
    page.get_by_role("heading", name="Bảng điều khiển — năm 2022").wait_for()
    settle(page)
    status = status_table(page)
    click_row(page, status, "Xã Kim Hoa")
    scorecard_of(page, "Xã Kim Hoa")
    page.screenshot(path=str(tmp_path / "phieu-diem-kim-hoa.png"))
    page.close()


def overlaps(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["w"] - 0.5 and b["x"] < a["x"] + a["w"] - 0.5 and \
        a["y"] < b["y"] + b["h"] - 0.5 and b["y"] < a["y"] + a["h"] - 0.5


def test_the_timeline_names_every_milestone_without_overlap_and_the_status_bars_end_on_their_axis(server, browser,
                                                                                                tmp_path):
    page = dashboard(browser, server)
    timeline = chart(page, "Các mốc của kỳ đánh giá")
    timeline.screenshot(path=str(tmp_path / "moc.png"))
    names = texts(timeline.locator(".role-axis-label text"))
    assert [n for n in names if not re.fullmatch(r"\d\d/\d\d", n)] == MILESTONES      # every name, in date order, whole
    dates = texts(timeline.locator(".ngay_marks text"))
    assert "10/11/2022" in dates and "01/10 – 20/11/2022" in dates
    words = [b for b in boxes(timeline.locator("svg text")) if b["t"].strip()]
    frame = timeline.locator("svg").bounding_box()
    for i, a in enumerate(words):
        assert frame["x"] - 0.5 <= a["x"] and a["x"] + a["w"] <= frame["x"] + frame["width"] + 0.5, ("cut off", a)
        assert frame["y"] - 0.5 <= a["y"] and a["y"] + a["h"] <= frame["y"] + frame["height"] + 0.5, ("cut off", a)
        for b in words[i + 1:]:
            assert not overlaps(a, b), (a, b)
    open_tab(page, "Tình hình các đơn vị")
    states = chart(page, "Số đơn vị theo trạng thái")
    ticks = [t["t"] for t in boxes(states.locator(".role-axis-label text")) if t["t"].isdigit()]
    assert ticks == [str(n) for n in range(10)]                    # whole numbers up to the largest count, 9
    grid = boxes(states.locator(".role-axis-grid path, .role-axis-grid line"))
    axis_end = max(g["x"] + g["w"] for g in grid)                  # the line of the last tick, 9
    ends = [b["x"] + b["w"] for b in boxes(states.locator(".trang_thai_marks path"))]
    assert abs(max(ends) - axis_end) <= 1, (ends, axis_end)        # the longest bar ends on it, not past it
    states.screenshot(path=str(tmp_path / "trang-thai.png"))
    page.close()


def test_approval_says_why_it_cannot_be_used_while_no_commune_is_appraised(server, browser, tmp_path):
    page = logged_in(browser, server, "/phe-duyet", "Phê duyệt và công bố kết quả")
    button = page.get_by_role("button", name="Phê duyệt kết quả")
    into_view(page, button)
    assert button.is_disabled()
    why = page.get_by_text("Chưa phê duyệt được.")
    assert why.count() == 1 and "còn 25 đơn vị chưa hoàn tất thẩm định" in why.locator("xpath=..").inner_text()
    assert why.bounding_box()["y"] < button.bounding_box()["y"]    # said before the button, not after a click
    into_view(page, button)
    page.screenshot(path=str(tmp_path / "phe-duyet.png"))
    ranking = page.get_by_role("heading", name="Bảng xếp hạng hiện tại (tạm tính)")
    rows = grid_rows(ranking.locator("xpath=following::*[@data-testid='stDataFrame'][1]"))
    assert rows[0][:3] == ["1", "Xã Sơn Lễ", "73.44"]                # the table's own text; drawn «73,44»
    assert [r[0] for r in rows if r[1] == "Thị trấn Tây Sơn"] == [""]  # no rank for no data (drawn «—»)
    page.screenshot(path=str(tmp_path / "phe-duyet-xep-hang.png"))
    page.close()
