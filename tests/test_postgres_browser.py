"""Two app instances on one PostgreSQL database, in Debian's Chromium (issue 16): a citizen answers
the survey on a phone (390×844) through one instance, and the district's leader, logged in on the
other instance (1366×900), sees the answer counted on the dashboard. Needs CCHC_TEST_POSTGRES
(tests/conftest.py) and Chromium; skipped otherwise."""

from __future__ import annotations

import os
import secrets

import pytest

from .test_browser import CHROMIUM, browser, log_in, running_app, settle  # noqa: F401  (fixtures)
from .test_browser_survey import answer_everything, phone

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def two_apps(pg_server, tmp_path_factory):
    """`streamlit run app.py` twice, each its own process, on one (empty) PostgreSQL database: the
    first start creates and seeds the demo, the second finds it; one evidence folder, one key."""
    assert CHROMIUM, "CCHC_REQUIRE_BROWSER=1 nhưng không tìm thấy Chromium (/usr/bin/chromium)."
    work = tmp_path_factory.mktemp("pg-apps")
    env = {**os.environ, "CCHC_DB": pg_server.create(), "CCHC_FILES": str(work / "files"),
           "CCHC_BCRYPT_ROUNDS": "4", "CCHC_COOKIE_KEY": secrets.token_urlsafe(48)}
    (work / "a").mkdir()
    (work / "b").mkdir()
    with running_app(work / "a", env) as a, running_app(work / "b", env) as b:
        yield a, b


def answers_counted(page) -> str:
    """The dashboard's «Phiếu khảo sát» figure."""
    metric = page.locator("[data-testid=stMetric]").filter(has_text="Phiếu khảo sát")
    metric.first.wait_for()
    return metric.first.locator("[data-testid=stMetricValue]").inner_text().strip()


def test_an_answer_through_one_instance_is_on_the_leaders_dashboard_of_the_other(two_apps, browser, tmp_path):  # noqa: F811
    a, b = two_apps
    staff = browser.new_context(viewport={"width": 1366, "height": 900})
    desk = staff.new_page()
    log_in(desk, b + "/bang-dieu-khien", "lanhdao")
    desk.get_by_text("Bảng điều khiển — năm 2022").wait_for(timeout=60_000)
    settle(desk)
    before = int(answers_counted(desk).replace(".", ""))
    desk.screenshot(path=str(tmp_path / "b-before.png"))

    citizen = phone(browser)
    page = citizen.new_page()
    page.set_default_timeout(30_000)
    page.goto(a + "/khao-sat?dv=18139")
    answer_everything(page)
    page.screenshot(path=str(tmp_path / "a-thanks.png"))
    citizen.close()

    desk.reload()
    desk.get_by_text("Bảng điều khiển — năm 2022").wait_for(timeout=60_000)
    settle(desk)
    assert int(answers_counted(desk).replace(".", "")) == before + 1
    desk.screenshot(path=str(tmp_path / "b-after.png"))
    print("screenshots in", tmp_path)
    staff.close()
