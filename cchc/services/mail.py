"""Sending an e-mail through the operator's mail server (CCHC_SMTP_HOST, CCHC_SMTP_PORT, …:
cchc.config.smtp_from_env): Python's smtplib, UTF-8 subject and body, a timeout of a few seconds. No server configured: no
e-mail, and callers say so."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from cchc import config


class MailError(RuntimeError):
    """The e-mail did not go; the message is Vietnamese and says why."""


def server() -> config.Smtp | None:
    """The configured mail server, or None. Raises config.ConfigError for a setting it cannot use."""
    return config.smtp_from_env()


def message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or None)
    msg.set_content(body, charset="utf-8")
    return msg


def send(smtp: config.Smtp, to: str, subject: str, body: str) -> None:
    """Send one e-mail; MailError (Vietnamese) when the server cannot be reached or refuses it."""
    msg = message(smtp.sender, to, subject, body)
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as conn:
            if smtp.starttls:
                conn.starttls(context=ssl.create_default_context())
            if smtp.user:
                conn.login(smtp.user, smtp.password or "")
            conn.send_message(msg)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"Máy chủ thư {smtp.host} từ chối tên đăng nhập hoặc mật khẩu ({exc.smtp_code}).") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(f"Máy chủ thư {smtp.host} từ chối địa chỉ nhận {to}.") from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"Máy chủ thư {smtp.host} không hỗ trợ STARTTLS (đặt CCHC_SMTP_STARTTLS=0 nếu "
                        "đây là máy chủ nội bộ).") from exc
    except smtplib.SMTPException as exc:
        raise MailError(f"Máy chủ thư {smtp.host} báo lỗi: {exc}.") from exc
    except TimeoutError as exc:
        raise MailError(f"Máy chủ thư {smtp.host}:{smtp.port} không trả lời sau {smtp.timeout:g} giây.") from exc
    except ssl.SSLError as exc:
        raise MailError(f"Lỗi mã hóa khi nói chuyện với máy chủ thư {smtp.host}: {exc.reason or exc}.") from exc
    except OSError as exc:
        raise MailError(f"Không kết nối được máy chủ thư {smtp.host}:{smtp.port} "
                        f"({exc.strerror or exc}).") from exc
