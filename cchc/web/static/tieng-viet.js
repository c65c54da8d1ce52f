// Streamlit's own words, in Vietnamese. Streamlit 1.67 has no language setting: its buttons, hints,
// placeholders and accessible names are English in its bundle. This script, run once in the page
// (st.html with JavaScript, not an iframe), sets the html lang to "vi" and replaces those words wherever
// they appear: in text, and in the placeholder, aria-label and title attributes; a MutationObserver
// does it again whenever Streamlit draws. Installed Streamlit files are not touched.
// The list is data: add a line when a new English word shows up (tests/test_browser_vietnamese.py
// walks every page for every role and fails on the English it finds).
(function () {
  if (window.__cchcTiengViet) { return; }
  window.__cchcTiengViet = true;

  const EXACT = {
    // layout and navigation
    "Skip to main content": "Chuyển đến nội dung chính",
    "Collapse sidebar": "Thu gọn thanh bên",
    "Expand sidebar": "Mở thanh bên",
    "Sidebar": "Thanh bên",
    "App pages": "Các trang",
    "Main menu": "Trình đơn",
    "Navigate to home page": "Về trang chủ",
    "View more": "Xem thêm",
    "View less": "Thu gọn",
    "Link to heading": "Liên kết đến mục này",
    "Scroll tabs left": "Cuộn sang trái",
    "Scroll tabs right": "Cuộn sang phải",
    "Running...": "Đang chạy…",
    "Stop script": "Dừng",
    "Stop": "Dừng",
    "Close": "Đóng",
    "Notifications": "Thông báo",
    "Connecting": "Đang kết nối",
    "Please wait...": "Vui lòng chờ…",
    // the page-not-found and connection dialogs
    "Page not found": "Không tìm thấy trang",
    "The page that you have requested does not seem to exist. Running the app's main page.":
      "Trang bạn yêu cầu không tồn tại. Đang mở trang chính.",
    "Connection error": "Mất kết nối",
    "Is Streamlit still running? If you accidentally stopped Streamlit, just restart it in your terminal:":
      "Máy chủ có thể đang khởi động lại. Hãy chờ một lát rồi tải lại trang.",
    // text inputs, number inputs, passwords, forms
    "Press Enter to apply": "Nhấn Enter để áp dụng",
    "Press Enter to submit form": "Nhấn Enter để gửi",
    "Press ⌘+Enter to apply": "Nhấn Ctrl+Enter để áp dụng",
    "Press Ctrl+Enter to apply": "Nhấn Ctrl+Enter để áp dụng",
    "Press ⌘+Enter to submit form": "Nhấn Ctrl+Enter để gửi",
    "Press Ctrl+Enter to submit form": "Nhấn Ctrl+Enter để gửi",
    "Show password": "Hiện mật khẩu",
    "Hide password": "Ẩn mật khẩu",
    "Increment": "Tăng",
    "Decrement": "Giảm",
    "Clear value": "Xóa giá trị",
    "Clear entry": "Xóa",
    // choices
    "Choose an option": "Chọn…",
    "Choose options": "Chọn…",
    "No results": "Không tìm thấy",
    "No options to select.": "Không có lựa chọn nào.",
    "No options to select": "Không có lựa chọn nào",
    "Clear all": "Xóa tất cả",
    "Select all": "Chọn tất cả",
    "Selected values": "Đã chọn",
    "Open": "Mở",
    "Add new option": "Thêm lựa chọn mới",
    // dates
    "Choose date": "Chọn ngày",
    "Clear date": "Xóa ngày",
    "Clear dates": "Xóa ngày",
    "Choose date range": "Chọn khoảng ngày",
    "Previous month": "Tháng trước",
    "Next month": "Tháng sau",
    "Month": "Tháng",
    "Next": "Sau",
    "Previous": "Trước",
    "Use arrow keys to navigate dates. Enter to select. Escape to close.":
      "Dùng các phím mũi tên để chọn ngày, Enter để chọn, Esc để đóng.",
    "Year": "Năm",
    // files
    "Upload": "Tải lên",
    "Uploading...": "Đang tải lên…",
    "Upload failed": "Tải lên không được",
    "Browse files": "Chọn tệp",
    "Drag and drop file here": "Kéo thả tệp vào đây",
    "Drag and drop files here": "Kéo thả tệp vào đây",
    "Drag and drop a file here": "Kéo thả tệp vào đây",
    "Add files": "Thêm tệp",
    "file upload": "tải tệp lên",
    "Remove file": "Gỡ tệp",
    // tables
    "Download as CSV": "Tải về dạng CSV",
    "Search": "Tìm",
    "Close Search": "Đóng ô tìm",
    "Fullscreen": "Toàn màn hình",
    "View fullscreen": "Toàn màn hình",
    "Close fullscreen": "Thoát toàn màn hình",
    "Exit fullscreen": "Thoát toàn màn hình",
    "Dataframe column menu": "Trình đơn cột",
    "Sort ascending": "Sắp xếp tăng dần",
    "Sort descending": "Sắp xếp giảm dần",
    "Copy column name": "Chép tên cột",
    "Hide column": "Ẩn cột",
    "Show/hide columns": "Ẩn/hiện cột",
    "Autosize": "Tự chỉnh độ rộng",
    "Pin column": "Ghim cột",
    "Unpin column": "Bỏ ghim cột",
    "Format": "Định dạng",
    "Automatic": "Tự động",
    "Next page": "Trang sau",
    "Previous page": "Trang trước",
    "Pagination": "Phân trang",
    "Copy to clipboard": "Chép",
    "Copied to clipboard": "Đã chép",
    "Next Result": "Kết quả sau",
    "Previous Result": "Kết quả trước",
    "Type to search": "Gõ để tìm",
    // charts (Vega-Lite's menu)
    "Save as SVG": "Lưu dạng SVG",
    "Save as PNG": "Lưu dạng PNG",
    "View Source": "Xem mã nguồn",
    "View Compiled Vega": "Xem mã Vega",
    "Open in Vega Editor": "Mở bằng Vega Editor",
    "Show data": "Xem dữ liệu",
    "Copy Vega-Lite spec": "Chép đặc tả biểu đồ",
    "Download as PNG": "Tải về dạng PNG",
    "Download as SVG": "Tải về dạng SVG",
    "Vega visualization": "Biểu đồ",
  };

  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  const DAYS = { Monday: "Thứ Hai", Tuesday: "Thứ Ba", Wednesday: "Thứ Tư", Thursday: "Thứ Năm",
    Friday: "Thứ Sáu", Saturday: "Thứ Bảy", Sunday: "Chủ Nhật" };
  const SHORT_DAYS = { Mo: "T2", Tu: "T3", We: "T4", Th: "T5", Fr: "T6", Sa: "T7", Su: "CN" };
  const WEEKDAYS = ["CN", "T2", "T3", "T4", "T5", "T6", "T7"];
  const month = (name) => "tháng " + (MONTHS.indexOf(name) + 1);

  const PATTERNS = [
    // The uploader's size is Streamlit's ceiling (server.maxUploadSize), not the app's own limit,
    // which each field's label states (10 MB for evidence, 5 MB for a workbook): keep the kinds.
    [/^(?:Limit )?\d+ ?MB per file(?: • (.+))?$/, (m, kinds) => (kinds ? "Tệp " + kinds : "")],
    [/^File is too large\. Maximum size is (\d+) bytes\.?$/,
      (m, n) => "Tệp quá lớn: tối đa " + Math.round(Number(n) / 1048576) + " MB."],
    [/^(.+) files are not allowed\.?$/, (m, kind) => "Không nhận loại tệp này (" + kind + ")."],
    [/^Help for (.+)$/, (m, what) => "Giải thích: " + what],
    // a chart's menu names its chart: "Download as PNG: Xếp hạng…"
    [/^(Copy Vega-Lite spec|Download as PNG|Download as SVG|Show data|View Source|Fullscreen|View fullscreen): (.+)$/,
      (m, what, title) => (EXACT[what] || what) + ": " + title],
    // the date field (its parts are read out one by one): "day, Hạn nộp", "11 – November",
    // "Selected Date: November 12, 2022"
    [/^(day|month|year), (.+)$/, (m, part, label) => ({ day: "ngày", month: "tháng", year: "năm" })[part] + ", " + label],
    [/^(day|month|year)$/, (m, part) => ({ day: "ngày", month: "tháng", year: "năm" })[part]],
    [new RegExp("^(\\d+) – (" + MONTHS.join("|") + ")$"), (m, n, mo) => n + " – " + month(mo)],
    [new RegExp("^Selected Date: (" + MONTHS.join("|") + ") (\\d+), (\\d{4})$"),
      (m, mo, d, y) => "Ngày đã chọn: " + String(d).padStart(2, "0") + "/" +
        String(MONTHS.indexOf(mo) + 1).padStart(2, "0") + "/" + y],
    [/^Empty$/, () => "Trống"],
    // the calendar: "Choose date, November 2022", "Friday, December 2, 2022 selected"
    [new RegExp("^Choose date, (" + MONTHS.join("|") + ") (\\d{4})$"),
      (m, mo, y) => "Chọn ngày, tháng " + (MONTHS.indexOf(mo) + 1) + " năm " + y],
    [new RegExp("^(Today, )?(" + Object.keys(DAYS).join("|") + "), (" + MONTHS.join("|") + ") (\\d+), (\\d{4})( selected)?$"),
      (m, today, d, mo, day, y, sel) => (today ? "Hôm nay, " : "") + DAYS[d] + ", " + String(day).padStart(2, "0") + "/" +
        String(MONTHS.indexOf(mo) + 1).padStart(2, "0") + "/" + y + (sel ? ", đang chọn" : "")],
    [new RegExp("^(" + MONTHS.join("|") + ") (\\d+) – (" + MONTHS.join("|") + ") (\\d+), (\\d{4})$"),
      (m, a, d1, b, d2, y) => d1 + "/" + (MONTHS.indexOf(a) + 1) + " – " + d2 + "/" + (MONTHS.indexOf(b) + 1) + "/" + y],
    [/^Remove (.+)$/, (m, what) => "Gỡ " + what],
    [/^Upload (.+)$/, (m, what) => "Tải lên " + what],
    [/^Drag and drop (.+) here$/, () => "Kéo thả tệp vào đây"],
    [/^Upload or drag and drop (.+)$/, () => "Tải lên hoặc kéo thả tệp"],
    [/^Press Enter to (.+)$/, () => "Nhấn Enter để áp dụng"],
    [/^Page (\d+)$/, (m, n) => "Trang " + n],
    [/^(\d+) rows?$/, (m, n) => n + " dòng"],
    [/^You have requested page \/?(.*), but no corresponding file was found in the app's pages\/ directory\. Running the app's main page\.$/,
      (m, p) => "Không có trang «" + p + "». Đang mở trang chính."],
    // the date picker: "December 2022", "Choose Tuesday, December 6th 2022. It's available."
    [new RegExp("^(" + MONTHS.join("|") + ") (\\d{4})$"), (m, mo, y) => "Tháng " + (MONTHS.indexOf(mo) + 1) + " năm " + y],
    [new RegExp("^(" + MONTHS.join("|") + ")$"), (m, mo) => month(mo)[0].toUpperCase() + month(mo).slice(1)],
    [new RegExp("^(?:Choose |Selected date\\. )?(" + Object.keys(DAYS).join("|") + "), (" + MONTHS.join("|") +
      ") (\\d+)(?:st|nd|rd|th) (\\d{4})\\.?.*$"),
      (m, d, mo, day, y) => DAYS[d] + ", ngày " + day + " " + month(mo) + " năm " + y],
    [/^(Mo|Tu|We|Th|Fr|Sa|Su)$/, (m, d) => SHORT_DAYS[d]],
  ];

  function vi(text) {
    const t = text.trim();
    if (!t) { return null; }
    if (Object.prototype.hasOwnProperty.call(EXACT, t)) { return text.replace(t, EXACT[t]); }
    for (const [re, fn] of PATTERNS) {
      const m = t.match(re);
      if (m) { return text.replace(t, fn(...m)); }
    }
    return null;
  }

  const ATTRIBUTES = ["placeholder", "aria-label", "title", "aria-valuetext", "aria-roledescription"];

  function fix(node) {
    if (node.nodeType === Node.TEXT_NODE) {
      const out = vi(node.nodeValue);
      if (out !== null && out !== node.nodeValue) { node.nodeValue = out; }
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) { return; }
    for (const a of ATTRIBUTES) {
      const v = node.getAttribute(a);
      if (v) {
        const out = vi(v);
        if (out !== null && out !== v) { node.setAttribute(a, out); }
      }
    }
    // Material icon names are ligatures: drawn as a glyph, but read out (and shown, before the
    // font arrives) as words like "keyboard_arrow_right". They are decoration here.
    // The calendar's weekday letters (S M T W T F S, the week from Sunday) carry no name to
    // translate by: they go by their place in the row.
    if (node.tagName === "TH" && node.closest('[data-testid="stDateInputCalendar"] thead')) {
      const day = WEEKDAYS[Array.prototype.indexOf.call(node.parentElement.children, node)];
      if (day && node.textContent !== day) { node.textContent = day; }
    }
    const tid = node.getAttribute("data-testid");
    if ((tid === "stIconMaterial" || tid === "stExpanderIcon") && !node.hasAttribute("aria-hidden")) {
      node.setAttribute("aria-hidden", "true");
    }
  }

  function walk(root) {
    fix(root);
    if (root.nodeType !== Node.ELEMENT_NODE) { return; }
    const w = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    let n = w.nextNode();
    while (n) { fix(n); n = w.nextNode(); }
  }

  function iconsReady() { document.documentElement.classList.add("cchc-icons"); }

  function start() {
    document.documentElement.lang = "vi";
    if (document.fonts && document.fonts.load) {
      // A font that failed to arrive leaves the icons hidden rather than spelled out.
      document.fonts.load('24px "Material Symbols Rounded"').then((faces) => { if (faces.length) { iconsReady(); } });
    } else { iconsReady(); }
    walk(document.body);
    new MutationObserver((records) => {
      if (document.documentElement.lang !== "vi") { document.documentElement.lang = "vi"; }
      for (const r of records) {
        if (r.type === "childList") { r.addedNodes.forEach(walk); }
        else if (r.type === "characterData") { fix(r.target); }
        else if (r.type === "attributes") { fix(r.target); }
      }
    }).observe(document.documentElement, { subtree: true, childList: true, characterData: true,
      attributes: true, attributeFilter: ATTRIBUTES.concat(["lang"]) });
  }

  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
