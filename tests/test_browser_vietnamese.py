"""Vietnamese all the way down: every page, for every role, in Chromium, with no English of
Streamlit's own left where a user can meet it (text, placeholders, accessible names, tooltips),
the page declared `lang="vi"`, and a mistyped address answered in Vietnamese."""

from __future__ import annotations

import re
import time

import pytest

from cchc.core.navigation import pages_for

from .test_browser import browser, log_in, login_cookie, server, wait_for  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# What Streamlit 1.67 itself writes in English on widgets our pages use (its bundle's strings).
ENGLISH = [
    "Skip to main content", "Collapse sidebar", "Expand sidebar", "Main menu", "App pages", "Running",
    "Stop", "Close", "Page not found", "does not seem to exist", "Press Enter", "Press ⌘", "Press Ctrl",
    "Show password", "Hide password", "Increment", "Decrement", "Clear value", "Clear all", "Select all",
    "Choose an option", "Choose options", "No results", "No options", "Open", "Choose date", "Clear date",
    "Previous month", "Next month", "Upload", "Browse files", "Drag and drop", "per file", "Add files",
    "Download as CSV", "Search", "Fullscreen", "Close fullscreen", "Sort ascending", "Sort descending",
    "Dataframe column menu", "Copy to clipboard", "Next page", "Previous page", "Help for", "Vega",
    "Download as PNG", "Copy Vega-Lite spec", "View Source", "Save as", "Show data", "Use arrow keys",
    "Next", "Previous", "selected", "Today",
    "January", "February", "March", "April", "June", "July", "August", "September", "October",
    "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "keyboard_arrow", "keyboard_double", "expand_more", "chevron_right", "arrow_drop",
]
FOUND = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![\w-])")

# Every text node outside scripts and styles, every placeholder, accessible name and tooltip, and
# the texts of icons not hidden from screen readers (their ligature names are read out).
READ = """() => {
  const out = [];
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = w.nextNode())) {
    const p = n.parentElement;
    if (!p || p.closest('script, style, [data-testid=stIconMaterial][aria-hidden=true]')) continue;
    const t = n.nodeValue.trim();
    if (t) out.push(t);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]'))
    for (const a of ['placeholder', 'aria-label', 'title']) { const v = el.getAttribute(a); if (v) out.push(v); }
  return {lang: document.documentElement.lang, texts: out};
}"""

ROLES = {None: None, "admin": "admin", "leader": "lanhdao", "council": "hoidong", "commune": "tayson"}
PHONE, DESK = {"width": 390, "height": 844}, {"width": 1366, "height": 900}


def idle(page, quiet_s: float = 0.4, timeout_s: float = 30) -> None:
    """Wait until the page's script has run and stayed finished for a moment (Streamlit marks the
    app's element with its state; before the first run it says neither)."""
    deadline = time.time() + timeout_s
    since = None
    while time.time() < deadline:
        state = page.evaluate("() => document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state')")
        if state == "notRunning":
            since = since or time.time()
            if time.time() - since >= quiet_s:
                return
        else:
            since = None
        time.sleep(0.05)
    raise AssertionError("the page did not finish running")


def english_on(page) -> tuple[str, list[str]]:
    seen = page.evaluate(READ)
    return seen["lang"], sorted({t[:80] for t in seen["texts"] if FOUND.search(t)})


@pytest.mark.parametrize("role", list(ROLES), ids=lambda r: r or "khach")
def test_every_page_speaks_vietnamese(server, browser, role):  # noqa: F811
    context = browser.new_context(viewport=DESK if role else PHONE)
    page = context.new_page()
    if role:
        log_in(page, server, ROLES[role])
        page.get_by_role("button", name="Đăng xuất").wait_for()
    problems = {}
    for spec in pages_for(role) + [None]:
        path = spec.url_path if spec else "dia-chi-go-nham"
        page.goto(f"{server}/{path}")
        page.locator("[data-testid=stMain]").wait_for()
        if spec is None:
            page.get_by_role("heading", name="Không tìm thấy trang").wait_for()
        idle(page)
        lang, english = english_on(page)
        if lang != "vi" or english:
            problems[path] = (lang, english)
        if spec is None:
            assert page.get_by_role("dialog").count() == 0
    context.close()
    assert not problems, f"Tiếng Anh còn trên trang ({role or 'khách'}): {problems}"


def test_widgets_in_use_speak_vietnamese(server, browser):  # noqa: F811
    """What appears only while a widget is used: the hint under a field being typed in, a list
    filtered to nothing, the date field's calendar."""
    context = browser.new_context(viewport=DESK)
    page = context.new_page()
    log_in(page, server, "admin")
    page.get_by_role("button", name="Đăng xuất").wait_for()
    assert wait_for(lambda: login_cookie(context) is not None)   # the pages below are opened by address
    seen: list[str] = []
    checked = set()
    for path in ("quan-tri", "quan-ly-khao-sat", "tieu-chi", "phieu-diem", "bang-dieu-khien"):
        page.goto(f"{server}/{path}")
        page.locator("[data-testid=stMain]").wait_for()
        idle(page)
        main = page.locator("[data-testid=stMain]")
        field = main.locator("[data-testid=stTextInput] input:not([type=password]):visible")
        if "hint" not in checked and field.count():
            field.first.click()
            page.keyboard.type("abc")
            hint = main.locator("[data-testid=InputInstructions]").first
            hint.wait_for()
            assert "Nhấn Enter" in hint.inner_text()
            seen += english_on(page)[1]
            page.keyboard.press("Control+A")
            page.keyboard.press("Delete")
            checked.add("hint")
        choice = main.locator("[data-testid=stSelectbox] input:visible")
        if "list" not in checked and choice.count():
            choice.first.click()
            page.keyboard.type("zzzzqqq")
            page.get_by_text("Không tìm thấy").first.wait_for()
            seen += english_on(page)[1]
            page.keyboard.press("Escape")
            checked.add("list")
        day = main.locator("[data-testid=stDateInputField] [role=spinbutton]:visible")
        if "calendar" not in checked and day.count():
            day.first.click()
            page.keyboard.press("Alt+ArrowDown")
            page.get_by_role("grid").first.wait_for()
            idle(page)
            seen += english_on(page)[1]
            calendar = page.locator("[data-testid=stDateInputCalendar]")
            assert re.search(r"Tháng \d+", calendar.inner_text())
            assert calendar.locator("thead th").all_inner_texts() == ["CN", "T2", "T3", "T4", "T5", "T6", "T7"]
            page.keyboard.press("Escape")
            checked.add("calendar")
    context.close()
    assert checked == {"hint", "list", "calendar"}, f"không tìm thấy ô để thử: {checked}"
    assert not seen, f"Tiếng Anh khi dùng ô nhập: {sorted(set(seen))[:40]}"
