"""Urging the communes that lag (đôn đốc): who is late or at risk with their self-assessment, the
notice's default words and its e-mail, and the account e-mail rule. Pure: no database."""

from __future__ import annotations

import datetime as dt
import re

from cchc.core.assessment import edit_deadline
from cchc.core.text import fmt_date
from cchc.core.workflow import HANDED_IN

#: A unit that has not handed in is "at risk" from this many days before its deadline.
AT_RISK_DAYS = 3
LATE, AT_RISK, PENDING = "late", "at_risk", "pending"
#: How each kind of lag reads on the screen.
LAGS = {LATE: "Quá hạn", AT_RISK: "Sắp hết hạn", PENDING: "Chưa nộp"}
#: What became of a notice's e-mail.
EMAIL_STATUSES = {
    "queued": "Đang gửi",
    "sent": "Đã gửi e-mail",
    "failed": "Gửi e-mail lỗi",
    "no_address": "Tài khoản chưa có e-mail",
    "no_server": "Chưa cấu hình máy chủ thư",
}
MAX_MESSAGE = 1000
MAX_EMAIL = 254
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


def due_date(deadline: dt.date, reopened_until: dt.date | None) -> dt.date:
    """The day a unit must hand in by: the period's deadline, or later when reopened."""
    return edit_deadline(deadline, reopened_until)


def lag(state: str, deadline: dt.date | None, reopened_until: dt.date | None, today: dt.date) -> str | None:
    """LATE: past its deadline (or its reopening) and not handed in; AT_RISK: not handed in and the
    deadline within AT_RISK_DAYS days; PENDING: not handed in, the deadline further off; None:
    handed in (or no deadline set)."""
    if state in HANDED_IN or deadline is None:
        return None
    due = due_date(deadline, reopened_until)
    if today > due:
        return LATE
    return AT_RISK if (due - today).days <= AT_RISK_DAYS else PENDING


def when_text(due: dt.date, today: dt.date) -> str:
    """«quá hạn 2 ngày», «hạn cuối là hôm nay», «còn 3 ngày»."""
    days = (due - today).days
    if days < 0:
        return f"đã quá hạn {-days} ngày"
    return "hạn cuối là hôm nay" if days == 0 else f"còn {days} ngày"


def default_message(unit_name: str, due: dt.date, today: dt.date) -> str:
    """The notice's words when staff write none."""
    if today > due:
        return (f"{unit_name} chưa nộp báo cáo tự đánh giá Chỉ số CCHC, đã quá hạn {fmt_date(due)}. "
                "Đề nghị hoàn thiện và nộp ngay trên ứng dụng.")
    return (f"{unit_name} chưa nộp báo cáo tự đánh giá Chỉ số CCHC; hạn nộp {fmt_date(due)} "
            f"({when_text(due, today)}). Đề nghị hoàn thiện và nộp đúng hạn trên ứng dụng.")


def clean_message(text: str | None) -> str | None:
    """Staff's own words, trimmed; None when empty. Raises ValueError (Vietnamese) when too long."""
    text = (text or "").strip()
    if len(text) > MAX_MESSAGE:
        raise ValueError(f"Nội dung đôn đốc dài {len(text)} ký tự; tối đa {MAX_MESSAGE} ký tự.")
    return text or None


def email_subject(unit_name: str, year: int, due: dt.date) -> str:
    return f"Đôn đốc nộp báo cáo tự đánh giá Chỉ số CCHC năm {year} — {unit_name} (hạn {fmt_date(due)})"


def email_body(unit_name: str, year: int, due: dt.date, today: dt.date, message: str, sender: str,
               issuer: str) -> str:
    return (f"Kính gửi: {unit_name}\n\n{message}\n\n"
            f"Hạn nộp báo cáo tự đánh giá năm {year}: {fmt_date(due)} ({when_text(due, today)}).\n"
            f"Người gửi: {sender}, {issuer}.\n\n"
            "Thư này được gửi tự động từ ứng dụng Chỉ số CCHC cấp xã; thông báo cũng hiện trên trang chủ và trang "
            "tự đánh giá của đơn vị cho đến khi đơn vị nộp báo cáo.\n")


def normalise_email(text: str | None) -> str | None:
    """An account's e-mail address, trimmed (None when empty). Raises ValueError with one Vietnamese
    message when it is not an address."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > MAX_EMAIL or not _EMAIL.match(text):
        raise ValueError(f"Địa chỉ e-mail «{text[:60]}» không hợp lệ: cần dạng ten@coquan.gov.vn, không dấu, "
                         "không dấu cách.")
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}"
